//! The nickname key ignores combining diacritics: `Alicė` and `Boḅ` are taken while
//! `Alice` and `Bob` are in the room, and a name is shown as typed (NFC).

mod support;

use support::Sim;

#[test]
fn a_nickname_with_a_diacritic_is_taken() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.connect(3);
    sim.take(3);
    // Precomposed, and typed as a letter plus a combining mark (shown in NFC).
    for (typed, shown) in [
        ("Alic\u{117}", "Alic\u{117}"),
        ("Bo\u{1E05}", "Bo\u{1E05}"),
        ("Alice\u{307}", "Alic\u{117}"),
        ("\u{C1}lic\u{E9}", "\u{C1}lic\u{E9}"),
    ] {
        sim.line(3, typed);
        let expected = format!("[Server]: Nickname \"{shown}\" is already taken. Enter another:");
        sim.expect(3, &[expected.as_str()]);
    }
    sim.expect_silent(&[1, 2]);
    assert_eq!(sim.members(), ["Alice", "Bob"]);
}

#[test]
fn rename_to_a_nickname_with_a_diacritic_is_refused() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "/rename Alic\u{117}");
    sim.expect(2, &["[Server]: Nickname \"Alic\u{117}\" is already taken."]);
    sim.expect_silent(&[1]);
    assert_eq!(sim.members(), ["Alice", "Bob"]);
}

#[test]
fn an_accented_name_is_shown_as_typed() {
    let mut sim = Sim::new();
    sim.join(1, "Jos\u{E9}");
    sim.connect(2);
    sim.take(2);
    sim.line(2, "Jose\u{301}");
    sim.expect(
        2,
        &["[Server]: Nickname \"Jos\u{E9}\" is already taken. Enter another:"],
    );
    sim.line(2, "Ren\u{E9}e");
    sim.expect(1, &["[Server]: Ren\u{E9}e has joined the chat."]);
    assert_eq!(sim.members(), ["Jos\u{E9}", "Ren\u{E9}e"]);
}
