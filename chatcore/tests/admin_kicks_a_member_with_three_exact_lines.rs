//! `/kick Bob`: Bob is told and closed, the others are told, the admin is told it is done;
//! Bob's leaving is not announced a second time when the transport reports it gone.

mod support;

use support::Sim;

#[test]
fn admin_kicks_a_member_with_three_exact_lines() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.join(4, "Dave");
    sim.connect(5);
    sim.clear();

    sim.line(1, "/KICK bob");
    sim.expect(2, &["[Server]: You have been kicked from the chat."]);
    sim.expect(3, &["[Server]: Bob has been kicked from the chat."]);
    sim.expect(4, &["[Server]: Bob has been kicked from the chat."]);
    sim.expect(1, &["[Server]: You kicked Bob."]);
    sim.expect_silent(&[5]);
    sim.expect_closed(&[2]);
    sim.expect_logs(&["[lobby] kick Alice -> Bob"]);
    assert_eq!(sim.members(), ["Alice", "Charlie", "Dave"]);

    // Bob is gone at once: not in the list, its name free, unreachable by whisper.
    sim.line(3, "/w Bob hello?");
    sim.expect(3, &["[Server]: No user named \"Bob\" is in the chat."]);
    sim.line(3, "/user");
    sim.expect(3, &["[Server]: Users (3/10): Alice (admin), Charlie, Dave"]);

    // The transport closes Bob's connection: nothing more is said.
    sim.clear();
    sim.disconnect(2);
    sim.expect_nothing_sent();
    sim.expect_logs(&[]);
    // The id is free again (Bob himself is banned for a while: see kick_bans_*).
    sim.join(2, "Robert");
}
