//! `/admin Bob`: the admin hands its role over and everyone is told; nobody else can; when
//! the new admin leaves, the member who has been in the room longest takes over.

mod support;

use support::Sim;

#[test]
fn admin_hands_the_role_to_another_member() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");

    sim.line(2, "/admin Charlie");
    sim.expect(2, &["[Server]: Only the admin can do that."]);
    sim.expect_silent(&[1, 3]);
    sim.expect_logs(&["[lobby] rejected Bob (c2): Only the admin can do that."]);

    sim.line(1, "/ADMIN  bob");
    for id in [1, 2, 3] {
        sim.expect(id, &["[Server]: Bob is now the admin."]);
    }
    sim.expect_logs(&["[lobby] admin Bob"]);
    assert_eq!(sim.admin().as_deref(), Some("Bob"));
    // The list stays in join order; the mark moves.
    sim.line(3, "/user");
    sim.expect(3, &["[Server]: Users (3/10): Alice, Bob (admin), Charlie"]);

    // Alice's rights went with the role.
    sim.line(1, "/kick Charlie");
    sim.expect(1, &["[Server]: Only the admin can kick."]);
    sim.line(2, "/admin Bob");
    sim.expect(2, &["[Server]: You are already the admin."]);
    sim.line(2, "/admin Zed");
    sim.expect(2, &["[Server]: No user named \"Zed\" is in the chat."]);
    sim.line(2, "/admin");
    sim.expect(2, &["[Server]: Usage: /admin <nickname>"]);
    sim.expect_silent(&[1, 3]);

    // Bob leaves: Alice has been here longest.
    sim.line(2, "/quit");
    sim.expect(
        1,
        &[
            "[Server]: Bob has left the chat.",
            "[Server]: Alice is now the admin.",
        ],
    );
    assert_eq!(sim.admin().as_deref(), Some("Alice"));
}

#[test]
fn a_non_admin_leaving_changes_nothing() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.line(1, "/admin Charlie");
    sim.clear();
    sim.line(1, "/quit");
    sim.expect(2, &["[Server]: Alice has left the chat."]);
    assert_eq!(sim.admin().as_deref(), Some("Charlie"));
}
