//! A server that never answers the nickname, or never stops sending, cannot keep the client:
//! the end of input (or Ctrl-C, or `/quit`) still leaves, after a short grace for the answer.

mod common;

use common::FakeServer;
use common::PlainClient;

#[test]
fn end_of_input_leaves_when_the_nickname_is_never_answered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = FakeServer::bind();
    let mut client =
        PlainClient::spawn(server.addr(), dir.path(), &["--nick", "Alice", "--no-log"]);
    let mut conn = server.accept();
    conn.send("[Server]: Welcome to the open chat (0/10 online). Enter a nickname:");
    conn.lines.expect("Alice");
    client.send("hello?");
    client.close_stdin();
    assert_eq!(client.wait().code(), Some(0));
    client.err.wait_for("the notice", |l| {
        l == "chat-cli: No answer from the server; leaving."
    });
    // Nothing typed was sent as a nickname or as chat: the connection just closed.
    assert_eq!(conn.lines.until_end(), ["Alice"]);
}

#[test]
fn quit_leaves_when_the_nickname_is_never_answered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = FakeServer::bind();
    let mut client =
        PlainClient::spawn(server.addr(), dir.path(), &["--nick", "Alice", "--no-log"]);
    let mut conn = server.accept();
    conn.lines.expect("Alice");
    client.send("/quit");
    assert_eq!(client.wait().code(), Some(0));
    assert_eq!(conn.lines.until_end(), ["Alice"]);
}

#[test]
fn end_of_input_leaves_while_the_server_floods_and_never_closes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = FakeServer::bind();
    let mut client =
        PlainClient::spawn(server.addr(), dir.path(), &["--nick", "Alice", "--no-log"]);
    let mut conn = server.accept();
    conn.welcome();
    let flood = conn.flood_forever();
    client.out.expect_prefix("Bob >> flood line");
    // /quit goes out, the fake server neither answers nor closes and keeps sending: the
    // leave grace still runs out and the client exits.
    client.close_stdin();
    assert_eq!(client.wait().code(), Some(0));
    assert!(flood.join().expect("flood thread") > 0);
}
