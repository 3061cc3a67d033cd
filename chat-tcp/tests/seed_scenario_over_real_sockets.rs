//! The seed program end to end: Alice, Bob and Charlie chat, rename, whisper, schedule and kick.

mod support;

use support::TestServer;
use time::macros::{datetime, offset};

#[test]
fn seed_scenario_over_real_sockets() {
    let clock = chat_tcp::Clock::starting_at(datetime!(2026-11-25 06:00 UTC));
    let mut server = TestServer::with("seed", |c| {
        c.room.utc_offset = offset!(+09:00);
        c.clock = clock.clone();
    });
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    let mut charlie = server.join("Charlie");
    alice.expect(&["[Server]: Charlie has joined the chat."]);
    bob.expect(&["[Server]: Charlie has joined the chat."]);

    alice.send("Hello everyone!");
    bob.expect(&["Alice >> Hello everyone!"]);
    charlie.expect(&["Alice >> Hello everyone!"]);

    bob.send("/rename Bobby");
    bob.expect(&["[Server]: You are now \"Bobby\"."]);
    for c in [&mut alice, &mut charlie] {
        c.expect(&["[Server]: User \"Bob\" has changed their nickname to \"Bobby\"."]);
    }

    bob.send("/whisper Charlie Hi, Charlie!");
    charlie.expect(&["[Whisper from Bobby] Hi, Charlie!"]);
    bob.expect(&["[Whisper to Charlie] Hi, Charlie!"]);

    // 15:29:59 in Seoul, however long the start took: the 15:30 schedule is one second away.
    clock.set_wall(datetime!(2026-11-25 06:29:59 UTC));
    charlie.send("/schedule 15:30 Meeting starts soon");
    let reply = charlie.line();
    assert!(
        reply.starts_with(
            "[Server]: Scheduled #1 for 15:30 today (+09:00), in 1m: Meeting starts soon"
        ),
        "{reply}"
    );
    for c in [&mut alice, &mut bob, &mut charlie] {
        c.expect(&["[Scheduled by Charlie] Meeting starts soon"]);
    }

    alice.send("/user");
    alice.expect(&["[Server]: Users (3/10): Alice (admin), Bobby, Charlie"]);
    alice.send("/kick Bobby");
    bob.expect(&["[Server]: You have been kicked from the chat."]);
    assert_eq!(bob.expect_closed(), Vec::<String>::new());
    charlie.expect(&["[Server]: Bobby has been kicked from the chat."]);
    alice.expect(&["[Server]: You kicked Bobby."]);

    // Leave so that nobody is handed the admin (no record beyond the scenario's), and so
    // that stopping the server waits for no one.
    charlie.send("/quit");
    charlie.expect(&["[Server]: Bye, Charlie."]);
    alice.expect(&["[Server]: Charlie has left the chat."]);
    drop((alice, bob, charlie));
    let events = server.log_events();
    let expected = [
        "[lobby] room created",
        "[lobby] join Alice (c1)",
        "[lobby] join Bob (c2)",
        "[lobby] join Charlie (c3)",
        "[lobby] chat Alice: Hello everyone!",
        "[lobby] rename Bob -> Bobby",
        "[lobby] whisper Bobby -> Charlie: Hi, Charlie!",
        "[lobby] schedule #1 Charlie 2026-11-25T15:30+09:00: Meeting starts soon",
        "[lobby] fired #1 Charlie: Meeting starts soon",
        "[lobby] command Alice /user",
        "[lobby] kick Alice -> Bobby",
    ];
    let interesting: Vec<&str> = events
        .iter()
        .map(String::as_str)
        .filter(|e| {
            !e.starts_with("connect ")
                && !e.starts_with("start ")
                && !e.starts_with("[lobby] leave ")
                && !e.starts_with("shutdown")
        })
        .collect();
    assert_eq!(interesting, expected);
}
