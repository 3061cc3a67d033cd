//! When the admin leaves, the member who has been in the room longest becomes admin and
//! everyone is told; a non-admin leaving changes nothing.

mod support;

use support::Sim;

#[test]
fn admin_passes_to_longest_member() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(4, "Bob"); // ids do not decide the order, joining does
    sim.join(2, "Charlie");
    sim.join(3, "Dave");
    assert_eq!(sim.admin().as_deref(), Some("Alice"));

    sim.disconnect(1);
    for id in [4, 2, 3] {
        sim.expect(
            id,
            &[
                "[Server]: Alice has left the chat.",
                "[Server]: Bob is now the admin.",
            ],
        );
    }
    sim.expect_logs(&["[lobby] leave Alice closed", "[lobby] admin Bob"]);
    assert_eq!(sim.admin().as_deref(), Some("Bob"));

    // The new admin has the rights, the others still do not.
    sim.line(2, "/kick Dave");
    sim.expect(2, &["[Server]: Only the admin can kick."]);
    sim.expect_logs(&["[lobby] rejected Charlie (c2): Only the admin can kick."]);

    // A non-admin leaving does not move the role.
    sim.disconnect(3);
    for id in [4, 2] {
        sim.expect(id, &["[Server]: Dave has left the chat."]);
    }
    sim.expect_logs(&["[lobby] leave Dave closed"]);
    assert_eq!(sim.admin().as_deref(), Some("Bob"));

    // A newcomer is last in line: quitting Bob hands over to Charlie.
    sim.join(5, "Eve");
    sim.line(4, "/quit");
    sim.expect(4, &["[Server]: Bye, Bob."]);
    for id in [2, 5] {
        sim.expect(
            id,
            &[
                "[Server]: Bob has left the chat.",
                "[Server]: Charlie is now the admin.",
            ],
        );
    }
    sim.line(2, "/kick Eve");
    sim.expect(2, &["[Server]: You kicked Eve."]);

    // The last member leaving leaves no admin.
    sim.disconnect(2);
    assert_eq!(sim.admin(), None);
    sim.expect_logs(&[
        "[lobby] leave Bob quit",
        "[lobby] admin Charlie",
        "[lobby] kick Charlie -> Eve",
        "[lobby] leave Charlie closed",
    ]);
}
