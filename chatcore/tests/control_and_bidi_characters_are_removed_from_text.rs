//! Sanitising: C0 controls but TAB (which becomes a space), DEL, C1, bidi controls and line
//! separators are removed from chat, whispers, scheduled text and kick reasons, and from
//! what is logged.

mod support;

use support::{Sim, secs};

/// ESC [2J (clear screen), BEL, an RTL override, a line separator, NEL, a C1 CSI, DEL and
/// a TAB woven into "hello world".
const DIRTY: &str = "he\x1b[2Jl\x07l\u{202E}o\u{2028}\u{85}\u{9B}\x7f\tw\u{2066}or\u{2069}ld\r";
const CLEAN: &str = "he[2Jllo world";

#[test]
fn chat_is_sanitised() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, DIRTY);
    let expected = format!("Alice >> {CLEAN}");
    sim.expect(2, &[expected.as_str()]);
    let logged = format!("[lobby] chat Alice: {CLEAN}");
    sim.expect_logs(&[logged.as_str()]);
}

#[test]
fn whisper_is_sanitised() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, &format!("/whisper Bob {DIRTY}"));
    let to = format!("[Whisper from Alice] {CLEAN}");
    let copy = format!("[Whisper to Bob] {CLEAN}");
    sim.expect(2, &[to.as_str()]);
    sim.expect(1, &[copy.as_str()]);
}

#[test]
fn scheduled_text_is_sanitised() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.line(1, &format!("/schedule 06:30Z {DIRTY}"));
    let reply = format!("[Server]: Scheduled #1 for 06:30 today (+00:00), in 1m: {CLEAN}");
    sim.expect(1, &[reply.as_str()]);
    sim.advance(secs(1));
    let fired = format!("[Scheduled by Alice] {CLEAN}");
    sim.expect(1, &[fired.as_str()]);
}

#[test]
fn kick_reason_is_sanitised() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");
    sim.line(1, &format!("/kick Bob {DIRTY}"));
    let kicked = format!("[Server]: You have been kicked from the chat. Reason: {CLEAN}");
    let told = format!("[Server]: Bob has been kicked from the chat. Reason: {CLEAN}");
    sim.expect(2, &[kicked.as_str()]);
    sim.expect(3, &[told.as_str()]);
    let logged = format!("[lobby] kick Alice -> Bob: {CLEAN}");
    sim.expect_logs(&[logged.as_str()]);
}

#[test]
fn a_line_of_only_control_characters_sends_nothing() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    for line in [
        "\x1b\x07",
        "\u{202E}\u{2066}",
        "\t \t",
        "",
        "   ",
        "\u{2028}\r",
    ] {
        sim.line(1, line);
    }
    sim.expect_nothing_sent();
    sim.expect_logs(&[]);
    // A kick reason of only controls is no reason.
    sim.line(1, "/kick Bob \x1b\x07");
    sim.expect(2, &["[Server]: You have been kicked from the chat."]);
    sim.expect_logs(&["[lobby] kick Alice -> Bob"]);
}
