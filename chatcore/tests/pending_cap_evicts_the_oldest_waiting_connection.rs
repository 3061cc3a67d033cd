//! When too many connections wait for a nickname, the oldest is closed to make room.

mod support;

use support::{Sim, secs};

#[test]
fn pending_cap_evicts_the_oldest_waiting_connection() {
    let mut sim = Sim::config(|c| c.max_pending = 3);
    // Members do not count against the cap.
    sim.join(1, "Alice");
    sim.connect(2);
    sim.advance(secs(1));
    sim.connect(3);
    sim.connect(4);
    sim.clear();

    sim.connect(5);
    sim.expect(
        2,
        &["[Server]: Too many connections are waiting for a nickname. Bye."],
    );
    sim.expect(
        5,
        &["[Server]: Welcome to the open chat (1/10 online). Enter a nickname:"],
    );
    sim.expect_silent(&[1, 3, 4]);
    sim.expect_closed(&[2]);
    sim.expect_logs(&[
        "connect c5",
        "refused c2: Too many connections are waiting for a nickname. Bye.",
    ]);
    // The evicted connection's deadline (59 s away) is gone: the next is 3's, 60 s away.
    assert_eq!(sim.next_deadline_in(), Some(secs(60)));

    // The others can still join.
    sim.line(3, "Bob");
    assert_eq!(sim.members(), ["Alice", "Bob"]);
}
