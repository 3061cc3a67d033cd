//! `/join` to a room that does not exist creates it; `/join` back to the lobby enters it
//! with the lobby's welcome for an existing room, and each room left hears
//! `X has left the room.` (PROTOCOL.md §8).

mod support;

use support::Sim;

#[test]
fn join_a_new_room_and_back() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");

    sim.line(2, "/join Study");
    sim.expect(2, &["[Server]: You created \"Study\" and are its admin."]);
    sim.expect(1, &["[Server]: Bob has left the room."]);
    sim.expect_logs(&[
        "[Study] room created by Bob",
        "[lobby] leave Bob moved",
        "[Study] join Bob (c2)",
    ]);

    sim.line(2, "/rooms");
    sim.expect(2, &["[Server]: Rooms (2): lobby 1/10, Study 1/10"]);

    // Any case or look-alike spelling of a name is the same room.
    sim.line(1, "/join STUDY");
    sim.expect(1, &["[Server]: You joined \"Study\" (2/10 online)."]);
    sim.expect(2, &["[Server]: Alice has joined the chat."]);
    sim.clear();

    sim.line(2, "/join lobby");
    sim.expect(
        2,
        &[
            "[Server]: You joined \"lobby\" (1/10 online).",
            "[Server]: You are the admin.",
        ],
    );
    sim.expect(
        1,
        &[
            "[Server]: Bob has left the room.",
            "[Server]: Alice is now the admin.",
        ],
    );
    sim.expect_logs(&[
        "[Study] leave Bob moved",
        "[Study] admin Alice",
        "[lobby] join Bob (c2)",
    ]);
    assert_eq!(sim.members(), ["Bob"]);
    assert_eq!(sim.members_of("study"), ["Alice"]);

    // Joining the room one is in changes nothing.
    sim.line(2, "/join Lobby");
    sim.expect(2, &["[Server]: You are already in \"lobby\"."]);
    sim.expect_nothing_sent();
}
