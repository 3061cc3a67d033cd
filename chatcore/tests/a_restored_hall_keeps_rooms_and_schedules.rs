//! PROTOCOL.md §10: a hall rebuilt from what a store kept of its durable changes has its
//! rooms (code, notice, bans, backlog) and pending schedules back; schedules that fell due
//! while the server was down fire at once if at most the late limit late, older ones are
//! dropped and logged; ids never repeat.

mod support;

use std::collections::BTreeMap;

use chatcore::persist::{BacklogLine, BanState, Change, RoomState, ScheduleState, State};
use chatcore::{Action, Config};
use support::{START, Sim, secs};
use time::OffsetDateTime;
use time::macros::datetime;

/// A reference store: what a store keeps of `history`'s durable changes.
fn kept(history: &[Action], keep_lines: usize) -> State {
    let mut rooms: BTreeMap<String, RoomState> = BTreeMap::new();
    let mut schedules: BTreeMap<u64, ScheduleState> = BTreeMap::new();
    let mut next_id = 1;
    for action in history {
        let Action::Persist(change) = action else {
            continue;
        };
        match change.clone() {
            Change::RoomCreated { room, code, .. } => {
                let key = room.as_str().to_owned();
                let (notice, bans, backlog) = (None, Vec::new(), Vec::new());
                let name = room;
                let state = RoomState {
                    name,
                    code,
                    notice,
                    bans,
                    backlog,
                };
                rooms.insert(key, state);
            }
            Change::RoomRemoved { room } => {
                rooms.remove(room.as_str());
                schedules.retain(|_, s| s.room != room);
            }
            Change::ScheduleAdded {
                id,
                room,
                author,
                due,
                text,
                next_id: next,
            } => {
                let s = ScheduleState {
                    id,
                    room,
                    author,
                    due,
                    text,
                };
                schedules.insert(id, s);
                next_id = next_id.max(next);
            }
            Change::ScheduleRemoved { id, .. } => {
                schedules.remove(&id);
            }
            Change::NoticeSet { room, notice } => {
                rooms.get_mut(room.as_str()).expect("room").notice = notice;
            }
            Change::CodeSet { room, code } => {
                rooms.get_mut(room.as_str()).expect("room").code = code;
            }
            Change::BanAdded {
                room,
                nick,
                address,
                until,
            } => {
                let bans = &mut rooms.get_mut(room.as_str()).expect("room").bans;
                bans.retain(|b| b.nick.key() != nick.key());
                bans.push(BanState {
                    nick,
                    address,
                    until,
                });
            }
            Change::BanRemoved { room, nick } => {
                let bans = &mut rooms.get_mut(room.as_str()).expect("room").bans;
                bans.retain(|b| b.nick.key() != nick.key());
            }
            Change::BacklogAppended { room, at, line } => {
                let backlog = &mut rooms.get_mut(room.as_str()).expect("room").backlog;
                let line = String::from_utf8(line.strip_suffix(b"\n").expect("LF").to_vec());
                backlog.push(BacklogLine {
                    at,
                    line: line.expect("UTF-8"),
                });
                while backlog.len() > keep_lines {
                    backlog.remove(0);
                }
            }
            other => panic!("a change the reference store does not know: {other:?}"),
        }
    }
    State {
        rooms: rooms.into_values().collect(),
        schedules: schedules.into_values().collect(),
        next_id,
    }
}

/// The durable changes in `sim`'s history, as `Debug` text.
fn persisted(sim: &Sim) -> Vec<String> {
    sim.history()
        .iter()
        .filter_map(|a| match a {
            Action::Persist(change) => Some(format!("{change:?}")),
            _ => None,
        })
        .collect()
}

/// A hall rebuilt at `at` from what `sim`'s hall reported, its first actions drained.
fn restart(sim: &Sim, at: OffsetDateTime) -> Sim {
    restored(at, kept(sim.history(), 20))
}

fn restored(at: OffsetDateTime, state: State) -> Sim {
    let mut sim = Sim::restored(Config::default(), at, state);
    sim.drain();
    sim
}

#[test]
fn rooms_come_back_with_code_notice_bans_and_backlog_and_are_not_reported_again() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/join study s3cret");
    sim.line(1, "/notice Exam on Friday");
    sim.line(2, "/join study s3cret");
    sim.line(1, "hello study");
    sim.line(2, "/me waves");
    sim.line(1, "/kick Bob");
    sim.line(1, "/join lobby");
    sim.line(1, "lobby line");

    let mut sim = restart(&sim, START + time::Duration::minutes(5));
    assert_eq!(
        sim.take_logs(),
        ["start capacity 10", "restored 2 rooms and 0 schedules"]
    );
    assert_eq!(persisted(&sim), Vec::<String>::new());

    sim.connect(3);
    sim.take(3);
    sim.line(3, "Carol");
    sim.expect(
        3,
        &[
            "[Server]: Welcome, Carol! 1/10 online. Type /help for commands.",
            "[Server]: You are the admin.",
            "[Server]: Last message (time in +00:00):",
            "[06:29] Alice >> lobby line",
        ],
    );
    sim.line(3, "/rooms");
    sim.expect(3, &["[Server]: Rooms (2): lobby 1/10, study 0/10 (code)"]);
    sim.line(3, "/join study");
    sim.expect(
        3,
        &["[Server]: The room \"study\" needs a code: /join study <code>"],
    );
    sim.line(3, "/join study s3cret");
    sim.expect(
        3,
        &[
            "[Server]: You joined \"study\" (1/10 online).",
            "[Server]: You are the admin.",
            "[Server]: Last 2 messages (times in +00:00):",
            "[06:29] Alice >> hello study",
            "[06:29] * Bob waves",
            "[Server]: Notice: Exam on Friday",
        ],
    );
    sim.join(4, "Bob");
    sim.take(4);
    sim.line(4, "/join study s3cret");
    sim.expect(
        4,
        &["[Server]: You are banned from \"study\" for 5 more minutes."],
    );
}

#[test]
fn a_schedule_due_after_the_restart_fires_at_its_time_marked_left_and_ids_go_on() {
    let mut sim = Sim::new();
    sim.join(1, "Bob");
    sim.line(1, "/schedule 06:45Z Meeting starts soon");
    sim.line(1, "/schedule 06:50Z second");
    sim.line(1, "/unschedule 2");

    let mut sim = restart(&sim, datetime!(2026-11-25 06:40 UTC));
    sim.take_logs();
    sim.join(2, "Alice");
    sim.take(2);
    sim.clear();
    sim.line(2, "/schedule 07:00Z third");
    sim.expect(
        2,
        &["[Server]: Scheduled #3 for 07:00 today (+00:00), in 20m: third"],
    );
    sim.clear();
    sim.advance(secs(5 * 60 - 1));
    sim.expect(2, &[]);
    sim.advance(secs(1));
    sim.expect(2, &["[Scheduled by Bob (left)] Meeting starts soon"]);
    sim.expect_logs(&["[lobby] fired #1 Bob: Meeting starts soon"]);
}

#[test]
fn schedules_that_fell_due_while_down_fire_once_marked_late_or_are_dropped_past_the_limit() {
    let mut sim = Sim::new();
    sim.join(1, "Charlie");
    sim.line(1, "/schedule 06:45Z standup");
    sim.line(1, "/schedule 06:57Z just now");
    sim.line(1, "/schedule 07:00Z later");
    let mut state = kept(sim.history(), 20);
    // One set long before (an id above the counter, as from a file another build wrote):
    // it fell due 87 minutes before the restart, over the late limit of an hour.
    state.schedules.push(ScheduleState {
        id: 9,
        text: "too old".into(),
        due: datetime!(2026-11-25 05:30 UTC),
        ..state.schedules[0].clone()
    });

    let mut sim = restored(datetime!(2026-11-25 06:57:30 UTC), state);
    sim.connect(2);
    sim.line(2, "Alice");
    sim.take(2);
    assert_eq!(
        sim.take_logs(),
        [
            "start capacity 10",
            "restored 1 room and 3 schedules",
            "[lobby] dropped #9 Charlie: 87 min late, over the late limit: too old",
            "[lobby] fired #1 Charlie: standup",
            "[lobby] fired #2 Charlie: just now",
            "connect c2",
            "[lobby] join Alice (c2)",
        ]
    );
    assert_eq!(
        persisted(&sim)[..3],
        [
            "ScheduleRemoved { id: 9, why: TooLate }",
            "ScheduleRemoved { id: 1, why: Fired }",
            r#"BacklogAppended { room: "lobby", at: 2026-11-25 6:57:30.0 +00:00:00, line: b"[Scheduled by Charlie, 12 min late] standup\n" }"#,
        ]
    );
    sim.line(2, "/schedules");
    sim.expect(
        2,
        &["[Server]: #3 for 07:00 today (+00:00), in 3m, by Charlie (left): later"],
    );
    sim.line(2, "/schedule 08:00Z next");
    sim.expect(
        2,
        &["[Server]: Scheduled #10 for 08:00 today (+00:00), in 1h 03m: next"],
    );
    sim.connect(3);
    sim.line(3, "Dave");
    let seen = sim.take(3);
    assert_eq!(
        seen[2..],
        [
            "[Server]: Last 2 messages (times in +00:00):",
            "[06:57] [Scheduled by Charlie, 12 min late] standup",
            "[06:57] [Scheduled by Charlie (left)] just now",
        ]
    );
}

#[test]
fn a_restored_empty_room_is_removed_after_the_ttl_from_the_start() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.line(1, "/join study");
    sim.line(1, "/quit");
    let mut sim = restart(&sim, START + time::Duration::hours(23));
    assert!(sim.hall.room("study").is_some());
    sim.clear();
    sim.advance(secs(24 * 3600 - 1));
    assert!(sim.hall.room("study").is_some());
    sim.advance(secs(1));
    assert!(sim.hall.room("study").is_none());
    sim.expect_logs(&["[study] room removed"]);
    assert_eq!(persisted(&sim), [r#"RoomRemoved { room: "study" }"#]);
}

#[test]
fn restored_text_holding_control_characters_is_skipped() {
    let lobby = chatcore::RoomName::parse("lobby").expect("name");
    let at = START - time::Duration::minutes(1);
    let line = |text: &str| BacklogLine {
        at,
        line: text.to_owned(),
    };
    let state = State {
        rooms: vec![RoomState {
            name: lobby.clone(),
            code: None,
            notice: Some("\u{1b}[2Jwiped".into()),
            bans: Vec::new(),
            backlog: vec![line("Eve >> \u{1b}[31mred"), line("Alice >> fine")],
        }],
        schedules: vec![ScheduleState {
            id: 1,
            room: lobby,
            author: chatcore::Nickname::parse("Eve").expect("nick"),
            due: START + time::Duration::minutes(1),
            text: "bell\u{7}".into(),
        }],
        next_id: 2,
    };
    let mut sim = restored(START, state);
    assert_eq!(
        sim.take_logs(),
        ["start capacity 10", "restored 1 room and 0 schedules"]
    );
    sim.connect(1);
    sim.take(1);
    sim.line(1, "Alice");
    sim.expect(
        1,
        &[
            "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.",
            "[Server]: You are the admin.",
            "[Server]: Last message (time in +00:00):",
            "[06:28] Alice >> fine",
        ],
    );
    sim.line(1, "/notice");
    sim.expect(1, &["[Server]: There is no notice."]);
    // Dropped from the state too.
    assert_eq!(
        persisted(&sim),
        ["ScheduleRemoved { id: 1, why: Unreadable }"]
    );
}
