//! Flood limit: a burst of 20 lines, then one warning per burst and silent drops, refilled
//! at 10 lines/s; the log gets one `flood` record with the count when the burst ends.

mod support;

use support::{Sim, ms, secs};

const WARNING: &str = "[Server]: You are sending too fast; some lines were not sent.";

#[test]
fn flood_burst_then_one_warning_then_silent_drops() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");

    for n in 0..20 {
        sim.line(1, &format!("line {n}"));
    }
    assert_eq!(sim.take(2).len(), 20);
    sim.take_logs();

    sim.line(1, "line 20");
    sim.expect(1, &[WARNING]);
    for n in 21..25 {
        sim.line(1, &format!("line {n}"));
    }
    // Commands count too, and are dropped as silently.
    sim.line(1, "/user");
    sim.expect_silent(&[1, 2]);
    sim.expect_logs(&[]);

    // 100 ms at 10 lines/s refills one line; the burst of drops is logged once, with its count.
    sim.advance(ms(99));
    sim.line(1, "still too soon");
    sim.expect_silent(&[1, 2]);
    sim.advance(ms(1));
    sim.line(1, "after");
    sim.expect(2, &["Alice >> after"]);
    sim.expect_logs(&[
        "[lobby] flood Alice dropped 7 lines",
        "[lobby] chat Alice: after",
    ]);

    // A new burst of drops gets a new warning.
    sim.line(1, "again");
    sim.expect(1, &[WARNING]);
    sim.expect_silent(&[2]);

    // Two idle seconds refill the whole burst, and no more.
    sim.advance(secs(10));
    for n in 0..21 {
        sim.line(1, &format!("refilled {n}"));
    }
    assert_eq!(sim.take(2).len(), 20);
    sim.expect(1, &[WARNING]);
}

#[test]
fn flood_drops_are_logged_when_the_flooder_leaves() {
    let mut sim = Sim::config(|c| c.flood_burst = 2);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for n in 0..5 {
        sim.line(1, &format!("{n}"));
    }
    sim.clear();
    sim.disconnect(1);
    sim.expect_logs(&[
        "[lobby] flood Alice dropped 3 lines",
        "[lobby] leave Alice closed",
        "[lobby] admin Bob",
    ]);
}

#[test]
fn the_flood_limit_is_per_member() {
    let mut sim = Sim::config(|c| c.flood_burst = 2);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for n in 0..3 {
        sim.line(1, &format!("{n}"));
    }
    sim.expect(1, &[WARNING]);
    sim.line(2, "unaffected");
    sim.expect(1, &["Bob >> unaffected"]);
}
