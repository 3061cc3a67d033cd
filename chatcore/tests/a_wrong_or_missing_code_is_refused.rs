//! A room with a code refuses a `/join` without it or with another one, and nothing else
//! changes; a room created with a code needs it from the start.

mod support;

use support::Sim;

#[test]
fn a_wrong_or_missing_code_is_refused() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/join vault Open-Sesame");
    sim.expect(1, &["[Server]: You created \"vault\" and are its admin."]);
    sim.expect_logs(&[
        "[vault] room created by Alice with a code",
        "[lobby] leave Alice moved",
        "[lobby] admin Bob",
        "[vault] join Alice (c1)",
    ]);
    sim.clear();

    sim.line(2, "/join vault");
    sim.expect(
        2,
        &["[Server]: The room \"vault\" needs a code: /join vault <code>"],
    );
    sim.line(2, "/join vault open-sesame");
    sim.expect(2, &["[Server]: Wrong code for \"vault\"."]);
    sim.line(2, "/join vault Open-Sesam");
    sim.expect(2, &["[Server]: Wrong code for \"vault\"."]);
    sim.expect_silent(&[1]);
    assert_eq!(sim.members(), ["Bob"]);

    sim.line(2, "/join vault Open-Sesame");
    sim.expect(2, &["[Server]: You joined \"vault\" (2/10 online)."]);
    sim.expect_logs(&[
        "[lobby] rejected Bob (c2): The room \"vault\" needs a code: /join vault <code>",
        "[lobby] rejected Bob (c2): Wrong code for \"vault\".",
        "[lobby] rejected Bob (c2): Wrong code for \"vault\".",
        "[lobby] leave Bob moved",
        "[vault] join Bob (c2)",
    ]);
}
