//! `/schedules`: a member sees its own pending schedules, the admin every one of the room,
//! soonest first, each with its id, resolved time and offset, wait, author and text.

mod support;

use support::{Sim, secs};

#[test]
fn schedules_lists_the_askers_own_or_all_for_the_admin() {
    let mut sim = Sim::config(|c| c.utc_offset = time::macros::offset!(+09:00));
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    // 06:29:59 UTC is 15:29:59 in Seoul.
    sim.line(2, "/schedule 17:00 standup");
    sim.line(3, "/schedule 06:45Z lunch");
    sim.line(2, "/schedule 15:31 soon");
    sim.line(3, "/quit");
    sim.clear();

    sim.line(2, "/schedules");
    sim.expect(
        2,
        &[
            "[Server]: #3 for 15:31 today (+09:00), in 2m, by Bob: soon",
            "[Server]: #1 for 17:00 today (+09:00), in 1h 31m, by Bob: standup",
        ],
    );
    sim.line(1, "/SCHEDULES");
    sim.expect(
        1,
        &[
            "[Server]: #3 for 15:31 today (+09:00), in 2m, by Bob: soon",
            "[Server]: #2 for 06:45 today (+00:00), in 16m, by Charlie (left): lunch",
            "[Server]: #1 for 17:00 today (+09:00), in 1h 31m, by Bob: standup",
        ],
    );
    sim.expect_silent(&[2]);
    sim.expect_logs(&[
        "[lobby] command Bob /schedules",
        "[lobby] command Alice /schedules",
    ]);

    // A fired schedule is no longer pending.
    sim.advance(secs(62));
    sim.clear();
    sim.line(2, "/schedules");
    sim.expect(
        2,
        &["[Server]: #1 for 17:00 today (+09:00), in 1h 29m, by Bob: standup"],
    );
}

#[test]
fn none_pending_says_so() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/schedule 07:00Z mine");
    sim.clear();
    sim.line(2, "/schedules");
    sim.expect(2, &["[Server]: No pending schedules."]);
}
