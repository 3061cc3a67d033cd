//! PROTOCOL.md §1 and §2.2 against the real binary: invisible characters, smuggled tag
//! characters and 300 stacked combining marks never reach another member or the log, while
//! emoji ZWJ and flag sequences arrive byte for byte; `Alicė` and `Boḅ` are taken.

mod support;

use support::{Child, Client, read_events};

/// Every invisible character of §1, tag characters spelling "hi" after ordinary text,
/// 300 combining marks on one letter, and the sequences that must survive: a family, a
/// rainbow flag, Scotland's flag, a Devanagari half form and a Persian ZWNJ.
fn sent() -> String {
    let stack = "\u{301}".repeat(300);
    format!(
        "\u{200E}a\u{200F}b\u{61C}c\u{200B}d\u{2060}e\u{FEFF}f x\u{E0068}\u{E0069}\u{E007F} \
         Z{stack} \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} \u{1F3F3}\u{FE0F}\u{200D}\u{1F308} \
         \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} \
         \u{915}\u{94D}\u{200D}\u{937} \u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}"
    )
}

const RECEIVED: &str = "abcdef x Z\u{301}\u{301}\u{301}\u{301} \
    \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} \u{1F3F3}\u{FE0F}\u{200D}\u{1F308} \
    \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} \
    \u{915}\u{94D}\u{200D}\u{937} \u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}";

#[test]
fn invisible_and_stacking_characters_never_reach_another_member() {
    let mut server = Child::spawn("invisible", &[]);
    let mut alice = Client::first_member(server.addr, "Alice");
    let mut bob = Client::joined(server.addr, "Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);

    bob.send(&sent());
    let got = format!("{}\n", alice.line());
    let want = format!("Bob >> {RECEIVED}\n");
    assert_eq!(got.as_bytes(), want.as_bytes());

    // A whisper is cleaned the same way, for its recipient and in the sender's copy.
    bob.send(&format!("/w Alice {}", sent()));
    let got = format!("{}\n", alice.line());
    let want = format!("[Whisper from Bob] {RECEIVED}\n");
    assert_eq!(got.as_bytes(), want.as_bytes());
    assert_eq!(bob.line(), format!("[Whisper to Alice] {RECEIVED}"));

    drop((alice, bob));
    server.terminate();
    let events = read_events(&server.log);
    let logged = format!("[lobby] chat Bob: {RECEIVED}");
    assert!(events.contains(&logged), "{events:?}");
}

#[test]
fn names_that_differ_only_by_a_diacritic_are_taken() {
    let server = Child::spawn("diacritic", &[]);
    let mut alice = Client::first_member(server.addr, "Alice");
    let mut bob = Client::joined(server.addr, "Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    let mut mallory = Client::joining(server.addr);
    for name in ["Alic\u{117}", "Bo\u{1E05}"] {
        mallory.send(name);
        mallory.expect(&[&format!(
            "[Server]: Nickname \"{name}\" is already taken. Enter another:"
        )]);
    }
    mallory.send("Mallory");
    alice.expect(&["[Server]: Mallory has joined the chat."]);
    bob.expect(&["[Server]: Mallory has joined the chat."]);
}
