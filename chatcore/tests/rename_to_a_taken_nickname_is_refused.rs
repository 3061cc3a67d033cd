//! `/rename` to a nickname another member holds, in any case, is refused and changes nothing.

mod support;

use support::Sim;

#[test]
fn rename_to_a_taken_nickname_is_refused() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");

    for taken in ["Bob", "bob", "BOB", "B0B"] {
        sim.line(1, &format!("/rename {taken}"));
        let expected = format!("[Server]: Nickname \"{taken}\" is already taken.");
        sim.expect(1, &[expected.as_str()]);
        sim.expect_silent(&[2, 3]);
    }
    assert_eq!(sim.members(), ["Alice", "Bob", "Charlie"]);
    assert_eq!(sim.take_logs().len(), 4);

    // Nothing else changed: Alice is still Alice, and Bob is still reachable.
    sim.line(1, "/w Bob still me");
    sim.expect(2, &["[Whisper from Alice] still me"]);
}
