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

#[test]
fn capitals_of_another_script_that_look_latin_are_taken() {
    let mut sim = Sim::new();
    sim.join(1, "TOM");
    sim.join(2, "BOB");
    sim.connect(3);
    sim.take(3);
    // Cyrillic ТОМ and том, Greek ΒΟΒ: one script each, so only the key refuses them.
    for taken in [
        "\u{422}\u{41E}\u{41C}",
        "\u{442}\u{43E}\u{43C}",
        "\u{392}\u{39F}\u{392}",
    ] {
        sim.line(3, taken);
        let expected = format!("[Server]: Nickname \"{taken}\" is already taken. Enter another:");
        sim.expect(3, &[expected.as_str()]);
    }
    sim.expect_silent(&[1, 2]);
    assert_eq!(sim.members(), ["TOM", "BOB"]);
}

#[test]
fn names_equal_under_full_case_folding_are_taken() {
    let mut sim = Sim::new();
    sim.join(1, "Straße");
    sim.join(2, "\u{39F}\u{394}\u{39F}\u{3A3}");
    sim.connect(3);
    sim.take(3);
    for taken in ["STRASSE", "strasse", "\u{3BF}\u{3B4}\u{3BF}\u{3C3}"] {
        sim.line(3, taken);
        let expected = format!("[Server]: Nickname \"{taken}\" is already taken. Enter another:");
        sim.expect(3, &[expected.as_str()]);
    }
    assert_eq!(sim.members(), ["Straße", "\u{39F}\u{394}\u{39F}\u{3A3}"]);
}
