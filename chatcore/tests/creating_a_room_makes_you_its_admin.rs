//! Whoever creates a room with `/join` is its admin: it may kick there and set its code,
//! while the lobby keeps its own admin.

mod support;

use support::Sim;

#[test]
fn creating_a_room_makes_you_its_admin() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Carol");
    sim.line(2, "/join 개발");
    sim.expect(2, &["[Server]: You created \"개발\" and are its admin."]);
    sim.line(3, "/join 개발");
    sim.expect(
        3,
        &[
            "[Server]: Bob has left the room.",
            "[Server]: You joined \"개발\" (2/10 online).",
        ],
    );
    sim.clear();
    assert_eq!(sim.admin_of("개발").as_deref(), Some("Bob"));
    assert_eq!(sim.admin().as_deref(), Some("Alice"));

    sim.line(3, "/kick Bob");
    sim.expect(3, &["[Server]: Only the admin can kick."]);
    sim.line(2, "/kick Carol");
    sim.expect(3, &["[Server]: You have been kicked from the chat."]);
    sim.expect(2, &["[Server]: You kicked Carol."]);
    sim.expect_closed(&[3]);
    sim.expect_silent(&[1]);
}
