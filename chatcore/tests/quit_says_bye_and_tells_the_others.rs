//! `/quit`: the quitter is told goodbye and closed; the others are told it left.

mod support;

use support::Sim;

#[test]
fn quit_says_bye_and_tells_the_others() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");

    sim.line(2, "/quit");
    sim.expect(2, &["[Server]: Bye, Bob."]);
    sim.expect(1, &["[Server]: Bob has left the chat."]);
    sim.expect(3, &["[Server]: Bob has left the chat."]);
    sim.expect_closed(&[2]);
    sim.expect_logs(&["[lobby] leave Bob quit"]);
    assert_eq!(sim.members(), ["Alice", "Charlie"]);

    // The transport's disconnect afterwards says nothing more.
    sim.disconnect(2);
    sim.expect_nothing_sent();
    sim.expect_logs(&[]);
}

#[test]
fn quit_ignores_its_arguments_and_case() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "/QUIT see you");
    sim.expect(2, &["[Server]: Bye, Bob."]);
    sim.expect(1, &["[Server]: Bob has left the chat."]);
    sim.expect_closed(&[2]);
}
