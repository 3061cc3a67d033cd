//! Admin rights belong to the connection: taking a departed admin's nickname gives none.

mod support;

use support::Sim;

#[test]
fn renaming_to_departed_admins_name_gives_no_rights() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.disconnect(1);
    sim.clear();

    sim.line(3, "/rename Alice");
    sim.expect(3, &["[Server]: You are now \"Alice\"."]);
    sim.line(3, "/kick Bob");
    sim.expect(3, &["[Server]: Only the admin can kick."]);
    sim.expect_closed(&[]);
    sim.line(3, "/user");
    sim.expect(3, &["[Server]: Users (2/10): Bob (admin), Alice"]);

    // Joining under the departed admin's name gives none either.
    sim.disconnect(3);
    sim.join(1, "Alice");
    assert_eq!(sim.admin().as_deref(), Some("Bob"));
    sim.line(1, "/kick Bob");
    sim.expect(1, &["[Server]: Only the admin can kick."]);
}
