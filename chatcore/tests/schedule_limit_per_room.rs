//! The room holds a bounded number of pending schedules, a departed author's included.

mod support;

use support::{Sim, secs};

#[test]
fn schedule_limit_per_room() {
    let mut sim = Sim::config(|c| {
        c.max_schedules_per_member = 2;
        c.max_schedules_per_room = 3;
    });
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/schedule 06:30Z a1");
    sim.line(1, "/schedule 07:00Z a2");
    sim.line(2, "/schedule 07:00Z b1");
    sim.clear();

    sim.line(2, "/schedule 07:00Z b2");
    sim.expect(
        2,
        &["[Server]: The room already has 3 pending schedules (max 3)."],
    );
    sim.expect_logs(&[
        "[lobby] rejected Bob (c2): The room already has 3 pending schedules (max 3).",
    ]);
    // The member limit is checked first.
    sim.line(1, "/schedule 07:00Z a3");
    sim.expect(
        1,
        &["[Server]: You already have 2 pending schedules (max 2)."],
    );

    // A departed author's schedules still take their place.
    sim.disconnect(1);
    sim.clear();
    sim.line(2, "/schedule 07:00Z b2");
    sim.expect(
        2,
        &["[Server]: The room already has 3 pending schedules (max 3)."],
    );

    // One firing frees a place.
    sim.advance(secs(1));
    sim.expect(2, &["[Scheduled by Alice (left)] a1"]);
    sim.line(2, "/schedule 07:00Z b2");
    sim.expect(
        2,
        &["[Server]: Scheduled #4 for 07:00 today (+00:00), in 30m: b2"],
    );
}
