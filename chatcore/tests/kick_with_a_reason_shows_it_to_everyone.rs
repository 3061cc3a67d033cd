//! `/kick Bob reason`: the kicked member and the others see ` Reason: ...`.

mod support;

use support::Sim;

#[test]
fn kick_with_a_reason_shows_it_to_everyone() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");

    sim.line(1, "/kick Bob   spamming  links  ");
    sim.expect(
        2,
        &["[Server]: You have been kicked from the chat. Reason: spamming  links"],
    );
    sim.expect(
        3,
        &["[Server]: Bob has been kicked from the chat. Reason: spamming  links"],
    );
    sim.expect(1, &["[Server]: You kicked Bob."]);
    sim.expect_closed(&[2]);
    sim.expect_logs(&["[lobby] kick Alice -> Bob: spamming  links"]);
}
