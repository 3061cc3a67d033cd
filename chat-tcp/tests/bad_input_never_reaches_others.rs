//! Long lines, invalid UTF-8, escape sequences and silent connections.

mod support;

use std::time::Duration;

use support::TestServer;

#[test]
fn a_100_kib_line_is_refused_and_the_next_line_arrives() {
    let server = TestServer::start("long");
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.expect(&[
        "[Server]: You are the admin.",
        "[Server]: Bob has joined the chat.",
    ]);
    let mut long = vec![b'x'; 100 * 1024];
    long.push(b'\n');
    bob.send_raw(&long);
    bob.send("short and sweet");
    bob.expect(&["[Server]: Line too long (max 4096 bytes); it was not sent."]);
    alice.expect(&["Bob >> short and sweet"]);
}

#[test]
fn invalid_utf8_is_refused_whole() {
    let server = TestServer::start("utf8");
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.expect(&[
        "[Server]: You are the admin.",
        "[Server]: Bob has joined the chat.",
    ]);
    bob.send_raw(b"bad \xff\xfe bytes\n");
    bob.send_raw(b"overlong \xc0\xaf\n");
    bob.send("fine");
    bob.expect(&[
        "[Server]: Line is not valid UTF-8; it was not sent.",
        "[Server]: Line is not valid UTF-8; it was not sent.",
    ]);
    alice.expect(&["Bob >> fine"]);
}

#[test]
fn escape_sequences_reach_neither_members_nor_the_log() {
    let mut server = TestServer::start("escape");
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.expect(&[
        "[Server]: You are the admin.",
        "[Server]: Bob has joined the chat.",
    ]);
    bob.send_raw(b"\x1b[2Jred \x1b]52;c;aGk=\x07bell\x08\rfake\xe2\x80\xae \n");
    bob.send_raw(b"/whisper Alice \x1b[31mpsst\x1b[0m\n");
    // The client's framing helper already fails on any control byte; check the text too.
    alice.expect(&[
        "Bob >> [2Jred ]52;c;aGk=bellfake ",
        "[Whisper from Bob] [31mpsst[0m",
    ]);
    drop((alice, bob));
    let events = server.log_events();
    let raw = std::fs::read(&server.log).expect("log");
    assert!(
        raw.iter().all(|&b| b >= 0x20 && b != 0x7f || b == b'\n'),
        "control byte in the log"
    );
    assert!(
        events.contains(&"[lobby] chat Bob: [2Jred ]52;c;aGk=bellfake ".to_owned()),
        "{events:?}"
    );
}

#[test]
fn a_connection_that_never_sends_a_nickname_times_out() {
    let server = TestServer::with("silent", |c| {
        c.room.nick_timeout = Duration::from_millis(300)
    });
    let mut silent = server.connect();
    silent.expect(&["[Server]: No nickname chosen in time. Bye."]);
    assert_eq!(silent.expect_closed(), Vec::<String>::new());
    // Someone else still joins.
    let _alice = server.join("Alice");
}
