//! Renaming to the same name in another case is allowed: it is still your own key.

mod support;

use support::Sim;

#[test]
fn case_only_rename_is_allowed() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");

    sim.line(1, "/rename ALICE");
    sim.expect(1, &["[Server]: You are now \"ALICE\"."]);
    sim.expect(
        2,
        &["[Server]: User \"Alice\" has changed their nickname to \"ALICE\"."],
    );
    assert_eq!(sim.members(), ["ALICE", "Bob"]);

    // The key is still held: nobody else can take any spelling of it.
    sim.connect(3);
    sim.take(3);
    sim.line(3, "alice");
    sim.expect(
        3,
        &["[Server]: Nickname \"alice\" is already taken. Enter another:"],
    );
    // And the renamed member can still be reached by any spelling.
    sim.line(2, "/w alice hi");
    sim.expect(1, &["[Whisper from Bob] hi"]);
}
