//! When a room's admin leaves (for another room or for good), the member who has been in
//! that room longest becomes its admin; other rooms are not told (PROTOCOL.md §4, §8).

mod support;

use support::Sim;

#[test]
fn admin_succession_is_per_room() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Carol");
    sim.join(4, "Dave");
    sim.line(3, "/join study");
    sim.line(4, "/join study");
    sim.clear();

    // Carol, study's admin, goes for good: Dave takes over there; the lobby hears nothing.
    sim.line(3, "/quit");
    sim.expect(3, &["[Server]: Bye, Carol."]);
    sim.expect(
        4,
        &[
            "[Server]: Carol has left the chat.",
            "[Server]: Dave is now the admin.",
        ],
    );
    sim.expect_silent(&[1, 2]);
    sim.expect_logs(&["[study] leave Carol quit", "[study] admin Dave"]);

    // Alice, the lobby's admin, moves to study: Bob takes over the lobby; in study Dave
    // stays admin.
    sim.line(1, "/join study");
    sim.expect(1, &["[Server]: You joined \"study\" (2/10 online)."]);
    sim.expect(
        2,
        &[
            "[Server]: Alice has left the room.",
            "[Server]: Bob is now the admin.",
        ],
    );
    sim.expect(4, &["[Server]: Alice has joined the chat."]);
    assert_eq!(sim.admin().as_deref(), Some("Bob"));
    assert_eq!(sim.admin_of("study").as_deref(), Some("Dave"));
}
