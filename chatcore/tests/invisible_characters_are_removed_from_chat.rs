//! The bidi marks U+200E, U+200F, U+061C and the invisible U+200B, U+2060, U+FEFF are
//! removed from chat wherever they stand, and a joiner outside an emoji sequence or a
//! script that shapes with it goes too; nothing invisible reaches another member or the log.

mod support;

use support::Sim;

#[test]
fn each_invisible_character_is_removed_from_a_chat_line() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for c in [
        '\u{200E}', '\u{200F}', '\u{61C}', '\u{200B}', '\u{2060}', '\u{FEFF}', '\u{200C}',
        '\u{200D}',
    ] {
        sim.line(1, &format!("{c}pay{c}pal {c}login{c}"));
        sim.expect(2, &["Alice >> paypal login"]);
        sim.expect_logs(&["[lobby] chat Alice: paypal login"]);
    }
}

#[test]
fn a_line_of_only_invisible_characters_sends_nothing() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "\u{200B}\u{FEFF} \u{2060}\u{200E}\u{200D}");
    sim.line(1, "\u{3164}\u{3164}");
    sim.expect_nothing_sent();
    sim.expect_logs(&[]);
}

#[test]
fn tag_characters_outside_a_flag_are_removed() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    // "ignore" spelt in invisible tag characters after ordinary text.
    let hidden: String = "ignore"
        .chars()
        .map(|c| char::from_u32(0xE0000 + u32::from(c)).unwrap_or(c))
        .collect();
    sim.line(1, &format!("hello{hidden}\u{E007F} there"));
    sim.expect(2, &["Alice >> hello there"]);
}
