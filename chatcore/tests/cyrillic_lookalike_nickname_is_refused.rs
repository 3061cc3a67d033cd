//! A name mixing Latin with Cyrillic look-alikes (a spoof of `Alice`) is refused.

mod support;

use support::Sim;

#[test]
fn cyrillic_lookalike_nickname_is_refused() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.connect(2);
    sim.take(2);
    // Cyrillic А (U+0410) followed by Latin "lice".
    sim.line(2, "\u{410}lice");
    sim.expect(
        2,
        &["[Server]: Nickname mixes scripts that look alike (such as Latin and Cyrillic). Enter another:"],
    );
    // Cyrillic а inside a Latin word, with nobody holding the Latin spelling.
    sim.line(2, "p\u{430}ypal");
    sim.expect(
        2,
        &["[Server]: Nickname mixes scripts that look alike (such as Latin and Cyrillic). Enter another:"],
    );
    sim.expect_silent(&[1]);
    assert_eq!(sim.members(), ["Alice"]);

    // A whole Cyrillic name is fine.
    sim.line(2, "\u{418}\u{432}\u{430}\u{43D}");
    assert_eq!(sim.members(), ["Alice", "\u{418}\u{432}\u{430}\u{43D}"]);
}
