//! Pings are answered with their payload, in order with the chat; the close handshake works
//! from either side: the peer's close is answered, and the server's own close (after /quit,
//! and at shutdown) follows its last line.

mod support;

use support::{WAIT, WebServer, Ws, expect_local};
use tungstenite::Message;
use tungstenite::error::Error as WsError;
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;

/// Reads until the server's close frame and returns its code; then the socket ends.
fn expect_close(ws: &mut Ws) -> CloseCode {
    let code = match ws.next() {
        Message::Close(Some(frame)) => frame.code,
        other => panic!("wanted a close frame, got {other:?}"),
    };
    match ws.ws.read() {
        Err(WsError::ConnectionClosed) => {}
        other => panic!("wanted the connection closed, got {other:?}"),
    }
    code
}

#[test]
fn pings_are_answered_with_their_payload() {
    let server = WebServer::start("ping");
    let mut alice = Ws::join(&server, "Alice");
    let mut bob = server.member("Bob");
    alice.expect_prefix("[Server]: Bob has joined the chat.");
    bob.send("one").expect("send");
    alice
        .ws
        .send(Message::Ping(b"p1".to_vec().into()))
        .expect("ping");
    // Bob's line and the pong race each other to the writer; both come, whole.
    let mut got = [alice.next(), alice.next()];
    got.sort_by_key(|m| m.is_text());
    assert_eq!(
        got,
        [
            Message::Pong(b"p1".to_vec().into()),
            Message::text("Bob >> one")
        ]
    );
    alice
        .ws
        .send(Message::Ping(Vec::new().into()))
        .expect("ping");
    assert_eq!(alice.next(), Message::Pong(Vec::new().into()));
    // An unsolicited pong is ignored.
    alice
        .ws
        .send(Message::Pong(b"x".to_vec().into()))
        .expect("pong");
    alice.send("after pings");
    expect_local(&mut bob, "Alice >> after pings");
}

#[test]
fn the_peers_close_is_answered_and_it_leaves() {
    let server = WebServer::start("peer-close");
    let mut alice = Ws::join(&server, "Alice");
    let mut bob = server.member("Bob");
    alice.expect_prefix("[Server]: Bob has joined the chat.");
    alice
        .ws
        .close(Some(CloseFrame {
            code: CloseCode::Away,
            reason: "tab closed".into(),
        }))
        .expect("close");
    // The reply echoes the code.
    assert_eq!(expect_close(&mut alice), CloseCode::Away);
    expect_local(&mut bob, "[Server]: Alice has left the chat.");
}

#[test]
fn quit_says_bye_then_closes_with_1000() {
    let server = WebServer::start("quit");
    let mut alice = Ws::join(&server, "Alice");
    let mut bob = server.member("Bob");
    alice.expect_prefix("[Server]: Bob has joined the chat.");
    alice.send("/quit");
    alice.expect("[Server]: Bye, Alice.");
    assert_eq!(expect_close(&mut alice), CloseCode::Normal);
    expect_local(&mut bob, "[Server]: Alice has left the chat.");
}

#[test]
fn shutdown_says_goodbye_then_closes() {
    let mut server = WebServer::start("shutdown");
    let mut alice = Ws::join(&server, "Alice");
    let deadline = std::time::Instant::now() + WAIT;
    std::thread::scope(|s| {
        s.spawn(|| server.stop());
        alice.expect_prefix("[Server]: The server is shutting down.");
        assert_eq!(expect_close(&mut alice), CloseCode::Normal);
    });
    assert!(std::time::Instant::now() < deadline);
}
