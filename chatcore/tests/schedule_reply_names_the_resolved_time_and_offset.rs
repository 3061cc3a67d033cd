//! `/schedule` accepts `HH:MM`, `H:MM`, `HH:MM+09:00`, `HH:MM-05:00` and `HH:MMZ`; the reply
//! names the resolved time, its offset and the wait rounded up to the minute.

mod support;

use support::Sim;
use time::macros::offset;

#[test]
fn schedule_reply_names_the_resolved_time_and_offset() {
    // 06:29:59 UTC; a bare time is read in the room's offset, here UTC.
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");

    sim.line(1, "/schedule 15:30 a");
    sim.expect(
        1,
        &["[Server]: Scheduled #1 for 15:30 today (+00:00), in 9h 01m: a"],
    );
    sim.line(1, "/schedule 9:05 b");
    sim.expect(
        1,
        &["[Server]: Scheduled #2 for 09:05 today (+00:00), in 2h 36m: b"],
    );
    sim.line(1, "/schedule 15:30+09:00 c");
    sim.expect(
        1,
        &["[Server]: Scheduled #3 for 15:30 today (+09:00), in 1m: c"],
    );
    sim.line(2, "/schedule 07:00Z d");
    sim.expect(
        2,
        &["[Server]: Scheduled #4 for 07:00 today (+00:00), in 31m: d"],
    );
    sim.line(2, "/SCHEDULE   1:30-05:00   e  f");
    sim.expect(
        2,
        &["[Server]: Scheduled #5 for 01:30 today (-05:00), in 1m: e  f"],
    );
    // Only the author hears of a schedule.
    sim.expect_nothing_sent();

    sim.expect_logs(&[
        "[lobby] schedule #1 Alice 2026-11-25T15:30+00:00: a",
        "[lobby] schedule #2 Alice 2026-11-25T09:05+00:00: b",
        "[lobby] schedule #3 Alice 2026-11-25T15:30+09:00: c",
        "[lobby] schedule #4 Bob 2026-11-25T07:00+00:00: d",
        "[lobby] schedule #5 Bob 2026-11-25T01:30-05:00: e  f",
    ]);

    // Each fires at its own time; two due at once fire in the order they were set.
    sim.advance(time::Duration::hours(10).unsigned_abs());
    assert_eq!(
        sim.take_log_lines(),
        [
            "2026-11-25T06:30:00.000Z [lobby] fired #3 Alice: c",
            "2026-11-25T06:30:00.000Z [lobby] fired #5 Bob: e  f",
            "2026-11-25T07:00:00.000Z [lobby] fired #4 Bob: d",
            "2026-11-25T09:05:00.000Z [lobby] fired #2 Alice: b",
            "2026-11-25T15:30:00.000Z [lobby] fired #1 Alice: a",
        ]
    );
    let fired = [
        "[Scheduled by Alice] c",
        "[Scheduled by Bob] e  f",
        "[Scheduled by Bob] d",
        "[Scheduled by Alice] b",
        "[Scheduled by Alice] a",
    ];
    sim.expect(1, &fired);
    sim.expect(2, &fired);
}

#[test]
fn a_bare_time_uses_the_rooms_offset() {
    let mut sim = Sim::config(|c| c.utc_offset = offset!(-5));
    sim.join(1, "Alice");
    sim.line(1, "/schedule 1:30 x");
    sim.expect(
        1,
        &["[Server]: Scheduled #1 for 01:30 today (-05:00), in 1m: x"],
    );
    // An explicit offset wins over the room's.
    sim.line(1, "/schedule 06:30z y");
    sim.expect(
        1,
        &["[Server]: Scheduled #2 for 06:30 today (+00:00), in 1m: y"],
    );
}
