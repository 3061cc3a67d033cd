//! The soak's actors: core members (a reader and an actor thread each), churning members,
//! flooders, and the threads that spawn the last two.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, ErrorKind, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::WallClock;
use super::ledger::{Firing, Planned, RunTracker, ScheduleBook, SeqTracker, WhisperBook};
use super::lines::{Line, classify};
use super::plan::{self, Rng, Role};
use crate::load::LoadError;
use crate::load::client::{self, Joined};
use crate::load::conn::Conn;
use crate::load::histogram::Histogram;
use crate::load::options::{Options, SoakOptions};
use crate::load::payload::{Clock, Payload};

/// Stack size of the soak's threads.
const STACK: usize = 256 * 1024;

/// How long a blocked write may take before the client gives up (the server reads every
/// member promptly; a write this slow is a finding, counted as an error).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest single sleep of a waiting actor, so it notices the end of the run.
const NAP: Duration = Duration::from_millis(50);

/// How long a leaving client waits for the server to close its connection.
const CLOSE_WAIT: Duration = Duration::from_secs(10);

/// Locks, ignoring poisoning (a panicked client thread must not hide the others' counts).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Event counters, shared by every actor.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub churn_joined: AtomicU64,
    pub churn_refused: AtomicU64,
    pub join_errors: AtomicU64,
    pub quits: AtomicU64,
    pub quits_confirmed: AtomicU64,
    pub disconnects: AtomicU64,
    pub kicks_sent: AtomicU64,
    pub kicks_confirmed: AtomicU64,
    pub unexpected_ends: AtomicU64,
    pub write_errors: AtomicU64,
    pub churn_lines_sent: AtomicU64,
    pub whispers_to_core: AtomicU64,
    pub whispers_to_churn: AtomicU64,
    pub whispers_to_churn_received: AtomicU64,
    pub schedules_sent: AtomicU64,
    pub schedules_skipped: AtomicU64,
    pub floods: AtomicU64,
    pub flood_joined: AtomicU64,
    pub flood_lines_sent: AtomicU64,
    pub churn_core_lines: AtomicU64,
    pub churn_breaks: AtomicU64,
    pub peak_churn: AtomicU64,
}

impl Counters {
    pub(super) fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }

    fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}

/// Where a churning member is in its life, as the admin and the member agree on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ChurnState {
    /// In the room; the admin may pick it.
    Active,
    /// The admin has sent `/kick` for it: it waits for the kick instead of leaving.
    Kicking,
    /// It is leaving by itself; the admin leaves it alone.
    Leaving,
}

/// One flood burst as its flooder saw it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Burst {
    /// The flooder's number.
    pub k: u64,
    /// Lines written.
    pub lines: u32,
    /// `[Server]: You are sending too fast` lines received.
    pub warnings: u64,
}

/// Everything the actors share.
pub(super) struct Ctx {
    pub addr: SocketAddr,
    pub prefix: String,
    pub opts: SoakOptions,
    pub line_bytes: usize,
    pub join_timeout: Duration,
    pub clock: Clock,
    pub wall: WallClock,
    /// When the active phase ends.
    pub active_end: Instant,
    /// The same moment on the wall clock: schedules due later are not set.
    pub active_end_wall: OffsetDateTime,
    /// Set to end the active phase early (or on time, by the main thread).
    pub wind_down: AtomicBool,
    /// Set when everything is over: readers return.
    pub stop: AtomicBool,
    pub counters: Counters,
    pub registry: Mutex<HashMap<String, ChurnState>>,
    /// Chat lines each core member has written (its next sequence number).
    pub core_sent: Vec<AtomicU64>,
    pub schedules: Mutex<ScheduleBook>,
    pub whispers: Mutex<WhisperBook>,
    pub bursts: Mutex<Vec<Burst>>,
    /// Churning and flooding clients' threads, joined at the end.
    pub spawned: Mutex<Vec<JoinHandle<()>>>,
    /// The first problem of each kind, for the report.
    pub problems: Mutex<Vec<String>>,
}

impl Ctx {
    pub(super) fn active(&self) -> bool {
        !self.wind_down.load(Ordering::Relaxed) && Instant::now() < self.active_end
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn problem(&self, what: String) {
        let mut p = lock(&self.problems);
        if p.len() < 20 {
            p.push(what);
        }
    }

    fn join(&self, role: Role) -> Result<Joined, LoadError> {
        let nick = role.nick(&self.prefix);
        let joined = client::join(self.addr, &nick, Instant::now() + self.join_timeout)?;
        joined
            .stream
            .set_write_timeout(Some(WRITE_TIMEOUT))
            .map_err(|source| LoadError::Io { nick, source })?;
        Ok(joined)
    }

    /// Writes one line; a failure is counted and ends the caller's activity.
    fn send(&self, stream: &Conn, line: &str) -> io::Result<()> {
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        self.send_bytes(stream, &buf)
    }

    fn send_bytes(&self, mut stream: &Conn, bytes: &[u8]) -> io::Result<()> {
        let result = stream.write_all(bytes);
        if let Err(e) = &result {
            Counters::bump(&self.counters.write_errors);
            self.problem(format!("write failed: {e}"));
        }
        result
    }
}

fn spawn<T: Send + 'static>(
    name: String,
    f: impl FnOnce() -> T + Send + 'static,
) -> io::Result<JoinHandle<T>> {
    thread::Builder::new().name(name).stack_size(STACK).spawn(f)
}

/// Waits until `h` finishes or `limit` passes; whether it finished.
pub(super) fn wait_finished<T>(h: &JoinHandle<T>, limit: Duration) -> bool {
    let give_up = Instant::now() + limit;
    while !h.is_finished() {
        if Instant::now() >= give_up {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
    true
}

/// Reads lines until the server closes, `ctx.stop` is set or an error; calls `on_line` with
/// each. Returns why it ended (`None`: asked to stop).
fn read_lines(
    mut reader: BufReader<Conn>,
    ctx: &Ctx,
    mut on_line: impl FnMut(&str),
) -> Option<String> {
    let mut raw = Vec::with_capacity(256);
    loop {
        if ctx.stopped() {
            return None;
        }
        match reader.read_until(b'\n', &mut raw) {
            Ok(0) => return Some("closed by the server".to_owned()),
            Ok(_) if !raw.ends_with(b"\n") => continue,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                continue;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Some(e.to_string()),
        }
        let text = String::from_utf8_lossy(&raw[..raw.len() - 1]);
        on_line(&text);
        raw.clear();
    }
}

/// What one core member received.
#[derive(Debug, Clone)]
pub(super) struct CoreView {
    /// Lines from each core member (its own entry stays empty).
    pub from_core: Vec<SeqTracker>,
    /// One-way latency of those lines, in nanoseconds.
    pub latency: Histogram,
    /// Whispers from core members, as `(from, n)`.
    pub whispers: Vec<(u32, u64)>,
    /// `[Whisper to ...]` echoes.
    pub whisper_echoes: u64,
    /// Scheduled lines.
    pub firings: Vec<Firing>,
    /// `Scheduled #` replies.
    pub schedule_replies: u64,
    /// Joins, leaves and kicks of other members (churn and flood) announced.
    pub joins: u64,
    pub leaves: u64,
    pub kicks: u64,
    /// `You kicked` replies (the admin's view of its kicks).
    pub you_kicked: u64,
    /// Chat lines from churning members.
    pub churn_lines: u64,
    /// Lines of each flood burst, by flooder number.
    pub flood_lines: HashMap<u64, Vec<u32>>,
    /// `No user named` replies (a whisper to a member that had just left).
    pub no_such_user: u64,
    /// Flood warnings to this member (it stays under the limit: must be 0).
    pub warnings: u64,
    /// Whether the server said this member is the admin.
    pub admin: bool,
    /// Other lines, server's or not, and lines naming roles that are not this run's.
    pub other: u64,
    /// Why the reader stopped before it was asked to, if it did.
    pub ended: Option<String>,
}

impl CoreView {
    fn new(core: u32) -> CoreView {
        CoreView {
            from_core: vec![SeqTracker::default(); core as usize],
            latency: Histogram::default(),
            whispers: Vec::new(),
            whisper_echoes: 0,
            firings: Vec::new(),
            schedule_replies: 0,
            joins: 0,
            leaves: 0,
            kicks: 0,
            you_kicked: 0,
            churn_lines: 0,
            flood_lines: HashMap::new(),
            no_such_user: 0,
            warnings: 0,
            admin: false,
            other: 0,
            ended: None,
        }
    }

    fn take(&mut self, ctx: &Ctx, line: &str) {
        let role = |nick: &str| Role::of(nick, &ctx.prefix);
        let not_core = |nick: &str| matches!(role(nick), Some(Role::Churn(_) | Role::Flood(_)));
        match classify(line) {
            Line::Chat { from, text } => match role(from) {
                Some(Role::Core(j)) => match Payload::parse(text) {
                    Some(p) if p.sender == j && (j as usize) < self.from_core.len() => {
                        self.from_core[j as usize].observe(p.seq);
                        let now = ctx.clock.now_ns();
                        self.latency.record(now.saturating_sub(p.sent_ns));
                    }
                    _ => self.other += 1,
                },
                Some(Role::Churn(_)) => self.churn_lines += 1,
                Some(Role::Flood(k)) => match plan::parse_tagged(text, 'f') {
                    Some((kk, i)) if kk == k => {
                        let i = u32::try_from(i).unwrap_or(u32::MAX);
                        self.flood_lines.entry(k).or_default().push(i);
                    }
                    _ => self.other += 1,
                },
                None => self.other += 1,
            },
            Line::WhisperFrom { from, text } => match (role(from), plan::parse_tagged(text, 'w')) {
                (Some(Role::Core(j)), Some((jj, n))) if u64::from(j) == jj => {
                    self.whispers.push((j, n));
                }
                _ => self.other += 1,
            },
            Line::WhisperTo { .. } => self.whisper_echoes += 1,
            Line::Scheduled { by, text } => match (role(by), plan::parse_tagged(text, 's')) {
                (Some(Role::Core(j)), Some((jj, n))) if u64::from(j) == jj => {
                    self.firings.push(Firing {
                        author: j,
                        n,
                        at: ctx.wall.now(),
                    });
                }
                _ => self.other += 1,
            },
            Line::Joined(nick) if not_core(nick) => self.joins += 1,
            Line::Left(nick) if not_core(nick) => self.leaves += 1,
            Line::Kicked(nick) if not_core(nick) => self.kicks += 1,
            Line::YouKicked(nick) if not_core(nick) => self.you_kicked += 1,
            // The core members' own joins, seen by those who joined earlier.
            Line::Joined(nick) if matches!(role(nick), Some(Role::Core(_))) => {}
            Line::YouAreAdmin => self.admin = true,
            Line::NoSuchUser => self.no_such_user += 1,
            Line::TooFast => self.warnings += 1,
            Line::ScheduleSet => self.schedule_replies += 1,
            _ => self.other += 1,
        }
    }
}

/// A joined core member: the view its reader fills, and its threads.
pub(super) struct Core {
    pub view: Arc<Mutex<CoreView>>,
    pub stream: Conn,
    pub reader: JoinHandle<()>,
    pub actor: Option<JoinHandle<()>>,
}

/// Joins core member `i` and starts its reader (the actor starts later, with the run).
pub(super) fn join_core(
    how: &CoreJoin,
    i: u32,
) -> Result<(Joined, Arc<Mutex<CoreView>>), LoadError> {
    let nick = Role::Core(i).nick(&how.prefix);
    let joined = client::join(how.addr, &nick, how.deadline)?;
    joined
        .stream
        .set_write_timeout(Some(WRITE_TIMEOUT))
        .map_err(|source| LoadError::Io { nick, source })?;
    Ok((joined, Arc::new(Mutex::new(CoreView::new(how.core)))))
}

/// What joining the core needs before the shared context exists.
pub(super) struct CoreJoin {
    pub addr: SocketAddr,
    pub prefix: String,
    pub core: u32,
    pub deadline: Instant,
}

/// Starts the reader of a joined core member.
pub(super) fn start_core(
    ctx: &Arc<Ctx>,
    i: u32,
    joined: Joined,
    view: Arc<Mutex<CoreView>>,
) -> Result<Core, LoadError> {
    let nick = Role::Core(i).nick(&ctx.prefix);
    let io_err = |source| LoadError::Io {
        nick: nick.clone(),
        source,
    };
    let (c, v) = (Arc::clone(ctx), Arc::clone(&view));
    let reader = spawn(format!("read-{nick}"), move || {
        let ended = read_lines(joined.reader, &c, |line| lock(&v).take(&c, line));
        lock(&v).ended = ended;
    })
    .map_err(io_err)?;
    Ok(Core {
        view,
        stream: joined.stream,
        reader,
        actor: None,
    })
}

/// Starts the actor of core member `i`: chat, whispers, schedules and (the admin) kicks.
pub(super) fn start_actor(ctx: &Arc<Ctx>, i: u32, core: &mut Core) -> io::Result<()> {
    let stream = core.stream.try_clone()?;
    let c = Arc::clone(ctx);
    let nick = Role::Core(i).nick(&ctx.prefix);
    core.actor = Some(spawn(format!("act-{nick}"), move || {
        core_actor(&c, i, &stream);
    })?);
    Ok(())
}

fn core_actor(ctx: &Ctx, i: u32, stream: &Conn) {
    let o = &ctx.opts;
    let mut rng = Rng::new(o.seed, u64::from(i));
    let start = Instant::now();
    let chat_every = 1.0 / o.chat_rate;
    // Spread the members' first lines over one interval.
    let mut next_chat = start + Options::secs(chat_every * f64::from(i) / f64::from(o.core));
    let mut next_whisper = start + rng.jittered(o.whisper_every);
    // Members take turns: member i sets one every core * schedule_every, i-th in the round.
    let round = o.schedule_every * f64::from(o.core);
    let mut next_schedule = start + Options::secs(o.schedule_every * (f64::from(i) + 0.5));
    let kicks = i == 0;
    let mut next_kick = start + rng.jittered(o.kick_every);
    let (mut seq, mut whisper_n, mut schedule_n) = (0u64, 0u64, 0u64);
    let mut buf = Vec::with_capacity(ctx.line_bytes + 1);
    let mut schedules_over = false;
    while ctx.active() {
        let now = Instant::now();
        let mut next = next_chat.min(next_whisper);
        if !schedules_over {
            next = next.min(next_schedule);
        }
        if kicks {
            next = next.min(next_kick);
        }
        if next > now {
            thread::sleep((next - now).min(NAP));
            continue;
        }
        let result = if now >= next_chat {
            next_chat += Options::secs(chat_every);
            buf.clear();
            let sent_ns = ctx.clock.now_ns();
            Payload {
                sender: i,
                seq,
                sent_ns,
            }
            .write(&mut buf, ctx.line_bytes);
            let r = ctx.send_bytes(stream, &buf);
            if r.is_ok() {
                seq += 1;
                ctx.core_sent[i as usize].store(seq, Ordering::Relaxed);
            }
            r
        } else if now >= next_whisper {
            next_whisper = now + rng.jittered(o.whisper_every);
            whisper(ctx, i, whisper_n, &mut rng, stream).inspect(|_| whisper_n += 1)
        } else if !schedules_over && now >= next_schedule {
            next_schedule += Options::secs(round);
            let r = schedule(ctx, i, schedule_n, stream);
            if let Ok(true) = r {
                schedule_n += 1;
            }
            // Once the next minute falls after the active phase, no later one will fit.
            let t = plan::schedule_target(ctx.wall.now(), Options::secs(o.schedule_lead));
            schedules_over = t > ctx.active_end_wall;
            r.map(drop)
        } else {
            next_kick = now + rng.jittered(o.kick_every);
            kick(ctx, &mut rng, stream)
        };
        if result.is_err() {
            return;
        }
    }
}

fn whisper(ctx: &Ctx, i: u32, n: u64, rng: &mut Rng, stream: &Conn) -> io::Result<()> {
    let o = &ctx.opts;
    let text = plan::whisper_text(i, n);
    // Half to a churning member (may have just left: the reply says so), half to another
    // core member (checked exactly).
    let churn = if rng.unit() < 0.5 {
        let registry = lock(&ctx.registry);
        let live: Vec<&String> = registry
            .iter()
            .filter(|(_, s)| **s == ChurnState::Active)
            .map(|(n, _)| n)
            .collect();
        (!live.is_empty()).then(|| live[rng.below(live.len())].clone())
    } else {
        None
    };
    let to = match churn {
        Some(nick) => {
            Counters::bump(&ctx.counters.whispers_to_churn);
            nick
        }
        None => {
            let j = (i + 1 + rng.below(o.core as usize - 1) as u32) % o.core;
            lock(&ctx.whispers).add(i, n, j);
            Counters::bump(&ctx.counters.whispers_to_core);
            Role::Core(j).nick(&ctx.prefix)
        }
    };
    ctx.send(stream, &format!("/whisper {to} {text}"))
}

/// Sets schedule `n` of member `i` if the limits and the active phase allow; whether sent.
fn schedule(ctx: &Ctx, i: u32, n: u64, stream: &Conn) -> io::Result<bool> {
    let now = ctx.wall.now();
    let target = plan::schedule_target(now, Options::secs(ctx.opts.schedule_lead));
    if target > ctx.active_end_wall {
        return Ok(false);
    }
    {
        let mut book = lock(&ctx.schedules);
        if !book.can_schedule(i, now) {
            Counters::bump(&ctx.counters.schedules_skipped);
            return Ok(false);
        }
        book.add(Planned {
            author: i,
            n,
            target,
        });
    }
    Counters::bump(&ctx.counters.schedules_sent);
    let line = format!(
        "/schedule {} {}",
        plan::hhmmz(target),
        plan::schedule_text(i, n)
    );
    ctx.send(stream, &line).map(|()| true)
}

fn kick(ctx: &Ctx, rng: &mut Rng, stream: &Conn) -> io::Result<()> {
    let victim = {
        let mut registry = lock(&ctx.registry);
        let mut live: Vec<&String> = registry
            .iter()
            .filter(|(_, s)| **s == ChurnState::Active)
            .map(|(n, _)| n)
            .collect();
        live.sort();
        let Some(nick) = (!live.is_empty()).then(|| live[rng.below(live.len())].clone()) else {
            return Ok(());
        };
        registry.insert(nick.clone(), ChurnState::Kicking);
        nick
    };
    Counters::bump(&ctx.counters.kicks_sent);
    ctx.send(stream, &format!("/kick {victim}"))
}

/// What a churning member or a flooder received.
#[derive(Debug, Default)]
struct VisitorView {
    from_core: Vec<RunTracker>,
    whispers: u64,
    kicked: bool,
    bye: bool,
    warnings: u64,
}

/// How a churning member means to leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leave {
    Quit,
    Disconnect,
}

/// How a churning member's stay ended, as it expects the server to confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Claimed by the admin: `You have been kicked` then closed.
    Kicked,
    /// Sent `/quit`: `Bye, nick.` then closed.
    Bye,
    /// Dropped the connection: nothing to confirm.
    Disconnect,
    /// The connection ended before it chose to leave (a finding).
    Early,
}

/// Spawns churning members until the active phase ends.
pub(super) fn churn_spawner(ctx: Arc<Ctx>) {
    let o = ctx.opts.clone();
    let mut rng = Rng::new(o.seed, 1 << 32);
    let mut k = 0u64;
    let mut next = Instant::now() + rng.jittered(o.churn_every);
    while ctx.active() {
        if Instant::now() < next {
            thread::sleep(NAP.min(next - Instant::now()));
            continue;
        }
        next += rng.jittered(o.churn_every);
        let live = lock(&ctx.registry).len() as u64;
        if live >= u64::from(o.churn_max) {
            continue;
        }
        let (c, seed) = (Arc::clone(&ctx), rng.next_u64());
        let nick = Role::Churn(k).nick(&ctx.prefix);
        match spawn(format!("churn-{k}"), move || churn_member(&c, k, seed)) {
            Ok(h) => lock(&ctx.spawned).push(h),
            Err(e) => ctx.problem(format!("cannot start {nick}: {e}")),
        }
        k += 1;
    }
}

fn churn_member(ctx: &Ctx, k: u64, seed: u64) {
    let o = &ctx.opts;
    let role = Role::Churn(k);
    let nick = role.nick(&ctx.prefix);
    let joined = match ctx.join(role) {
        Ok(j) => j,
        Err(LoadError::Refused { line, .. }) => {
            Counters::bump(&ctx.counters.churn_refused);
            return ctx.problem(format!("{nick} refused: {line}"));
        }
        Err(e) => {
            Counters::bump(&ctx.counters.join_errors);
            return ctx.problem(e.to_string());
        }
    };
    Counters::bump(&ctx.counters.churn_joined);
    let stream = joined.stream;
    let view = Arc::new(Mutex::new(VisitorView {
        from_core: vec![RunTracker::default(); o.core as usize],
        ..VisitorView::default()
    }));
    let (v, reader, prefix) = (Arc::clone(&view), joined.reader, ctx.prefix.clone());
    let reader = spawn(format!("read-{nick}"), move || {
        read_visitor(reader, &prefix, &v);
    });
    let Ok(reader) = reader else {
        ctx.problem(format!("cannot start the reader of {nick}"));
        let _ = stream.shutdown(Shutdown::Both);
        return;
    };
    let live = {
        let mut registry = lock(&ctx.registry);
        registry.insert(nick.clone(), ChurnState::Active);
        registry.len() as u64
    };
    ctx.counters.peak_churn.fetch_max(live, Ordering::Relaxed);

    let mut rng = Rng::new(seed, k);
    let stay = Options::secs(o.churn_stay * (0.1 + 0.9 * rng.unit()));
    let leave = if rng.unit() < 0.5 {
        Leave::Quit
    } else {
        Leave::Disconnect
    };
    let start = Instant::now();
    let chat_every = Options::secs(1.0 / o.chat_rate);
    let mut next_chat = start + rng.jittered(1.0 / o.chat_rate);
    let mut n = 0u64;
    let claimed = || lock(&ctx.registry).get(&nick) == Some(&ChurnState::Kicking);
    let mut failed = false;
    while ctx.active() && start.elapsed() < stay && !claimed() && !reader.is_finished() {
        if Instant::now() < next_chat {
            thread::sleep(NAP.min(next_chat - Instant::now()));
            continue;
        }
        next_chat += chat_every;
        if ctx.send(&stream, &format!("c {k} {n}")).is_err() {
            failed = true;
            break;
        }
        n += 1;
        Counters::bump(&ctx.counters.churn_lines_sent);
    }
    // Decide, under the registry's lock, between leaving and waiting to be kicked.
    let kicked = {
        let mut registry = lock(&ctx.registry);
        let kicked = registry.get(&nick) == Some(&ChurnState::Kicking);
        if !kicked {
            registry.insert(nick.clone(), ChurnState::Leaving);
        }
        kicked
    };
    let end = if kicked {
        wait_finished(&reader, CLOSE_WAIT);
        End::Kicked
    } else if reader.is_finished() || failed {
        End::Early
    } else {
        Counters::bump(match leave {
            Leave::Quit => &ctx.counters.quits,
            Leave::Disconnect => &ctx.counters.disconnects,
        });
        let _ = match leave {
            Leave::Quit => ctx.send(&stream, "/quit"),
            Leave::Disconnect => stream.shutdown(Shutdown::Both),
        };
        wait_finished(&reader, CLOSE_WAIT);
        match leave {
            Leave::Quit => End::Bye,
            Leave::Disconnect => End::Disconnect,
        }
    };
    let _ = stream.shutdown(Shutdown::Both);
    wait_finished(&reader, CLOSE_WAIT);
    lock(&ctx.registry).remove(&nick);
    let view = lock(&view);
    let ok = match end {
        End::Kicked => view.kicked,
        End::Bye => view.bye,
        End::Disconnect => true,
        End::Early => false,
    };
    if end == End::Kicked && view.kicked {
        Counters::bump(&ctx.counters.kicks_confirmed);
    }
    if end == End::Bye && view.bye {
        Counters::bump(&ctx.counters.quits_confirmed);
    }
    if !ok || view.warnings > 0 {
        Counters::bump(&ctx.counters.unexpected_ends);
        ctx.problem(format!(
            "{nick}: meant to end by {end:?}; saw kicked {} bye {} warnings {}",
            view.kicked, view.bye, view.warnings
        ));
    }
    ctx.counters
        .whispers_to_churn_received
        .fetch_add(view.whispers, Ordering::Relaxed);
    for t in &view.from_core {
        ctx.counters
            .churn_core_lines
            .fetch_add(t.seen, Ordering::Relaxed);
        ctx.counters
            .churn_breaks
            .fetch_add(t.breaks, Ordering::Relaxed);
    }
}

/// A visitor's reader: reads until the server closes or the socket is shut down (visitors
/// always end one way or the other, so it needs no stop flag).
fn read_visitor(mut reader: BufReader<Conn>, prefix: &str, view: &Mutex<VisitorView>) {
    let mut raw = Vec::with_capacity(256);
    loop {
        match reader.read_until(b'\n', &mut raw) {
            Ok(0) => return,
            Ok(_) if !raw.ends_with(b"\n") => continue,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
        let text = String::from_utf8_lossy(&raw[..raw.len() - 1]);
        lock(view).take_line(prefix, &text);
        raw.clear();
    }
}

impl VisitorView {
    fn take_line(&mut self, prefix: &str, line: &str) {
        match classify(line) {
            Line::Chat { from, text } => {
                if let (Some(Role::Core(j)), Some(p)) =
                    (Role::of(from, prefix), Payload::parse(text))
                    && let Some(t) = self.from_core.get_mut(j as usize)
                {
                    t.observe(p.seq);
                }
            }
            Line::WhisperFrom { .. } => self.whispers += 1,
            Line::YouWereKicked => self.kicked = true,
            Line::Bye => self.bye = true,
            Line::TooFast => self.warnings += 1,
            _ => {}
        }
    }
}

/// Spawns a flooder now and then until the active phase ends.
pub(super) fn flood_spawner(ctx: Arc<Ctx>) {
    let o = ctx.opts.clone();
    let mut rng = Rng::new(o.seed, 2 << 32);
    let mut k = 0u64;
    let mut next = Instant::now() + rng.jittered(o.flood_every);
    while ctx.active() {
        if Instant::now() < next {
            thread::sleep(NAP.min(next - Instant::now()));
            continue;
        }
        next += rng.jittered(o.flood_every);
        let c = Arc::clone(&ctx);
        match spawn(format!("flood-{k}"), move || flooder(&c, k)) {
            Ok(h) => lock(&ctx.spawned).push(h),
            Err(e) => ctx.problem(format!("cannot start flooder {k}: {e}")),
        }
        k += 1;
    }
}

fn flooder(ctx: &Ctx, k: u64) {
    let o = &ctx.opts;
    let role = Role::Flood(k);
    let nick = role.nick(&ctx.prefix);
    let joined = match ctx.join(role) {
        Ok(j) => j,
        Err(e) => {
            Counters::bump(&ctx.counters.join_errors);
            return ctx.problem(e.to_string());
        }
    };
    Counters::bump(&ctx.counters.flood_joined);
    let stream = joined.stream;
    let view = Arc::new(Mutex::new(VisitorView::default()));
    let (v, reader, prefix) = (Arc::clone(&view), joined.reader, ctx.prefix.clone());
    let Ok(reader) = spawn(format!("read-{nick}"), move || {
        read_visitor(reader, &prefix, &v)
    }) else {
        ctx.problem(format!("cannot start the reader of {nick}"));
        let _ = stream.shutdown(Shutdown::Both);
        return;
    };
    let mut burst = Vec::new();
    for i in 0..o.flood_lines {
        burst.extend_from_slice(plan::flood_text(k, i).as_bytes());
        burst.push(b'\n');
    }
    Counters::bump(&ctx.counters.floods);
    let written = ctx.send_bytes(&stream, &burst).is_ok();
    if written {
        ctx.counters
            .flood_lines_sent
            .fetch_add(u64::from(o.flood_lines), Ordering::Relaxed);
    }
    // Stay a while so the bucket refills for the /quit and every warning has arrived.
    thread::sleep(Options::secs(o.flood_stay));
    let _ = ctx.send(&stream, "/quit");
    Counters::bump(&ctx.counters.quits);
    wait_finished(&reader, CLOSE_WAIT);
    let _ = stream.shutdown(Shutdown::Both);
    wait_finished(&reader, CLOSE_WAIT);
    let view = lock(&view);
    if view.bye {
        Counters::bump(&ctx.counters.quits_confirmed);
    } else {
        Counters::bump(&ctx.counters.unexpected_ends);
        ctx.problem(format!("{nick}: no Bye after /quit"));
    }
    if written {
        lock(&ctx.bursts).push(Burst {
            k,
            lines: o.flood_lines,
            warnings: view.warnings,
        });
    }
}

/// Core member `i`'s reader has every line and whisper it should have; used to end the drain.
pub(super) fn core_complete(ctx: &Ctx, i: usize, view: &CoreView) -> bool {
    view.from_core
        .iter()
        .enumerate()
        .all(|(j, t)| j == i || t.complete(ctx.core_sent[j].load(Ordering::Relaxed)))
}
