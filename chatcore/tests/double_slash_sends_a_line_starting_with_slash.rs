//! `//text` escapes one slash: it is chat, not a command.

mod support;

use support::Sim;

#[test]
fn double_slash_sends_a_line_starting_with_slash() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");

    sim.line(1, "//etc");
    sim.expect(2, &["Alice >> /etc"]);
    sim.line(1, "///x");
    sim.expect(2, &["Alice >> //x"]);
    sim.line(1, "//kick Bob");
    sim.expect(2, &["Alice >> /kick Bob"]);
    sim.expect_silent(&[1]);
    sim.expect_closed(&[]);
    assert_eq!(sim.members(), ["Alice", "Bob"]);
    sim.expect_logs(&[
        "[lobby] chat Alice: /etc",
        "[lobby] chat Alice: //x",
        "[lobby] chat Alice: /kick Bob",
    ]);
}
