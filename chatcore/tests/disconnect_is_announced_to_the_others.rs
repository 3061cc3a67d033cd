//! A member whose connection goes away is announced to the others; the log names the cause.
//! A connection that never chose a nickname leaves silently.

mod support;

use chatcore::DisconnectCause;
use support::Sim;

#[test]
fn disconnect_is_announced_to_the_others() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.join(4, "Dave");
    sim.connect(5);
    sim.clear();

    sim.disconnect(2);
    sim.expect(1, &["[Server]: Bob has left the chat."]);
    sim.expect(3, &["[Server]: Bob has left the chat."]);
    sim.expect(4, &["[Server]: Bob has left the chat."]);
    sim.expect_silent(&[5]);
    sim.expect_logs(&["[lobby] leave Bob closed"]);

    sim.disconnect_with(3, DisconnectCause::Error);
    sim.expect(1, &["[Server]: Charlie has left the chat."]);
    sim.expect(4, &["[Server]: Charlie has left the chat."]);
    sim.expect_logs(&["[lobby] leave Charlie error"]);
    sim.disconnect_with(4, DisconnectCause::SlowConsumer);
    sim.expect(1, &["[Server]: Dave has left the chat."]);
    sim.expect_logs(&["[lobby] leave Dave slow-consumer"]);

    sim.disconnect(5);
    sim.expect_nothing_sent();
    sim.expect_logs(&["abandoned c5"]);
    assert_eq!(sim.members(), ["Alice"]);
    // Nothing was closed by the room: these were the transport's own closes.
    sim.expect_closed(&[]);
}
