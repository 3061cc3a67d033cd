//! `/kick` from anyone but the admin is refused and changes nothing.

mod support;

use support::Sim;

#[test]
fn only_the_admin_can_kick() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");

    sim.line(2, "/kick Charlie");
    sim.expect(2, &["[Server]: Only the admin can kick."]);
    sim.line(2, "/kick Alice");
    sim.expect(2, &["[Server]: Only the admin can kick."]);
    // Even for a name that is not there: the right is checked first.
    sim.line(3, "/kick Zed");
    sim.expect(3, &["[Server]: Only the admin can kick."]);
    sim.expect_silent(&[1]);
    sim.expect_closed(&[]);
    assert_eq!(sim.members(), ["Alice", "Bob", "Charlie"]);
    sim.expect_logs(&[
        "[lobby] rejected Bob (c2): Only the admin can kick.",
        "[lobby] rejected Bob (c2): Only the admin can kick.",
        "[lobby] rejected Charlie (c3): Only the admin can kick.",
    ]);
}
