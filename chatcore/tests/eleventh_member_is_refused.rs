//! The room holds 10 members; the 11th connection is told the room is full and closed.

mod support;

use support::Sim;

#[test]
fn eleventh_member_is_refused() {
    let mut sim = Sim::new();
    for id in 1..=10 {
        sim.join(id, &format!("user{id}"));
    }
    assert_eq!(sim.members().len(), 10);

    sim.connect(11);
    sim.expect(
        11,
        &["[Server]: The chat room is full (10/10). Try again later."],
    );
    sim.expect_closed(&[11]);
    sim.expect_logs(&[
        "connect c11",
        "refused c11: The chat room is full (10/10). Try again later.",
    ]);
    // A refused connection never joins and costs nothing: no nickname deadline.
    sim.line(11, "Eleven");
    sim.expect_nothing_sent();
    assert_eq!(sim.members().len(), 10);
    assert_eq!(sim.hall.poll_timeout(), None);
    sim.disconnect(11);
    sim.expect_logs(&[]);

    // A member leaving frees the place.
    sim.disconnect(10);
    sim.connect(12);
    sim.expect(
        12,
        &["[Server]: Welcome to the open chat (9/10 online). Enter a nickname:"],
    );
    sim.line(12, "Twelve");
    sim.expect(
        12,
        &["[Server]: Welcome, Twelve! 10/10 online. Type /help for commands."],
    );
}

#[test]
fn room_filling_while_choosing_a_nickname_refuses_at_the_nickname() {
    let mut sim = Sim::config(|c| c.capacity = 2);
    sim.join(1, "Alice");
    sim.connect(2);
    sim.connect(3);
    sim.line(2, "Bob");
    sim.clear();

    sim.line(3, "Charlie");
    sim.expect(
        3,
        &["[Server]: The chat room is full (2/2). Try again later."],
    );
    sim.expect_closed(&[3]);
    sim.expect_silent(&[1, 2]);
    assert_eq!(sim.members(), ["Alice", "Bob"]);
    // Its nickname deadline went with it.
    assert_eq!(sim.hall.poll_timeout(), None);
}
