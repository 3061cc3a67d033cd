//! PROTOCOL.md §10 against the real binary: a `/schedule` confirmed just before `kill -9`
//! fires at its time after a restart; one that fell due while the server was stopped fires
//! once at start (marked late from a minute on); one later than `--late-limit` is dropped
//! and logged, not fired.

mod support;

use std::time::Duration;

use support::{Child, Client, WAIT, temp_dir};
use time::OffsetDateTime;

/// The next whole minute (UTC) at least 8 s away, so the schedule is confirmed and the
/// server killed before it.
fn next_minute() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    let mut due = now
        .replace_second(0)
        .expect("second")
        .replace_nanosecond(0)
        .expect("ns")
        + time::Duration::MINUTE;
    if due - now < time::Duration::seconds(8) {
        due += time::Duration::MINUTE;
    }
    due
}

/// How long until the wall clock reads `t` (zero if it does).
fn until(t: OffsetDateTime) -> Duration {
    (t - OffsetDateTime::now_utc())
        .try_into()
        .unwrap_or_default()
}

fn hhmm(t: OffsetDateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn count(log: &std::path::Path, needle: &str) -> usize {
    let log = std::fs::read_to_string(log).expect("log");
    log.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn a_schedule_confirmed_before_kill_9_fires_at_its_time_after_a_restart() {
    let dir = temp_dir("schedule-kill");
    let log = dir.join("server.txt");
    let mut server = Child::spawn_with_log(log.clone(), &["--utc-offset", "Z"]);
    let mut bob = Client::first_member(server.addr, "Bob");
    let due = next_minute();
    bob.send(&format!("/schedule {}Z Meeting starts soon", hhmm(due)));
    let confirmation = bob.line();
    assert!(
        confirmation.starts_with(&format!("[Server]: Scheduled #1 for {} ", hhmm(due))),
        "{confirmation}"
    );
    server.kill_hard();

    let mut server = Child::spawn_with_log(log.clone(), &["--utc-offset", "Z"]);
    let mut alice = Client::first_member(server.addr, "Alice");
    let fired = alice.line_within(until(due) + WAIT);
    assert_eq!(fired, "[Scheduled by Bob (left)] Meeting starts soon");
    assert!(OffsetDateTime::now_utc() >= due, "fired before {due}");
    // Ids go on after the restart.
    alice.send("/schedule 23:59Z later");
    let next = alice.line();
    assert!(
        next.starts_with("[Server]: Scheduled #2 for 23:59"),
        "{next}"
    );
    assert_eq!(server.terminate().0, Some(0), "the log is complete");
    assert_eq!(count(&log, "fired #1 Bob: Meeting starts soon"), 1);
}

#[test]
fn a_schedule_that_fell_due_while_stopped_fires_once_at_start() {
    let dir = temp_dir("schedule-across");
    let log = dir.join("server.txt");
    let mut server = Child::spawn_with_log(log.clone(), &["--utc-offset", "Z"]);
    let mut bob = Client::first_member(server.addr, "Bob");
    let due = next_minute();
    bob.send(&format!("/schedule {}Z while you were away", hhmm(due)));
    bob.line();
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
    // Stopped across the schedule's minute: the event waited for is the wall clock's.
    std::thread::sleep(until(due) + Duration::from_secs(1));

    let mut server = Child::spawn_with_log(log.clone(), &["--utc-offset", "Z"]);
    let mut alice = Client::first_member(server.addr, "Alice");
    // It fired at start, before anyone was there: it is the room's backlog.
    alice.expect(&["[Server]: Last message (time in +00:00):"]);
    assert_eq!(
        alice.line(),
        format!(
            "[{}] [Scheduled by Bob (left)] while you were away",
            hhmm(OffsetDateTime::now_utc())
        )
    );
    assert_eq!(server.terminate().0, Some(0), "the log is complete");
    assert_eq!(count(&log, "fired #1 Bob: while you were away"), 1);
}

#[test]
fn late_schedules_fire_marked_late_and_those_over_the_limit_are_dropped_and_logged() {
    let dir = temp_dir("schedule-late");
    let log = dir.join("server.txt");
    let state = dir.join("chat.db");
    // What a server stopped for a while left: one schedule 12 minutes overdue, one 2 hours.
    let now = OffsetDateTime::now_utc();
    let mut store = chat_store::Store::open(&state, 20).expect("state file");
    store.stage(chat_store::Change::RoomCreated {
        name: "lobby".into(),
        capacity: 10,
        code: None,
    });
    for (id, ago, text) in [(1, 12, "standup"), (2, 120, "too old")] {
        let due = now - time::Duration::minutes(ago) - time::Duration::seconds(20);
        store.stage(chat_store::Change::ScheduleAdded {
            schedule: chat_store::ScheduleRecord {
                id,
                room: "lobby".into(),
                author: "Charlie".into(),
                due_ms: (due.unix_timestamp_nanos() / 1_000_000) as i64,
                offset_s: 0,
                text: text.into(),
            },
            next_id: id + 1,
        });
    }
    store.commit().expect("commit");
    drop(store);

    let mut server = Child::spawn_with_log(log.clone(), &["--utc-offset", "Z"]);
    let mut alice = Client::first_member(server.addr, "Alice");
    alice.expect(&["[Server]: Last message (time in +00:00):"]);
    let late = alice.line();
    assert!(
        late.ends_with("] [Scheduled by Charlie, 12 min late] standup"),
        "{late}"
    );
    alice.send("/schedule 23:59Z next");
    let next = alice.line();
    assert!(
        next.starts_with("[Server]: Scheduled #3 for 23:59"),
        "{next}"
    );
    assert_eq!(server.terminate().0, Some(0), "the log is complete");
    assert_eq!(count(&log, "fired #1 Charlie: standup"), 1);
    assert_eq!(
        count(
            &log,
            "[lobby] dropped #2 Charlie: 120 min late, over the late limit: too old"
        ),
        1
    );
    assert_eq!(count(&log, "fired #2"), 0);
    assert_eq!(count(&log, "restored 1 room and 2 schedules"), 0);
    assert_eq!(count(&log, "restored 1 room and 1 schedule"), 1);
}

#[test]
fn the_late_limit_flag_names_its_real_bound() {
    // 7 days is the most: accepted.
    let server = Child::spawn("late-limit-7d", &["--late-limit", "7d"]);
    Client::first_member(server.addr, "Alice");
    drop(server);
    // Below and above it, the same words, and the bound the server really has (not the
    // internal field name of a later check).
    for value in ["0", "8d", "365d"] {
        let dir = temp_dir("late-limit-bad");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
            .args(["--bind", "127.0.0.1:0", "--web", "none", "--log"])
            .arg(dir.join("server.txt"))
            .args(["--late-limit", value])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{value}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "error: invalid value '{value}' for '--late-limit <LATE_LIMIT>': \
                 \"{value}\" is not between 1s and 7d\n\nFor more information, try '--help'.\n"
            )
        );
    }
}
