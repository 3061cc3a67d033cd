//! A time `/schedule` cannot read is refused with the accepted forms; nothing is set.

mod support;

use support::Sim;

#[test]
fn invalid_schedule_time_is_refused() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for bad in [
        "25:00",
        "23:60",
        "12:30+9",
        "12:30UTC",
        "noon",
        "7:5",
        "１２:００",
    ] {
        sim.line(1, &format!("/schedule {bad} text"));
        let reply = format!("[Server]: Invalid time \"{bad}\"; use HH:MM, HH:MM+09:00 or HH:MMZ.");
        sim.expect(1, &[reply.as_str()]);
    }
    // A long time argument is cut to 16 characters in the echo.
    sim.line(1, "/schedule 12:30+09:00:00:00:00 text");
    sim.expect(
        1,
        &["[Server]: Invalid time \"12:30+09:00:00:0\"; use HH:MM, HH:MM+09:00 or HH:MMZ."],
    );
    sim.expect_silent(&[2]);
    assert_eq!(sim.hall.poll_timeout(), None);
    // No number was used up.
    sim.line(1, "/schedule 07:00Z ok");
    sim.expect(
        1,
        &["[Server]: Scheduled #1 for 07:00 today (+00:00), in 31m: ok"],
    );
}
