//! A connection that chooses no nickname within 60 s is told so and closed.

mod support;

use support::{Sim, ms, secs};

#[test]
fn no_nickname_within_sixty_seconds_closes_the_connection() {
    let mut sim = Sim::new();
    sim.connect(1);
    sim.take(1);
    assert_eq!(sim.next_deadline_in(), Some(secs(60)));

    // Failed attempts do not extend the deadline.
    sim.advance(secs(30));
    sim.line(1, "bad name");
    sim.take(1);

    sim.advance(secs(30) - ms(1));
    sim.timeout();
    sim.expect_nothing_sent();
    sim.expect_closed(&[]);

    sim.advance(ms(1));
    sim.expect(1, &["[Server]: No nickname chosen in time. Bye."]);
    sim.expect_closed(&[1]);
    assert_eq!(
        sim.take_log_lines().last().map(String::as_str),
        Some("2026-11-25T06:30:59.000Z refused c1: No nickname chosen in time. Bye.")
    );
    assert_eq!(sim.hall.poll_timeout(), None);

    // Too late: the closed connection's nickname is ignored.
    sim.line(1, "Alice");
    sim.expect_nothing_sent();
    assert_eq!(sim.members(), Vec::<String>::new());
}

#[test]
fn a_nickname_in_time_cancels_the_deadline() {
    let mut sim = Sim::new();
    sim.connect(1);
    sim.advance(secs(59));
    sim.line(1, "Alice");
    sim.clear();
    assert_eq!(sim.hall.poll_timeout(), None);
    sim.advance(secs(3600));
    sim.expect_nothing_sent();
    sim.expect_closed(&[]);
    assert_eq!(sim.members(), ["Alice"]);
}

#[test]
fn the_deadline_is_configurable() {
    let mut sim = Sim::config(|c| c.nick_timeout = secs(5));
    sim.connect(1);
    sim.connect(2);
    sim.take(1);
    sim.take(2);
    sim.advance(secs(5));
    sim.expect(1, &["[Server]: No nickname chosen in time. Bye."]);
    sim.expect(2, &["[Server]: No nickname chosen in time. Bye."]);
    sim.expect_closed(&[1, 2]);
}
