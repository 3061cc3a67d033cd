//! A WebSocket member that stops reading is dropped as a slow consumer once its outbox is
//! full; a WebSocket member that reads gets every line, in order, and stays.

mod support;

use std::time::Instant;

use support::{WAIT, WebServer, Ws};
use tungstenite::Message;

#[test]
fn a_slow_websocket_reader_is_dropped_alone() {
    let server = WebServer::with("slow", |rt, web| {
        rt.room.flood_rate = 0;
        rt.outbox_bytes = 256 * 1024;
        web.send_buffer = Some(64 * 1024);
    });
    let slow = Ws::join(&server, "Slow");
    let slow_socket = slow.ws.get_ref().try_clone().expect("clone");
    socket2::SockRef::from(&slow_socket)
        .set_recv_buffer_size(16 * 1024)
        .expect("small receive buffer");
    let mut reader = Ws::join(&server, "Reader");
    let mut bob = server.member("Bob");

    // Reader reads on its own thread while Bob sends far more than Slow's buffers hold,
    // never more than WINDOW lines ahead of Reader (a reader that keeps up).
    const WINDOW: usize = 100;
    let (ack, acks) = std::sync::mpsc::channel::<usize>();
    let lines = 4000;
    let text = |i: usize| format!("{i:05} {}", "x".repeat(1000));
    let got = std::thread::scope(|s| {
        let reading = s.spawn(|| {
            let deadline = Instant::now() + 3 * WAIT;
            let mut got = Vec::new();
            let mut slow_left = false;
            while Instant::now() < deadline {
                match reader.next() {
                    Message::Text(t) => {
                        let t = t.as_str();
                        if t == "[Server]: Slow has left the chat." {
                            slow_left = true;
                        } else if t == "Bob >> done" {
                            return (got, slow_left);
                        } else if let Some(line) = t.strip_prefix("Bob >> ") {
                            got.push(line.to_owned());
                            let _ = ack.send(got.len());
                        }
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
            panic!(
                "Reader did not get Bob's last line in time; got {} lines",
                got.len()
            );
        });
        let mut acked = 0;
        for i in 0..lines {
            while i >= acked + WINDOW {
                acked = acks.recv_timeout(WAIT).expect("Reader keeps reading");
            }
            bob.send(&text(i)).expect("send");
        }
        bob.send("done").expect("send");
        reading.join().expect("reader thread")
    });
    let (got, slow_left) = got;
    assert!(slow_left, "Slow was not dropped");
    assert_eq!(got.len(), lines, "Reader missed lines");
    assert!(
        got.iter().enumerate().all(|(i, l)| *l == text(i)),
        "out of order"
    );
    drop(slow);
}
