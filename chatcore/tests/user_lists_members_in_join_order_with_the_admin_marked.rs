//! `/user` lists the members in join order, the admin marked, to the asker only.

mod support;

use support::Sim;

#[test]
fn user_lists_members_in_join_order_with_the_admin_marked() {
    let mut sim = Sim::new();
    sim.join(5, "Alice");
    sim.join(2, "Bob");
    sim.join(9, "Charlie");
    sim.connect(1); // pending: not listed
    sim.clear();

    sim.line(9, "/user");
    sim.expect(9, &["[Server]: Users (3/10): Alice (admin), Bob, Charlie"]);
    sim.expect_silent(&[1, 2, 5]);
    sim.expect_logs(&["[lobby] command Charlie /user"]);

    // After the admin leaves, the next in join order is marked; renames keep the place.
    sim.line(2, "/rename Bobby");
    sim.disconnect(5);
    sim.clear();
    sim.line(9, "/USERS");
    sim.expect(9, &["[Server]: Users (2/10): Bobby (admin), Charlie"]);
}
