//! A member that never reads does not slow the others down or lose their lines.

mod support;

use std::io::Read;

use support::TestServer;

#[test]
fn slow_reader_is_disconnected_and_others_get_everything() {
    // Default outbox (1 MiB) and send buffer (256 KiB): 20,000 lines of 210 bytes are four
    // times what a reader that never reads can hold.
    let server = TestServer::with("slow", |c| c.room.flood_rate = 0);
    let mut talker = server.join("Talker");
    talker.expect(&["[Server]: You are the admin."]);
    let mut listener = server.join("Listener");
    talker.expect(&["[Server]: Listener has joined the chat."]);
    // A small fixed receive buffer, so the kernel does not absorb megabytes for the sleeper.
    let sleeper = support::Client::connect_with_rcvbuf(server.addr, 4096);
    let mut sleeper = sleeper;
    sleeper.line();
    sleeper.send("Sleeper");
    talker.expect(&["[Server]: Sleeper has joined the chat."]);
    listener.expect(&["[Server]: Sleeper has joined the chat."]);

    // Bursts of 1,000 lines as fast as the socket takes them. The listener catches up after
    // each burst (it reads slower than the server writes in a debug build, and a reader that
    // stays behind by more than its outbox is a slow consumer too); the sleeper never reads.
    const BURSTS: usize = 20;
    const BURST: usize = 1_000;
    let text = "x".repeat(200);
    let mut left = false;
    for b in 0..BURSTS {
        let mut burst = String::with_capacity(BURST * 210);
        for i in 0..BURST {
            burst.push_str(&format!("{} {text}\n", b * BURST + i));
        }
        talker.send_raw(burst.as_bytes());
        for i in 0..BURST {
            let mut line = listener.line();
            if line == "[Server]: Sleeper has left the chat." {
                assert!(!left, "left twice");
                left = true;
                line = listener.line();
            }
            assert_eq!(line, format!("Talker >> {} {text}", b * BURST + i));
        }
    }
    assert!(left, "the sleeper was never disconnected");
    talker.expect(&["[Server]: Sleeper has left the chat."]);
    // The sleeper's socket was closed by the server: reading it all ends in EOF or reset.
    let mut sink = Vec::new();
    let _ = sleeper.stream.read_to_end(&mut sink);
}
