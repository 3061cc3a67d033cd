//! `HH:MM` is the next occurrence strictly after now: the same minute now means tomorrow,
//! and a time just past midnight is tomorrow's date.

mod support;

use support::{Sim, ms, secs};
use time::macros::{datetime, offset};

#[test]
fn a_minute_just_past_is_almost_a_day_away() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");

    // 06:29:59: 06:29 today has passed, so it is tomorrow's 06:29, 23h 59m 01s away.
    sim.line(1, "/schedule 06:29Z tomorrow");
    sim.expect(
        1,
        &["[Server]: Scheduled #1 for 06:29 tomorrow (+00:00), in 24h 00m: tomorrow"],
    );
    sim.expect_logs(&["[lobby] schedule #1 Alice 2026-11-26T06:29+00:00: tomorrow"]);
    let wait = secs(23 * 3600 + 59 * 60 + 1);
    assert_eq!(sim.next_deadline_in(), Some(wait));

    sim.advance(wait - ms(1));
    sim.timeout();
    sim.expect_nothing_sent();
    sim.advance(ms(1));
    sim.expect(1, &["[Scheduled by Alice] tomorrow"]);
    sim.expect(2, &["[Scheduled by Alice] tomorrow"]);
    assert_eq!(
        sim.take_log_lines(),
        ["2026-11-26T06:29:00.000Z [lobby] fired #1 Alice: tomorrow"]
    );
}

#[test]
fn the_current_minute_exactly_is_a_full_day_away() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.advance(secs(1)); // 06:30:00.000 exactly
    sim.line(1, "/schedule 6:30Z now");
    sim.expect(
        1,
        &["[Server]: Scheduled #1 for 06:30 tomorrow (+00:00), in 24h 00m: now"],
    );
    assert_eq!(sim.next_deadline_in(), Some(secs(24 * 3600)));
}

#[test]
fn midnight_is_tomorrows_date() {
    let mut sim = Sim::with(
        chatcore::Config::default(),
        datetime!(2026-11-25 23:59:30 UTC),
    );
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/schedule 0:00Z midnight");
    sim.expect(
        1,
        &["[Server]: Scheduled #1 for 00:00 tomorrow (+00:00), in 1m: midnight"],
    );
    sim.expect_logs(&["[lobby] schedule #1 Alice 2026-11-26T00:00+00:00: midnight"]);
    sim.advance(secs(30));
    sim.expect(2, &["[Scheduled by Alice] midnight"]);
    assert_eq!(
        sim.take_log_lines(),
        ["2026-11-26T00:00:00.000Z [lobby] fired #1 Alice: midnight"]
    );
}

#[test]
fn midnight_in_the_rooms_offset() {
    // 14:59:30 UTC is 23:59:30 at +09:00.
    let mut config = chatcore::Config::default();
    config.utc_offset = offset!(+9);
    let mut sim = Sim::with(config, datetime!(2026-11-25 14:59:30 UTC));
    sim.join(1, "Alice");
    sim.line(1, "/schedule 00:00 x");
    sim.expect(
        1,
        &["[Server]: Scheduled #1 for 00:00 tomorrow (+09:00), in 1m: x"],
    );
    sim.expect_logs(&["[lobby] schedule #1 Alice 2026-11-26T00:00+09:00: x"]);
    assert_eq!(sim.next_deadline_in(), Some(secs(30)));
}
