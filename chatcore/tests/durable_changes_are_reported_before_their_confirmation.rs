//! PROTOCOL.md §10: every durable change is reported as `Action::Persist`, before the line
//! that confirms it, so a runtime that commits before sending never confirms what a crash
//! could lose.

mod support;

use chatcore::Action;
use support::Sim;

/// The actions since `from`, as `persist ...` / `to N: line`, without log records.
fn since(sim: &Sim, from: usize) -> Vec<String> {
    sim.history()[from..]
        .iter()
        .filter_map(|a| match a {
            Action::Persist(change) => Some(format!("persist {change:?}")),
            Action::Send { to, line } => Some(format!(
                "to {}: {}",
                to.0,
                String::from_utf8_lossy(line).trim_end()
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn schedule_unschedule_fire_notice_and_code_are_persisted_before_they_are_confirmed() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.clear();

    let mark = sim.history().len();
    sim.line(2, "/schedule 06:30Z Meeting starts soon");
    sim.line(2, "/schedule 06:45Z second");
    sim.line(1, "/unschedule 2");
    sim.line(1, "/notice Lunch at 12");
    sim.line(1, "/notice -");
    sim.line(1, "/code s3cret");
    sim.line(1, "/code");
    sim.advance(time::Duration::DAY.unsigned_abs());
    assert_eq!(
        since(&sim, mark),
        [
            r#"persist ScheduleAdded { id: 1, room: "lobby", author: "Bob", due: 2026-11-25 6:30:00.0 +00:00:00, text: "Meeting starts soon", next_id: 2 }"#,
            "to 2: [Server]: Scheduled #1 for 06:30 today (+00:00), in 1m: Meeting starts soon",
            r#"persist ScheduleAdded { id: 2, room: "lobby", author: "Bob", due: 2026-11-25 6:45:00.0 +00:00:00, text: "second", next_id: 3 }"#,
            "to 2: [Server]: Scheduled #2 for 06:45 today (+00:00), in 16m: second",
            "persist ScheduleRemoved { id: 2, why: Unscheduled }",
            "to 1: [Server]: Schedule #2 cancelled.",
            r#"persist NoticeSet { room: "lobby", notice: Some("Lunch at 12") }"#,
            "to 1: [Server]: Notice from Alice: Lunch at 12",
            "to 2: [Server]: Notice from Alice: Lunch at 12",
            r#"persist NoticeSet { room: "lobby", notice: None }"#,
            "to 1: [Server]: Notice cleared.",
            r#"persist CodeSet { room: "lobby", code: Some("s3cret") }"#,
            "to 1: [Server]: The participation code is set; /join lobby <code> enters.",
            r#"persist CodeSet { room: "lobby", code: None }"#,
            "to 1: [Server]: The participation code is cleared; anyone may join.",
            "persist ScheduleRemoved { id: 1, why: Fired }",
            "to 1: [Scheduled by Bob] Meeting starts soon",
            "to 2: [Scheduled by Bob] Meeting starts soon",
            r#"persist BacklogAppended { room: "lobby", at: 2026-11-25 6:30:00.0 +00:00:00, line: b"[Scheduled by Bob] Meeting starts soon\n" }"#,
        ]
    );
}

#[test]
fn a_kick_ban_and_an_unban_are_persisted_before_any_line_about_them() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.clear();

    let mark = sim.history().len();
    sim.line(1, "/kick Bob");
    sim.line(1, "/unban Bob");
    assert_eq!(
        since(&sim, mark),
        [
            r#"persist BanAdded { room: "lobby", nick: "Bob", address: None, until: 2026-11-25 6:39:59.0 +00:00:00 }"#,
            "to 2: [Server]: You have been kicked from the chat.",
            "to 1: [Server]: You kicked Bob.",
            r#"persist BanRemoved { room: "lobby", nick: "Bob" }"#,
            "to 1: [Server]: Bob may enter again.",
        ]
    );
}

#[test]
fn a_room_created_by_join_is_persisted_before_its_creator_is_told() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.clear();

    let mark = sim.history().len();
    sim.line(1, "/join study s3cret");
    assert_eq!(
        since(&sim, mark),
        [
            r#"persist RoomCreated { room: "study", capacity: 10, code: Some("s3cret") }"#,
            r#"to 1: [Server]: You created "study" and are its admin."#,
        ]
    );
}
