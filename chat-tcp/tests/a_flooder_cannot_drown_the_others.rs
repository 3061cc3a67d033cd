//! Flood: the others' lines all arrive, the flooder is warned once per burst and limited.

mod support;

use support::TestServer;

#[test]
fn a_flooder_cannot_drown_the_others() {
    let mut server = TestServer::start("flood");
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    let mut flooder = server.join("Flooder");
    alice.expect(&[
        "[Server]: Bob has joined the chat.",
        "[Server]: Flooder has joined the chat.",
    ]);
    bob.expect(&["[Server]: Flooder has joined the chat."]);

    let mut burst = String::new();
    for i in 0..5_000 {
        burst.push_str(&format!("spam {i}\n"));
    }
    let start = std::time::Instant::now();
    flooder.send_raw(burst.as_bytes());
    for i in 0..10 {
        alice.send(&format!("alice {i}"));
        bob.send(&format!("bob {i}"));
    }
    // Everyone's lines arrive; the flooder's few permitted lines are interleaved.
    let mut from_flooder = 0usize;
    let (mut got_alice, mut got_bob) = (0, 0);
    while got_alice < 10 {
        let l = bob.line();
        if l.starts_with("Flooder >> ") {
            from_flooder += 1;
        } else {
            assert_eq!(l, format!("Alice >> alice {got_alice}"));
            got_alice += 1;
        }
    }
    while got_bob < 10 {
        let l = alice.line();
        if !l.starts_with("Flooder >> ") {
            assert_eq!(l, format!("Bob >> bob {got_bob}"));
            got_bob += 1;
        }
    }
    // The flooder was warned (between the others' lines, which it also receives); the one
    // `flood` record below shows it was one burst, so one warning.
    let before = flooder.until("[Server]: You are sending too fast; some lines were not sent.");
    assert!(
        before
            .iter()
            .all(|l| l.starts_with("Alice >> ") || l.starts_with("Bob >> ")),
        "{before:?}"
    );
    let elapsed = start.elapsed().as_secs_f64();
    let events = server.log_events();
    let chats = events
        .iter()
        .filter(|e| e.starts_with("chat Flooder: "))
        .count();
    // Burst 20 plus 10 lines/s for as long as the test ran.
    let allowed = 20.0 + 10.0 * (elapsed + 1.0);
    assert!(
        chats >= 20 && (chats as f64) <= allowed,
        "{chats} lines in {elapsed:.2}s"
    );
    assert!(from_flooder <= chats);
    let warnings: Vec<_> = events
        .iter()
        .filter(|e| e.starts_with("flood Flooder dropped"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
}

#[test]
fn repeating_the_same_line_drains_the_budget_faster() {
    let server = TestServer::start("wallpaper");
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    // 20 tokens: the first line costs 1, each repeat 1 + 2, so the 8th identical line is
    // refused (1 + 3 * 6 = 19 tokens spent, 1 left; the refill during the test is far
    // below one token per line sent back to back).
    let mut lines = String::new();
    for _ in 0..12 {
        lines.push_str("same old line\n");
    }
    bob.send_raw(lines.as_bytes());
    bob.expect(&["[Server]: You are sending too fast; some lines were not sent."]);
    let mut seen = 0;
    alice.send("/user");
    loop {
        let l = alice.line();
        if l.starts_with("[Server]: Users") {
            break;
        }
        assert_eq!(l, "Bob >> same old line");
        seen += 1;
    }
    assert!((7..=8).contains(&seen), "{seen} repeats got through");
}
