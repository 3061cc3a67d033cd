//! A whisper that cannot be delivered gets a `[Server]:` reason and reaches nobody.

mod support;

use support::Sim;

#[test]
fn whisper_to_unknown_self_or_empty_gets_a_reason() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.connect(3);
    sim.clear();

    sim.line(1, "/whisper Zed hello");
    sim.expect(1, &["[Server]: No user named \"Zed\" is in the chat."]);
    sim.line(1, "/whisper alice hello");
    sim.expect(1, &["[Server]: You cannot whisper to yourself."]);
    sim.line(1, "/whisper Bob");
    sim.expect(1, &["[Server]: Usage: /whisper <nickname> <message>"]);
    sim.line(1, "/whisper Bob    ");
    sim.expect(1, &["[Server]: Usage: /whisper <nickname> <message>"]);
    sim.line(1, "/w");
    sim.expect(1, &["[Server]: Usage: /whisper <nickname> <message>"]);
    // A connection still choosing its nickname is nobody yet.
    sim.line(1, "/whisper Server hi");
    sim.expect(1, &["[Server]: No user named \"Server\" is in the chat."]);
    // A long unknown name is cut in the echo.
    sim.line(1, &format!("/whisper {} hi", "x".repeat(40)));
    let cut = format!(
        "[Server]: No user named \"{}...\" is in the chat.",
        "x".repeat(32)
    );
    sim.expect(1, &[cut.as_str()]);

    sim.expect_silent(&[2, 3]);
    assert_eq!(
        sim.take_logs()[..2],
        [
            "[lobby] rejected Alice (c1): No user named \"Zed\" is in the chat.",
            "[lobby] rejected Alice (c1): You cannot whisper to yourself.",
        ]
    );
}
