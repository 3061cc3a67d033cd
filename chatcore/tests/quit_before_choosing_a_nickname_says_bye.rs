//! `/quit` at the nickname prompt leaves instead of being refused as a nickname.

mod support;

use support::Sim;

#[test]
fn quit_before_choosing_a_nickname_says_bye() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.connect(2);
    sim.clear();
    sim.line(2, " /QUIT ");
    sim.expect(2, &["[Server]: Bye."]);
    sim.expect_closed(&[2]);
    sim.expect_silent(&[1]);
    sim.expect_logs(&["refused c2: Bye."]);
}
