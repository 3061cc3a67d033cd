//! Two rooms side by side: chat, `/me` and `/user` stay in their room, and every record
//! names the room it happened in (PROTOCOL.md §8).

mod support;

use support::Sim;

#[test]
fn two_rooms_side_by_side_chat_never_crosses() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Carol");
    sim.join(4, "Dave");
    sim.line(3, "/join study");
    sim.line(4, "/join study");
    sim.clear();

    sim.line(1, "Hello lobby");
    sim.expect(2, &["Alice >> Hello lobby"]);
    sim.expect_silent(&[1, 3, 4]);
    sim.line(3, "Hello study");
    sim.expect(4, &["Carol >> Hello study"]);
    sim.expect_silent(&[1, 2, 3]);
    sim.line(4, "/me waves");
    sim.expect(3, &["* Dave waves"]);
    sim.expect_silent(&[1, 2, 4]);
    sim.expect_logs(&[
        "[lobby] chat Alice: Hello lobby",
        "[study] chat Carol: Hello study",
        "[study] me Dave: waves",
    ]);

    sim.line(2, "/user");
    sim.expect(2, &["[Server]: Users (2/10): Alice (admin), Bob"]);
    sim.line(4, "/user");
    sim.expect(4, &["[Server]: Users (2/10): Carol (admin), Dave"]);
    sim.expect_nothing_sent();
    assert_eq!(sim.members(), ["Alice", "Bob"]);
    assert_eq!(sim.members_of("study"), ["Carol", "Dave"]);
}
