//! Flood: the others' lines all arrive, the flooder is warned once per burst and limited.

mod support;

use std::net::Shutdown;
use std::time::Instant;

use support::{Client, TestServer};

const WARNING: &str = "[Server]: You are sending too fast; some lines were not sent.";

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

    const SENT: usize = 5_000;
    let mut burst = String::new();
    for i in 0..SENT {
        burst.push_str(&format!("spam {i}\n"));
    }
    let start = Instant::now();
    flooder.send_raw(burst.as_bytes());
    for i in 0..10 {
        alice.send(&format!("alice {i}"));
        bob.send(&format!("bob {i}"));
    }
    // Everyone's lines arrive, in order; the flooder's permitted lines are interleaved.
    let (mut alice_saw, mut bob_saw) = (Vec::new(), Vec::new());
    for i in 0..10 {
        alice_saw.extend(skip_flooder(&mut alice, &format!("Bob >> bob {i}")));
        bob_saw.extend(skip_flooder(&mut bob, &format!("Alice >> alice {i}")));
    }
    // The flooder closes its side: the server reads the rest of its input before the end
    // of the stream, so "has left" means every line of the flood has been handled.
    flooder.stream.shutdown(Shutdown::Write).expect("shutdown");
    alice_saw.extend(skip_flooder(
        &mut alice,
        "[Server]: Flooder has left the chat.",
    ));
    bob_saw.extend(skip_flooder(
        &mut bob,
        "[Server]: Flooder has left the chat.",
    ));
    let elapsed = start.elapsed().as_secs_f64();
    // The flooder got the others' lines and one warning per burst of drops, nothing else.
    let got = flooder.expect_closed();
    let warnings = got.iter().filter(|l| *l == WARNING).count();
    assert!(
        got.iter().all(|l| l == WARNING
            || l.starts_with("Alice >> alice ")
            || l.starts_with("Bob >> bob ")),
        "{got:?}"
    );
    drop((alice, bob));

    let events = server.log_events();
    let logged: Vec<String> = events
        .iter()
        .filter_map(|e| e.strip_prefix("[lobby] chat Flooder: "))
        .map(|text| format!("Flooder >> {text}"))
        .collect();
    // What the others saw of the flooder is exactly what was let through, in order.
    assert_eq!(alice_saw, logged);
    assert_eq!(bob_saw, logged);
    // The bucket starts full: the first 20 lines pass, then 10 lines/s for as long as the
    // test ran (plus one for rounding), far fewer than were sent.
    let first: Vec<String> = (0..20).map(|i| format!("Flooder >> spam {i}")).collect();
    assert!(logged.len() >= 20 && logged[..20] == first, "{logged:?}");
    let allowed = 20.0 + 10.0 * elapsed + 1.0;
    assert!(
        logged.len() as f64 <= allowed,
        "{} lines in {elapsed:.2}s",
        logged.len()
    );
    // One `flood` record per burst of drops, and one warning per burst; every line sent was
    // either let through or counted as dropped.
    let dropped: Vec<usize> = events
        .iter()
        .filter_map(|e| e.strip_prefix("[lobby] flood Flooder dropped "))
        .map(|rest| {
            rest.strip_suffix(" lines")
                .and_then(|n| n.parse().ok())
                .expect("dropped count")
        })
        .collect();
    assert!(!dropped.is_empty(), "no flood record");
    assert_eq!(warnings, dropped.len(), "{dropped:?}");
    assert_eq!(logged.len() + dropped.iter().sum::<usize>(), SENT);
}

/// Reads lines until `want`; returns the flooder's lines read on the way, and fails on
/// anything else.
fn skip_flooder(c: &mut Client, want: &str) -> Vec<String> {
    let skipped = c.until(want);
    assert!(
        skipped.iter().all(|l| l.starts_with("Flooder >> ")),
        "{skipped:?} before {want:?}"
    );
    skipped
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
