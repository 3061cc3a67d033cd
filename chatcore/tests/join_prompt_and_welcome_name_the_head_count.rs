//! Joining: the prompt counts members before, the welcome after; only the first is admin;
//! the others hear of the newcomer, connections still choosing a nickname do not.

mod support;

use support::Sim;

#[test]
fn join_prompt_and_welcome_name_the_head_count() {
    let mut sim = Sim::new();

    sim.connect(1);
    sim.expect(
        1,
        &["[Server]: Welcome to the open chat (0/10 online). Enter a nickname:"],
    );
    assert_eq!(sim.members(), Vec::<String>::new());
    sim.line(1, "Alice");
    sim.expect(
        1,
        &[
            "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.",
            "[Server]: You are the admin.",
        ],
    );

    // A connection that has not chosen a nickname is not counted and hears nothing.
    sim.connect(9);
    sim.expect(
        9,
        &["[Server]: Welcome to the open chat (1/10 online). Enter a nickname:"],
    );

    sim.connect(2);
    sim.expect(
        2,
        &["[Server]: Welcome to the open chat (1/10 online). Enter a nickname:"],
    );
    sim.line(2, "Bob");
    sim.expect(
        2,
        &["[Server]: Welcome, Bob! 2/10 online. Type /help for commands."],
    );
    sim.expect(1, &["[Server]: Bob has joined the chat."]);
    sim.expect(9, &[]);

    sim.connect(3);
    sim.expect(
        3,
        &["[Server]: Welcome to the open chat (2/10 online). Enter a nickname:"],
    );
    sim.line(3, "Charlie");
    sim.expect(
        3,
        &["[Server]: Welcome, Charlie! 3/10 online. Type /help for commands."],
    );
    sim.expect(1, &["[Server]: Charlie has joined the chat."]);
    sim.expect(2, &["[Server]: Charlie has joined the chat."]);
    sim.expect(9, &[]);

    assert_eq!(sim.members(), ["Alice", "Bob", "Charlie"]);
    assert_eq!(sim.admin().as_deref(), Some("Alice"));
    assert_eq!(sim.take_closed(), Vec::<u64>::new());
}

#[test]
fn nickname_is_trimmed_and_stored_in_nfc() {
    let mut sim = Sim::new();
    sim.connect(1);
    sim.line(1, "  Rene\u{301}\t");
    assert_eq!(sim.members(), ["Ren\u{e9}"]);
    sim.expect(
        1,
        &[
            "[Server]: Welcome to the open chat (0/10 online). Enter a nickname:",
            "[Server]: Welcome, Ren\u{e9}! 1/10 online. Type /help for commands.",
            "[Server]: You are the admin.",
        ],
    );
}
