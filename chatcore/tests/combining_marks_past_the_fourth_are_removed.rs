//! A letter carries at most 4 combining marks: 300 stacked on one letter arrive as 4, so
//! one line cannot draw over the lines around it, while accents and vowel signs are kept.

mod support;

use support::Sim;

#[test]
fn three_hundred_marks_on_one_letter_arrive_as_four() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    let stack = "\u{36B}\u{33E}\u{308}\u{301}".repeat(75);
    sim.line(1, &format!("H{stack}i{stack}!"));
    let four = "\u{36B}\u{33E}\u{308}\u{301}";
    let expected = format!("Alice >> H{four}i{four}!");
    sim.expect(2, &[expected.as_str()]);
    let logged = format!("[lobby] chat Alice: H{four}i{four}!");
    sim.expect_logs(&[logged.as_str()]);
}

#[test]
fn accents_and_vowel_signs_are_kept() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    // Vietnamese typed decomposed (two marks on one letter), Hindi, Thai with a tone mark.
    let text =
        "Vie\u{323}\u{302}t \u{928}\u{92E}\u{938}\u{94D}\u{924}\u{947} \u{E44}\u{E01}\u{E48}";
    sim.line(1, text);
    let expected = format!("Alice >> {text}");
    sim.expect(2, &[expected.as_str()]);
}
