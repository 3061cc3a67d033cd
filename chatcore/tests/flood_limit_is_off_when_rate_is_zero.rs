//! `flood_rate: 0` turns the limit off (benchmarks): every line goes out, repeats included.

mod support;

use support::Sim;

#[test]
fn flood_limit_is_off_when_rate_is_zero() {
    let mut sim = Sim::config(|c| c.flood_rate = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for n in 0..500 {
        sim.line(1, &format!("line {n}"));
    }
    for _ in 0..500 {
        sim.line(1, "same again");
    }
    assert_eq!(sim.take(2).len(), 1000);
    sim.expect_silent(&[1]);
    let logs = sim.take_logs();
    assert_eq!(logs.len(), 1000);
    assert!(logs.iter().all(|l| l.starts_with("[lobby] chat Alice: ")));
}
