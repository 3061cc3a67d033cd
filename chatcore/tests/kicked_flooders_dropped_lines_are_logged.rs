//! A flooder kicked in the middle of a burst of drops still gets its one `flood` record.

mod support;

use support::Sim;

#[test]
fn kicked_flooders_dropped_lines_are_logged() {
    let mut sim = Sim::config(|c| c.flood_burst = 3);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for n in 0..10 {
        sim.line(2, &format!("spam {n}"));
    }
    sim.clear();

    sim.line(1, "/kick Bob flooding");
    sim.expect_logs(&[
        "[lobby] flood Bob dropped 7 lines",
        "[lobby] kick Alice -> Bob: flooding",
    ]);
}
