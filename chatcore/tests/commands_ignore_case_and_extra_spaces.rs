//! Commands match in any case; arguments may be separated by several spaces.

mod support;

use support::Sim;

#[test]
fn commands_ignore_case_and_extra_spaces() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");

    sim.line(2, "/ReNaMe    Bobby   ");
    sim.expect(2, &["[Server]: You are now \"Bobby\"."]);
    sim.clear();
    sim.line(2, "/WHISPER   Charlie    hi  there");
    sim.expect(3, &["[Whisper from Bobby] hi  there"]);
    sim.line(3, "/User");
    sim.expect(
        3,
        &["[Server]: Users (3/10): Alice (admin), Bobby, Charlie"],
    );
    sim.line(1, "/Kick    bobby");
    sim.expect(1, &["[Server]: You kicked Bobby."]);
    sim.expect(3, &["[Server]: Bobby has been kicked from the chat."]);
    sim.line(3, "/QuIt");
    sim.expect(3, &["[Server]: Bye, Charlie."]);
    sim.expect_closed(&[2, 3]);
}
