//! `/whisper nick text` (or `/w`) goes to that member only; the sender gets a copy.

mod support;

use support::Sim;

#[test]
fn whisper_reaches_only_the_recipient() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.connect(4);
    sim.clear();

    sim.line(2, "/whisper Charlie Hi, Charlie!");
    sim.expect(3, &["[Whisper from Bob] Hi, Charlie!"]);
    sim.expect(2, &["[Whisper to Charlie] Hi, Charlie!"]);
    sim.expect_silent(&[1, 4]);
    sim.expect_logs(&["[lobby] whisper Bob -> Charlie: Hi, Charlie!"]);

    // The alias, any case of the command and of the name, extra spaces between arguments.
    sim.line(2, "/W   charlie   psst  ");
    sim.expect(3, &["[Whisper from Bob] psst  "]);
    sim.expect(2, &["[Whisper to Charlie] psst  "]);
    sim.expect_silent(&[1, 4]);
}
