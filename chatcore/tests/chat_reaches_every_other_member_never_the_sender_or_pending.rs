//! A plain line goes to every other member as `nick >> text`: never back to the sender,
//! never to a connection still choosing a nickname.

mod support;

use support::Sim;

#[test]
fn chat_reaches_every_other_member_never_the_sender_or_pending() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.connect(4);
    sim.clear();

    sim.line(1, "Hello everyone!");
    sim.expect(2, &["Alice >> Hello everyone!"]);
    sim.expect(3, &["Alice >> Hello everyone!"]);
    sim.expect_silent(&[1, 4]);
    sim.expect_logs(&["[lobby] chat Alice: Hello everyone!"]);

    // Text is delivered as typed, inner and trailing spaces included.
    sim.line(3, "  two  spaces  ");
    sim.expect(1, &["Charlie >>   two  spaces  "]);
    sim.expect(2, &["Charlie >>   two  spaces  "]);
    sim.expect_silent(&[3, 4]);
}

#[test]
fn a_lone_member_talks_to_nobody() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.line(1, "anyone?");
    sim.expect_nothing_sent();
    sim.expect_logs(&["[lobby] chat Alice: anyone?"]);
}
