//! An unknown `/word` gets a reply naming it and is never sent to the others.

mod support;

use support::Sim;

#[test]
fn unknown_command_is_never_broadcast() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");

    sim.line(1, "/dance now please");
    sim.expect(
        1,
        &["[Server]: Unknown command \"/dance\". Type /help for the list."],
    );
    sim.line(1, "/");
    sim.expect(
        1,
        &["[Server]: Unknown command \"/\". Type /help for the list."],
    );
    sim.line(1, "/kickBob");
    sim.expect(
        1,
        &["[Server]: Unknown command \"/kickBob\". Type /help for the list."],
    );
    sim.line(1, "/개똥");
    sim.expect(
        1,
        &["[Server]: Unknown command \"/개똥\". Type /help for the list."],
    );
    // A long word is cut in the echo.
    sim.line(1, &format!("/{}", "z".repeat(100)));
    let cut = format!(
        "[Server]: Unknown command \"/{}...\". Type /help for the list.",
        "z".repeat(31)
    );
    sim.expect(1, &[cut.as_str()]);
    sim.expect_silent(&[2]);
    assert_eq!(
        sim.take_logs()[0],
        "[lobby] rejected Alice (c1): Unknown command \"/dance\". Type /help for the list."
    );
}
