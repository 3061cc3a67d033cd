//! Alice joins; 200 connections that never send a byte arrive at once; Bob connects right
//! after and joins. The connections the room evicts stop counting against the server's
//! socket cap at once (not after their linger), and at the cap a waiting connection is
//! evicted before a newcomer is refused, so Bob always gets in. 20 rounds against the real
//! binary, 0 failures.

mod support;

use support::{Child, Client};

/// Idle connections per round.
const IDLE: usize = 200;
/// Opened back to back, then all their first lines read before the next batch: fewer than
/// the old listen backlog (128), so no SYN is dropped and the kernel's 1 s retry never
/// spreads the burst out.
const BATCH: usize = 50;
const ROUNDS: usize = 20;

#[test]
fn a_burst_of_idle_connections_never_turns_a_person_away() {
    let server = Child::spawn("burst", &[]);
    let mut alice = Client::first_member(server.addr, "Alice");
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let mut idle: Vec<Client> = Vec::with_capacity(IDLE);
        for _ in 0..IDLE / BATCH {
            let mut batch: Vec<Client> = (0..BATCH).map(|_| Client::connect(server.addr)).collect();
            for c in &mut batch {
                // The prompt (or, before the fix, a refusal): proof the server accepted it.
                c.try_line();
            }
            idle.extend(batch);
        }
        let mut bob = Client::connect(server.addr);
        let first = bob.line();
        if first != "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:" {
            failures.push(format!("round {round}: {first}"));
            continue;
        }
        bob.send("Bob");
        bob.expect(&["[Server]: Welcome, Bob! 2/10 online. Type /help for commands."]);
        bob.send("/quit");
        bob.expect(&["[Server]: Bye, Bob."]);
        alice.expect(&[
            "[Server]: Bob has joined the chat.",
            "[Server]: Bob has left the chat.",
        ]);
        drop(idle);
    }
    assert_eq!(failures, Vec::<String>::new(), "Bob was turned away");
}
