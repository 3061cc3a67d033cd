//! Invariants of the hall over random operations across several rooms, checked after every
//! step: per room, the capacity, an admin who is a member, and each chat line reaching each
//! other member of the sender's room exactly once and nobody outside it; server-wide,
//! nicknames unique across rooms, every member in one room, the room limit, and the
//! per-address cap on live connections. Churn: each member receives at most 10 + 30 a minute
//! announcements caused by one address in one room, and at most one summary a minute per
//! room (after the first). Replaying the same operations gives the same actions. (The single-room model with schedules, floods and bans is `properties.rs`.)

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use chatcore::{ClientId, Config, Nickname};
use proptest::prelude::*;
use support::{START, Sim, ms};

const IDS: u64 = 6;
const NICKS: &[&str] = &[
    "Alice",
    "alice",
    "Bob",
    "Carol",
    "개똥이",
    "Dave",
    "Еve",
    "eve",
];
const ROOMS: &[&str] = &["lobby", "study", "Study", "개발", "games", "bad name"];
const CODES: &[Option<&str>] = &[None, Some("s3cret"), Some("wrong1"), Some("abc")];

#[derive(Debug, Clone)]
enum Op {
    Connect(u64, u8),
    Nick(u64, usize),
    Chat(u64),
    Join(u64, usize, usize),
    Code(u64, usize),
    Rename(u64, usize),
    /// So many renames in a row, to churn.
    Renames(u64, usize),
    Whisper(u64, usize),
    Kick(u64, usize),
    Rooms(u64),
    Quit(u64),
    Disconnect(u64),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let id = 0..IDS;
    prop_oneof![
        3 => (id.clone(), 0u8..4).prop_map(|(i, p)| Op::Connect(i, p)),
        4 => (id.clone(), 0..NICKS.len()).prop_map(|(i, n)| Op::Nick(i, n)),
        4 => id.clone().prop_map(Op::Chat),
        4 => (id.clone(), 0..ROOMS.len(), 0..CODES.len()).prop_map(|(i, r, c)| Op::Join(i, r, c)),
        1 => (id.clone(), 0..CODES.len()).prop_map(|(i, c)| Op::Code(i, c)),
        1 => (id.clone(), 0..NICKS.len()).prop_map(|(i, n)| Op::Rename(i, n)),
        1 => (id.clone(), 1..15usize).prop_map(|(i, k)| Op::Renames(i, k)),
        1 => (id.clone(), 0..NICKS.len()).prop_map(|(i, n)| Op::Whisper(i, n)),
        1 => (id.clone(), 0..NICKS.len()).prop_map(|(i, n)| Op::Kick(i, n)),
        1 => id.clone().prop_map(Op::Rooms),
        1 => id.clone().prop_map(Op::Quit),
        2 => id.prop_map(Op::Disconnect),
        2 => prop_oneof![Just(10u64), Just(7_000), Just(61_000)].prop_map(Op::Advance),
    ]
}

fn config() -> Config {
    let mut c = Config::default();
    c.capacity = 3;
    c.max_rooms = 3;
    c.max_pending = 4;
    c.max_per_ip = 3;
    c.max_per_subnet = 5;
    c.exempt_loopback = false;
    c.flood_rate = 0;
    c.join_burst = 3;
    c.join_rate = 10;
    c.room_ttl = std::time::Duration::from_secs(60);
    c.history = 2;
    // Renames unlimited, so the announcement budget is what holds churn back.
    c.rename_rate = 0;
    c
}

/// Whether `line` announces a join, a leave, a rename, a kick or an admin change.
fn is_announcement(line: &str) -> bool {
    line.starts_with("[Server]: ")
        && [
            " has joined the chat.",
            " has left the chat.",
            " has left the room.",
            " has been kicked from the chat.",
            " is now the admin.",
        ]
        .iter()
        .any(|end| line.ends_with(end))
        || line.contains(" has changed their nickname to ")
}

/// Whether `line` is the summary of announcements folded away.
fn is_summary(line: &str) -> bool {
    line.starts_with("[Server]: ") && line.ends_with(" not shown.")
}

fn peer(n: u8) -> Option<IpAddr> {
    match n {
        0 => None,
        n => Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, n))),
    }
}

struct Run {
    sim: Sim,
    /// Connected ids (by the transport) with their peer.
    live: BTreeMap<u64, Option<IpAddr>>,
    step: usize,
    /// Announcements each member received by (the address that caused them, its room).
    announced: BTreeMap<(u64, IpAddr, String), usize>,
    /// Summaries each member received in each room.
    summaries: BTreeMap<(u64, String), usize>,
}

impl Run {
    fn apply(&mut self, op: &Op) {
        self.step += 1;
        let sim = &mut self.sim;
        let cid = |i: u64| ClientId(i);
        // What a chat line must do, decided before it is sent.
        let mut chat: Option<(String, BTreeSet<u64>)> = None;
        // Whose account the announcements of this step are on: the actor's, or for a
        // kick the kicked member's.
        let mut cause = self.live.get(&op_id(op)).copied().flatten();
        if let Op::Kick(i, n) = *op {
            let key = Nickname::parse(NICKS[n]).map(|k| k.key()).ok();
            cause = sim.hall.room_of(cid(i)).and_then(|room| {
                let (target, _) = room.members().find(|(_, m)| Some(m.key()) == key)?;
                self.live.get(&target.0).copied().flatten()
            });
        }
        match *op {
            Op::Connect(i, p) => {
                if let std::collections::btree_map::Entry::Vacant(e) = self.live.entry(i) {
                    sim.connect_from(i, peer(p));
                    e.insert(peer(p));
                }
            }
            Op::Disconnect(i) => {
                if self.live.remove(&i).is_some() {
                    sim.disconnect(i);
                }
            }
            Op::Advance(d) => sim.advance(ms(d)),
            _ if !self.live.contains_key(&op_id(op)) => {}
            Op::Nick(i, n) => sim.line(i, NICKS[n]),
            Op::Chat(i) => {
                let text = format!("m{}", self.step);
                if let (Some(room), Some(nick)) =
                    (sim.hall.room_of(cid(i)), sim.hall.nickname(cid(i)))
                {
                    let others = room
                        .members()
                        .map(|(m, _)| m.0)
                        .filter(|&m| m != i)
                        .collect();
                    chat = Some((format!("{nick} >> {text}"), others));
                }
                sim.line(i, &text);
            }
            Op::Join(i, r, c) => {
                let line = match CODES[c] {
                    Some(code) => format!("/join {} {code}", ROOMS[r]),
                    None => format!("/join {}", ROOMS[r]),
                };
                sim.line(i, &line);
            }
            Op::Code(i, c) => match CODES[c] {
                Some(code) => sim.line(i, &format!("/code {code}")),
                None => sim.line(i, "/code"),
            },
            Op::Rename(i, n) => sim.line(i, &format!("/rename {}", NICKS[n])),
            Op::Renames(i, k) => {
                for j in 0..k {
                    sim.line(i, &format!("/rename r{i}s{}n{j}", self.step));
                }
            }
            Op::Whisper(i, n) => sim.line(i, &format!("/w {} hi", NICKS[n])),
            Op::Kick(i, n) => sim.line(i, &format!("/kick {}", NICKS[n])),
            Op::Rooms(i) => sim.line(i, "/rooms"),
            Op::Quit(i) => sim.line(i, "/quit"),
        }
        let received: BTreeMap<u64, Vec<String>> = (0..IDS).map(|i| (i, sim.take(i))).collect();
        self.count_churn(op, cause, &received);
        if let Some((line, others)) = chat {
            let got: BTreeSet<u64> = received
                .iter()
                .filter(|(_, lines)| lines.contains(&line))
                .map(|(&i, _)| i)
                .collect();
            assert_eq!(got, others, "{line:?} on {op:?}");
            for (i, lines) in &received {
                let n = lines.iter().filter(|l| **l == line).count();
                assert!(n <= 1, "{i} got {line:?} {n} times");
            }
        }
        self.check();
    }

    /// Counts the announcements and summaries of this step and checks the churn bounds.
    fn count_churn(
        &mut self,
        op: &Op,
        cause: Option<IpAddr>,
        received: &BTreeMap<u64, Vec<String>>,
    ) {
        let hall = &self.sim.hall;
        let minutes = self.sim.elapsed().as_secs_f64() / 60.0;
        for (&r, lines) in received {
            let Some(room) = hall.room_of(ClientId(r)) else {
                continue;
            };
            let room = room.name().to_string();
            // A new admin is told even when the announcement is folded for the others.
            let mine = hall
                .nickname(ClientId(r))
                .map(|n| format!("[Server]: {n} is now the admin."));
            for line in lines {
                if is_summary(line) {
                    let n = self.summaries.entry((r, room.clone())).or_default();
                    *n += 1;
                    assert!(
                        *n as f64 <= 1.0 + minutes,
                        "{r} got {n} summaries in {room}"
                    );
                } else if is_announcement(line) && Some(line) != mine.as_ref() && r != op_id(op) {
                    let Some(ip) = cause else { continue };
                    let n = self.announced.entry((r, ip, room.clone())).or_default();
                    *n += 1;
                    assert!(
                        *n as f64 <= 10.0 + 30.0 * minutes,
                        "{r} got {n} announcements from {ip} in {room} after {minutes:.2} min"
                    );
                }
            }
        }
    }

    fn check(&self) {
        let hall = &self.sim.hall;
        let config = hall.config();
        assert!(hall.rooms().count() <= config.max_rooms, "over max_rooms");
        let mut seen_ids = BTreeSet::new();
        let mut keys = BTreeSet::new();
        for room in hall.rooms() {
            let members: Vec<_> = room.members().collect();
            assert!(
                members.len() <= config.capacity,
                "{} over capacity",
                room.name()
            );
            match room.admin() {
                None => assert!(members.is_empty(), "{} has no admin", room.name()),
                Some(a) => assert!(members.iter().any(|&(m, _)| m == a), "admin not a member"),
            }
            for (id, nick) in members {
                assert!(seen_ids.insert(id), "{id} in two rooms");
                assert!(keys.insert(nick.key()), "{nick} not unique on the server");
                assert!(Nickname::parse(nick.as_str()).is_ok());
                assert_eq!(
                    hall.room_of(id).map(|r| r.name().clone()),
                    Some(room.name().clone())
                );
                assert!(!self.sim.is_closed(id.0), "closed {id} still a member");
            }
        }
        assert!(
            hall.room(&config.default_room).is_some(),
            "the default room is gone"
        );
        let mut per_ip: BTreeMap<IpAddr, usize> = BTreeMap::new();
        for (&id, p) in &self.live {
            if let Some(ip) = p
                && !self.sim.is_closed(id)
            {
                *per_ip.entry(*ip).or_default() += 1;
            }
        }
        for (ip, n) in per_ip {
            assert!(n <= config.max_per_ip, "{ip} holds {n} live connections");
        }
    }
}

fn op_id(op: &Op) -> u64 {
    match *op {
        Op::Connect(i, _)
        | Op::Nick(i, _)
        | Op::Chat(i)
        | Op::Join(i, _, _)
        | Op::Code(i, _)
        | Op::Rename(i, _)
        | Op::Renames(i, _)
        | Op::Whisper(i, _)
        | Op::Kick(i, _)
        | Op::Rooms(i)
        | Op::Quit(i)
        | Op::Disconnect(i) => i,
        Op::Advance(_) => u64::MAX,
    }
}

fn run(ops: &[Op]) -> String {
    let mut run = Run {
        sim: Sim::with(config(), START),
        live: BTreeMap::new(),
        step: 0,
        announced: BTreeMap::new(),
        summaries: BTreeMap::new(),
    };
    for op in ops {
        run.apply(op);
    }
    format!("{:?}", run.sim.history())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn hall_invariants_hold_across_rooms_and_replay_is_deterministic(
        ops in proptest::collection::vec(op(), 1..120)
    ) {
        let first = run(&ops);
        let second = run(&ops);
        prop_assert_eq!(first, second);
    }
}
