//! At the server's total socket cap, a connection still waiting for a nickname is evicted
//! (the room's choice, with its goodbye line) before a newcomer is refused; only when no
//! one is waiting is the newcomer told the server is busy.

mod support;

use support::{Child, Client};

const PROMPT: &str = "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:";
const EVICTED: &str = "[Server]: Too many connections are waiting for a nickname. Bye.";

#[test]
fn at_the_socket_cap_a_waiting_connection_makes_way() {
    let server = Child::spawn("sockcap", &["--max-connections", "4"]);
    let mut alice = Client::first_member(server.addr, "Alice");
    let mut idle: Vec<Client> = (0..3).map(|_| Client::connect(server.addr)).collect();
    for c in &mut idle {
        c.expect(&[PROMPT]);
    }
    // 4 sockets held: the next one takes the oldest waiting one's place.
    let mut bob = Client::connect(server.addr);
    bob.expect(&[PROMPT]);
    idle[0].expect(&[EVICTED]);
    assert_eq!(idle[0].expect_closed(), Vec::<String>::new());
    bob.send("Bob");
    bob.expect(&["[Server]: Welcome, Bob! 2/10 online. Type /help for commands."]);
    alice.expect(&["[Server]: Bob has joined the chat."]);

    // Members are never evicted: with everyone else joined, a newcomer is refused.
    for (i, c) in idle[1..].iter_mut().enumerate() {
        c.send(&format!("M{i}"));
        c.line();
    }
    let mut late = Client::connect(server.addr);
    late.expect(&["[Server]: The server is busy. Try again later."]);
    assert_eq!(late.expect_closed(), Vec::<String>::new());
}
