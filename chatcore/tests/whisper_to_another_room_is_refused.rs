//! `/whisper` reaches members of the same room only: someone in another room gets the
//! unknown-nickname reply, which does not tell whether the name is on the server.

mod support;

use support::Sim;

#[test]
fn whisper_to_another_room_is_refused() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "/join study");
    sim.clear();

    sim.line(1, "/whisper Bob psst");
    sim.expect(1, &["[Server]: No user named \"Bob\" is in the chat."]);
    sim.expect_silent(&[2]);
    sim.line(2, "/w alice psst");
    sim.expect(2, &["[Server]: No user named \"alice\" is in the chat."]);
    sim.expect_silent(&[1]);
    // Nor can a kick reach across rooms.
    sim.line(1, "/kick Bob");
    sim.expect(1, &["[Server]: No user named \"Bob\" is in the chat."]);
    sim.expect_silent(&[2]);
    assert!(!sim.is_closed(2));
}
