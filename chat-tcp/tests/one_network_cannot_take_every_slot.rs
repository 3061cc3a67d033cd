//! One host with many addresses (issue #10, item 8): 25 addresses of one /24, 5 connections
//! each, against a room of 30 with the loopback exemption off. The per-network cap
//! (`--max-per-subnet`, default 20) lets 20 in and turns the rest away with the reason, and a
//! person from another network still gets in.
//!
//! `cargo test -p chat-tcp --test one_network_cannot_take_every_slot -- --nocapture`

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::{Child, Client};

const REFUSED: &str = "[Server]: Too many connections from your network (max 20). Bye.";

#[test]
fn one_network_cannot_take_every_slot() {
    let server = Child::spawn(
        "per-subnet",
        &["--no-loopback-exemption", "--capacity", "30"],
    );
    let mut members = Vec::new();
    let mut refused = 0;
    for host in 1..=25u8 {
        let from = IpAddr::V4(Ipv4Addr::new(127, 0, 40, host));
        for n in 0..5 {
            let mut c = Client::connect_from(from, server.addr);
            let first = c.line();
            if first == REFUSED {
                assert!(c.expect_closed().is_empty());
                refused += 1;
                continue;
            }
            assert!(
                first.starts_with("[Server]: Welcome to the open chat"),
                "{first}"
            );
            let nick = format!("h{host}n{n}");
            c.send(&nick);
            let welcome = c.line();
            assert!(
                welcome.starts_with(&format!("[Server]: Welcome, {nick}!")),
                "{welcome}"
            );
            members.push(c);
        }
    }
    eprintln!(
        "25 addresses of 127.0.40.0/24, 5 connections each: {} joined, {refused} refused",
        members.len()
    );
    assert_eq!((members.len(), refused), (20, 105));
    // Someone from another network is not held back by that one.
    let mut person = Client::connect_from(IpAddr::V4(Ipv4Addr::new(127, 0, 41, 1)), server.addr);
    person.expect(&["[Server]: Welcome to the open chat (20/30 online). Enter a nickname:"]);
    person.send("Person");
    person.expect(&["[Server]: Welcome, Person! 21/30 online. Type /help for commands."]);
}
