//! A kicked member loses its pending schedules: they are cancelled and the log says so.

mod support;

use support::Sim;

#[test]
fn kicking_an_author_cancels_their_schedules() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.line(2, "/schedule 06:30Z spam one");
    sim.line(1, "/schedule 06:45Z admin note");
    sim.line(2, "/schedule 07:00Z spam two");
    sim.clear();

    sim.line(1, "/kick Bob");
    sim.expect_logs(&[
        "[lobby] kick Alice -> Bob",
        "[lobby] cancel #1 Bob kicked",
        "[lobby] cancel #3 Bob kicked",
    ]);
    sim.clear();

    sim.advance(time::Duration::DAY.unsigned_abs());
    sim.expect(1, &["[Scheduled by Alice] admin note"]);
    sim.expect(3, &["[Scheduled by Alice] admin note"]);
    sim.expect_logs(&["[lobby] fired #2 Alice: admin note"]);
    assert_eq!(sim.hall.poll_timeout(), None);
}
