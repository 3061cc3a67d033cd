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

/// The room slots (issue #10's attack, with rooms): addresses of one /24 each join, create
/// rooms with `/join` and quit at once, which no connection cap sees. The rooms they created
/// count against their network while they exist (`--max-rooms-per-subnet`), so a person from
/// another network can still create one in a server of 8 rooms (before: all 8 were taken
/// for the rooms' 24 h lifetime).
#[test]
fn one_network_cannot_take_every_room() {
    let server = Child::spawn(
        "rooms-per-subnet",
        &[
            "--no-loopback-exemption",
            "--max-rooms",
            "8",
            "--max-rooms-per-subnet",
            "5",
        ],
    );
    let too_many =
        "[Server]: Too many rooms were created from your network (max 5); join one of them.";
    let (mut created, mut refused) = (0, 0);
    for host in 1..=4u8 {
        let mut c = Client::connect_from(IpAddr::V4(Ipv4Addr::new(127, 0, 50, host)), server.addr);
        c.until_prefix("[Server]: Welcome to the open chat");
        c.send(&format!("R{host}"));
        c.until_prefix(&format!("[Server]: Welcome, R{host}!"));
        for n in 0..4 {
            let room = format!("x{host}_{n}");
            c.send(&format!("/join {room}"));
            // The lobby's first member is also told it is the admin there.
            let answer = loop {
                match c.line() {
                    line if line == "[Server]: You are the admin." => continue,
                    line => break line,
                }
            };
            if answer == too_many {
                refused += 1;
            } else {
                assert_eq!(
                    answer,
                    format!("[Server]: You created \"{room}\" and are its admin.")
                );
                created += 1;
            }
        }
        c.send("/quit");
        c.expect_closed();
    }
    eprintln!("4 addresses of 127.0.50.0/24, 4 rooms each: {created} created, {refused} refused");
    assert_eq!((created, refused), (5, 11));
    let mut person = Client::connect_from(IpAddr::V4(Ipv4Addr::new(127, 0, 51, 1)), server.addr);
    person.until_prefix("[Server]: Welcome to the open chat");
    person.send("Person");
    person.until_prefix("[Server]: Welcome, Person!");
    person.send("/join study");
    let before = person.until("[Server]: You created \"study\" and are its admin.");
    assert_eq!(before, ["[Server]: You are the admin."]);
}
