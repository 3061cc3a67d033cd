//! `/me waves`: every other member gets `* Alice waves`, sanitised, never the sender; it is
//! charged like chat (repeats cost more) and logged.

mod support;

use support::Sim;

#[test]
fn me_action_reaches_every_other_member() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.connect(4);
    sim.clear();

    sim.line(1, "/ME  waves at\tBob\u{1b}[2J ");
    sim.expect(2, &["* Alice waves at Bob[2J "]);
    sim.expect(3, &["* Alice waves at Bob[2J "]);
    sim.expect_silent(&[1, 4]);
    sim.expect_logs(&["[lobby] me Alice: waves at Bob[2J "]);

    // No action: the usage line, to the sender only.
    sim.line(2, "/me   ");
    sim.expect(2, &["[Server]: Usage: /me <action>"]);
    sim.expect_silent(&[1, 3]);
}

#[test]
fn repeated_actions_drain_the_flood_budget_like_chat() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    // Burst 20, 1 token and then 3 for each repeat, as for chat: 8 lines pass.
    for _ in 0..8 {
        sim.line(1, "/me waves");
    }
    assert_eq!(sim.take(2), vec!["* Alice waves"; 8]);
    sim.line(1, "/me waves");
    sim.expect(
        1,
        &["[Server]: You are sending too fast; some lines were not sent."],
    );
    sim.expect_silent(&[2]);
}
