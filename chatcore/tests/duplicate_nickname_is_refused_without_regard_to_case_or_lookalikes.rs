//! Nicknames are unique by key: case, width and look-alike letters do not make a new name.

mod support;

use support::Sim;

#[test]
fn duplicate_nickname_is_refused_without_regard_to_case_or_lookalikes() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.connect(2);
    sim.take(2);

    for taken in ["Alice", "alice", "ALICE", "\u{FF21}lice", "A1ice"] {
        sim.line(2, taken);
        let expected = format!("[Server]: Nickname \"{taken}\" is already taken. Enter another:");
        sim.expect(2, &[expected.as_str()]);
        assert!(!sim.is_closed(2));
    }
    sim.expect_silent(&[1]);
    assert_eq!(sim.members(), ["Alice"]);

    sim.line(2, "Alice2");
    assert_eq!(sim.members(), ["Alice", "Alice2"]);
}

#[test]
fn a_name_in_another_script_that_looks_the_same_is_taken() {
    let mut sim = Sim::new();
    sim.join(1, "cope");
    sim.connect(2);
    sim.take(2);
    // All four letters Cyrillic: one script, so only the look-alike key refuses it.
    sim.line(2, "\u{441}\u{43E}\u{440}\u{435}");
    sim.expect(
        2,
        &["[Server]: Nickname \"\u{441}\u{43E}\u{440}\u{435}\" is already taken. Enter another:"],
    );
}

#[test]
fn a_freed_nickname_can_be_taken_again() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.disconnect(1);
    sim.join(2, "alice");
    assert_eq!(sim.members(), ["alice"]);
}
