//! One text message is one line in both directions; §1's limit and its reply apply
//! unchanged, the connection stays after a line that is too long, fragments make one line,
//! and a message too big to skip is closed with 1009.

mod support;

use support::{WebServer, Ws, expect_local};
use tungstenite::Message;
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};

const TOO_LONG: &str = "[Server]: Line too long (max 4096 bytes); it was not sent.";

#[test]
fn messages_are_lines_within_the_limits() {
    let server = WebServer::start("lines");
    let mut alice = Ws::join(&server, "Alice");
    let mut bob = server.member("Bob");
    alice.expect_prefix("[Server]: Bob has joined the chat.");

    alice.send("Hello everyone!");
    expect_local(&mut bob, "Alice >> Hello everyone!");
    bob.send("안녕 👋").expect("send");
    alice.expect("Bob >> 안녕 👋");

    // A trailing LF (or CRLF) ends the line; it is not part of it.
    alice.send("with an end\r\n");
    expect_local(&mut bob, "Alice >> with an end");

    // 4096 bytes pass; 4097 get the reply, reach nobody, and the connection stays.
    let longest = "a".repeat(4096);
    alice.send(&longest);
    expect_local(&mut bob, &format!("Alice >> {longest}"));
    alice.send(&"b".repeat(4097));
    alice.expect(TOO_LONG);
    alice.send(&"c".repeat(60_000));
    alice.expect(TOO_LONG);
    alice.send("still here");
    expect_local(&mut bob, "Alice >> still here");

    // A message in fragments is one line.
    let frag = |text: &str, op: Data, fin: bool| {
        Message::Frame(Frame::message(
            text.as_bytes().to_vec(),
            OpCode::Data(op),
            fin,
        ))
    };
    alice.ws.send(frag("in ", Data::Text, false)).expect("send");
    alice
        .ws
        .send(frag("three ", Data::Continue, false))
        .expect("send");
    alice
        .ws
        .send(frag("parts", Data::Continue, true))
        .expect("send");
    expect_local(&mut bob, "Alice >> in three parts");
    // Fragments that add up to more than the limit are one line too long.
    alice
        .ws
        .send(frag(&"d".repeat(3000), Data::Text, false))
        .expect("send");
    alice
        .ws
        .send(frag(&"d".repeat(3000), Data::Continue, true))
        .expect("send");
    alice.expect(TOO_LONG);
    // A ping between fragments is answered and does not split the line.
    alice
        .ws
        .send(frag("before ", Data::Text, false))
        .expect("send");
    alice
        .ws
        .send(Message::Ping(b"mid".to_vec().into()))
        .expect("ping");
    alice
        .ws
        .send(frag("after", Data::Continue, true))
        .expect("send");
    assert_eq!(alice.next(), Message::Pong(b"mid".to_vec().into()));
    expect_local(&mut bob, "Alice >> before after");

    // Past what the server assembles at all: closed with 1009, and Alice leaves.
    alice.send(&"e".repeat(70_000));
    match alice.next() {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Size),
        other => panic!("wanted a close frame, got {other:?}"),
    }
    expect_local(&mut bob, "[Server]: Alice has left the chat.");
}
