//! A `/user` list too long for one line continues on further `[Server]: ... ` lines, none of
//! them over the output cap, with every member exactly once and in order.

mod support;

use support::Sim;

#[test]
fn user_list_wraps_before_the_output_cap() {
    let mut sim = Sim::config(|c| {
        c.capacity = 60;
        c.max_pending = 100;
        c.max_line_bytes = 256;
    });
    let names: Vec<String> = (0..60)
        .map(|n| format!("member{n:02}_{}", "x".repeat(11)))
        .collect();
    for (id, name) in (1..).zip(&names) {
        sim.join(id, name);
    }

    sim.line(7, "/user");
    let lines = sim.take(7);
    assert!(lines.len() > 1, "{lines:?}");
    // The harness already checked each line fits 256 + 256 bytes.
    let first = lines[0]
        .strip_prefix("[Server]: Users (60/60): ")
        .expect("head");
    let mut listed: Vec<&str> = first.split(", ").collect();
    for more in &lines[1..] {
        let rest = more.strip_prefix("[Server]: ... ").expect("continuation");
        listed.extend(rest.split(", "));
    }
    let mut expected: Vec<String> = names.clone();
    expected[0].push_str(" (admin)");
    assert_eq!(listed, expected);
    // Lines are filled, not one name each.
    assert!(lines.len() <= 4, "{lines:?}");
}
