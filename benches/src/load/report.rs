//! The results of a run, as a summary for people and as one JSON line.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::client::{ReaderStats, WriterStats};
use super::histogram::Histogram;
use super::json::Json;
use super::options::Options;
use super::procfs::Process;

/// CPU times read at one moment.
#[derive(Debug, Clone)]
pub struct ProcessReading {
    /// The generator's own CPU time so far.
    generator: Option<Duration>,
    /// The server's, if a pid was given (or why it could not be read).
    server: Option<Result<Duration, String>>,
}

impl ProcessReading {
    /// Reads the generator's CPU time and, if given, the server's.
    pub fn take(server: Option<Process>) -> ProcessReading {
        ProcessReading {
            generator: Process::Current.cpu_time().ok(),
            server: server.map(|p| p.cpu_time().map_err(|e| e.to_string())),
        }
    }
}

/// What a sending run measured. Counts are of lines sent inside the measurement window.
#[derive(Debug)]
pub struct LoadReport {
    /// Clients that sent and read.
    pub clients: usize,
    /// Lines per second per client (0: unlimited).
    pub rate: f64,
    /// With `--rooms`: the rooms the clients were spread over.
    pub rooms: Option<u32>,
    /// Text bytes per line.
    pub line_bytes: usize,
    /// The measurement window.
    pub duration: Duration,
    /// Lines written in total, warm-up included.
    pub sent_total: u64,
    /// Lines written with a send time in the window.
    pub sent: u64,
    /// Of those, receptions (each line should reach every other client of its room).
    pub delivered: u64,
    /// Receptions the window's lines should have made.
    pub expected: u64,
    /// Load lines that reached a client in another room than their sender's.
    pub misrouted: u64,
    /// Load lines received that were sent outside the window.
    pub outside_window: u64,
    /// Load lines received during the window, whenever they were sent.
    pub received_in_window: u64,
    /// One-way latency of the delivered lines, in nanoseconds.
    pub latency: Histogram,
    /// How late the window's lines were written after their due time (the generator's part
    /// of `latency`), in nanoseconds.
    pub lateness: Histogram,
    /// `[Server]:` lines received.
    pub server_lines: u64,
    /// Of those, flood warnings (the server's flood limit is on).
    pub flood_warnings: u64,
    /// Lines that were neither load nor server lines.
    pub other_lines: u64,
    /// Readers that stopped before the end, and why.
    pub reader_endings: Vec<String>,
    /// Writers that stopped early, and why.
    pub writer_errors: Vec<String>,
    /// The generator's CPU time in the window.
    pub generator_cpu: Option<Duration>,
    /// The server's CPU time in the window.
    pub server_cpu: Option<Result<Duration, String>>,
    /// The server's RSS at the end.
    pub server_rss: Option<Result<u64, String>>,
    /// Time from the end of the window until the last line arrived or the drain gave up.
    pub drained: Duration,
}

impl LoadReport {
    /// An empty report for `options` with CPU readings at the window's start and end.
    pub fn new(
        options: &Options,
        before: ProcessReading,
        after: ProcessReading,
        drained: Duration,
    ) -> LoadReport {
        let delta = |a: Option<Duration>, b: Option<Duration>| Some(b?.saturating_sub(a?));
        let server_cpu = match (before.server, after.server) {
            (Some(Ok(a)), Some(Ok(b))) => Some(Ok(b.saturating_sub(a))),
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(Err(e)),
            _ => None,
        };
        LoadReport {
            clients: options.clients,
            rate: options.rate,
            rooms: options.rooms,
            line_bytes: options.line_bytes,
            duration: Options::secs(options.duration_s()),
            sent_total: 0,
            sent: 0,
            delivered: 0,
            expected: 0,
            misrouted: 0,
            outside_window: 0,
            received_in_window: 0,
            latency: Histogram::default(),
            lateness: Histogram::default(),
            server_lines: 0,
            flood_warnings: 0,
            other_lines: 0,
            reader_endings: Vec::new(),
            writer_errors: Vec::new(),
            generator_cpu: delta(before.generator, after.generator),
            server_cpu,
            server_rss: None,
            drained,
        }
    }

    /// Adds one writer's counts.
    pub fn add_writer(&mut self, stats: &WriterStats) {
        self.sent_total += stats.sent.load(Ordering::Relaxed);
        let sent = stats.sent_in_window.load(Ordering::Relaxed);
        self.sent += sent;
        self.expected += sent * stats.receivers;
        let error = stats.error.lock().unwrap_or_else(|e| e.into_inner());
        self.writer_errors.extend(error.clone());
        let lateness = stats.lateness.lock().unwrap_or_else(|e| e.into_inner());
        self.lateness.merge(&lateness);
    }

    /// Adds one reader's counts.
    pub fn add_reader(&mut self, stats: &ReaderStats) {
        self.delivered += stats.delivered;
        self.latency.merge(&stats.latency);
        self.outside_window += stats.outside_window;
        self.received_in_window += stats.received_in_window;
        self.server_lines += stats.server_lines;
        self.flood_warnings += stats.flood_warnings;
        self.other_lines += stats.other_lines;
        self.misrouted += stats.misrouted;
        self.reader_endings.extend(stats.ended.clone());
    }

    /// Receptions the window's lines should have made: each reaches every other client of
    /// its sender's room.
    pub fn expected(&self) -> u64 {
        self.expected
    }

    /// Delivered over expected; `None` when nothing was expected.
    pub fn ratio(&self) -> Option<f64> {
        let expected = self.expected();
        (expected > 0).then(|| self.delivered as f64 / expected as f64)
    }

    fn per_s(&self, n: u64) -> f64 {
        n as f64 / self.duration.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// The summary for people.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let rate = if self.rate > 0.0 {
            format!("{} lines/s each", self.rate)
        } else {
            "unlimited".to_owned()
        };
        let rooms = match self.rooms {
            Some(n) => format!(" in {n} rooms"),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "chat-load: {} clients{rooms}, {rate}, {}-byte lines, {:.1} s measured",
            self.clients,
            self.line_bytes,
            self.duration.as_secs_f64()
        );
        let _ = writeln!(
            s,
            "sent        {:>12.0} lines/s ({} lines in the window, {} in all)",
            self.per_s(self.sent),
            self.sent,
            self.sent_total
        );
        let ratio = self
            .ratio()
            .map_or("n/a".to_owned(), |r| format!("{:.4}", r));
        let _ = writeln!(
            s,
            "delivered   {:>12.0} lines/s ({} of {} expected, ratio {ratio})",
            self.per_s(self.delivered),
            self.delivered,
            self.expected()
        );
        let _ = writeln!(
            s,
            "received    {:>12.0} lines/s (any load line arriving during the window)",
            self.per_s(self.received_in_window)
        );
        let q = |q: f64| fmt_ns(self.latency.quantile(q));
        let _ = writeln!(
            s,
            "latency     p50 {}  p99 {}  p99.9 {}  max {}",
            q(0.5),
            q(0.99),
            q(0.999),
            fmt_ns(self.latency.max())
        );
        let l = |q: f64| fmt_ns(self.lateness.quantile(q));
        let _ = writeln!(
            s,
            "send late   p50 {}  p99 {}  max {} (the generator's share of the latency)",
            l(0.5),
            l(0.99),
            fmt_ns(self.lateness.max())
        );
        let cpu = |c: Option<Duration>| match c {
            Some(c) => format!(
                "{:.2} s ({:.0} % of one core)",
                c.as_secs_f64(),
                100.0 * c.as_secs_f64() / self.duration.as_secs_f64().max(f64::MIN_POSITIVE)
            ),
            None => "unknown".to_owned(),
        };
        let _ = writeln!(s, "cpu         generator {}", cpu(self.generator_cpu));
        match &self.server_cpu {
            Some(Ok(c)) => {
                let _ = writeln!(s, "            server    {}", cpu(Some(*c)));
            }
            Some(Err(e)) => {
                let _ = writeln!(s, "            server    unreadable: {e}");
            }
            None => {}
        }
        match &self.server_rss {
            Some(Ok(b)) => {
                let _ = writeln!(s, "server rss  {:.1} MiB", *b as f64 / MIB);
            }
            Some(Err(e)) => {
                let _ = writeln!(s, "server rss  unreadable: {e}");
            }
            None => {}
        }
        let _ = writeln!(
            s,
            "other       {} server lines ({} flood warnings), {} unrecognised, {} misrouted, \
             {} warm-up lines, drained in {:.2} s",
            self.server_lines,
            self.flood_warnings,
            self.other_lines,
            self.misrouted,
            self.outside_window,
            self.drained.as_secs_f64()
        );
        for (what, list) in [
            ("reader ended", &self.reader_endings),
            ("writer stopped", &self.writer_errors),
        ] {
            if let Some(first) = list.first() {
                let _ = writeln!(s, "{what}: {} client(s), first: {first}", list.len());
            }
        }
        s
    }

    /// One JSON object on one line.
    pub fn json(&self) -> String {
        let mut j = Json::default();
        j.str("mode", "load");
        j.num("clients", self.clients as f64);
        j.num("rate_per_client", self.rate);
        j.opt("rooms", self.rooms.map(f64::from));
        j.num("line_bytes", self.line_bytes as f64);
        j.num("duration_s", self.duration.as_secs_f64());
        j.num("sent", self.sent as f64);
        j.num("sent_total", self.sent_total as f64);
        j.num("sent_per_s", self.per_s(self.sent));
        j.num("delivered", self.delivered as f64);
        j.num("expected", self.expected() as f64);
        j.num("delivered_per_s", self.per_s(self.delivered));
        j.opt("delivery_ratio", self.ratio());
        j.num("received_per_s", self.per_s(self.received_in_window));
        let ns = |v: Option<u64>| v.map(|v| v as f64);
        j.opt("latency_p50_ns", ns(self.latency.quantile(0.5)));
        j.opt("latency_p99_ns", ns(self.latency.quantile(0.99)));
        j.opt("latency_p999_ns", ns(self.latency.quantile(0.999)));
        j.opt("latency_max_ns", ns(self.latency.max()));
        j.opt("send_late_p50_ns", ns(self.lateness.quantile(0.5)));
        j.opt("send_late_p99_ns", ns(self.lateness.quantile(0.99)));
        j.opt("send_late_max_ns", ns(self.lateness.max()));
        j.opt(
            "generator_cpu_s",
            self.generator_cpu.map(|c| c.as_secs_f64()),
        );
        let server_cpu = self.server_cpu.as_ref().and_then(|c| c.as_ref().ok());
        j.opt("server_cpu_s", server_cpu.map(|c| c.as_secs_f64()));
        let rss = self.server_rss.as_ref().and_then(|r| r.as_ref().ok());
        j.opt("server_rss_bytes", rss.map(|&b| b as f64));
        j.num("server_lines", self.server_lines as f64);
        j.num("flood_warnings", self.flood_warnings as f64);
        j.num("unrecognised_lines", self.other_lines as f64);
        j.num("misrouted", self.misrouted as f64);
        j.num("readers_ended", self.reader_endings.len() as f64);
        j.num("writers_stopped", self.writer_errors.len() as f64);
        j.num("drained_s", self.drained.as_secs_f64());
        j.finish()
    }
}

/// What an `--idle` run measured.
#[derive(Debug)]
pub struct IdleReport {
    /// Clients joined and held.
    pub clients: usize,
    /// How long joining them all took.
    pub join_time: Duration,
    /// How long they were held.
    pub held: Duration,
    /// Server RSS before the first connection.
    pub rss_before: Option<Result<u64, String>>,
    /// Server RSS right after the last join.
    pub rss_joined: Option<Result<u64, String>>,
    /// Server RSS after holding them.
    pub rss_after: Option<Result<u64, String>>,
    /// Clients whose connection ended while held.
    pub dropped: usize,
}

impl IdleReport {
    /// Server memory per held connection: (after - before) / clients, in bytes.
    pub fn per_connection(&self) -> Option<f64> {
        match (&self.rss_before, &self.rss_after) {
            (Some(Ok(a)), Some(Ok(b))) => Some((*b as f64 - *a as f64) / self.clients as f64),
            _ => None,
        }
    }

    /// The summary for people.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "chat-load --idle: {} clients joined in {:.2} s, held {:.1} s, {} dropped",
            self.clients,
            self.join_time.as_secs_f64(),
            self.held.as_secs_f64(),
            self.dropped
        );
        for (when, rss) in [
            ("before", &self.rss_before),
            ("joined", &self.rss_joined),
            ("after", &self.rss_after),
        ] {
            match rss {
                Some(Ok(b)) => {
                    let _ = writeln!(s, "server rss {when:<7} {:.1} MiB", *b as f64 / MIB);
                }
                Some(Err(e)) => {
                    let _ = writeln!(s, "server rss {when:<7} unreadable: {e}");
                }
                None => {}
            }
        }
        if let Some(per) = self.per_connection() {
            let _ = writeln!(s, "per connection     {:.1} KiB", per / 1024.0);
        }
        s
    }

    /// One JSON object on one line.
    pub fn json(&self) -> String {
        let mut j = Json::default();
        j.str("mode", "idle");
        j.num("clients", self.clients as f64);
        j.num("join_s", self.join_time.as_secs_f64());
        j.num("held_s", self.held.as_secs_f64());
        j.num("dropped", self.dropped as f64);
        let bytes = |r: &Option<Result<u64, String>>| match r {
            Some(Ok(b)) => Some(*b as f64),
            _ => None,
        };
        j.opt("server_rss_before_bytes", bytes(&self.rss_before));
        j.opt("server_rss_joined_bytes", bytes(&self.rss_joined));
        j.opt("server_rss_after_bytes", bytes(&self.rss_after));
        j.opt("server_bytes_per_connection", self.per_connection());
        j.finish()
    }
}

pub(super) const MIB: f64 = 1024.0 * 1024.0;

pub(super) fn fmt_ns(ns: Option<u64>) -> String {
    match ns {
        None => "n/a".to_owned(),
        Some(ns) if ns < 1_000 => format!("{ns} ns"),
        Some(ns) if ns < 1_000_000 => format!("{:.1} us", ns as f64 / 1e3),
        Some(ns) => format!("{:.2} ms", ns as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_counts_every_other_client_of_the_room() {
        let options = Options {
            clients: 4,
            ..<Options as clap::Parser>::parse_from(["chat-load"])
        };
        let reading = ProcessReading {
            generator: Some(Duration::from_secs(1)),
            server: None,
        };
        let mut r = LoadReport::new(&options, reading.clone(), reading, Duration::ZERO);
        assert_eq!(r.ratio(), None);
        let writer = |sent: u64, receivers| WriterStats {
            receivers,
            sent_in_window: sent.into(),
            ..WriterStats::default()
        };
        // Two writers alone with 3 others, one in a room of 2.
        r.add_writer(&writer(40, 3));
        r.add_writer(&writer(10, 3));
        r.add_writer(&writer(50, 1));
        r.delivered = 100;
        assert_eq!((r.sent, r.expected()), (100, 200));
        assert_eq!(r.ratio(), Some(0.5));
        assert_eq!(r.generator_cpu, Some(Duration::ZERO));
        assert!(r.json().contains(r#""delivery_ratio":0.500000"#));
        assert!(r.human().contains("ratio 0.5000"));
    }

    #[test]
    fn per_connection_memory() {
        let r = IdleReport {
            clients: 100,
            join_time: Duration::ZERO,
            held: Duration::ZERO,
            rss_before: Some(Ok(1_000_000)),
            rss_joined: None,
            rss_after: Some(Ok(2_024_000)),
            dropped: 0,
        };
        assert_eq!(r.per_connection(), Some(10_240.0));
        assert!(r.human().contains("per connection     10.0 KiB"));
    }
}
