//! Connections that never send a nickname: capped, evicted oldest first, timed out.

mod support;

use std::time::Duration;

use support::{Client, TestServer};

#[test]
fn two_hundred_silent_connections_do_not_stop_a_real_member() {
    let server = TestServer::with("silent200", |c| c.max_connections = Some(400));
    let mut silent: Vec<Client> = (0..200).map(|_| server.connect()).collect();
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    bob.send("made it");
    alice.expect(&["[Server]: Bob has joined the chat.", "Bob >> made it"]);
    // The default cap is 64 waiting connections: the 136 oldest were closed, oldest first,
    // each with the reason.
    for c in &mut silent[..136] {
        c.expect(&["[Server]: Too many connections are waiting for a nickname. Bye."]);
        assert_eq!(c.expect_closed(), Vec::<String>::new());
    }
}

#[test]
fn past_max_pending_the_oldest_waiting_connection_is_closed() {
    let server = TestServer::with("pending", |c| c.room.max_pending = 3);
    let mut first = server.connect();
    let mut second = server.connect();
    let _third = server.connect();
    let _fourth = server.connect();
    first.expect(&["[Server]: Too many connections are waiting for a nickname. Bye."]);
    assert_eq!(first.expect_closed(), Vec::<String>::new());
    // The second is still waiting and may join.
    second.send("Second");
    assert!(second.line().starts_with("[Server]: Welcome, Second!"));
}

#[test]
fn the_nickname_deadline_frees_the_rest() {
    let server = TestServer::with("deadline", |c| {
        c.room.nick_timeout = Duration::from_millis(200)
    });
    let mut waiting: Vec<Client> = (0..20).map(|_| server.connect()).collect();
    for c in &mut waiting {
        c.expect(&["[Server]: No nickname chosen in time. Bye."]);
        assert_eq!(c.expect_closed(), Vec::<String>::new());
    }
}
