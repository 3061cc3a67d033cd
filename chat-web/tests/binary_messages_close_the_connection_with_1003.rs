//! A binary message is not a line: the connection is closed with 1003 and its member leaves.

mod support;

use support::{WebServer, Ws, expect_local};
use tungstenite::Message;
use tungstenite::protocol::frame::coding::CloseCode;

#[test]
fn binary_messages_close_the_connection_with_1003() {
    let server = WebServer::start("binary");
    let mut alice = Ws::join(&server, "Alice");
    let mut bob = server.member("Bob");
    alice.expect_prefix("[Server]: Bob has joined the chat.");
    alice
        .ws
        .send(Message::binary(b"\x00\x01 not text".to_vec()))
        .expect("send");
    match alice.next() {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Unsupported),
        other => panic!("wanted a close frame, got {other:?}"),
    }
    expect_local(&mut bob, "[Server]: Alice has left the chat.");
    expect_local(&mut bob, "[Server]: Bob is now the admin.");
    // Nothing Alice sent reached Bob.
    bob.send("/user").expect("send");
    expect_local(&mut bob, "[Server]: Users (1/10): Bob (admin)");
}
