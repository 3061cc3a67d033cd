//! The admin cannot kick a name that is not in the room, nor itself.

mod support;

use support::Sim;

#[test]
fn kick_of_unknown_or_self_is_refused() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.connect(3); // choosing a nickname: not a member, cannot be kicked by name
    sim.clear();

    sim.line(1, "/kick Zed");
    sim.expect(1, &["[Server]: No user named \"Zed\" is in the chat."]);
    sim.line(1, "/kick Alice");
    sim.expect(1, &["[Server]: You cannot kick yourself."]);
    sim.line(1, "/kick ALICE because");
    sim.expect(1, &["[Server]: You cannot kick yourself."]);
    sim.line(1, "/kick");
    sim.expect(1, &["[Server]: Usage: /kick <nickname> [reason]"]);
    sim.expect_silent(&[2, 3]);
    sim.expect_closed(&[]);
    assert_eq!(sim.members(), ["Alice", "Bob"]);
    assert_eq!(sim.admin().as_deref(), Some("Alice"));
}
