//! A schedule goes out under the author's nickname at scheduling time, even after a rename.

mod support;

use support::{Sim, secs};

#[test]
fn scheduled_message_keeps_the_name_from_before_a_rename() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Charlie");
    sim.line(2, "/schedule 06:30Z standup");
    sim.line(2, "/rename Chuck");
    sim.clear();

    sim.advance(secs(1));
    sim.expect(1, &["[Scheduled by Charlie] standup"]);
    sim.expect(2, &["[Scheduled by Charlie] standup"]);
    sim.expect_logs(&["[lobby] fired #1 Charlie: standup"]);

    // And the renamed author still owns its quota: the fired one was given back.
    for n in 0..5 {
        sim.line(2, &format!("/schedule 07:00Z s{n}"));
    }
    assert!(
        sim.take(2)
            .iter()
            .all(|l| l.starts_with("[Server]: Scheduled #"))
    );
}
