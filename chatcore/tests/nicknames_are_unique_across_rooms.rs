//! A nickname means one person on the whole server: taken in another room is taken, at the
//! prompt and for `/rename`, in any case or look-alike spelling; it is free again once its
//! owner has gone (PROTOCOL.md §8).

mod support;

use support::Sim;

#[test]
fn nicknames_are_unique_across_rooms() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/join study");
    sim.clear();

    sim.connect(3);
    sim.line(3, "ALICE");
    sim.expect(
        3,
        &[
            "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:",
            "[Server]: Nickname \"ALICE\" is already taken. Enter another:",
        ],
    );
    sim.line(2, "/rename alice");
    sim.expect(2, &["[Server]: Nickname \"alice\" is already taken."]);
    sim.expect_silent(&[1]);

    // Alice renames in study: her old name is free everywhere, the new one taken everywhere.
    sim.line(1, "/rename Alicia");
    sim.expect(1, &["[Server]: You are now \"Alicia\"."]);
    sim.line(3, "Alicia");
    sim.expect(
        3,
        &["[Server]: Nickname \"Alicia\" is already taken. Enter another:"],
    );
    sim.line(3, "Alice");
    sim.expect(
        3,
        &["[Server]: Welcome, Alice! 2/10 online. Type /help for commands."],
    );
    sim.expect(2, &["[Server]: Alice has joined the chat."]);

    // Gone for good: the name is free.
    sim.line(1, "/quit");
    sim.line(2, "/rename Alicia");
    sim.expect(2, &["[Server]: You are now \"Alicia\"."]);
}
