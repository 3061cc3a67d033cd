//! Over real sockets: two members move into different rooms with `/join`, each room's chat
//! reaches only its own members, `/rooms` lists both, and `server.txt` names the rooms.

mod support;

use support::TestServer;

#[test]
fn rooms_keep_their_chat_over_the_wire() {
    let mut server = TestServer::with("rooms", |c| c.room.history = 0);
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    let mut carol = server.join("Carol");
    for c in [&mut alice, &mut bob] {
        c.expect(&["[Server]: Carol has joined the chat."]);
    }

    bob.send("/join study s3cret");
    bob.expect(&["[Server]: You created \"study\" and are its admin."]);
    for c in [&mut alice, &mut carol] {
        c.expect(&["[Server]: Bob has left the room."]);
    }
    carol.send("/join study");
    carol.expect(&["[Server]: The room \"study\" needs a code: /join study <code>"]);
    carol.send("/join Study s3cret");
    carol.expect(&["[Server]: You joined \"study\" (2/10 online)."]);
    bob.expect(&["[Server]: Carol has joined the chat."]);
    alice.expect(&["[Server]: Carol has left the room."]);

    alice.send("Hello lobby");
    bob.send("Hello study");
    carol.expect(&["Bob >> Hello study"]);
    carol.send("hi Bob");
    bob.expect(&["Carol >> hi Bob"]);
    // Alice got nothing from study: the next line she reads is her own /rooms reply.
    alice.send("/rooms");
    alice.expect(&["[Server]: Rooms (2): lobby 1/10, study 2/10 (code)"]);
    // And nothing from the lobby reached study.
    bob.send("/user");
    bob.expect(&["[Server]: Users (2/10): Bob (admin), Carol"]);
    carol.send("/user");
    carol.expect(&["[Server]: Users (2/10): Bob (admin), Carol"]);

    drop((alice, bob, carol));
    let events = server.log_events();
    for want in [
        "[study] room created by Bob with a code",
        "[lobby] leave Bob moved",
        "[study] join Bob (c2)",
        "[lobby] rejected Carol (c3): The room \"study\" needs a code: /join study <code>",
        "[study] join Carol (c3)",
        "[lobby] chat Alice: Hello lobby",
        "[study] chat Bob: Hello study",
        "[study] chat Carol: hi Bob",
    ] {
        assert!(
            events.iter().any(|e| e == want),
            "{want:?} not in {events:?}"
        );
    }
    assert!(events.iter().all(|e| !e.contains("s3cret")), "{events:?}");
}

#[test]
fn help_lists_the_room_flags_with_their_defaults() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .arg("--help")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    // Each flag with its default on the same entry.
    for (flag, default) in [
        ("--default-room <DEFAULT_ROOM>", "[default: lobby]"),
        ("--max-rooms <MAX_ROOMS>", "[default: 1000]"),
        ("--room-ttl <ROOM_TTL>", "[default: 24h]"),
        ("--max-per-subnet <MAX_PER_SUBNET>", "[default: 20]"),
        ("--join-rate <JOIN_RATE>", "[default: 10]"),
        ("--join-burst <JOIN_BURST>", "[default: 5]"),
        ("--state <PATH>", "[default: chat.db beside --log]"),
        ("--late-limit <LATE_LIMIT>", "[default: 1h]"),
    ] {
        let entry = help
            .split_once(flag)
            .and_then(|(_, rest)| rest.split("\n      --").next())
            .unwrap_or_else(|| panic!("{flag} missing from:\n{help}"));
        assert!(entry.contains(default), "{flag}: {entry:?}");
    }
}

#[test]
fn a_bad_room_flag_is_refused_at_start() {
    for args in [
        ["--default-room", "a b"],
        ["--room-ttl", "0s"],
        ["--room-ttl", "soon"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
            .args(args)
            .args(["--bind", "127.0.0.1:0", "--web", "none"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
