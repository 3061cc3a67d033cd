//! A schedule fires in the room it was set in. Its author having moved to another room
//! with `/join`, it reads `(left)` there; the author's own count is free in the new room.

mod support;

use support::{Sim, secs};

#[test]
fn schedule_of_a_member_who_moved_away_is_marked_left() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for n in 0..5 {
        sim.line(2, &format!("/schedule 06:30Z from the lobby {n}"));
    }
    sim.line(2, "/join study");
    sim.clear();
    sim.line(2, "/schedule 06:31Z from study");
    let reply = sim.take(2);
    assert_eq!(reply.len(), 1);
    assert!(
        reply[0].starts_with("[Server]: Scheduled #6 for 06:31"),
        "{reply:?}"
    );

    sim.advance(secs(1));
    let fired = sim.take(1);
    assert_eq!(fired.len(), 5);
    assert_eq!(fired[0], "[Scheduled by Bob (left)] from the lobby 0");
    sim.expect_silent(&[2]);
    sim.advance(secs(60));
    sim.expect(2, &["[Scheduled by Bob] from study"]);
    sim.expect_silent(&[1]);
}
