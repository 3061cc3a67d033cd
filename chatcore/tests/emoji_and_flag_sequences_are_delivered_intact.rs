//! Emoji ZWJ sequences (a family, a rainbow flag) and emoji flag tag sequences (Scotland)
//! reach the others byte for byte, as do joiners that shape Indic and Persian letters.

mod support;

use support::Sim;

const FAMILY: &str = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
const RAINBOW_FLAG: &str = "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}";
const SCOTLAND: &str = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}";

#[test]
fn emoji_zwj_and_flag_tag_sequences_are_delivered_intact() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    let text = format!("{FAMILY} {RAINBOW_FLAG} {SCOTLAND}!");
    sim.line(1, &text);
    let expected = format!("Alice >> {text}");
    sim.expect(2, &[expected.as_str()]);
    let logged = format!("[lobby] chat Alice: {text}");
    sim.expect_logs(&[logged.as_str()]);
}

#[test]
fn joiners_inside_indic_and_persian_words_are_delivered() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    // Devanagari half KA before SSA, and Persian "mi-khaham" with its ZWNJ.
    let text =
        "\u{915}\u{94D}\u{200D}\u{937} \u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}";
    sim.line(1, text);
    let expected = format!("Alice >> {text}");
    sim.expect(2, &[expected.as_str()]);
}

#[test]
fn a_broken_flag_sequence_keeps_the_flag_and_loses_the_tags() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    // No CANCEL TAG at the end.
    sim.line(
        1,
        "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074} go",
    );
    sim.expect(2, &["Alice >> \u{1F3F4} go"]);
}
