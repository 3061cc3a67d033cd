//! Framing under hostile input: a megabyte without a newline, byte-at-a-time lines, CR,
//! and every kind of invalid UTF-8.

mod support;

use support::{Child, Client, TestServer};

fn pair(server: &TestServer) -> (Client, Client) {
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    (alice, bob)
}

#[test]
fn a_megabyte_without_a_newline_keeps_memory_bounded_and_the_connection_usable() {
    let server = Child::spawn("mib", &[]);
    let mut alice = Client::first_member(server.addr, "Alice");
    let mut bob = Client::joined(server.addr, "Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    let before = server.rss_kib();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..16 {
        bob.send_raw(&chunk);
    }
    // The refusal comes as soon as the line passes the limit, before its end.
    bob.expect(&["[Server]: Line too long (max 4096 bytes); it was not sent."]);
    // Every write has returned, so all but what the kernels buffer has been read.
    let during = server.rss_kib();
    bob.send_raw(b"\nafter the long one\n");
    alice.expect(&["Bob >> after the long one"]);
    // The line after it was handled: the server has read the whole megabyte by now.
    let after = server.rss_kib();
    // A megabyte was never buffered: the server grew by far less than the line.
    for (when, rss) in [("during", during), ("after", after)] {
        assert!(
            rss < before + 512,
            "RSS grew from {before} KiB to {rss} KiB ({when} the long line)"
        );
    }
}

#[test]
fn a_line_sent_one_byte_at_a_time_arrives_whole_and_crlf_works() {
    let server = TestServer::start("bytes");
    let (mut alice, mut bob) = pair(&server);
    // Each one-byte write is its own segment (test clients set TCP_NODELAY)...
    let bob_addr = bob.stream.local_addr().expect("addr");
    for &b in "slow 한 byte at a time\r\n".as_bytes() {
        bob.send_raw(&[b]);
        // ...and the server's own read() takes it alone: the next byte is sent only once
        // this one has been acknowledged (Bob's send queue is empty) and read by the server
        // (its socket's receive queue is empty). A read() in another thread of the same
        // process raises no event a test can wait on, so the kernel's queues are polled.
        support::wait_for("the server to read the byte", || {
            support::tcp_queues(bob_addr, server.addr).map(|q| q.0) == Some(0)
                && support::tcp_queues(server.addr, bob_addr).map(|q| q.1) == Some(0)
        });
    }
    // Nothing was delivered before the line's end, and the UTF-8 split over three reads
    // and the CR before the LF came through exactly.
    alice.expect(&["Bob >> slow 한 byte at a time"]);
}

#[test]
fn a_lone_cr_is_not_a_line_break() {
    let server = TestServer::start("cr");
    let (mut alice, mut bob) = pair(&server);
    bob.send_raw(b"fake\r[Server]: Alice is now the admin.\n");
    alice.expect(&["Bob >> fake[Server]: Alice is now the admin."]);
}

#[test]
fn invalid_utf8_of_every_kind_is_rejected_and_never_delivered() {
    let server = TestServer::start("utf8kinds");
    let (mut alice, mut bob) = pair(&server);
    let bad: [&[u8]; 8] = [
        b"overlong slash \xc0\xaf",
        b"overlong nul \xe0\x80\x80",
        b"surrogate \xed\xa0\x80",
        b"low surrogate \xed\xbf\xbf",
        b"truncated \xe2\x82",
        b"lone continuation \x80",
        b"ff \xff",
        b"beyond U+10FFFF \xf4\x90\x80\x80",
    ];
    for line in bad {
        bob.send_raw(line);
        bob.send_raw(b"\n");
        bob.expect(&["[Server]: Line is not valid UTF-8; it was not sent."]);
    }
    bob.send("clean");
    alice.expect(&["Bob >> clean"]);
}
