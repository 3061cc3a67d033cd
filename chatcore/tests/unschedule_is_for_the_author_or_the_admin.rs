//! `/unschedule ID`: the author or the admin cancels a pending schedule, which then never
//! fires; anyone else is refused; an unknown id says so.

mod support;

use support::{Sim, secs};

#[test]
fn unschedule_is_for_the_author_or_the_admin() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.line(2, "/schedule 06:31Z one");
    sim.line(2, "/schedule 06:31Z two");
    sim.line(2, "/schedule 06:31Z three");
    sim.clear();

    sim.line(3, "/unschedule 1");
    sim.expect(
        3,
        &["[Server]: Only its author or the admin can cancel schedule #1."],
    );
    sim.line(3, "/unschedule 9");
    sim.expect(3, &["[Server]: No pending schedule #9."]);
    sim.line(3, "/unschedule soon");
    sim.expect(3, &["[Server]: Usage: /unschedule <id>"]);
    sim.line(3, "/unschedule");
    sim.expect(3, &["[Server]: Usage: /unschedule <id>"]);

    sim.line(2, "/UNSCHEDULE 1");
    sim.expect(2, &["[Server]: Schedule #1 cancelled."]);
    sim.line(1, "/unschedule #2");
    sim.expect(1, &["[Server]: Schedule #2 cancelled."]);
    sim.line(1, "/unschedule 2");
    sim.expect(1, &["[Server]: No pending schedule #2."]);
    sim.expect_silent(&[3]);
    sim.clear();

    sim.advance(secs(61));
    for id in [1, 2, 3] {
        sim.expect(id, &["[Scheduled by Bob] three"]);
    }

    // The author's count went down with each cancel: five may be pending again.
    for n in 0..5 {
        sim.line(2, &format!("/schedule 07:00Z again {n}"));
    }
    let replies = sim.take(2);
    assert!(
        replies
            .iter()
            .all(|r| r.starts_with("[Server]: Scheduled #")),
        "{replies:?}"
    );
}

#[test]
fn cancelling_is_logged_with_who_did_it() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "/schedule 06:31Z one");
    sim.line(2, "/schedule 06:31Z two");
    sim.clear();
    sim.line(2, "/unschedule 1");
    sim.line(1, "/unschedule 2");
    sim.expect_logs(&[
        "[lobby] unschedule #1 Bob by Bob",
        "[lobby] unschedule #2 Bob by Alice",
    ]);
    assert_eq!(sim.hall.poll_timeout(), None);
}
