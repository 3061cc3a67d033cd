//! `/schedule` through the real engine loop with a shifted wall clock.

mod support;

use support::TestServer;
use time::macros::{datetime, offset};

#[test]
fn a_schedule_whose_author_left_is_still_delivered() {
    let clock = chat_tcp::Clock::starting_at(datetime!(2026-11-25 06:00 UTC));
    let mut server = TestServer::with("sched-left", |c| {
        c.room.utc_offset = offset!(+09:00);
        c.clock = clock.clone();
    });
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    // One second before 06:30 UTC, however long the start took.
    clock.set_wall(datetime!(2026-11-25 06:29:59 UTC));
    // An explicit offset wins over the server's.
    bob.send("/schedule 06:30Z Meeting starts soon");
    let reply = bob.line();
    assert!(
        reply.starts_with("[Server]: Scheduled #1 for 06:30 today (+00:00), in 1m:"),
        "{reply}"
    );
    bob.send("/quit");
    bob.expect(&["[Server]: Bye, Bob."]);
    alice.expect(&[
        "[Server]: Bob has left the chat.",
        "[Scheduled by Bob (left)] Meeting starts soon",
    ]);
    drop((alice, bob));
    let events = server.log_events();
    assert!(
        events.contains(&"[lobby] fired #1 Bob: Meeting starts soon".to_owned()),
        "{events:?}"
    );
}

#[test]
fn a_bare_time_uses_the_server_offset_and_the_next_day_when_past() {
    let clock = chat_tcp::Clock::starting_at(datetime!(2026-11-25 06:00 UTC));
    let server = TestServer::with("sched-next", |c| {
        c.room.utc_offset = offset!(+09:00);
        c.clock = clock.clone();
    });
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    clock.set_wall(datetime!(2026-11-25 06:30:30 UTC));
    alice.send("/schedule 15:30 tomorrow's meeting");
    let reply = alice.line();
    // 15:30:30 now, so the next 15:30 is 23 h 59 min 30 s away (rounded up to the minute).
    assert_eq!(
        reply,
        "[Server]: Scheduled #1 for 15:30 tomorrow (+09:00), in 24h 00m: tomorrow's meeting"
    );
}
