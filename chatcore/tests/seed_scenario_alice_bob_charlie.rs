//! The seed scenario end to end: join, chat, rename, whisper, schedule, kick.

mod support;

use support::{Sim, ms, secs};
use time::macros::offset;

#[test]
fn seed_scenario_alice_bob_charlie() {
    let mut sim = Sim::config(|c| c.utc_offset = offset!(+9));
    let (alice, bob, charlie) = (1, 2, 3);

    sim.connect(alice);
    sim.expect(
        alice,
        &["[Server]: Welcome to the open chat (0/10 online). Enter a nickname:"],
    );
    sim.line(alice, "Alice");
    sim.expect(
        alice,
        &[
            "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.",
            "[Server]: You are the admin.",
        ],
    );

    sim.connect(bob);
    sim.expect(
        bob,
        &["[Server]: Welcome to the open chat (1/10 online). Enter a nickname:"],
    );
    sim.line(bob, "Bob");
    sim.expect(
        bob,
        &["[Server]: Welcome, Bob! 2/10 online. Type /help for commands."],
    );
    sim.expect(alice, &["[Server]: Bob has joined the chat."]);

    sim.connect(charlie);
    sim.expect(
        charlie,
        &["[Server]: Welcome to the open chat (2/10 online). Enter a nickname:"],
    );
    sim.line(charlie, "Charlie");
    sim.expect(
        charlie,
        &["[Server]: Welcome, Charlie! 3/10 online. Type /help for commands."],
    );
    sim.expect(alice, &["[Server]: Charlie has joined the chat."]);
    sim.expect(bob, &["[Server]: Charlie has joined the chat."]);
    sim.expect_logs(&[
        "start capacity 10",
        "[lobby] room created",
        "connect c1",
        "[lobby] join Alice (c1)",
        "connect c2",
        "[lobby] join Bob (c2)",
        "connect c3",
        "[lobby] join Charlie (c3)",
    ]);

    sim.line(alice, "Hello everyone!");
    sim.expect(alice, &[]);
    sim.expect(bob, &["Alice >> Hello everyone!"]);
    sim.expect(charlie, &["Alice >> Hello everyone!"]);

    sim.line(bob, "/rename Bobby");
    sim.expect(bob, &["[Server]: You are now \"Bobby\"."]);
    let renamed = "[Server]: User \"Bob\" has changed their nickname to \"Bobby\".";
    sim.expect(alice, &[renamed]);
    sim.expect(charlie, &[renamed]);

    sim.line(bob, "/whisper Charlie Hi, Charlie!");
    sim.expect(charlie, &["[Whisper from Bobby] Hi, Charlie!"]);
    sim.expect(bob, &["[Whisper to Charlie] Hi, Charlie!"]);
    sim.expect(alice, &[]);

    sim.line(charlie, "/schedule 15:30 Meeting starts soon");
    sim.expect(
        charlie,
        &["[Server]: Scheduled #1 for 15:30 today (+09:00), in 1m: Meeting starts soon"],
    );
    sim.expect_silent(&[alice, bob]);
    assert_eq!(sim.next_deadline_in(), Some(secs(1)));
    sim.advance(ms(999));
    sim.expect_nothing_sent();
    sim.advance(ms(1));
    for id in [alice, bob, charlie] {
        sim.expect(id, &["[Scheduled by Charlie] Meeting starts soon"]);
    }

    sim.line(alice, "/kick Bobby");
    sim.expect(bob, &["[Server]: You have been kicked from the chat."]);
    sim.expect(charlie, &["[Server]: Bobby has been kicked from the chat."]);
    sim.expect(alice, &["[Server]: You kicked Bobby."]);
    sim.expect_closed(&[bob]);
    assert_eq!(sim.members(), ["Alice", "Charlie"]);

    assert_eq!(
        sim.take_log_lines(),
        [
            "2026-11-25T06:29:59.000Z [lobby] chat Alice: Hello everyone!",
            "2026-11-25T06:29:59.000Z [lobby] rename Bob -> Bobby",
            "2026-11-25T06:29:59.000Z [lobby] whisper Bobby -> Charlie: Hi, Charlie!",
            "2026-11-25T06:29:59.000Z [lobby] schedule #1 Charlie 2026-11-25T15:30+09:00: Meeting starts soon",
            "2026-11-25T06:30:00.000Z [lobby] fired #1 Charlie: Meeting starts soon",
            "2026-11-25T06:30:00.000Z [lobby] kick Alice -> Bobby",
        ]
    );
}
