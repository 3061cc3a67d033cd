//! A member that never reads does not slow the others down or lose their lines.

mod support;

use support::{TestServer, WAIT};

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
    let mut sleeper = support::Client::connect_with_rcvbuf(server.addr, 4096);
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
    // The server closed the sleeper's socket: what the kernels still held reaches it (the
    // welcome, then the talker's lines in order, the last one possibly cut where the server
    // stopped writing), then the end of the stream, or a reset if the server gave up on the
    // unacknowledged rest; not silence.
    let rest = sleeper.read_until_closed(WAIT);
    let rest = String::from_utf8_lossy(&rest);
    let mut lines = rest.split('\n');
    let _cut = lines.next_back();
    let mut lines = lines.peekable();
    if lines.peek().is_some() {
        assert_eq!(
            lines.next(),
            Some("[Server]: Welcome, Sleeper! 3/10 online. Type /help for commands.")
        );
    }
    for (i, line) in lines.enumerate() {
        assert_eq!(line, format!("Talker >> {i} {text}"));
    }
}
