//! Invariants of the room over random sequences of operations, checked after every step
//! against a small reference model.
//!
//! The model predicts, before each step, who joins, who leaves, which connections the room
//! closes (refusals, the pending cap, nickname deadlines, `/quit`, `/kick`, kick bans at
//! the prompt, shutdown), whether a `/schedule` is accepted (per-member and per-room limits),
//! which schedules a kick or a `/unschedule` cancels, and which bans `/unban` lifts. It keeps each member's flood bucket with the crate's own `FloodLimiter` on
//! the same clock. After every step it checks: capacity, unique valid nicknames, the admin
//! is the longest member (and a change is announced), a chat or `/me` line reaches each
//! other member exactly once, each schedule fires exactly once at exactly its time and reaches every
//! member (marked `(left)` once its author has gone), flood records carry the dropped counts, and (in the harness) nothing is sent to
//! an unknown or closed client and every line is clean. Replaying the same operations gives
//! the same actions.

mod support;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use chatcore::command::{self, Command};
use chatcore::flood::{FloodLimiter, Verdict};
use chatcore::io::address_key;
use chatcore::sanitize::{is_blank, sanitize};
use chatcore::timespec::TimeSpec;
use chatcore::{Action, ClientId, Config, DisconnectCause, Error, Event, Frame, Input, Nickname};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use support::{START, Sim};
use time::macros::offset;

const IDS: u64 = 12;

const NICKS: &[&str] = &[
    "Alice",
    "alice",
    "Bob",
    "B0B",
    "개똥이",
    "Charlie",
    "Server",
    "ADMIN",
    "\u{410}lice",
    "a b",
    "",
    "Dave",
    "\u{FF25}ve",
    "eve",
    "Kim김",
    ".x",
];

/// Valid nicknames, some equal by key (`eve`, full-width `Ｅve`), for quick joins.
const JOINERS: &[&str] = &[
    "Alice",
    "Bob",
    "Charlie",
    "개똥이",
    "eve",
    "\u{FF25}ve",
    "Kim김",
];

const TEXTS: &[&str] = &[
    "Hello everyone!",
    "hi",
    "same",
    "//etc",
    "  ",
    "",
    "안녕",
    "x\ty",
    "\x1b[2J",
    "a\u{202E}b\u{2028}c",
];

const OFFSETS: &[&str] = &["", "Z", "+09:00", "-05:00", "+05:45", "x"];

const EVICTED: &str = "[Server]: Too many connections are waiting for a nickname. Bye.";
const TIMED_OUT: &str = "[Server]: No nickname chosen in time. Bye.";
const SHUTDOWN: &str = "[Server]: The server is shutting down.";

#[derive(Debug, Clone)]
enum Op {
    Connect(u64, u8),
    Line(u64, String),
    TooLong(u64),
    InvalidUtf8(u64),
    Disconnect(u64, u8),
    /// Advance by this many milliseconds, handling every deadline on the way.
    Advance(u64),
    /// `handle_timeout` at the current moment (usually early, so a no-op).
    Timeout,
    /// Advance to 1 ms before the next deadline and call `handle_timeout` there.
    JustBefore,
    /// The member at this place in join order (modulo their number; 0 is the admin), if
    /// any, sends this line: kicks and schedules by members are rare otherwise.
    ByMember(usize, String),
    /// That member sends this many chat lines at once (identical ones when `true`), to
    /// reach the flood limit.
    Burst(usize, u8, bool),
    Shutdown,
}

fn config(flood_off: bool) -> Config {
    let mut c = Config::default();
    c.capacity = 4;
    c.max_line_bytes = 256;
    c.max_pending = 3;
    c.max_per_ip = 3;
    c.exempt_loopback = false;
    c.flood_burst = 6;
    c.flood_rate = if flood_off { 0 } else { 5 };
    c.max_schedules_per_member = 2;
    c.max_schedules_per_room = 3;
    c.utc_offset = offset!(+9);
    // The join rate is its own scenario; the model here does not predict it.
    c.join_rate = 0;
    c
}

fn peer(n: u8) -> Option<IpAddr> {
    match n % 4 {
        0 => None,
        1 => Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1))),
        2 => Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 2))),
        _ => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
    }
}

fn cause(n: u8) -> DisconnectCause {
    match n % 4 {
        0 => DisconnectCause::Closed,
        1 => DisconnectCause::Error,
        2 => DisconnectCause::SlowConsumer,
        _ => DisconnectCause::Requested,
    }
}

fn nick() -> impl Strategy<Value = &'static str> {
    prop::sample::select(NICKS)
}

fn text() -> impl Strategy<Value = &'static str> {
    prop::sample::select(TEXTS)
}

/// A nickname to name in a command: most often one that members use.
fn target() -> impl Strategy<Value = &'static str> {
    prop_oneof![3 => prop::sample::select(JOINERS), 1 => nick()]
}

fn command_line() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => nick().prop_map(|n| format!("/rename {n}")),
        2 => (target(), text()).prop_map(|(n, t)| format!("/whisper {n} {t}")),
        1 => target().prop_map(|n| format!("/w {n}")),
        3 => (0u8..26, 0u8..62, prop::sample::select(OFFSETS), text())
            .prop_map(|(h, m, o, t)| format!("/schedule {h}:{m:02}{o} {t}")),
        4 => (target(), prop::option::of(text())).prop_map(|(n, r)| match r {
            Some(r) => format!("/kick {n} {r}"),
            None => format!("/KICK {n}"),
        }),
        2 => text().prop_map(|t| format!("/me {t}")),
        1 => (0u64..6).prop_map(|n| format!("/unschedule {n}")),
        1 => prop::sample::select(&[
            "/user", "/help", "/quit", "/dance", "/kick", "/schedule", "/schedules", "/bans",
            "/notice", "/notice hi", "/notice -", "/unban Bob", "/unban alice", "/me",
        ][..])
            .prop_map(str::to_owned),
    ]
}

fn random_line() -> impl Strategy<Value = String> {
    let special = prop::sample::select(
        &[
            '\x1b', '\x07', '\t', '\r', '\n', '\0', '\x7f', '\u{85}', '\u{9b}', '\u{202a}',
            '\u{202e}', '\u{2066}', '\u{2069}', '\u{2028}', '\u{2029}', '\u{200b}', '/', ' ', '개',
            'é',
        ][..],
    );
    let ch = prop_oneof![special, proptest::char::range('a', 'e'), any::<char>()];
    prop::collection::vec(ch, 0..16).prop_map(|v| v.into_iter().collect())
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => nick().prop_map(str::to_owned),
        4 => text().prop_map(str::to_owned),
        6 => command_line(),
        2 => random_line(),
        1 => (250usize..262).prop_map(|n| "x".repeat(n)),
    ]
}

/// Ids from 0..12, most often from the first four so the same connections act repeatedly.
fn id() -> impl Strategy<Value = u64> {
    prop_oneof![3 => 0u64..4, 1 => 0..IDS]
}

/// One operation, or a connect followed at once by a nickname (so members are common).
fn op() -> impl Strategy<Value = Vec<Op>> {
    let single = prop_oneof![
        3 => (id(), any::<u8>()).prop_map(|(i, p)| Op::Connect(i, p)),
        14 => (id(), line()).prop_map(|(i, l)| Op::Line(i, l)),
        1 => id().prop_map(Op::TooLong),
        1 => id().prop_map(Op::InvalidUtf8),
        2 => (id(), any::<u8>()).prop_map(|(i, c)| Op::Disconnect(i, c)),
        4 => prop_oneof![
            3 => 0u64..2_000,
            2 => 1_000u64..120_000,
            1 => 3_600_000u64..30 * 3_600_000,
        ]
        .prop_map(Op::Advance),
        1 => Just(Op::Timeout),
        1 => Just(Op::JustBefore),
        2 => (target(), prop::option::of(text())).prop_map(|(n, r)| {
            Op::ByMember(0, format!("/kick {n} {}", r.unwrap_or_default()))
        }),
        1 => (0usize..4, prop::sample::select(JOINERS))
            .prop_map(|(i, n)| Op::ByMember(i, format!("/rename {n}"))),
        1 => (0usize..4, 3u8..12, any::<bool>()).prop_map(|(i, n, same)| Op::Burst(i, n, same)),
        2 => (0usize..4, 0u8..24, 0u8..60, prop::sample::select(OFFSETS), text())
            .prop_map(|(i, h, m, o, t)| Op::ByMember(i, format!("/schedule {h}:{m:02}{o} {t}"))),
        1 => (0usize..4, 0u64..8).prop_map(|(i, n)| Op::ByMember(i, format!("/unschedule {n}"))),
        1 => target().prop_map(|n| Op::ByMember(0, format!("/unban {n}"))),
    ];
    let join = (id(), any::<u8>(), prop::sample::select(JOINERS))
        .prop_map(|(i, p, n)| vec![Op::Connect(i, p), Op::Line(i, n.to_owned())]);
    prop_oneof![6 => single.prop_map(|op| vec![op]), 1 => join]
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    // Some runs shut the room down three quarters of the way through.
    let chunks = prop::collection::vec(op(), 1..100);
    (chunks, prop::bool::weighted(0.1)).prop_map(|(chunks, stop)| {
        let mut ops: Vec<Op> = chunks.into_iter().flatten().collect();
        if stop {
            let at = ops.len() * 3 / 4;
            ops.insert(at, Op::Shutdown);
        }
        ops
    })
}

/// What the model knows of one member beyond what the room shows.
struct MemberModel {
    flood: FloodLimiter,
    last_line: Option<String>,
    /// Pending schedules this member set (while it stays a member).
    schedules: usize,
}

/// One connection the transport has not yet reported gone.
struct ConnModel {
    peer: Option<IpAddr>,
    /// The room has sent `Close` for it.
    closed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SchedState {
    Pending,
    Fired,
    Cancelled,
    Dropped,
}

struct SchedModel {
    due: Instant,
    line: String,
    /// The author's id while it is a member.
    author: Option<u64>,
    state: SchedState,
}

struct Model {
    config: Config,
    conns: BTreeMap<u64, ConnModel>,
    /// Connections choosing a nickname, oldest first, with their deadlines.
    pending: VecDeque<(Instant, u64)>,
    /// Nickname lines each pending connection has tried.
    attempts: BTreeMap<u64, u32>,
    /// Member ids in join order.
    order: Vec<u64>,
    members: BTreeMap<u64, MemberModel>,
    schedules: BTreeMap<u64, SchedModel>,
    /// Kick bans: the nickname key, the address and the end.
    bans: Vec<(chatcore::NickKey, Option<IpAddr>, Instant)>,
    shut_down: bool,
}

/// What one step is expected to do, decided before it runs.
#[derive(Default)]
struct Expect {
    /// A member that must join, with its nickname.
    join: Option<(u64, Nickname)>,
    /// Members that must leave; nobody else may.
    leave: BTreeSet<u64>,
    /// The member kicked, whose schedules are cancelled.
    kicked: Option<u64>,
    /// Exactly the connections the room must close.
    closes: BTreeSet<u64>,
    /// The id allowed to change nickname.
    rename: Option<u64>,
    /// A chat line (sender, exact text without `\n`).
    chat: Option<(u64, String)>,
    /// The member whose `/schedule` must be accepted.
    schedule: Option<u64>,
    /// The schedule a `/unschedule` must cancel.
    unscheduled: Option<u64>,
    /// `flood` records (nickname, count) in any order.
    floods: Vec<(String, u32)>,
    /// The id this step's input concerns, so it may receive replies while pending.
    subject: Option<u64>,
}

fn members(sim: &Sim) -> Vec<(u64, String)> {
    sim.hall
        .default_room()
        .members()
        .map(|(id, n)| (id.0, n.to_string()))
        .collect()
}

fn key_of(nick: &str) -> Option<chatcore::NickKey> {
    Nickname::parse(nick).ok().map(|n| n.key())
}

impl Model {
    fn new(config: Config) -> Model {
        Model {
            config,
            conns: BTreeMap::new(),
            pending: VecDeque::new(),
            attempts: BTreeMap::new(),
            order: Vec::new(),
            members: BTreeMap::new(),
            schedules: BTreeMap::new(),
            bans: Vec::new(),
            shut_down: false,
        }
    }

    fn pending_schedules(&self) -> usize {
        self.schedules
            .values()
            .filter(|s| s.state == SchedState::Pending)
            .count()
    }

    /// Predicts a new connection: refused (shutdown, full room, per-address limit) or
    /// pending, possibly evicting the oldest pending one.
    fn connect(
        &mut self,
        sim: &Sim,
        before: &[(u64, String)],
        id: u64,
        peer: Option<IpAddr>,
        ex: &mut Expect,
    ) {
        self.conns.insert(
            id,
            ConnModel {
                peer,
                closed: false,
            },
        );
        // Connections the room has decided to close no longer count.
        let same_peer = peer.map_or(0, |p| {
            self.conns
                .values()
                .filter(|c| c.peer == Some(p) && !c.closed)
                .count()
        });
        if self.shut_down
            || before.len() >= self.config.capacity
            || same_peer > self.config.max_per_ip
        {
            ex.closes.insert(id);
            return;
        }
        if self.pending.len() >= self.config.max_pending {
            // The oldest of the address with the most pending (ties: the oldest overall).
            let key = |id: &u64| self.conns.get(id).and_then(|c| c.peer).map(address_key);
            let mut per: BTreeMap<Option<IpAddr>, usize> = BTreeMap::new();
            for (_, p) in &self.pending {
                *per.entry(key(p)).or_insert(0) += 1;
            }
            let most = per.values().copied().max().unwrap_or(0);
            let victim = self
                .pending
                .iter()
                .map(|&(_, p)| p)
                .find(|p| per.get(&key(p)) == Some(&most));
            if let Some(victim) = victim {
                self.pending.retain(|&(_, p)| p != victim);
                ex.closes.insert(victim);
            }
        }
        let deadline = sim.now().instant + self.config.nick_timeout;
        self.pending.push_back((deadline, id));
        self.attempts.insert(id, 0);
    }

    /// Predicts a pending connection's nickname attempt.
    fn nickname_line(
        &mut self,
        sim: &Sim,
        before: &[(u64, String)],
        id: u64,
        frame: &Frame,
        ex: &mut Expect,
    ) {
        if let Frame::Line(raw) = frame
            && raw.len() <= self.config.max_line_bytes
            && raw.trim().eq_ignore_ascii_case("/quit")
        {
            self.pending.retain(|&(_, p)| p != id);
            ex.closes.insert(id);
            return;
        }
        let attempts = self.attempts.entry(id).or_insert(0);
        *attempts += 1;
        if *attempts > 20 {
            self.pending.retain(|&(_, p)| p != id);
            ex.closes.insert(id);
            return;
        }
        let Frame::Line(raw) = frame else { return };
        if raw.len() > self.config.max_line_bytes {
            return;
        }
        let Ok(nick) = Nickname::parse(raw.trim_matches([' ', '\t'])) else {
            return;
        };
        if before.iter().any(|(_, n)| key_of(n) == Some(nick.key())) {
            return;
        }
        self.pending.retain(|&(_, p)| p != id);
        let now = sim.now().instant;
        let peer = self.conns.get(&id).and_then(|c| c.peer);
        let banned = self
            .bans
            .iter()
            .any(|(k, a, until)| *until > now && (*k == nick.key() || (a.is_some() && *a == peer)));
        if before.len() >= self.config.capacity || banned {
            ex.closes.insert(id);
        } else {
            ex.join = Some((id, nick));
        }
    }

    /// Predicts a member's line: flood, chat, quit, kick, rename, schedule.
    fn member_line(
        &mut self,
        sim: &Sim,
        before: &[(u64, String)],
        id: u64,
        frame: &Frame,
        ex: &mut Expect,
    ) {
        let since = sim.elapsed();
        let repeat_cost = self.config.repeat_cost;
        let room_schedules = self.pending_schedules();
        let nick = before
            .iter()
            .find(|(m, _)| *m == id)
            .map(|(_, n)| n.clone());
        let (Some(m), Some(nick)) = (self.members.get_mut(&id), nick) else {
            panic!("model lost member {id}");
        };
        match m.flood.check(since) {
            Verdict::Allow { dropped_before } => {
                if dropped_before > 0 {
                    ex.floods.push((nick.clone(), dropped_before));
                }
            }
            Verdict::DropAndWarn | Verdict::Drop => return,
        }
        let Frame::Line(raw) = frame else { return };
        if raw.len() > self.config.max_line_bytes {
            return;
        }
        let clean = sanitize(raw);
        match command::parse(&clean) {
            Command::Chat(t) | Command::Me(t) if !is_blank(t) => {
                let out = match command::parse(&clean) {
                    Command::Me(_) => format!("* {nick} {t}"),
                    _ => format!("{nick} >> {t}"),
                };
                if repeat_cost > 0 && m.last_line.as_deref() == Some(out.as_str()) {
                    m.flood.charge(repeat_cost, since);
                }
                m.last_line = Some(out.clone());
                ex.chat = Some((id, out));
            }
            Command::Quit => {
                ex.leave.insert(id);
                ex.closes.insert(id);
            }
            Command::Rename(_) if matches!(clean, std::borrow::Cow::Borrowed(_)) => {
                ex.rename = Some(id)
            }
            Command::Schedule { time, .. }
                if TimeSpec::parse(time).is_ok()
                    && m.schedules < self.config.max_schedules_per_member
                    && room_schedules < self.config.max_schedules_per_room =>
            {
                ex.schedule = Some(id);
            }
            Command::Unschedule(typed) => {
                let is_admin = before.first().map(|f| f.0) == Some(id);
                let seq = typed.strip_prefix('#').unwrap_or(typed).parse::<u64>().ok();
                let s = seq.and_then(|n| self.schedules.get(&n).map(|s| (n, s)));
                if let Some((n, s)) = s
                    && s.state == SchedState::Pending
                    && (is_admin || s.author == Some(id))
                {
                    ex.unscheduled = Some(n);
                }
            }
            Command::Unban(typed) if before.first().map(|f| f.0) == Some(id) => {
                let now = sim.now().instant;
                let key = key_of(typed);
                if let Some(i) = self
                    .bans
                    .iter()
                    .position(|(k, _, until)| *until > now && Some(k) == key.as_ref())
                {
                    self.bans.remove(i);
                }
            }
            Command::Kick { nick: typed, .. } if before.first().map(|f| f.0) == Some(id) => {
                let key = key_of(typed);
                let found = before
                    .iter()
                    .find(|(t, n)| *t != id && key.is_some() && key_of(n) == key);
                if let Some((t, n)) = found {
                    let t = *t;
                    let addr = self.conns.get(&t).and_then(|c| c.peer);
                    let until = sim.now().instant + self.config.kick_ban;
                    if let Some(k) = key_of(n) {
                        // A new ban on a key replaces the old one; expired ones go.
                        let now = sim.now().instant;
                        self.bans.retain(|(b, _, end)| *end > now && *b != k);
                        self.bans.push((k, addr, until));
                    }
                    ex.leave.insert(t);
                    ex.closes.insert(t);
                    ex.kicked = Some(t);
                }
            }
            _ => {}
        }
    }

    /// Predicts which pending connections time out by `until`.
    fn deadlines(&mut self, until: Instant, ex: &mut Expect) {
        while let Some(&(deadline, id)) = self.pending.front() {
            if deadline > until {
                break;
            }
            self.pending.pop_front();
            ex.closes.insert(id);
        }
    }

    fn step(&mut self, sim: &mut Sim, op: &Op) {
        if let Op::Burst(n, count, same) = op {
            for i in 0..*count {
                let line = if *same {
                    "again".to_owned()
                } else {
                    format!("burst {i}")
                };
                self.step(sim, &Op::ByMember(*n, line));
            }
            return;
        }
        if let Op::ByMember(n, line) = op {
            let ids: Vec<ClientId> = sim
                .hall
                .default_room()
                .members()
                .map(|(id, _)| id)
                .collect();
            if let Some(id) = ids.get(n % ids.len().max(1)) {
                self.step(sim, &Op::Line(id.0, line.clone()));
            }
            return;
        }
        let before = members(sim);
        let start = sim.history().len();
        let mut ex = Expect::default();
        match op {
            Op::Connect(id, p) => {
                ex.subject = Some(*id);
                let known = self.conns.contains_key(id);
                if !known {
                    self.connect(sim, &before, *id, peer(*p), &mut ex);
                }
                let r = sim.input(Input::Connect {
                    id: ClientId(*id),
                    peer: peer(*p),
                });
                if known {
                    assert_eq!(r, Err(Error::DuplicateClient(ClientId(*id))));
                } else {
                    assert_eq!(r, Ok(()));
                }
            }
            Op::Line(id, _) | Op::TooLong(id) | Op::InvalidUtf8(id) => {
                ex.subject = Some(*id);
                let frame = match op {
                    Op::Line(_, l) => Frame::Line(l.clone()),
                    Op::TooLong(_) => Frame::TooLong,
                    _ => Frame::InvalidUtf8,
                };
                let closed = self.conns.get(id).map(|c| c.closed);
                match closed {
                    None | Some(true) => {}
                    Some(false) if self.members.contains_key(id) => {
                        self.member_line(sim, &before, *id, &frame, &mut ex);
                    }
                    Some(false) => self.nickname_line(sim, &before, *id, &frame, &mut ex),
                }
                let r = sim.input(Input::Frame {
                    id: ClientId(*id),
                    frame,
                });
                match closed {
                    None => assert_eq!(r, Err(Error::UnknownClient(ClientId(*id)))),
                    Some(closed) => {
                        assert_eq!(r, Ok(()));
                        if closed {
                            let n = sim.history().len();
                            assert_eq!(n, start, "a closed client's input did something");
                        }
                    }
                }
            }
            Op::Disconnect(id, c) => {
                ex.subject = Some(*id);
                if self.members.contains_key(id) {
                    ex.leave.insert(*id);
                }
                self.pending.retain(|&(_, p)| p != *id);
                let known = self.conns.remove(id).is_some();
                let r = sim.input(Input::Disconnect {
                    id: ClientId(*id),
                    cause: cause(*c),
                });
                if known {
                    assert_eq!(r, Ok(()));
                } else {
                    assert_eq!(r, Err(Error::UnknownClient(ClientId(*id))));
                }
            }
            Op::Advance(ms) => {
                let d = Duration::from_millis(*ms);
                self.deadlines(sim.now().instant + d, &mut ex);
                sim.advance(d);
            }
            Op::Timeout => {
                self.deadlines(sim.now().instant, &mut ex);
                sim.timeout();
            }
            Op::JustBefore => {
                let next = sim
                    .next_deadline_in()
                    .filter(|d| *d > Duration::from_millis(1));
                if let Some(d) = next {
                    let d = d - Duration::from_millis(1);
                    self.deadlines(sim.now().instant + d, &mut ex);
                    sim.advance(d);
                    sim.timeout();
                }
            }
            Op::ByMember(..) | Op::Burst(..) => {}
            Op::Shutdown => {
                ex.leave = self.order.iter().copied().collect();
                ex.closes = self
                    .conns
                    .iter()
                    .filter(|(_, c)| !c.closed)
                    .map(|(id, _)| *id)
                    .collect();
                self.pending.clear();
                self.shut_down = true;
                sim.shutdown();
            }
        }
        // Members that leave with an open burst of drops get their flood record.
        for id in &ex.leave {
            let nick = before.iter().find(|(m, _)| m == id).map(|m| m.1.clone());
            if let (Some(m), Some(nick)) = (self.members.get(id), nick)
                && m.flood.dropped() > 0
            {
                ex.floods.push((nick, m.flood.dropped()));
            }
        }
        let actions = sim.history()[start..].to_vec();
        self.check(sim, op, &before, &actions, ex);
    }

    fn check(
        &mut self,
        sim: &Sim,
        op: &Op,
        before: &[(u64, String)],
        actions: &[Action],
        ex: Expect,
    ) {
        let after = members(sim);
        let now = sim.now();
        let before_ids: BTreeSet<u64> = before.iter().map(|m| m.0).collect();
        let after_ids: BTreeSet<u64> = after.iter().map(|m| m.0).collect();

        // Capacity, unique valid nicknames, the admin is the longest member.
        assert!(after.len() <= self.config.capacity, "{after:?}");
        let mut keys = BTreeSet::new();
        for (_, n) in &after {
            let parsed = Nickname::parse(n).unwrap_or_else(|e| panic!("member nick {n:?}: {e}"));
            assert_eq!(
                parsed.as_str(),
                n,
                "stored nickname is not its own NFC form"
            );
            assert!(
                keys.insert(parsed.key()),
                "two members share the key of {n:?}"
            );
        }
        assert_eq!(
            sim.hall.default_room().admin().map(|a| a.0),
            after.first().map(|m| m.0)
        );

        // Who left, who joined, and the join order.
        let left: BTreeSet<u64> = before_ids.difference(&after_ids).copied().collect();
        assert_eq!(left, ex.leave, "members who left on {op:?}");
        let joined: Vec<u64> = after_ids.difference(&before_ids).copied().collect();
        match &ex.join {
            Some((id, nick)) => {
                assert_eq!(joined, [*id], "{op:?} should have joined");
                assert_eq!(after.last().map(|m| m.1.as_str()), Some(nick.as_str()));
            }
            None => assert_eq!(joined, Vec::<u64>::new(), "nobody may join on {op:?}"),
        }
        self.order.retain(|id| !left.contains(id));
        self.order.extend(joined.iter().copied());
        let order: Vec<u64> = after.iter().map(|m| m.0).collect();
        assert_eq!(order, self.order, "join order");
        // Nicknames change only by the renamer's own /rename.
        for (id, nick) in &after {
            if let Some((_, old)) = before.iter().find(|(b, _)| b == id)
                && old != nick
            {
                assert_eq!(ex.rename, Some(*id), "{old} became {nick} on {op:?}");
                if let Some(m) = self.members.get_mut(id) {
                    m.last_line = None;
                }
            }
        }
        // A kick cancels exactly the kicked member's pending schedules.
        let expected_cancel: BTreeSet<u64> = self
            .schedules
            .iter()
            .filter(|(_, s)| s.state == SchedState::Pending && s.author.is_some())
            .filter(|(_, s)| s.author == ex.kicked)
            .map(|(seq, _)| *seq)
            .collect();
        for id in &left {
            self.members.remove(id);
            for s in self.schedules.values_mut() {
                if s.author == Some(*id) {
                    s.author = None;
                }
            }
        }
        let since = sim.elapsed();
        for id in &joined {
            let flood = FloodLimiter::new(self.config.flood_burst, self.config.flood_rate, since);
            let m = MemberModel {
                flood,
                last_line: None,
                schedules: 0,
            };
            self.members.insert(*id, m);
        }

        // Closes: exactly the predicted ones.
        let mut closes = BTreeSet::new();
        for action in actions {
            if let Action::Close { id } = action {
                closes.insert(id.0);
                if let Some(c) = self.conns.get_mut(&id.0) {
                    c.closed = true;
                }
            }
        }
        assert_eq!(closes, ex.closes, "connections closed on {op:?}");

        // Sends: chat lines exactly once to each other member; pending connections get only
        // their own replies; a new admin is announced to every member.
        let mut chat_sends = Vec::new();
        let mut fired_sends: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        let mut admin_sends = Vec::new();
        for action in actions {
            let Action::Send { to, line } = action else {
                continue;
            };
            let text = String::from_utf8_lossy(line)
                .trim_end_matches('\n')
                .to_owned();
            if !text.starts_with('[') {
                chat_sends.push((to.0, text));
                continue;
            }
            if text.starts_with("[Scheduled by ") {
                fired_sends.entry(to.0).or_default().push(text.clone());
            }
            if text.starts_with("[Server]: ") && text.ends_with(" is now the admin.") {
                admin_sends.push((to.0, text.clone()));
            }
            let pending = !before_ids.contains(&to.0) && !after_ids.contains(&to.0);
            if pending && ex.subject != Some(to.0) {
                assert!(
                    [EVICTED, TIMED_OUT, SHUTDOWN].contains(&text.as_str()),
                    "pending {to} got {text:?} on {op:?}"
                );
            }
        }
        let mut expected_chat = Vec::new();
        if let Some((sender, line)) = &ex.chat {
            for (m, _) in before.iter().filter(|(m, _)| m != sender) {
                expected_chat.push((*m, line.clone()));
            }
        }
        expected_chat.sort();
        chat_sends.sort();
        assert_eq!(chat_sends, expected_chat, "chat delivery on {op:?}");
        let admin_left = before.first().is_some_and(|(a, _)| left.contains(a));
        let mut expected_admin = Vec::new();
        if let (true, false, Some((_, nick))) = (admin_left, self.shut_down, after.first()) {
            for (m, _) in &after {
                expected_admin.push((*m, format!("[Server]: {nick} is now the admin.")));
            }
        }
        admin_sends.sort();
        expected_admin.sort();
        assert_eq!(admin_sends, expected_admin, "admin announcement on {op:?}");

        // Log records: flood counts, schedules set, fired, cancelled.
        let mut floods = Vec::new();
        let mut fired_lines = Vec::new();
        let mut scheduled_by = None;
        let mut cancelled = BTreeSet::new();
        let mut unscheduled = None;
        for action in actions {
            let Action::Log(record) = action else {
                continue;
            };
            match &record.event {
                Event::Flood { nick, dropped } => floods.push((nick.to_string(), *dropped)),
                Event::Scheduled {
                    seq,
                    nick,
                    due,
                    text,
                } => {
                    let due = sim.instant_of(*due);
                    assert!(due > now.instant, "#{seq} due at or before now");
                    assert!(due - now.instant <= Duration::from_secs(24 * 3600));
                    assert!(scheduled_by.is_none(), "two schedules in one step");
                    let author = ex
                        .schedule
                        .unwrap_or_else(|| panic!("#{seq} not expected on {op:?}"));
                    scheduled_by = Some(author);
                    if let Some(m) = self.members.get_mut(&author) {
                        m.schedules += 1;
                    }
                    let line = format!("[Scheduled by {nick}] {text}");
                    let s = SchedModel {
                        due,
                        line,
                        author: Some(author),
                        state: SchedState::Pending,
                    };
                    assert!(self.schedules.insert(*seq, s).is_none(), "#{seq} reused");
                }
                Event::Fired { seq, .. } => {
                    let s = self
                        .schedules
                        .get_mut(seq)
                        .unwrap_or_else(|| panic!("#{seq} unknown"));
                    assert_eq!(
                        s.state,
                        SchedState::Pending,
                        "#{seq} fired twice or after cancel"
                    );
                    assert_eq!(sim.instant_of(record.at), s.due, "#{seq} fired off time");
                    s.state = SchedState::Fired;
                    // `(left)` once the author's connection is no longer a member.
                    let line = match s.author {
                        Some(_) => s.line.clone(),
                        None => s.line.replacen("] ", " (left)] ", 1),
                    };
                    fired_lines.push(line);
                    if let Some(m) = s.author.and_then(|a| self.members.get_mut(&a)) {
                        m.schedules -= 1;
                    }
                }
                Event::Cancelled { seq, .. } => {
                    cancelled.insert(*seq);
                }
                Event::Unscheduled { seq, .. } => {
                    assert_eq!(Some(*seq), ex.unscheduled, "unscheduled on {op:?}");
                    unscheduled = Some(*seq);
                    let s = self
                        .schedules
                        .get_mut(seq)
                        .unwrap_or_else(|| panic!("#{seq} unknown"));
                    assert_eq!(s.state, SchedState::Pending, "#{seq} cancelled twice");
                    s.state = SchedState::Cancelled;
                    if let Some(m) = s.author.and_then(|a| self.members.get_mut(&a)) {
                        m.schedules -= 1;
                    }
                }
                Event::Shutdown { .. } => {
                    for s in self.schedules.values_mut() {
                        if s.state == SchedState::Pending {
                            s.state = SchedState::Dropped;
                        }
                    }
                }
                _ => {}
            }
        }
        assert_eq!(scheduled_by, ex.schedule, "schedule accepted on {op:?}");
        assert_eq!(unscheduled, ex.unscheduled, "unscheduled on {op:?}");
        let mut expected_floods = ex.floods;
        expected_floods.sort();
        floods.sort();
        assert_eq!(floods, expected_floods, "flood records on {op:?}");
        assert_eq!(cancelled, expected_cancel, "cancelled on {op:?}");
        for seq in &cancelled {
            if let Some(s) = self.schedules.get_mut(seq) {
                s.state = SchedState::Cancelled;
            }
        }
        // Every member at firing time gets every fired line, in order; nobody else any.
        if !fired_lines.is_empty() {
            for id in &after_ids {
                assert_eq!(fired_sends.remove(id).unwrap_or_default(), fired_lines);
            }
        }
        assert!(
            fired_sends.is_empty(),
            "scheduled lines to non-members: {fired_sends:?}"
        );
        // No schedule is overdue: every due one has fired.
        for (seq, s) in &self.schedules {
            if s.state == SchedState::Pending {
                assert!(s.due > now.instant, "#{seq} is overdue");
            }
        }
        for (&id, m) in &self.members {
            let pending = self
                .schedules
                .values()
                .filter(|s| s.state == SchedState::Pending && s.author == Some(id))
                .count();
            assert_eq!(m.schedules, pending, "schedule count of {id}");
        }
    }

    fn finish(&mut self, sim: &mut Sim) {
        self.step(sim, &Op::Advance(25 * 3_600_000));
        for (seq, s) in &self.schedules {
            assert_ne!(s.state, SchedState::Pending, "#{seq} never fired");
        }
    }
}

fn run(ops: &[Op], flood_off: bool) -> String {
    let config = config(flood_off);
    let mut sim = Sim::with(config.clone(), START);
    let mut model = Model::new(config);
    for op in ops {
        model.step(&mut sim, op);
    }
    model.finish(&mut sim);
    format!("{:?}", sim.history())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 150,
        failure_persistence: Some(Box::new(
            FileFailurePersistence::Direct("proptest-regressions/properties.txt"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn room_invariants_hold_and_replay_is_deterministic(ops in ops(), flood_off in any::<bool>()) {
        let first = run(&ops, flood_off);
        let second = run(&ops, flood_off);
        prop_assert_eq!(first, second);
    }
}
