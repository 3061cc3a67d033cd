//! The command line of `chat-load`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use clap::Parser;

use super::LoadError;
use super::payload::MIN_LINE_BYTES;

/// Load generator for the chat line protocol. Connects only to loopback addresses.
#[derive(Debug, Clone, Parser)]
#[command(name = "chat-load", version)]
pub struct Options {
    /// Server address; must be loopback (127.0.0.0/8, ::1, localhost).
    #[arg(long, default_value = "127.0.0.1:9999")]
    pub addr: String,
    /// Clients that join and send.
    #[arg(long, default_value_t = 10)]
    pub clients: usize,
    /// Lines per second each client sends; 0 sends as fast as the server takes them.
    #[arg(long, default_value_t = 1000)]
    pub rate: u32,
    /// Seconds measured, after the warm-up.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds of sending before the measurement starts.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Seconds to wait for lines still in flight after the last send.
    #[arg(long, default_value_t = 5.0)]
    pub drain: f64,
    /// Seconds allowed for all clients to connect and join.
    #[arg(long, default_value_t = 30.0)]
    pub join_timeout: f64,
    /// Bytes of text per line (without the LF).
    #[arg(long, default_value_t = 64)]
    pub line_bytes: usize,
    /// Nickname prefix; clients are `<prefix>0`, `<prefix>1`, ...
    #[arg(long, default_value = "load")]
    pub nick_prefix: String,
    /// The server's pid, to report its CPU time and RSS from /proc.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Instead of sending: join this many clients, hold them for --duration seconds and
    /// report the server's RSS before and after (memory per connection).
    #[arg(long, value_name = "N")]
    pub idle: Option<usize>,
    /// Print one JSON line instead of the summary.
    #[arg(long)]
    pub json: bool,
}

impl Options {
    /// The server's address, refused unless every address it resolves to is loopback.
    pub fn loopback_addr(&self) -> Result<SocketAddr, LoadError> {
        let resolve = |source| LoadError::Resolve {
            addr: self.addr.clone(),
            source,
        };
        let addrs: Vec<SocketAddr> = self.addr.to_socket_addrs().map_err(resolve)?.collect();
        match addrs.first() {
            Some(first) if addrs.iter().all(|a| a.ip().is_loopback()) => Ok(*first),
            _ => Err(LoadError::NotLoopback(self.addr.clone())),
        }
    }

    /// Checks the ranges the run relies on.
    pub fn validate(&self) -> Result<(), LoadError> {
        let bad = |what: &str| Err(LoadError::InvalidOption(what.to_owned()));
        let clients = self.idle.unwrap_or(self.clients);
        if !(1..=100_000).contains(&clients) {
            return bad("the number of clients must be 1..=100000");
        }
        if !(MIN_LINE_BYTES..=4000).contains(&self.line_bytes) {
            return bad("--line-bytes must be 56..=4000");
        }
        let times = [self.duration, self.warmup, self.drain, self.join_timeout];
        if !times
            .iter()
            .all(|t| t.is_finite() && (0.0..=86_400.0).contains(t))
        {
            return bad("times must be 0..=86400 seconds");
        }
        if self.join_timeout <= 0.0 {
            return bad("--join-timeout must be positive");
        }
        if self.nick_prefix.is_empty() || !self.nick_prefix.chars().all(char::is_alphabetic) {
            return bad("--nick-prefix must be letters only");
        }
        Ok(())
    }

    /// A seconds option as a `Duration` (validated to be finite and non-negative).
    pub fn secs(t: f64) -> Duration {
        Duration::try_from_secs_f64(t).unwrap_or(Duration::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: &[&str]) -> Options {
        let argv = std::iter::once("chat-load").chain(args.iter().copied());
        Options::try_parse_from(argv).expect("valid arguments")
    }

    #[test]
    fn defaults_match_the_documented_run() {
        let o = options(&[]);
        assert_eq!((o.clients, o.rate, o.line_bytes), (10, 1000, 64));
        assert_eq!((o.duration, o.warmup, o.drain), (10.0, 2.0, 5.0));
        assert!(o.validate().is_ok());
    }

    #[test]
    fn only_loopback_targets_are_accepted() {
        for addr in [
            "127.0.0.1:9999",
            "127.1.2.3:1",
            "[::1]:9999",
            "localhost:9999",
        ] {
            let o = options(&["--addr", addr]);
            assert!(o.loopback_addr().is_ok(), "{addr}");
        }
        for addr in [
            "192.0.2.1:9999",
            "10.0.0.1:9999",
            "[2001:db8::1]:9999",
            "0.0.0.0:9999",
        ] {
            let o = options(&["--addr", addr]);
            assert!(
                matches!(o.loopback_addr(), Err(LoadError::NotLoopback(_))),
                "{addr}"
            );
        }
        let o = options(&["--addr", "no-port"]);
        assert!(matches!(o.loopback_addr(), Err(LoadError::Resolve { .. })));
    }

    #[test]
    fn out_of_range_options_are_refused() {
        for args in [
            &["--clients", "0"][..],
            &["--line-bytes", "10"],
            &["--duration=-1"],
            &["--warmup", "NaN"],
            &["--join-timeout", "0"],
            &["--nick-prefix", "lo ad"],
            &["--idle", "0"],
        ] {
            assert!(options(args).validate().is_err(), "{args:?}");
        }
    }
}
