//! Wallpapering: a chat line identical to the previous one costs 2 extra tokens, so
//! repeating drains the burst three times as fast.

mod support;

use support::Sim;

#[test]
fn repeated_identical_lines_cost_more() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    // 1 token, then 3 for each repeat: 20 tokens carry 1 + 7 repeats (the last one takes
    // the last token and the penalty finds the bucket empty).
    for _ in 0..9 {
        sim.line(1, "BUY NOW");
    }
    assert_eq!(sim.take(2), vec!["Alice >> BUY NOW"; 8]);
    sim.expect(
        1,
        &["[Server]: You are sending too fast; some lines were not sent."],
    );
}

#[test]
fn alternating_lines_are_not_repeats() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for n in 0..20 {
        sim.line(1, if n % 2 == 0 { "ping" } else { "pong" });
    }
    assert_eq!(sim.take(2).len(), 20);
    sim.expect_silent(&[1]);
}

#[test]
fn repeat_cost_zero_disables_the_penalty() {
    let mut sim = Sim::config(|c| c.repeat_cost = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for _ in 0..21 {
        sim.line(1, "same");
    }
    assert_eq!(sim.take(2).len(), 20);
    sim.expect(
        1,
        &["[Server]: You are sending too fast; some lines were not sent."],
    );
}
