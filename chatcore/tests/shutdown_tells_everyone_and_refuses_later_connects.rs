//! Shutdown: every connection is told and closed, schedules are dropped, and later
//! connections are refused.

mod support;

use support::{Sim, secs};

const SHUTDOWN: &str = "[Server]: The server is shutting down.";

#[test]
fn shutdown_tells_everyone_and_refuses_later_connects() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.connect(4); // choosing a nickname
    sim.line(1, "/schedule 07:00Z never");
    sim.line(1, "/kick Charlie"); // closed, its Disconnect not yet in
    sim.clear();

    sim.shutdown();
    for id in [1, 2, 4] {
        sim.expect(id, &[SHUTDOWN]);
    }
    sim.expect_closed(&[1, 2, 4]);
    sim.expect_logs(&[
        "shutdown with 2 members",
        "[lobby] leave Alice shutdown",
        "[lobby] leave Bob shutdown",
    ]);
    assert_eq!(sim.members(), Vec::<String>::new());
    assert_eq!(sim.admin(), None);
    assert_eq!(sim.hall.poll_timeout(), None);

    // Input before the transport's disconnects is ignored; the disconnects say nothing.
    sim.line(2, "hello?");
    sim.line(4, "Dave");
    for id in 1..=4 {
        sim.disconnect(id);
    }
    sim.advance(secs(3600));
    sim.expect_nothing_sent();
    sim.expect_logs(&[]);

    sim.connect(5);
    sim.expect(5, &[SHUTDOWN]);
    sim.expect_closed(&[5]);
    sim.expect_logs(&["connect c5", "refused c5: The server is shutting down."]);
    sim.line(5, "Eve");
    assert_eq!(sim.members(), Vec::<String>::new());
}

#[test]
fn shutdown_logs_a_flooders_dropped_lines() {
    let mut sim = Sim::config(|c| c.flood_burst = 1);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "one");
    sim.line(2, "two");
    sim.line(2, "three");
    sim.clear();
    sim.shutdown();
    sim.expect_logs(&[
        "shutdown with 2 members",
        "[lobby] leave Alice shutdown",
        "[lobby] flood Bob dropped 2 lines",
        "[lobby] leave Bob shutdown",
    ]);
}
