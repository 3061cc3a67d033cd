//! `chat-load --soak`: a long, bounded reliability run against a server on loopback.
//!
//! A fixed core of members joins first (the first one is the admin) and stays for the whole
//! run, chatting at a modest rate, whispering, and taking turns at `/schedule` for an
//! explicit `HH:MMZ` minute one to two minutes ahead. Around them, members churn: they join,
//! chat, whisper targets, and leave by `/quit` or by dropping the connection, unless the
//! admin kicks them first. Now and then a flooder joins, writes a burst of lines at once
//! (far over the server's default flood limit), counts its warnings and quits.
//!
//! After `--duration` seconds the activity stops, the run drains (until every core line and
//! schedule has arrived, or `--drain` passes), waits for every visitor to be gone and
//! `--settle` seconds more, reads the server's memory a last time, and checks:
//!
//! - every chat line of a core member reached every other core member exactly once and in
//!   order (the lost-delivery check: the core never leaves, so nothing can excuse a loss);
//! - every core-to-core whisper reached its addressee once, every schedule reached every
//!   core member once, never before its minute;
//! - the join, leave and kick announcements the core saw match what the visitors did;
//! - each flood burst earned one warning per run of dropped lines, and every core member got
//!   the same accepted lines of it;
//! - what a churning member got from each core member is one unbroken run.
//!
//! With `--server-pid`, the server's RSS (and its anonymous part) and thread count are read
//! after the core joined, every `--sample-every` seconds, and at the end.
//!
//! Unless `--warmup 0`, a shorter soak of `--warmup` seconds runs first, with its own core
//! (nicknames `<prefix>wcore0`, ...) and every check of its own, and ends like any soak: its
//! visitors gone, its core quit. The soak proper then starts on a server that has run every
//! path once (joins, leaves of each kind, kicks, whispers, schedules, floods) and settled,
//! so its first reading is not a cold process's whose code pages and allocator have not
//! been touched yet: the end is compared with that reading, and the report also shows the
//! warm-up's cold one.
//!
//! # Layout
//! - [`plan`]: the random source, the schedule minute, nicknames and line texts.
//! - [`lines`]: what a server line is.
//! - [`ledger`]: the bookkeeping and the checks.
//! - `clients`: the actor threads.
//! - [`report`]: the summary.

mod clients;
pub mod ledger;
pub mod lines;
pub mod plan;
pub mod report;

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use self::clients::{Core, CoreJoin, Counters, Ctx, lock, wait_finished};
use self::ledger::{MemorySummary, Sample, ScheduleBook, WhisperBook};
use self::report::SoakReport;
use super::LoadError;
use super::options::Options;
use super::payload::Clock;
use super::procfs::Process;

/// The server's default limits on pending schedules (per member, per room); the soak stays
/// under them.
const SCHEDULES_PER_MEMBER: usize = 5;
const SCHEDULES_PER_ROOM: usize = 100;

/// How long the end waits for the visitors' threads to finish.
const VISITORS_WAIT: Duration = Duration::from_secs(30);

/// The generator's idea of UTC: the system clock, or shifted like a test server's.
#[derive(Debug, Clone, Copy, Default)]
pub struct WallClock {
    shift: time::Duration,
}

impl WallClock {
    /// The system's UTC clock.
    pub fn system() -> WallClock {
        WallClock::default()
    }

    /// The system's UTC clock plus `shift` (to match a server started with a shifted
    /// clock, such as `chat_tcp::Clock::starting_at`).
    pub fn shifted(shift: time::Duration) -> WallClock {
        WallClock { shift }
    }

    /// Now, on this clock.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.shift
    }
}

/// Runs a soak against the server `options` names, on the system clock.
pub fn run(options: &Options) -> Result<SoakReport, LoadError> {
    run_with_clock(options, WallClock::system())
}

/// Runs a soak with `wall` as the clock schedules are computed and checked on: the warm-up
/// soak, if any, then the soak proper.
pub fn run_with_clock(options: &Options, wall: WallClock) -> Result<SoakReport, LoadError> {
    options.validate()?;
    let warm_up = if options.warmup_s() > 0.0 {
        let mut o = options.clone();
        o.duration = Some(options.warmup_s());
        o.warmup = Some(0.0);
        o.nick_prefix = format!("{}w", options.nick_prefix);
        Some(Box::new(run_phase(&o, wall)?))
    } else {
        None
    };
    let mut report = run_phase(options, wall)?;
    report.warm_up = warm_up;
    Ok(report)
}

/// One soak: the core joins, the activity runs for `--duration`, then the drain, the
/// settling, the last reading and the core's goodbye.
fn run_phase(options: &Options, wall: WallClock) -> Result<SoakReport, LoadError> {
    let addr = options.loopback_addr()?;
    let o = options.soak_opts.clone();
    let server = options.server_pid.map(Process::Pid);
    let began = Instant::now();

    // The core joins one by one, so core0 is the first member (the admin) of a fresh server.
    let how = CoreJoin {
        addr,
        prefix: options.nick_prefix.clone(),
        core: o.core,
        deadline: began + Options::secs(options.join_timeout),
    };
    let mut joined = Vec::with_capacity(o.core as usize);
    for i in 0..o.core {
        joined.push(clients::join_core(&how, i)?);
    }

    let duration = Options::secs(options.duration_s());
    let start = Instant::now();
    let ctx = Arc::new(Ctx {
        addr,
        prefix: options.nick_prefix.clone(),
        opts: o.clone(),
        line_bytes: options.line_bytes,
        join_timeout: Options::secs(options.join_timeout),
        clock: Clock::start(),
        wall,
        active_end: start + duration,
        active_end_wall: wall.now() + duration,
        wind_down: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        counters: Counters::default(),
        registry: Mutex::new(HashMap::new()),
        core_sent: (0..o.core).map(|_| AtomicU64::new(0)).collect(),
        schedules: Mutex::new(ScheduleBook::new(SCHEDULES_PER_MEMBER, SCHEDULES_PER_ROOM)),
        whispers: Mutex::new(WhisperBook::default()),
        bursts: Mutex::new(Vec::new()),
        spawned: Mutex::new(Vec::new()),
        problems: Mutex::new(Vec::new()),
    });
    let mut core: Vec<Core> = Vec::with_capacity(joined.len());
    for (i, (j, view)) in joined.into_iter().enumerate() {
        core.push(clients::start_core(&ctx, i as u32, j, view)?);
    }

    // The first reading: the core joined, nothing else yet.
    let samples: Arc<Mutex<Vec<Sample>>> = Arc::default();
    let sample_err: Arc<Mutex<Option<String>>> = Arc::default();
    let take_sample = {
        let (samples, sample_err) = (Arc::clone(&samples), Arc::clone(&sample_err));
        move |server: Option<Process>| {
            let Some(p) = server else { return };
            match p.memory() {
                Ok(m) => lock(&samples).push(Sample {
                    at: start.elapsed(),
                    rss: m.rss,
                    anon: m.anon,
                    threads: m.threads,
                }),
                Err(e) => *lock(&sample_err) = Some(e.to_string()),
            }
        }
    };
    take_sample(server);

    for (i, c) in core.iter_mut().enumerate() {
        let nick = plan::Role::Core(i as u32).nick(&ctx.prefix);
        clients::start_actor(&ctx, i as u32, c).map_err(|source| LoadError::Io { nick, source })?;
    }
    let spawn_err = |source| LoadError::Io {
        nick: "(soak)".to_owned(),
        source,
    };
    let churn = {
        let c = Arc::clone(&ctx);
        thread::Builder::new()
            .name("soak-churn".into())
            .spawn(move || clients::churn_spawner(c))
            .map_err(spawn_err)?
    };
    let flood = {
        let c = Arc::clone(&ctx);
        thread::Builder::new()
            .name("soak-flood".into())
            .spawn(move || clients::flood_spawner(c))
            .map_err(spawn_err)?
    };
    let sampling_done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (done, every) = (Arc::clone(&sampling_done), Options::secs(o.sample_every));
        let sample = take_sample.clone();
        thread::Builder::new()
            .name("soak-sample".into())
            .spawn(move || {
                let mut next = start + every;
                while !done.load(Ordering::Relaxed) {
                    if Instant::now() >= next {
                        sample(server);
                        next += every;
                    }
                    thread::sleep(Duration::from_millis(50));
                }
            })
            .map_err(spawn_err)?
    };

    // The active phase.
    while Instant::now() < ctx.active_end {
        thread::sleep(Duration::from_millis(50).min(ctx.active_end - Instant::now()));
    }
    ctx.wind_down.store(true, Ordering::Relaxed);
    let ended_active = Instant::now();
    let _ = churn.join();
    let _ = flood.join();
    for c in &core {
        if let Some(a) = &c.actor {
            wait_finished(a, Duration::from_secs(5));
        }
    }

    // Every visitor leaves (or is kicked) once it sees the wind-down.
    let visitors: Vec<_> = std::mem::take(&mut *lock(&ctx.spawned));
    let give_up = Instant::now() + VISITORS_WAIT;
    let visitors_left = visitors
        .iter()
        .all(|h| wait_finished(h, give_up.saturating_duration_since(Instant::now())));

    // Drain: every core line, whisper and schedule in, or the drain's end.
    let last_target = lock(&ctx.schedules).last_target();
    let mut drain_end = ended_active + Options::secs(options.drain);
    if let Some(t) = last_target {
        let until = t - wall.now();
        let until = Duration::try_from(until).unwrap_or(Duration::ZERO);
        drain_end = drain_end.max(Instant::now() + until + Options::secs(options.drain));
    }
    let drained = loop {
        let views: Vec<_> = core.iter().map(|c| lock(&c.view).clone()).collect();
        let lines_in = views
            .iter()
            .enumerate()
            .all(|(i, v)| clients::core_complete(&ctx, i, v));
        let firings: Vec<&[ledger::Firing]> = views.iter().map(|v| &v.firings[..]).collect();
        let whispers: Vec<&[(u32, u64)]> = views.iter().map(|v| &v.whispers[..]).collect();
        let schedules_in = lock(&ctx.schedules).all_fired(&firings);
        let whispers_in = lock(&ctx.whispers).all_delivered(&whispers);
        if lines_in && schedules_in && whispers_in {
            break true;
        }
        if Instant::now() >= drain_end {
            break false;
        }
        thread::sleep(Duration::from_millis(50));
    };
    let drain_time = ended_active.elapsed();

    // Settle, then the last reading.
    thread::sleep(Options::secs(o.settle));
    take_sample(server);
    sampling_done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let views: Vec<_> = core.iter().map(|c| lock(&c.view).clone()).collect();

    // The core leaves.
    for c in &core {
        let _ = (&c.stream).write_all(b"/quit\n");
    }
    for c in &core {
        wait_finished(&c.reader, Duration::from_secs(2));
    }
    ctx.stop.store(true, Ordering::Relaxed);
    for c in &core {
        let _ = c.stream.shutdown(std::net::Shutdown::Both);
    }

    let memory = MemorySummary::of(&lock(&samples));
    let samples = lock(&samples).clone();
    Ok(SoakReport::build(
        &ctx,
        &views,
        report::Timing {
            duration,
            drain: drain_time,
            total: began.elapsed(),
            drained,
            visitors_left,
        },
        memory,
        samples,
        lock(&sample_err).clone(),
    ))
}
