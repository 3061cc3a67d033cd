//! A kick bans from the room it happened in: the kicked member may come back to the server
//! and use other rooms, but `/join` to that room is refused with its name and the time left.

mod support;

use support::Sim;

#[test]
fn kick_ban_holds_for_the_room_it_was_made_in() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "/join study");
    sim.line(1, "/join study");
    sim.line(2, "/kick Alice");
    sim.expect_closed(&[1]);
    sim.disconnect(1);
    sim.clear();

    // The lobby has no ban on Alice.
    sim.join(1, "Alice");
    sim.line(1, "/join study");
    sim.expect(
        1,
        &["[Server]: You are banned from \"study\" for 10 more minutes."],
    );
    sim.expect_silent(&[2]);
    sim.line(1, "/join other");
    sim.expect(1, &["[Server]: You created \"other\" and are its admin."]);

    // Lifted, the join goes through.
    sim.line(2, "/unban alice");
    sim.expect(2, &["[Server]: Alice may enter again."]);
    sim.line(1, "/join study");
    sim.expect(1, &["[Server]: You joined \"study\" (2/10 online)."]);
}
