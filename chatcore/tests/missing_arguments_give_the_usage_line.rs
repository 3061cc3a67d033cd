//! A command with missing arguments gets its own syntax line.

mod support;

use support::Sim;

#[test]
fn missing_arguments_give_the_usage_line() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    let cases = [
        ("/rename", "[Server]: Usage: /rename <nickname>"),
        ("/rename    ", "[Server]: Usage: /rename <nickname>"),
        ("/whisper", "[Server]: Usage: /whisper <nickname> <message>"),
        (
            "/whisper Bob",
            "[Server]: Usage: /whisper <nickname> <message>",
        ),
        ("/w Bob  ", "[Server]: Usage: /whisper <nickname> <message>"),
        ("/schedule", "[Server]: Usage: /schedule <HH:MM> <message>"),
        (
            "/schedule 15:30",
            "[Server]: Usage: /schedule <HH:MM> <message>",
        ),
        (
            "/Schedule 15:30   ",
            "[Server]: Usage: /schedule <HH:MM> <message>",
        ),
        ("/kick", "[Server]: Usage: /kick <nickname> [reason]"),
        ("/KICK  ", "[Server]: Usage: /kick <nickname> [reason]"),
    ];
    for (line, usage) in cases {
        sim.line(1, line);
        sim.expect(1, &[usage]);
        sim.expect_silent(&[2]);
    }
    let logs = sim.take_logs();
    assert_eq!(logs.len(), cases.len());
    assert_eq!(
        logs[0],
        "[lobby] rejected Alice (c1): Usage: /rename <nickname>"
    );
    assert_eq!(sim.hall.poll_timeout(), None);
}
