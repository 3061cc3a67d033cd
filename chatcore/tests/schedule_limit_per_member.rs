//! A member may have at most 5 pending schedules; one firing frees a place.

mod support;

use support::{Sim, secs};

#[test]
fn schedule_limit_per_member() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for n in 1..=5 {
        sim.line(1, &format!("/schedule 06:30Z m{n}"));
        let reply = format!("[Server]: Scheduled #{n} for 06:30 today (+00:00), in 1m: m{n}");
        sim.expect(1, &[reply.as_str()]);
    }
    sim.line(1, "/schedule 07:00Z sixth");
    sim.expect(
        1,
        &["[Server]: You already have 5 pending schedules (max 5)."],
    );
    // The limit is per member: Bob is not affected.
    sim.line(2, "/schedule 07:00Z bob");
    sim.expect(
        2,
        &["[Server]: Scheduled #6 for 07:00 today (+00:00), in 31m: bob"],
    );

    sim.advance(secs(1));
    assert_eq!(sim.take(2).len(), 5);
    sim.clear();
    sim.line(1, "/schedule 07:00Z again");
    sim.expect(
        1,
        &["[Server]: Scheduled #7 for 07:00 today (+00:00), in 30m: again"],
    );
}

#[test]
fn the_member_limit_is_configurable() {
    let mut sim = Sim::config(|c| c.max_schedules_per_member = 1);
    sim.join(1, "Alice");
    sim.line(1, "/schedule 07:00Z one");
    sim.take(1);
    sim.line(1, "/schedule 07:00Z two");
    sim.expect(
        1,
        &["[Server]: You already have 1 pending schedules (max 1)."],
    );
}
