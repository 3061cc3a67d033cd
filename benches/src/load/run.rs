//! A whole run: join every client, send for warm-up + duration, drain, stop. Bounded by a
//! hard deadline whatever the server does.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::LoadError;
use super::client::{self, Pacing, ReaderStats, Shared, WriterStats};
use super::options::Options;
use super::payload::Clock;
use super::procfs::Process;
use super::report::{IdleReport, LoadReport, ProcessReading};
use super::soak::report::SoakReport;

/// Stack size of the client threads: they hold a line buffer and little else, and an idle
/// run may start thousands of them.
const STACK: usize = 256 * 1024;

/// Delay between the last join and the first send, so every writer starts on schedule.
const START_DELAY: Duration = Duration::from_millis(20);

/// What a run produced.
#[derive(Debug)]
pub enum Outcome {
    /// A sending run.
    Load(Box<LoadReport>),
    /// An `--idle` run.
    Idle(IdleReport),
    /// A `--soak` run.
    Soak(Box<SoakReport>),
}

/// One joined client and its threads' results.
struct Client {
    stream: super::conn::Conn,
    reader: JoinHandle<()>,
    stats: Arc<Mutex<ReaderStats>>,
}

/// Runs what `options` asks for and returns the report.
pub fn run(options: &Options) -> Result<Outcome, LoadError> {
    options.validate()?;
    let addr = options.loopback_addr()?;
    let mut shared = Shared::new(Clock::start(), options.nick_prefix.clone());
    shared.rooms = options.rooms;
    shared.irc = options.irc;
    let shared = Arc::new(shared);
    let server = options.server_pid.map(Process::Pid);
    if options.soak {
        return super::soak::run(options).map(|r| Outcome::Soak(Box::new(r)));
    }
    match options.idle {
        Some(n) => idle(options, addr, n, &shared, server).map(Outcome::Idle),
        None => load(options, addr, &shared, server).map(|r| Outcome::Load(Box::new(r))),
    }
}

/// Joins `n` clients one after the other (so the server's cap on connections still choosing
/// a nickname never matters), with `--rooms` each moving to its room before the next
/// connects (so the default room never holds more than one of them), each reading on its
/// own thread from the moment it is in place.
fn join_all(
    options: &Options,
    addr: SocketAddr,
    n: usize,
    shared: &Arc<Shared>,
    deadline: Instant,
) -> Result<Vec<Client>, LoadError> {
    let tls = match &options.ca {
        Some(ca) if options.tls => Some(super::conn::tls_config(ca)?),
        _ => None,
    };
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        let nick = format!("{}{i}", shared.nick_prefix);
        let mut joined = if shared.irc {
            client::join_irc(addr, &nick, deadline)?
        } else if options.no_prompt {
            client::join_without_prompt(addr, &nick, deadline)?
        } else if let Some(tls) = &tls {
            client::join_tls(addr, &nick, deadline, tls)?
        } else {
            client::join(addr, &nick, deadline)?
        };
        if let Some(room) = options.room_of(i) {
            client::join_room(&mut joined, &nick, &room, deadline)?;
        }
        let me = u32::try_from(i).unwrap_or(u32::MAX);
        let stats = Arc::new(Mutex::new(ReaderStats::default()));
        let (shared, thread_stats) = (Arc::clone(shared), Arc::clone(&stats));
        let reader = thread::Builder::new()
            .name(format!("read-{nick}"))
            .stack_size(STACK)
            .spawn(move || client::read_loop(joined.reader, &shared, &thread_stats, me))
            .map_err(|source| LoadError::Io { nick, source })?;
        clients.push(Client {
            stream: joined.stream,
            reader,
            stats,
        });
    }
    Ok(clients)
}

fn load(
    options: &Options,
    addr: SocketAddr,
    shared: &Arc<Shared>,
    server: Option<Process>,
) -> Result<LoadReport, LoadError> {
    let n = options.clients;
    let join_deadline = Instant::now() + Options::secs(options.join_timeout);
    let clients = join_all(options, addr, n, shared, join_deadline)?;
    let clock = shared.clock;
    let ns = |t: f64| u64::try_from(Options::secs(t).as_nanos()).unwrap_or(u64::MAX);
    let start_ns = clock.now_ns() + ns(START_DELAY.as_secs_f64());
    let window_start = start_ns + ns(options.warmup_s());
    let window_end = window_start + ns(options.duration_s());
    let hard_deadline = window_end + ns(options.drain);
    shared
        .window_start_ns
        .store(window_start, Ordering::Relaxed);
    shared.window_end_ns.store(window_end, Ordering::Relaxed);
    let interval_ns = (options.rate > 0.0).then(|| ((1e9 / options.rate) as u64).max(1));

    let mut writers = Vec::with_capacity(n);
    for (i, c) in clients.iter().enumerate() {
        let nick = format!("{}{i}", shared.nick_prefix);
        let io_err = |source| LoadError::Io {
            nick: nick.clone(),
            source,
        };
        let stream = c.stream.try_clone().map_err(io_err)?;
        // Spread the clients' send times evenly over one interval.
        let offset = interval_ns.map_or(0, |iv| iv * i as u64 / n as u64);
        let pacing = Pacing {
            sender: u32::try_from(i).unwrap_or(u32::MAX),
            interval_ns,
            first_ns: start_ns + offset,
            line_bytes: options.line_bytes,
            spin_ns: u64::from(options.spin_us) * 1_000,
            stamp_at_write: options.stamp_at_write,
        };
        let stats = Arc::new(WriterStats {
            receivers: options.receivers_of(i),
            ..WriterStats::default()
        });
        let (shared, thread_stats) = (Arc::clone(shared), Arc::clone(&stats));
        let handle = thread::Builder::new()
            .name(format!("write-{nick}"))
            .stack_size(STACK)
            .spawn(move || client::write_loop(stream, pacing, &shared, &thread_stats))
            .map_err(io_err)?;
        writers.push((handle, stats));
    }

    sleep_until(clock.instant(window_start));
    let before = ProcessReading::take(server);
    sleep_until(clock.instant(window_end));
    let after = ProcessReading::take(server);

    // Drain until every measured line has arrived everywhere, or the hard deadline.
    loop {
        let done = writers.iter().all(|(h, _)| h.is_finished());
        let expected = shared.expected.load(Ordering::Relaxed);
        let delivered = shared.delivered.load(Ordering::Relaxed);
        if (done && delivered >= expected) || clock.now_ns() >= hard_deadline {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let drained_s = Duration::from_nanos(clock.now_ns().saturating_sub(window_end));
    stop(shared, clients.iter().map(|c| &c.reader));

    let mut report = LoadReport::new(options, before, after, drained_s);
    for (_, stats) in &writers {
        report.add_writer(stats);
    }
    for c in &clients {
        report.add_reader(&c.stats.lock().unwrap_or_else(|e| e.into_inner()));
    }
    report.server_rss = server.map(|p| p.rss_bytes().map_err(|e| e.to_string()));
    Ok(report)
}

fn idle(
    options: &Options,
    addr: SocketAddr,
    n: usize,
    shared: &Arc<Shared>,
    server: Option<Process>,
) -> Result<IdleReport, LoadError> {
    let rss = |p: Process| p.rss_bytes().map_err(|e| e.to_string());
    let rss_before = server.map(rss);
    let started = Instant::now();
    let clients = join_all(
        options,
        addr,
        n,
        shared,
        started + Options::secs(options.join_timeout),
    )?;
    let join_time = started.elapsed();
    let rss_joined = server.map(rss);
    sleep_until(Instant::now() + Options::secs(options.duration_s()));
    let rss_after = server.map(rss);
    let dropped = clients.iter().filter(|c| c.reader.is_finished()).count();
    stop(shared, clients.iter().map(|c| &c.reader));
    Ok(IdleReport {
        clients: n,
        join_time,
        held: Options::secs(options.duration_s()),
        rss_before,
        rss_joined,
        rss_after,
        dropped,
    })
}

/// Tells every loop to return and gives the readers a moment to record how they ended.
/// Threads still blocked after that are left behind: the process exits without them.
fn stop<'a>(shared: &Shared, readers: impl Iterator<Item = &'a JoinHandle<()>> + Clone) {
    shared.stop.store(true, Ordering::Relaxed);
    let give_up = Instant::now() + Duration::from_millis(500);
    while Instant::now() < give_up && !readers.clone().all(JoinHandle::is_finished) {
        thread::sleep(Duration::from_millis(10));
    }
}

fn sleep_until(t: Instant) {
    let now = Instant::now();
    if t > now {
        thread::sleep(t - now);
    }
}
