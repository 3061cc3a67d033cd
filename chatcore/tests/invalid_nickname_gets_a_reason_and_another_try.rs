//! A refused nickname gets one line saying why; the same connection may try again.

mod support;

use chatcore::Frame;
use support::Sim;

#[test]
fn invalid_nickname_gets_a_reason_and_another_try() {
    let mut sim = Sim::new();
    sim.connect(1);
    sim.clear();

    let cases: [(&str, &str); 14] = [
        ("", "Nickname must not be empty."),
        ("   ", "Nickname must not be empty."),
        (
            "abcdefghijklmnopqrstu",
            "Nickname is too long (max 20 characters and 64 bytes).",
        ),
        (
            "a b",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        (
            ".hidden",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        (
            "-dash",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        (
            "[Server]",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        (
            "a/b",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        // A zero-width space is a format character, not a letter.
        (
            "Al\u{200B}ice",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        // Control and bidi characters are refused, not cleaned into another name.
        (
            "Al\u{1b}ice",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        (
            "Al\u{2066}ice",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        // The Hangul filler is a letter that draws as nothing: a name nobody could see.
        (
            "\u{3164}",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        (
            "\u{1F600}",
            "Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).",
        ),
        (
            "\u{410}lice",
            "Nickname mixes scripts that look alike (such as Latin and Cyrillic).",
        ),
    ];
    for (n, (candidate, reason)) in cases.into_iter().enumerate() {
        sim.line(1, candidate);
        let expected = format!("[Server]: {reason} Enter another:");
        sim.expect(1, &[expected.as_str()]);
        assert!(!sim.is_closed(1), "{candidate:?} closed the connection");
        // Only the first three refusals before joining are logged one by one.
        let logged = (n < 3).then(|| format!("rejected c1: {reason} Enter another:"));
        assert_eq!(sim.take_logs(), Vec::from_iter(logged));
    }

    sim.frame(1, Frame::TooLong);
    sim.expect(
        1,
        &["[Server]: Line too long (max 4096 bytes). Enter a nickname:"],
    );
    sim.frame(1, Frame::InvalidUtf8);
    sim.expect(1, &["[Server]: Line is not valid UTF-8. Enter a nickname:"]);

    assert_eq!(sim.members(), Vec::<String>::new());
    sim.line(1, "Alice");
    sim.expect(
        1,
        &[
            "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.",
            "[Server]: You are the admin.",
        ],
    );
}

#[test]
fn twenty_characters_are_enough() {
    let mut sim = Sim::new();
    sim.join(1, "abcdefghijklmnopqrst");
    assert_eq!(sim.members(), ["abcdefghijklmnopqrst"]);
}
