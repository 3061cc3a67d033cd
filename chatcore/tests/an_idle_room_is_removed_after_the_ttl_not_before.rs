//! A room other than the default one is removed once it has had no member and no pending
//! schedule for the room ttl, not a moment before; until then it keeps its code, and the
//! first to enter it again is its admin. The default room is never removed.

mod support;

use support::{Sim, secs};

#[test]
fn an_idle_room_is_removed_after_the_ttl_not_before() {
    let mut sim = Sim::config(|c| {
        c.room_ttl = secs(600);
        c.history = 0;
    });
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/join study s3cret");
    sim.line(1, "/join lobby");
    sim.clear();
    assert_eq!(sim.next_deadline_in(), Some(secs(600)));

    // Still there one second before the ttl, with its code; Bob enters and is its admin.
    sim.advance(secs(599));
    sim.expect_logs(&[]);
    sim.line(2, "/join study s3cret");
    sim.expect(
        2,
        &[
            "[Server]: You joined \"study\" (1/10 online).",
            "[Server]: You are the admin.",
        ],
    );
    // While someone is in it the ttl does not run.
    assert_eq!(sim.next_deadline_in(), None);
    sim.advance(secs(3600));
    sim.line(2, "/join lobby");
    sim.clear();

    // A pending schedule keeps an empty room too, and the ttl runs from its firing.
    sim.line(2, "/join study s3cret");
    sim.line(2, "/schedule 07:30Z later");
    sim.line(2, "/join lobby");
    sim.clear();
    sim.advance(secs(600));
    assert!(sim.hall.room("study").is_some());
    let fired_in = sim.next_deadline_in().expect("the schedule");
    sim.advance(fired_in);
    sim.expect_logs(&["[study] fired #1 Bob: later"]);
    sim.advance(secs(599));
    assert!(sim.hall.room("study").is_some());
    sim.advance(secs(1));
    sim.expect_logs(&["[study] room removed"]);
    assert!(sim.hall.room("study").is_none());
    assert_eq!(sim.next_deadline_in(), None);

    // Its name is free again: the next /join creates a new room, without the old code.
    sim.line(1, "/join study");
    sim.expect(1, &["[Server]: You created \"study\" and are its admin."]);
    // The default room, empty or not, stays.
    sim.line(2, "/join study");
    sim.advance(secs(86_400 * 2));
    assert!(sim.hall.room("lobby").is_some());
}
