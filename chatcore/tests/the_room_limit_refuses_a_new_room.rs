//! At `max_rooms` (the default room included) `/join` cannot create another room, but
//! existing rooms can still be joined.

mod support;

use support::Sim;

#[test]
fn the_room_limit_refuses_a_new_room() {
    let mut sim = Sim::config(|c| {
        c.max_rooms = 2;
        c.history = 0;
    });
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/join one");
    sim.clear();

    sim.line(2, "/join two");
    sim.expect(
        2,
        &["[Server]: The server already has 2 rooms (max 2); join one of them."],
    );
    sim.expect_nothing_sent();
    assert!(sim.hall.room("two").is_none());
    sim.line(2, "/join one");
    sim.expect(2, &["[Server]: You joined \"one\" (2/10 online)."]);
    // A bad name is refused before anything else.
    sim.line(2, "/join no/slash");
    sim.expect(
        2,
        &["[Server]: Room names are letters, digits, _ - or . (not starting with . or -)."],
    );
}
