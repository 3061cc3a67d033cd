//! Clients that die, stall or vanish: their slots come back and nobody else waits.

mod support;

use std::io::Write;

use support::{Child, Client, TestServer};

#[test]
fn a_client_killed_mid_line_delivers_nothing_and_leaves() {
    let server = TestServer::start("midline");
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    bob.send_raw(b"half a mess");
    drop(bob);
    alice.expect(&["[Server]: Bob has left the chat."]);
    alice.send("/user");
    alice.expect(&["[Server]: Users (1/10): Alice (admin)"]);
}

#[test]
fn connections_past_the_cap_are_refused_and_members_keep_chatting() {
    let server = Child::spawn("cap", &["--max-connections", "4"]);
    let mut members: Vec<Client> = Vec::new();
    for nick in ["A", "B", "C", "D"] {
        let c = Client::joined(server.addr, nick);
        members.push(c);
    }
    let threads = server.threads();
    for _ in 0..50 {
        let mut extra = Client::connect(server.addr);
        extra.expect(&["[Server]: The server is busy. Try again later."]);
        assert_eq!(extra.expect_closed(), Vec::<String>::new());
    }
    // No thread was started for any of them.
    assert_eq!(server.threads(), threads);
    members[3].send("still serving");
    members[0].until("D >> still serving");
}

#[test]
fn a_member_that_never_reads_is_dropped_with_memory_bounded() {
    let server = Child::spawn("never-reads", &["--flood-rate", "0"]);
    let mut talker = Client::connect(server.addr);
    talker.line();
    talker.send("Talker");
    talker.expect(&[
        "[Server]: Welcome, Talker! 1/10 online. Type /help for commands.",
        "[Server]: You are the admin.",
    ]);
    let sleeper = Client::connect_with_rcvbuf(server.addr, 4096);
    let mut sleeper = sleeper;
    sleeper.line();
    sleeper.send("Sleeper");
    sleeper.line();
    talker.expect(&["[Server]: Sleeper has joined the chat."]);
    let mut listener = Client::joined(server.addr, "Listener");
    talker.expect(&["[Server]: Listener has joined the chat."]);
    let before = server.rss_kib();

    let text = "y".repeat(100);
    let mut left = false;
    for burst in 0..20 {
        let mut out = String::new();
        for i in 0..1_000 {
            out.push_str(&format!("{} {text}\n", burst * 1_000 + i));
        }
        talker.stream.write_all(out.as_bytes()).expect("send");
        for i in 0..1_000 {
            let mut l = listener.line();
            if l == "[Server]: Sleeper has left the chat." {
                left = true;
                l = listener.line();
            }
            assert_eq!(l, format!("Talker >> {} {text}", burst * 1_000 + i));
        }
    }
    assert!(left, "the sleeper was never dropped");
    talker.expect(&["[Server]: Sleeper has left the chat."]);
    // One outbox (1 MiB) at most was held for the sleeper; 20,000 lines are 2.2 MB.
    let after = server.rss_kib();
    assert!(after < before + 4 * 1024, "RSS {before} KiB -> {after} KiB");
}
