//! When a connection id is reused, the new member does not own the old one's schedules:
//! their firing does not refund its quota, and kicking it does not cancel them.

mod support;

use support::{Sim, secs};

#[test]
fn firing_a_departed_authors_schedule_does_not_refund_the_new_owner_of_the_id() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(3, "Charlie");
    for n in 0..5 {
        sim.line(3, &format!("/schedule 06:30Z old{n}"));
    }
    sim.disconnect(3);
    sim.join(3, "Dave");
    for n in 0..5 {
        sim.line(3, &format!("/schedule 07:00Z new{n}"));
    }
    sim.clear();

    sim.advance(secs(1)); // Charlie's five fire
    assert_eq!(sim.take(3).len(), 5);
    sim.line(3, "/schedule 07:00Z sixth");
    sim.expect(
        3,
        &["[Server]: You already have 5 pending schedules (max 5)."],
    );
}

#[test]
fn kicking_the_new_owner_of_the_id_keeps_the_old_authors_schedules() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(3, "Charlie");
    sim.line(3, "/schedule 06:30Z from Charlie");
    sim.disconnect(3);
    sim.join(3, "Dave");
    sim.line(1, "/kick Dave");
    sim.expect_logs(&["[lobby] kick Alice -> Dave"]);
    sim.clear();
    sim.advance(secs(1));
    sim.expect(1, &["[Scheduled by Charlie (left)] from Charlie"]);
}
