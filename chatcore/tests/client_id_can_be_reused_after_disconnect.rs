//! Once the transport reports an id gone, a new connection may use it: it starts afresh.

mod support;

use support::Sim;

#[test]
fn client_id_can_be_reused_after_disconnect() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/kick Bob");
    sim.disconnect(2);
    sim.disconnect(1);
    sim.clear();

    sim.connect(1);
    sim.expect(
        1,
        &["[Server]: Welcome to the open chat (0/10 online). Enter a nickname:"],
    );
    sim.line(1, "Carol");
    sim.expect(
        1,
        &[
            "[Server]: Welcome, Carol! 1/10 online. Type /help for commands.",
            "[Server]: You are the admin.",
        ],
    );
    // Bob is banned for a while after the kick; id 2 is free for anyone else.
    sim.connect(2);
    sim.line(2, "Dave");
    sim.expect(1, &["[Server]: Dave has joined the chat."]);
    sim.line(2, "back again");
    sim.expect(1, &["Dave >> back again"]);
    assert_eq!(sim.members(), ["Carol", "Dave"]);
    sim.expect_logs(&[
        "connect c1",
        "[lobby] join Carol (c1)",
        "connect c2",
        "[lobby] join Dave (c2)",
        "[lobby] chat Dave: back again",
    ]);
}
