//! A connection that drops without a word from the server is reconnected after the backoff
//! (1 s first) and the client rejoins with the same nickname; lines typed meanwhile are sent
//! after the rejoin, and, in a room, after the room's answer and backlog.

mod common;

use std::time::{Duration, Instant};

use common::{FakeConn, FakeServer, PlainClient, logged_lines};

/// The input ends: `/quit` reaches the server, which says goodbye and closes; exit 0.
fn leave(mut conn: FakeConn, client: &mut PlainClient) {
    client.close_stdin();
    conn.lines.expect("/quit");
    conn.send("[Server]: Bye, Alice.");
    conn.close();
    assert_eq!(client.wait().code(), Some(0));
}

/// The server drops `conn` without a word; once the client says it will reconnect, the user
/// types `typed while away`.
fn drop_and_type_away(conn: FakeConn, client: &mut PlainClient) {
    conn.close();
    client
        .err
        .expect("chat-cli: Connection lost; reconnecting in 1 s.");
    client.send("typed while away");
}

#[test]
fn drop_reconnects_after_a_second_and_rejoins_with_the_same_nick() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fake = FakeServer::bind();
    let mut client = PlainClient::spawn(fake.addr(), dir.path(), &["--nick", "Alice", "--no-log"]);
    let mut first = fake.accept();
    assert_eq!(first.welcome(), "Alice");
    client.out.expect_prefix("[Server]: Welcome, Alice!");

    let dropped = Instant::now();
    drop_and_type_away(first, &mut client);

    let mut second = fake.accept();
    assert!(
        dropped.elapsed() >= Duration::from_millis(900),
        "reconnected too soon"
    );
    assert_eq!(second.welcome(), "Alice");
    client.err.expect("chat-cli: Rejoined the chat as Alice.");
    second.lines.expect("typed while away");
    leave(second, &mut client);
}

/// A rejoin into a room: what was typed while away goes after the room's answer to the
/// `/join` and its backlog (the server sends those before it reads the line), and the chat
/// log shows it there, below them.
#[test]
fn lines_typed_away_go_after_the_rooms_answer_and_backlog() {
    let dir = tempfile::tempdir().expect("temp dir");
    let logs = dir.path().join("logs");
    let fake = FakeServer::bind();
    let mut client = PlainClient::spawn(
        fake.addr(),
        dir.path(),
        &[
            "--nick",
            "Alice",
            "--log-dir",
            logs.to_str().expect("utf-8"),
        ],
    );
    let mut first = fake.accept();
    assert_eq!(first.welcome(), "Alice");
    client.send("/join study");
    first.lines.expect("/join study");
    first.send("[Server]: You joined \"study\" (2/10 online).");
    client
        .out
        .expect("[Server]: You joined \"study\" (2/10 online).");
    drop_and_type_away(first, &mut client);

    let mut second = fake.accept();
    assert_eq!(second.welcome(), "Alice");
    second.lines.expect("/join study");
    client.err.expect("chat-cli: Rejoined the chat as Alice.");
    second.send_raw(
        b"[Server]: You joined \"study\" (2/10 online).\n\
          [Server]: Last message (time in +00:00):\n\
          [09:14] Bob >> said in study\n",
    );
    second.lines.expect("typed while away");
    leave(second, &mut client);

    let log = std::fs::read_to_string(logs.join("Alice_chat_log.txt")).expect("Alice's log");
    let tail: Vec<&str> = logged_lines(&log)
        .into_iter()
        .skip_while(|e| !e.starts_with("* Rejoined"))
        .collect();
    assert_eq!(
        tail,
        [
            "* Rejoined the chat as Alice.",
            "[Server]: You joined \"study\" (2/10 online).",
            "[Server]: Last message (time in +00:00):",
            "[09:14] Bob >> said in study",
            "Alice >> typed while away",
            "[Server]: Bye, Alice.",
        ],
        "{log}"
    );
}
