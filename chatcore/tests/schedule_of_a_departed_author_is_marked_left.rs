//! Someone joins as `Bob` while Bob is away, schedules and quits; when it fires with the real
//! Bob present, the line says `(left)`, so nobody takes it for the present Bob's.

mod support;

use support::{Sim, secs};

#[test]
fn schedule_of_a_departed_author_is_marked_left() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob"); // Mallory, as Bob
    sim.line(2, "/schedule 06:31Z Send me your password");
    sim.line(2, "/quit");
    sim.disconnect(2);
    sim.join(3, "Bob"); // the real Bob
    sim.clear();

    sim.advance(secs(61));
    for id in [1, 3] {
        sim.expect(id, &["[Scheduled by Bob (left)] Send me your password"]);
    }
    sim.expect_logs(&["[lobby] fired #1 Bob: Send me your password"]);
}

#[test]
fn an_author_still_present_is_not_marked() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "/schedule 06:30Z still here");
    sim.clear();
    sim.advance(secs(1));
    for id in [1, 2] {
        sim.expect(id, &["[Scheduled by Bob] still here"]);
    }
}
