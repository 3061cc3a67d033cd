//! A member who leaves keeps their schedules: they fire under the name they were set with,
//! marked `(left)` since the author's connection is gone.

mod support;

use support::{Sim, secs};

#[test]
fn scheduled_message_is_delivered_after_author_left() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.line(3, "/schedule 06:30Z after quit");
    sim.line(2, "/schedule 06:31Z after disconnect");
    sim.line(3, "/quit");
    sim.disconnect(3);
    sim.disconnect(2);
    sim.clear();

    sim.advance(secs(1));
    sim.expect(1, &["[Scheduled by Charlie (left)] after quit"]);
    sim.expect_logs(&["[lobby] fired #1 Charlie: after quit"]);
    sim.advance(secs(60));
    sim.expect(1, &["[Scheduled by Bob (left)] after disconnect"]);
    sim.expect_logs(&["[lobby] fired #2 Bob: after disconnect"]);
    assert_eq!(sim.hall.poll_timeout(), None);
}

#[test]
fn a_schedule_fires_into_an_empty_room_without_sending() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.line(1, "/schedule 06:30Z nobody hears");
    sim.disconnect(1);
    sim.clear();
    sim.advance(secs(1));
    sim.expect_nothing_sent();
    sim.expect_logs(&["[lobby] fired #1 Alice: nobody hears"]);
}
