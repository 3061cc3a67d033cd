//! A scheduled message reaches every member, the author too, exactly at its time: not a
//! millisecond before, and only once.

mod support;

use support::{Sim, ms, secs};

#[test]
fn scheduled_message_fires_once_at_its_deadline_not_earlier() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.connect(3); // still choosing a nickname: gets nothing
    sim.clear();

    sim.line(2, "/schedule 15:30+09:00 Meeting starts soon");
    sim.take(2);
    sim.clear();
    assert_eq!(sim.next_deadline_in(), Some(secs(1)));

    sim.advance(ms(999));
    sim.timeout(); // an early call does nothing
    sim.expect_nothing_sent();
    sim.expect_logs(&[]);

    sim.advance(ms(1));
    sim.expect(1, &["[Scheduled by Bob] Meeting starts soon"]);
    sim.expect(2, &["[Scheduled by Bob] Meeting starts soon"]);
    sim.expect_silent(&[3]);
    sim.expect_logs(&["[lobby] fired #1 Bob: Meeting starts soon"]);

    // Once only: a late call at the same instant and two more days change nothing
    // (besides connection 3's nickname deadline).
    sim.timeout();
    sim.advance(secs(2 * 24 * 3600));
    sim.expect_silent(&[1, 2]);
    assert_eq!(
        sim.take_logs(),
        ["refused c3: No nickname chosen in time. Bye."]
    );
    assert_eq!(sim.hall.poll_timeout(), None);
}
