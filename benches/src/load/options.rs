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
    /// Lines per second each client sends (fractions too: 0.05 is one line every 20 s); 0
    /// sends as fast as the server takes them.
    #[arg(long, default_value_t = 1000.0)]
    pub rate: f64,
    /// Spread the clients over this many rooms: each joins, then moves with `/join` to
    /// `<room-prefix><i % N>` (created by its first member), so a line is expected at the
    /// other members of its sender's room only, and one seen in another room is counted as
    /// misrouted. Without it every client stays in the default room.
    #[arg(long, value_name = "N")]
    pub rooms: Option<u32>,
    /// Room name prefix of --rooms; rooms are `<prefix>0`, `<prefix>1`, ...
    #[arg(long, default_value = "room")]
    pub room_prefix: String,
    /// Speak IRC instead of the chat line protocol, to measure an IRC server (ngIRCd) as an
    /// anchor beside chat-tcp: each client registers (`NICK`, `USER`), joins `#load`, sends
    /// `PRIVMSG #load :<payload>` and counts the `PRIVMSG` lines it receives.
    #[arg(long, conflicts_with_all = ["rooms", "soak"])]
    pub irc: bool,
    /// Send the nickname as soon as connected instead of after the server's prompt (the
    /// anchor servers of ../shared/anchors send no prompt).
    #[arg(long, conflicts_with_all = ["irc", "soak"])]
    pub no_prompt: bool,
    /// Speak the line protocol over TLS (the server's `--tls-bind`), trusting only the
    /// certificates in --ca.
    #[arg(long, requires = "ca", conflicts_with_all = ["irc", "no_prompt", "soak"])]
    pub tls: bool,
    /// The CA (or the server's own self-signed certificate), PEM, that --tls trusts.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub ca: Option<std::path::PathBuf>,
    /// Seconds measured, after the warm-up; with --soak, seconds of activity [default: 10;
    /// 600 with --soak]
    #[arg(long)]
    pub duration: Option<f64>,
    /// Seconds of sending before the measurement starts. With --soak: seconds of a whole
    /// soak of its own (every kind of event, checked like the rest) run first, so the
    /// server's memory baseline is read once every code path has run and settled; 0 skips
    /// it [default: 2; 180 with --soak, so the warm-up's schedules fire within it]
    #[arg(long)]
    pub warmup: Option<f64>,
    /// Seconds to wait for lines still in flight after the last send.
    #[arg(long, default_value_t = 5.0)]
    pub drain: f64,
    /// Seconds allowed for all clients to connect and join.
    #[arg(long, default_value_t = 30.0)]
    pub join_timeout: f64,
    /// Microseconds before each due time at which a writer stops sleeping and spins (0:
    /// sleep until due). A sleeping thread wakes 0.1-3 ms late on a busy VM and that delay
    /// counts as latency (lines carry their due time); spinning removes it, at the cost of
    /// up to this much CPU per line: for light loads only.
    #[arg(long, default_value_t = 0, value_name = "US")]
    pub spin_us: u32,
    /// Stamp each line with the time it is written rather than the time it was due, so the
    /// latency leaves out the generator's own lateness (`send late` in the report). Open-loop
    /// timing is lost (a server stall delays the writes themselves): for light loads.
    #[arg(long)]
    pub stamp_at_write: bool,
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
    /// Instead of measuring: a long, bounded reliability run (see the Soak options). Joins a
    /// core of members that never leave, churns others in and out, whispers, schedules,
    /// kicks and floods for --duration seconds, then drains and checks that every core
    /// member's chat line reached every other core member once and in order. Run it against
    /// a fresh server with its default flood limit.
    #[arg(long, conflicts_with = "idle")]
    pub soak: bool,
    /// Print one JSON line instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// The soak's settings (last: their help heading applies to what follows them).
    #[command(flatten)]
    pub soak_opts: SoakOptions,
}

/// The settings of `--soak` (intervals are means; each is jittered by +-50 %).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Soak (with --soak)")]
pub struct SoakOptions {
    /// Long-lived members; the first is the admin (the server must be fresh).
    #[arg(long, default_value_t = 5)]
    pub core: u32,
    /// Most churning members in the room at once.
    #[arg(long, default_value_t = 20)]
    pub churn_max: u32,
    /// Seconds between two churning members joining.
    #[arg(long, default_value_t = 2.0)]
    pub churn_every: f64,
    /// Longest stay of a churning member in seconds (each stays 10-100 % of it).
    #[arg(long, default_value_t = 40.0)]
    pub churn_stay: f64,
    /// Chat lines per second of each member (core and churn); keep it under the server's
    /// flood rate.
    #[arg(long, default_value_t = 2.0)]
    pub chat_rate: f64,
    /// Seconds between two whispers of each core member.
    #[arg(long, default_value_t = 5.0)]
    pub whisper_every: f64,
    /// Seconds between two schedules (the core members take turns).
    #[arg(long, default_value_t = 20.0)]
    pub schedule_every: f64,
    /// Least lead of a schedule in seconds: it names the first whole UTC minute after
    /// now + lead (60: 1 to 2 minutes ahead).
    #[arg(long, default_value_t = 60.0)]
    pub schedule_lead: f64,
    /// Seconds between two kicks of a churning member by the admin.
    #[arg(long, default_value_t = 30.0)]
    pub kick_every: f64,
    /// Seconds between two flood bursts (each by a new member that then quits).
    #[arg(long, default_value_t = 60.0)]
    pub flood_every: f64,
    /// Lines in one flood burst, written at once.
    #[arg(long, default_value_t = 200)]
    pub flood_lines: u32,
    /// Seconds a flooder stays after its burst (to count its warnings).
    #[arg(long, default_value_t = 3.0)]
    pub flood_stay: f64,
    /// Seconds between two readings of the server's RSS and threads (needs --server-pid).
    #[arg(long, default_value_t = 30.0)]
    pub sample_every: f64,
    /// Seconds to wait after the last churning member left before the final reading.
    #[arg(long, default_value_t = 5.0)]
    pub settle: f64,
    /// Seed of the random choices (who whispers to whom, stays, leave kinds, victims).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
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

    /// `--duration` in seconds, or its default for the mode.
    pub fn duration_s(&self) -> f64 {
        self.duration
            .unwrap_or(if self.soak { 600.0 } else { 10.0 })
    }

    /// `--warmup` in seconds, or its default for the mode.
    pub fn warmup_s(&self) -> f64 {
        self.warmup.unwrap_or(if self.soak { 180.0 } else { 2.0 })
    }

    /// Checks the ranges the run relies on.
    pub fn validate(&self) -> Result<(), LoadError> {
        let bad = |what: &str| Err(LoadError::InvalidOption(what.to_owned()));
        if self.soak {
            self.soak_opts.validate()?;
        }
        let clients = self.idle.unwrap_or(self.clients);
        if !(1..=100_000).contains(&clients) {
            return bad("the number of clients must be 1..=100000");
        }
        if !(MIN_LINE_BYTES..=4000).contains(&self.line_bytes) {
            return bad("--line-bytes must be 56..=4000");
        }
        let times = [
            self.duration_s(),
            self.warmup_s(),
            self.drain,
            self.join_timeout,
        ];
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
        if !(self.rate.is_finite() && (0.0..=1_000_000.0).contains(&self.rate)) {
            return bad("--rate must be 0..=1000000 lines/s");
        }
        if self
            .rooms
            .is_some_and(|rooms| !(1..=clients).contains(&(rooms as usize)))
        {
            return bad("--rooms must be 1..=the number of clients");
        }
        let prefix = &self.room_prefix;
        if !(1..=20).contains(&prefix.len()) || !prefix.chars().all(|c| c.is_ascii_alphabetic()) {
            return bad("--room-prefix must be 1-20 ASCII letters");
        }
        Ok(())
    }

    /// The room client `i` moves to with `--rooms`, if any.
    pub fn room_of(&self, i: usize) -> Option<String> {
        let rooms = self.rooms? as usize;
        Some(format!("{}{}", self.room_prefix, i % rooms.max(1)))
    }

    /// How many other clients see a line of client `i`: the rest of its room, or with no
    /// `--rooms` every other client.
    pub fn receivers_of(&self, i: usize) -> u64 {
        let n = self.idle.unwrap_or(self.clients);
        let members = match self.rooms {
            // Clients r, r + rooms, r + 2 * rooms, ... share room r.
            Some(rooms) => {
                let rooms = (rooms as usize).max(1);
                n / rooms + usize::from(i % rooms < n % rooms)
            }
            None => n,
        };
        members.saturating_sub(1) as u64
    }

    /// A seconds option as a `Duration` (validated to be finite and non-negative).
    pub fn secs(t: f64) -> Duration {
        Duration::try_from_secs_f64(t).unwrap_or(Duration::ZERO)
    }
}

impl SoakOptions {
    fn validate(&self) -> Result<(), LoadError> {
        let bad = |what: &str| Err(LoadError::InvalidOption(what.to_owned()));
        if !(2..=1000).contains(&self.core) {
            return bad("--core must be 2..=1000");
        }
        if self.churn_max > 10_000 {
            return bad("--churn-max must be at most 10000");
        }
        if !(1..=100_000).contains(&self.flood_lines) {
            return bad("--flood-lines must be 1..=100000");
        }
        let positive = [
            self.churn_every,
            self.churn_stay,
            self.chat_rate,
            self.whisper_every,
            self.schedule_every,
            self.kick_every,
            self.flood_every,
            self.sample_every,
        ];
        if !positive
            .iter()
            .all(|t| t.is_finite() && *t > 0.0 && *t <= 86_400.0)
        {
            return bad("soak intervals, stays and rates must be positive and at most 86400");
        }
        let non_negative = [self.schedule_lead, self.flood_stay, self.settle];
        if !non_negative
            .iter()
            .all(|t| t.is_finite() && (0.0..=86_400.0).contains(t))
        {
            return bad("--schedule-lead, --flood-stay and --settle must be 0..=86400");
        }
        Ok(())
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
        assert_eq!((o.clients, o.rate, o.line_bytes), (10, 1000.0, 64));
        assert_eq!((o.rooms, o.room_of(3)), (None, None));
        assert_eq!((o.duration_s(), o.warmup_s(), o.drain), (10.0, 2.0, 5.0));
        assert!(o.validate().is_ok());
    }

    #[test]
    fn a_soak_lasts_ten_minutes_unless_told_otherwise() {
        let o = options(&["--soak"]);
        assert_eq!((o.duration_s(), o.warmup_s()), (600.0, 180.0));
        assert_eq!((o.soak_opts.core, o.soak_opts.flood_lines), (5, 200));
        assert!(o.validate().is_ok());
        assert_eq!(options(&["--soak", "--duration", "5"]).duration_s(), 5.0);
        let argv = ["chat-load", "--soak", "--idle", "3"];
        assert!(
            Options::try_parse_from(argv).is_err(),
            "--soak or --idle, not both"
        );
        for args in [
            &["--soak", "--core", "1"][..],
            &["--soak", "--chat-rate", "0"],
            &["--soak", "--kick-every=-1"],
            &["--soak", "--flood-lines", "0"],
            &["--soak", "--settle", "inf"],
        ] {
            assert!(options(args).validate().is_err(), "{args:?}");
        }
    }

    #[test]
    fn rooms_spread_the_clients_evenly() {
        let o = options(&["--clients", "23", "--rooms", "10", "--rate", "0.05"]);
        assert!(o.validate().is_ok());
        assert_eq!(o.room_of(0).as_deref(), Some("room0"));
        assert_eq!(o.room_of(13).as_deref(), Some("room3"));
        // Rooms 0-2 hold 3 clients (0, 10, 20 ...), rooms 3-9 hold 2.
        assert_eq!((o.receivers_of(0), o.receivers_of(22)), (2, 2));
        assert_eq!((o.receivers_of(3), o.receivers_of(19)), (1, 1));
        let total: u64 = (0..23).map(|i| o.receivers_of(i) + 1).sum::<u64>();
        assert_eq!(total, 3 * 3 * 3 + 7 * 2 * 2);
        assert_eq!(options(&["--clients", "5"]).receivers_of(4), 4);
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
            &["--rate=-1"],
            &["--rate", "inf"],
            &["--rooms", "0"],
            &["--rooms", "11"],
            &["--rooms", "2", "--room-prefix", "r 1"],
            &["--rooms", "2", "--room-prefix", "r1"],
        ] {
            assert!(options(args).validate().is_err(), "{args:?}");
        }
    }
}
