//! A WebSocket the runtime's door refuses (here: the server's socket cap) is upgraded, told
//! why in one text message, and closed with 1013 (try again later).

mod support;

use support::{WebServer, Ws};
use tungstenite::Message;
use tungstenite::protocol::frame::coding::CloseCode;

#[test]
fn a_websocket_refused_at_the_door_is_told_why() {
    let server = WebServer::with("door", |rt, _| rt.max_connections = Some(1));
    let _alice = Ws::join(&server, "Alice");
    let mut late = Ws::connect(&server);
    late.expect("[Server]: The server is busy. Try again later.");
    match late.next() {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Again),
        other => panic!("wanted a close frame, got {other:?}"),
    }
}
