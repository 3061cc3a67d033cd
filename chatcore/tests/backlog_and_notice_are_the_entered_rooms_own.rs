//! `/join` into a room gives that room's own backlog and notice (never another room's),
//! right after the join line; coming back gives the first room's again.

mod support;

use support::Sim;

#[test]
fn backlog_and_notice_are_the_entered_rooms_own() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Carol");
    sim.line(1, "lobby talk");
    sim.line(1, "/notice Lobby rules");
    sim.line(2, "/join study");
    sim.line(2, "study talk");
    sim.line(2, "/me opens a book");
    sim.line(2, "/notice Quiet please");
    sim.clear();

    sim.line(3, "/join Study");
    sim.expect(
        3,
        &[
            "[Server]: You joined \"study\" (2/10 online).",
            "[Server]: Last 2 messages (times in +00:00):",
            "[06:29] Bob >> study talk",
            "[06:29] * Bob opens a book",
            "[Server]: Notice: Quiet please",
        ],
    );
    sim.expect(2, &["[Server]: Carol has joined the chat."]);
    sim.expect(1, &["[Server]: Carol has left the room."]);

    sim.line(3, "/join lobby");
    sim.expect(
        3,
        &[
            "[Server]: You joined \"lobby\" (2/10 online).",
            "[Server]: Last message (time in +00:00):",
            "[06:29] Alice >> lobby talk",
            "[Server]: Notice: Lobby rules",
        ],
    );
}

#[test]
fn a_new_room_starts_with_no_backlog_and_no_notice() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.line(1, "hi");
    sim.line(1, "/notice Lobby rules");
    sim.join(2, "Bob");
    sim.line(2, "/join fresh");
    sim.expect(2, &["[Server]: You created \"fresh\" and are its admin."]);
    sim.line(2, "/notice");
    sim.expect(2, &["[Server]: There is no notice."]);
}
