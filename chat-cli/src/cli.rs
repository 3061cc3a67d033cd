//! Command-line arguments.

use std::path::PathBuf;

use clap::Parser;
use time::UtcOffset;

/// A terminal client for the chat server: a full-screen window on a terminal, plain lines on
/// pipes.
#[derive(Debug, Parser)]
#[command(name = "chat-cli", version, about)]
pub(crate) struct Args {
    /// Server host name or address.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) host: String,
    /// Server port [default: 9999, or 9993 with --tls].
    #[arg(long)]
    pub(crate) port: Option<u16>,
    /// Connect over TLS, checking the server's certificate for --host against the system's
    /// root certificates (or --ca).
    #[arg(long)]
    pub(crate) tls: bool,
    /// With --tls: trust only the certificates in this PEM file (a private CA, or the
    /// server's own self-signed certificate) instead of the system's.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub(crate) ca: Option<PathBuf>,
    /// Nickname to join with; without it the client asks for one.
    #[arg(long)]
    pub(crate) nick: Option<String>,
    /// Directory for `<nickname>_chat_log.txt` (created if missing).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub(crate) log_dir: PathBuf,
    /// Do not write a chat log.
    #[arg(long)]
    pub(crate) no_log: bool,
    /// Plain mode: stdin lines are sent, received lines printed (automatic when stdin or
    /// stdout is not a terminal).
    #[arg(long)]
    pub(crate) plain: bool,
    /// The UTC offset appended to bare `/schedule HH:MM` times and used for timestamps:
    /// `+09:00`, `-05:30`, or `Z` (or `z`) for UTC; default: the local offset.
    #[arg(long, value_name = "OFFSET", value_parser = parse_offset, allow_hyphen_values = true)]
    pub(crate) utc_offset: Option<UtcOffset>,
}

impl Args {
    /// `host:port`, with an IPv6 host in brackets; `default_port` unless `--port` was given.
    pub(crate) fn addr(&self, default_port: u16) -> String {
        let port = self.port.unwrap_or(default_port);
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{port}", self.host)
        } else {
            format!("{}:{port}", self.host)
        }
    }
}

/// Parses `+09:00`, `-05:30`, `Z` (the forms `/schedule` accepts after a time).
fn parse_offset(s: &str) -> Result<UtcOffset, String> {
    chatcore::timespec::parse_offset(s)
        .ok_or_else(|| format!("{s:?} is not an offset like +09:00, -05:30 or Z (UTC)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::offset;

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+09:00"), Ok(offset!(+9)));
        assert_eq!(parse_offset("-05:30"), Ok(offset!(-5:30)));
        assert_eq!(parse_offset("Z"), Ok(UtcOffset::UTC));
        assert_eq!(parse_offset("z"), Ok(UtcOffset::UTC));
        assert_eq!(
            parse_offset("UTC"),
            Err("\"UTC\" is not an offset like +09:00, -05:30 or Z (UTC)".to_owned())
        );
        assert!(parse_offset("").is_err());
        assert!(parse_offset("9").is_err());
        assert!(parse_offset("+24:00").is_err());
    }

    #[test]
    fn the_help_says_z_is_utc() {
        use clap::CommandFactory;
        let help = Args::command().render_long_help().to_string();
        let flag = help
            .lines()
            .skip_while(|l| !l.contains("--utc-offset"))
            .take_while(|l| !l.contains("--help"))
            .collect::<Vec<_>>()
            .join(" ");
        let flag = flag.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flag.contains("`+09:00`, `-05:30`, or `Z` (or `z`) for UTC; default: the local offset"),
            "{flag}"
        );
    }

    #[test]
    fn arguments() -> Result<(), clap::Error> {
        let args = Args::try_parse_from(["chat-cli", "--utc-offset", "-05:00", "--nick", "Bob"])?;
        assert_eq!(args.utc_offset, Some(offset!(-5)));
        assert_eq!(args.addr(9999), "127.0.0.1:9999");
        assert!(!args.tls);
        let args = Args::try_parse_from(["chat-cli", "--host", "::1", "--port", "1"])?;
        assert_eq!(args.addr(9993), "[::1]:1");
        let args = Args::try_parse_from(["chat-cli", "--tls", "--ca", "ca.pem"])?;
        assert!(args.tls);
        assert_eq!(args.ca, Some(PathBuf::from("ca.pem")));
        // --ca means nothing without --tls: refused, not silently ignored.
        let err = Args::try_parse_from(["chat-cli", "--ca", "ca.pem"]).err();
        assert_eq!(err.map(|e| e.exit_code()), Some(2));
        let err = Args::try_parse_from(["chat-cli", "--port", "x"]).err();
        assert_eq!(err.map(|e| e.exit_code()), Some(2));
        Ok(())
    }
}
