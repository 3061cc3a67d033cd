//! One load client: joining, its reader loop and its writer loop.

use std::io::{self, BufRead, BufReader, BufWriter, ErrorKind, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::LoadError;
use super::conn::Conn;
use super::histogram::Histogram;
use super::payload::{Clock, Payload};

/// How often blocked reads and writes wake up to look at the stop flag and the deadline.
const POLL: Duration = Duration::from_millis(100);

/// Most lines written between two flushes when behind schedule, so a late sender catches
/// up in bounded batches and timestamps stay close to the real send.
const MAX_BATCH: u64 = 256;

/// What every client thread shares.
#[derive(Debug)]
pub struct Shared {
    /// The time base of every timestamp.
    pub clock: Clock,
    /// Nickname prefix, to recognise load lines.
    pub nick_prefix: String,
    /// Payloads sent in `[window_start_ns, window_end_ns)` are the measured ones.
    pub window_start_ns: AtomicU64,
    /// End of the measurement window (exclusive); senders stop here.
    pub window_end_ns: AtomicU64,
    /// Set when the run is over: every loop returns.
    pub stop: AtomicBool,
    /// Measured lines delivered so far, over all readers (to end the drain early).
    pub delivered: AtomicU64,
    /// Receptions the measured lines sent so far should make, over all writers.
    pub expected: AtomicU64,
    /// With `--rooms`: how many rooms the clients are spread over (client i in room
    /// i % rooms).
    pub rooms: Option<u32>,
    /// With `--irc`: lines are IRC `PRIVMSG`s to [`IRC_CHANNEL`].
    pub irc: bool,
}

/// The channel every `--irc` client joins.
pub const IRC_CHANNEL: &str = "#load";

impl Shared {
    /// State for a run whose window is not yet known.
    pub fn new(clock: Clock, nick_prefix: String) -> Shared {
        Shared {
            clock,
            nick_prefix,
            window_start_ns: AtomicU64::new(u64::MAX),
            window_end_ns: AtomicU64::new(u64::MAX),
            stop: AtomicBool::new(false),
            delivered: AtomicU64::new(0),
            expected: AtomicU64::new(0),
            rooms: None,
            irc: false,
        }
    }

    fn in_window(&self, ns: u64) -> bool {
        let start = self.window_start_ns.load(Ordering::Relaxed);
        (start..self.window_end_ns.load(Ordering::Relaxed)).contains(&ns)
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// What one reader saw.
#[derive(Debug, Default, Clone)]
pub struct ReaderStats {
    /// Load lines sent in the window and received here.
    pub delivered: u64,
    /// One-way latency of those, in nanoseconds.
    pub latency: Histogram,
    /// Load lines sent outside the window (warm-up).
    pub outside_window: u64,
    /// Load lines received during the window, whenever sent: the throughput even when a
    /// backlog delays the window's own lines past the drain.
    pub received_in_window: u64,
    /// `[Server]:` lines (joins, flood warnings, ...).
    pub server_lines: u64,
    /// `[Server]:` lines saying lines were dropped for flooding.
    pub flood_warnings: u64,
    /// Lines that are neither.
    pub other_lines: u64,
    /// Load lines from a client of another room (with `--rooms`): chat that crossed rooms.
    pub misrouted: u64,
    /// Whether the server closed the connection, and why the reader stopped if not asked to.
    pub ended: Option<String>,
}

/// What one writer did.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// The clients each of its lines should reach (the others of its room).
    pub receivers: u64,
    /// Lines written in total.
    pub sent: AtomicU64,
    /// Lines written whose send time lies in the window.
    pub sent_in_window: AtomicU64,
    /// Why the writer stopped early, if it did.
    pub error: Mutex<Option<String>>,
    /// How late the window's lines reached the socket after their due time, in nanoseconds:
    /// the generator's own share of the latency (timer wake-ups, a blocked socket).
    pub lateness: Mutex<Histogram>,
}

/// A joined client: its socket and the reader holding any bytes read past the welcome.
#[derive(Debug)]
pub struct Joined {
    /// The connection, for writing.
    pub stream: Conn,
    /// The read side, already past the join.
    pub reader: BufReader<Conn>,
}

/// Connects, reads the prompt, sends `nick` and waits for `[Server]: Welcome, <nick>!`,
/// all before `deadline`.
pub fn join(addr: SocketAddr, nick: &str, deadline: Instant) -> Result<Joined, LoadError> {
    join_as(addr, nick, deadline, true, None)
}

/// Like [`join`], over TLS with `tls` (`--tls`).
pub fn join_tls(
    addr: SocketAddr,
    nick: &str,
    deadline: Instant,
    tls: &Arc<rustls::ClientConfig>,
) -> Result<Joined, LoadError> {
    join_as(addr, nick, deadline, true, Some(tls))
}

/// Like [`join`], but sends `nick` at once instead of after the server's prompt (for the
/// anchor servers, which send none).
pub fn join_without_prompt(
    addr: SocketAddr,
    nick: &str,
    deadline: Instant,
) -> Result<Joined, LoadError> {
    join_as(addr, nick, deadline, false, None)
}

fn join_as(
    addr: SocketAddr,
    nick: &str,
    deadline: Instant,
    prompt: bool,
    tls: Option<&Arc<rustls::ClientConfig>>,
) -> Result<Joined, LoadError> {
    let io_err = |source| LoadError::Io {
        nick: nick.to_owned(),
        source,
    };
    let mut joined = connect(addr, nick, deadline, tls)?;
    let welcome = format!("[Server]: Welcome, {nick}!");
    let mut sent_nick = false;
    if !prompt {
        (&joined.stream)
            .write_all(format!("{nick}\n").as_bytes())
            .map_err(io_err)?;
        sent_nick = true;
    }
    loop {
        let text = joined.next_line(nick, deadline)?;
        if text.starts_with(&welcome) {
            break;
        }
        // The room is full, the nickname was refused, or the server said goodbye; matched
        // narrowly so a join line of someone named "Fuller" is not taken for a refusal.
        let refused = text.contains("is full (")
            || text.ends_with("Enter another:")
            || text.ends_with("Bye.");
        if text.starts_with("[Server]:") && refused {
            let nick = nick.to_owned();
            return Err(LoadError::Refused { nick, line: text });
        }
        if !sent_nick && text.starts_with("[Server]:") {
            // The first server line is the prompt for a nickname.
            (&joined.stream)
                .write_all(format!("{nick}\n").as_bytes())
                .map_err(io_err)?;
            sent_nick = true;
        }
    }
    joined.stream.set_read_timeout(Some(POLL)).map_err(io_err)?;
    Ok(joined)
}

/// Connects (over TLS with `tls`) before `deadline`, with no delay and the write timeout
/// every client uses.
fn connect(
    addr: SocketAddr,
    nick: &str,
    deadline: Instant,
    tls: Option<&Arc<rustls::ClientConfig>>,
) -> Result<Joined, LoadError> {
    let io_err = |source| LoadError::Io {
        nick: nick.to_owned(),
        source,
    };
    let left = deadline.saturating_duration_since(Instant::now());
    let stream = Conn::connect(addr, left.max(Duration::from_millis(1)), tls).map_err(io_err)?;
    stream.tcp().set_nodelay(true).map_err(io_err)?;
    stream.tcp().set_write_timeout(Some(POLL)).map_err(io_err)?;
    let reader = BufReader::new(stream.try_clone().map_err(io_err)?);
    Ok(Joined { stream, reader })
}

/// With `--irc`: connects, registers as `nick` and joins [`IRC_CHANNEL`], waiting for the
/// end of its names list (`366`), all before `deadline`.
pub fn join_irc(addr: SocketAddr, nick: &str, deadline: Instant) -> Result<Joined, LoadError> {
    let io_err = |source| LoadError::Io {
        nick: nick.to_owned(),
        source,
    };
    let mut joined = connect(addr, nick, deadline, None)?;
    let register = format!("NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n");
    (&joined.stream)
        .write_all(register.as_bytes())
        .map_err(io_err)?;
    loop {
        let text = joined.next_line(nick, deadline)?;
        let mut words = text.split(' ');
        let (_, code) = (words.next(), words.next());
        match code {
            Some("001") => {
                let join = format!("JOIN {IRC_CHANNEL}\r\n");
                (&joined.stream)
                    .write_all(join.as_bytes())
                    .map_err(io_err)?;
            }
            Some("366") => break,
            // Errors are numerics 400-599 (nickname in use, too many connections, ...).
            Some(c) if c.len() == 3 && (c.starts_with('4') || c.starts_with('5')) => {
                let nick = nick.to_owned();
                return Err(LoadError::Refused { nick, line: text });
            }
            _ if text.starts_with("PING ") => {
                let pong = format!("PONG {}\r\n", &text[5..]);
                (&joined.stream)
                    .write_all(pong.as_bytes())
                    .map_err(io_err)?;
            }
            _ if text.starts_with("ERROR ") => {
                let nick = nick.to_owned();
                return Err(LoadError::Refused { nick, line: text });
            }
            _ => {}
        }
    }
    joined.stream.set_read_timeout(Some(POLL)).map_err(io_err)?;
    Ok(joined)
}

/// Sends `/join <room>` and waits, before `deadline`, for `[Server]: You joined "<room>"`
/// or `[Server]: You created "<room>"`. A `[Server]:` line naming the room otherwise (full,
/// a code, banned, already there), or saying joins are too often, rooms too many or the
/// name bad, is a refusal; other lines (the backlog and notice of the room left) are skipped.
pub fn join_room(
    joined: &mut Joined,
    nick: &str,
    room: &str,
    deadline: Instant,
) -> Result<(), LoadError> {
    let io_err = |source| LoadError::Io {
        nick: nick.to_owned(),
        source,
    };
    (&joined.stream)
        .write_all(format!("/join {room}\n").as_bytes())
        .map_err(io_err)?;
    let entered = format!("[Server]: You joined \"{room}\"");
    let created = format!("[Server]: You created \"{room}\"");
    let named = format!("\"{room}\"");
    loop {
        let text = joined.next_line(nick, deadline)?;
        if text.starts_with(&entered) || text.starts_with(&created) {
            break;
        }
        let refused = text.contains(&named)
            || text.contains("too often")
            || text.contains(" rooms (max ")
            || text.starts_with("[Server]: Room name");
        if text.starts_with("[Server]:") && refused {
            let nick = nick.to_owned();
            return Err(LoadError::Refused { nick, line: text });
        }
    }
    joined.stream.set_read_timeout(Some(POLL)).map_err(io_err)
}

impl Joined {
    /// The next whole line (without its line end), waiting at most until `deadline`.
    fn next_line(&mut self, nick: &str, deadline: Instant) -> Result<String, LoadError> {
        let io_err = |source| LoadError::Io {
            nick: nick.to_owned(),
            source,
        };
        let timeout = || LoadError::JoinTimeout {
            nick: nick.to_owned(),
        };
        let mut line = Vec::new();
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            if wait.is_zero() {
                return Err(timeout());
            }
            self.stream.set_read_timeout(Some(wait)).map_err(io_err)?;
            match self.reader.read_until(b'\n', &mut line) {
                Ok(0) => {
                    return Err(LoadError::Closed {
                        nick: nick.to_owned(),
                    });
                }
                Ok(_) if line.ends_with(b"\n") => {
                    return Ok(String::from_utf8_lossy(&line).trim_end().to_owned());
                }
                // The rest of a partial line follows.
                Ok(_) => continue,
                Err(e) if is_timeout(&e) => return Err(timeout()),
                Err(e) => return Err(io_err(e)),
            }
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Reads every line until the run stops or the server closes, counting into `stats`; `me`
/// is this client's index (its room with `--rooms`).
pub fn read_loop(
    mut reader: BufReader<Conn>,
    shared: &Shared,
    stats: &Mutex<ReaderStats>,
    me: u32,
) {
    let mut line = Vec::with_capacity(256);
    let ended = loop {
        if shared.stopped() {
            break None;
        }
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break Some("closed by the server".to_owned()),
            // A partial line (the stream ended mid-line) stays in `line` for the next read.
            Ok(_) if !line.ends_with(b"\n") => continue,
            Ok(_) => {}
            // Bytes read before a timeout stay in `line`; the rest of the line follows.
            Err(e) if is_timeout(&e) || e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => break Some(e.to_string()),
        }
        let received_ns = shared.clock.now_ns();
        let text = &line[..line.len() - 1];
        let mut stats = stats.lock().unwrap_or_else(|e| e.into_inner());
        let payload = if shared.irc {
            Payload::parse_irc(text, &shared.nick_prefix)
        } else {
            Payload::parse_received(text, &shared.nick_prefix)
        };
        if payload.is_some() && shared.in_window(received_ns) {
            stats.received_in_window += 1;
        }
        match payload {
            Some(p) if shared.rooms.is_some_and(|n| p.sender % n != me % n) => {
                stats.misrouted += 1;
            }
            Some(p) if shared.in_window(p.sent_ns) => {
                stats.delivered += 1;
                stats.latency.record(received_ns.saturating_sub(p.sent_ns));
                shared.delivered.fetch_add(1, Ordering::Relaxed);
            }
            Some(_) => stats.outside_window += 1,
            None if text.starts_with(b"[Server]:") => {
                stats.server_lines += 1;
                if text.windows(9).any(|w| w == b"too fast;") {
                    stats.flood_warnings += 1;
                }
            }
            None => stats.other_lines += 1,
        }
        drop(stats);
        line.clear();
    };
    let mut stats = stats.lock().unwrap_or_else(|e| e.into_inner());
    stats.ended = ended;
}

/// When a writer sends.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    /// This client's index (its payloads' sender).
    pub sender: u32,
    /// Nanoseconds between two lines of this client; `None` sends as fast as possible.
    pub interval_ns: Option<u64>,
    /// When this client's line 0 is due, on the shared clock.
    pub first_ns: u64,
    /// Bytes of text per line.
    pub line_bytes: usize,
    /// Nanoseconds before a due time at which the writer stops sleeping and spins, so the
    /// wake-up delay of a sleep is not counted as latency (0: sleep all the way).
    pub spin_ns: u64,
    /// Lines carry the time they are written instead of their due time: latency then leaves
    /// out the generator's lateness (closed-loop view; a stalled server hides behind a
    /// blocked writer, so use it for light loads only).
    pub stamp_at_write: bool,
}

/// Sends lines open-loop until the window ends: line k is due at `first_ns + k *
/// interval_ns` and carries that time, however late it really goes out, so a stalled server
/// shows up as latency rather than as a slower send rate.
pub fn write_loop(stream: Conn, pacing: Pacing, shared: &Shared, stats: &WriterStats) {
    let mut out = BufWriter::with_capacity(64 * 1024, stream);
    let mut buf = Vec::with_capacity(pacing.line_bytes + 1);
    let end_ns = shared.window_end_ns.load(Ordering::Relaxed);
    let due = |seq: u64| pacing.interval_ns.map(|i| pacing.first_ns + seq * i);
    let mut seq = 0u64;
    let mut pending: Vec<u64> = Vec::with_capacity(MAX_BATCH as usize);
    let mut lateness = Histogram::default();
    while !shared.stopped() {
        let now = shared.clock.now_ns();
        let batch = match (due(seq), pacing.interval_ns) {
            (Some(next), _) if next >= end_ns => break,
            (Some(next), _) if next > now + pacing.spin_ns => {
                std::thread::sleep(Duration::from_nanos(next - now - pacing.spin_ns));
                continue;
            }
            (Some(next), _) if next > now => {
                while shared.clock.now_ns() < next {
                    std::hint::spin_loop();
                }
                continue;
            }
            // Behind schedule: everything due by now, in bounded batches.
            (Some(next), Some(interval)) => ((now - next) / interval + 1).min(MAX_BATCH),
            _ if now >= end_ns => break,
            _ => 32,
        };
        for _ in 0..batch {
            let now = shared.clock.now_ns();
            let due_ns = due(seq).unwrap_or(now);
            if due_ns >= end_ns {
                break;
            }
            let sent_ns = if pacing.stamp_at_write { now } else { due_ns };
            buf.clear();
            if shared.irc {
                buf.extend_from_slice(format!("PRIVMSG {IRC_CHANNEL} :").as_bytes());
            }
            let sender = pacing.sender;
            Payload {
                sender,
                seq,
                sent_ns,
            }
            .write(&mut buf, pacing.line_bytes);
            if let Err(e) = retry(shared, || out.write_all(&buf)) {
                lock_into(&stats.lateness, &mut lateness);
                return stats.fail(e);
            }
            seq += 1;
            stats.sent.fetch_add(1, Ordering::Relaxed);
            if shared.in_window(sent_ns) {
                stats.sent_in_window.fetch_add(1, Ordering::Relaxed);
                shared
                    .expected
                    .fetch_add(stats.receivers, Ordering::Relaxed);
                pending.push(due_ns);
            }
        }
        if let Err(e) = retry(shared, || out.flush()) {
            lock_into(&stats.lateness, &mut lateness);
            return stats.fail(e);
        }
        let flushed = shared.clock.now_ns();
        for due in pending.drain(..) {
            lateness.record(flushed.saturating_sub(due));
        }
        // Published as it goes: a writer blocked at the end of the run is left behind.
        if lateness.len() >= 1024 {
            lock_into(&stats.lateness, &mut lateness);
        }
    }
    lock_into(&stats.lateness, &mut lateness);
}

/// Merges `local` into the shared histogram and clears it.
fn lock_into(shared: &Mutex<Histogram>, local: &mut Histogram) {
    if !local.is_empty() {
        shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .merge(local);
        *local = Histogram::default();
    }
}

/// Repeats `op` while it times out (the server is slow to read) until the run stops.
/// `BufWriter` keeps unwritten bytes on a timeout, so repeating it loses and doubles nothing.
fn retry(shared: &Shared, mut op: impl FnMut() -> io::Result<()>) -> io::Result<()> {
    loop {
        match op() {
            Err(e) if is_timeout(&e) && !shared.stopped() => continue,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}

impl WriterStats {
    fn fail(&self, e: io::Error) {
        let mut error = self.error.lock().unwrap_or_else(|e| e.into_inner());
        *error = Some(if is_timeout(&e) {
            "still blocked writing when the run ended (the server stopped reading)".to_owned()
        } else {
            e.to_string()
        });
    }
}
