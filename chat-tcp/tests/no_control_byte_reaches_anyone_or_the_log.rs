//! Every kind of dangerous character, in every place a member can put text: none reaches
//! another member or server.txt, and no log entry can be forged.

mod support;

use support::TestServer;
use time::macros::datetime;

/// ESC sequences (clear screen, OSC 52 clipboard), BEL, backspace, CR overwrite, a bidi
/// override, line and paragraph separators, NEL, DEL and a C1 CSI.
const NASTY: &str =
    "\u{1b}[2J\u{1b}]52;c;aGk=\u{7}\u{8}\rX\u{202e}Y\u{2028}Z\u{2029}W\u{85}V\u{7f}\u{9b}31m";

#[test]
fn no_control_byte_reaches_anyone_or_the_log() {
    let clock = chat_tcp::Clock::starting_at(datetime!(2026-11-25 06:29:00 UTC));
    let mut server = TestServer::with("nasty", |c| c.clock = clock.clone());
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);

    // A nickname with any of them is refused, not cleaned.
    let mut bob = server.connect();
    for c in [
        "\u{1b}", "\u{7}", "\u{8}", "\r", "\u{202e}", "\u{2028}", "\u{85}", "\u{9b}",
    ] {
        bob.send(&format!("Bo{c}b"));
        let reply = bob.line();
        assert!(reply.starts_with("[Server]: Nickname must be"), "{reply}");
    }
    bob.send("Bob");
    bob.line();
    alice.expect(&["[Server]: Bob has joined the chat."]);

    bob.send(&format!("chat {NASTY}"));
    bob.send(&format!("/whisper Alice {NASTY}"));
    clock.set_wall(datetime!(2026-11-25 06:29:59 UTC));
    bob.send(&format!("/schedule 06:30Z {NASTY}"));
    // The client support checks every received line for control bytes; the text is exact.
    let clean = "[2J]52;c;aGk=XYZWV31m";
    bob.expect(&[
        &format!("[Whisper to Alice] {clean}"),
        &format!("[Server]: Scheduled #1 for 06:30 today (+00:00), in 1m: {clean}"),
    ]);
    alice.send(&format!("/kick Bob {NASTY}"));
    alice.expect(&[
        &format!("Bob >> chat {clean}"),
        &format!("[Whisper from Bob] {clean}"),
        "[Server]: You kicked Bob.",
        // Bob's schedule was cancelled by the kick: it never fires.
    ]);
    let kicked = bob.expect_closed();
    assert_eq!(
        kicked,
        [format!(
            "[Server]: You have been kicked from the chat. Reason: {clean}"
        )]
    );
    alice.send("/user");
    alice.expect(&["[Server]: Users (1/10): Alice (admin)"]);

    drop((alice, bob));
    let events = server.log_events();
    let raw = std::fs::read(&server.log).expect("log");
    assert!(
        raw.iter().all(|&b| b >= 0x20 && b != 0x7f || b == b'\n'),
        "a control byte in server.txt"
    );
    let text = String::from_utf8(raw).expect("utf8");
    for bad in ['\u{2028}', '\u{2029}', '\u{85}', '\u{202e}', '\u{9b}'] {
        assert!(!text.contains(bad), "{bad:?} in server.txt");
    }
    // One record per event, each on its own line: nothing split a record in two.
    for want in [
        format!("[lobby] chat Bob: chat {clean}"),
        format!("[lobby] whisper Bob -> Alice: {clean}"),
        format!("[lobby] kick Alice -> Bob: {clean}"),
        "[lobby] cancel #1 Bob kicked".to_owned(),
    ] {
        assert!(events.contains(&want), "missing {want:?} in {events:#?}");
    }
}
