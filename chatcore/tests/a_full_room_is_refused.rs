//! `/join` to a room at capacity is refused with the counts, and the joiner stays where it
//! was; rooms share the server's capacity (PROTOCOL.md §8).

mod support;

use support::Sim;

#[test]
fn a_full_room_is_refused() {
    let mut sim = Sim::config(|c| {
        c.capacity = 2;
        c.history = 0;
    });
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/join small");
    sim.join(3, "Carol");
    sim.line(3, "/join small");
    sim.clear();

    sim.line(2, "/join SMALL");
    sim.expect(2, &["[Server]: The room \"small\" is full (2/2)."]);
    sim.expect_nothing_sent();
    sim.expect_logs(&["[lobby] rejected Bob (c2): The room \"small\" is full (2/2)."]);
    assert_eq!(sim.members(), ["Bob"]);
    assert_eq!(sim.members_of("small"), ["Alice", "Carol"]);

    // A place frees up: the same /join works.
    sim.line(3, "/quit");
    sim.clear();
    sim.line(2, "/join small");
    sim.expect(2, &["[Server]: You joined \"small\" (2/2 online)."]);
}
