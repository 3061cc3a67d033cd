//! A connection that drops without a word from the server is reconnected after the backoff
//! (1 s first) and the client rejoins with the same nickname; lines typed meanwhile are sent
//! after the rejoin.

mod common;

use std::time::{Duration, Instant};

use common::{FakeServer, PlainClient};

#[test]
fn drop_reconnects_after_a_second_and_rejoins_with_the_same_nick() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fake = FakeServer::bind();
    let mut client = PlainClient::spawn(fake.addr(), dir.path(), &["--nick", "Alice", "--no-log"]);
    let mut first = fake.accept();
    assert_eq!(first.welcome(), "Alice");
    client.out.expect_prefix("[Server]: Welcome, Alice!");

    let dropped = Instant::now();
    first.close();
    client
        .err
        .expect("chat-cli: Connection lost; reconnecting in 1 s.");
    client.send("typed while away");

    let mut second = fake.accept();
    assert!(
        dropped.elapsed() >= Duration::from_millis(900),
        "reconnected too soon"
    );
    assert_eq!(second.welcome(), "Alice");
    client.err.expect("chat-cli: Rejoined the chat as Alice.");
    second.lines.expect("typed while away");

    client.close_stdin();
    second.lines.expect("/quit");
    second.send("[Server]: Bye, Alice.");
    second.close();
    assert_eq!(client.wait().code(), Some(0));
}
