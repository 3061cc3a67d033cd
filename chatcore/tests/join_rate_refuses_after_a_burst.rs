//! Joins per address (an accepted nickname or a `/join`) are a burst of `join_burst`, then
//! `join_rate` a minute: past it the prompt refuses and closes, `/join` refuses, both saying
//! when to retry; loopback is exempt while it is exempt from the per-address limit.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::{Sim, secs};

const HOST: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9)));

#[test]
fn join_rate_refuses_after_a_burst() {
    let mut sim = Sim::config(|c| {
        c.join_burst = 3;
        c.join_rate = 10;
        c.history = 0;
    });
    for (id, nick) in [(1, "Ann"), (2, "Ben")] {
        sim.connect_from(id, HOST);
        sim.line(id, nick);
    }
    sim.line(1, "/join study");
    sim.expect(
        1,
        &[
            "[Server]: Welcome to the open chat (0/10 online). Enter a nickname:",
            "[Server]: Welcome, Ann! 1/10 online. Type /help for commands.",
            "[Server]: You are the admin.",
            "[Server]: Ben has joined the chat.",
            "[Server]: You created \"study\" and are its admin.",
        ],
    );
    sim.clear();

    // The burst is spent: /join says when to retry and changes nothing...
    sim.line(2, "/join study");
    sim.expect(
        2,
        &["[Server]: You are joining rooms too often; try again in 6 s."],
    );
    sim.expect_silent(&[1]);
    // ...and a new connection from the address is refused at its nickname and closed.
    sim.connect_from(3, HOST);
    sim.line(3, "Cat");
    sim.expect(
        3,
        &[
            "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:",
            "[Server]: Too many joins from your address; try again in 6 s. Bye.",
        ],
    );
    sim.expect_closed(&[3]);

    // Six seconds later one more join is allowed.
    sim.advance(secs(6));
    sim.line(2, "/join study");
    sim.expect(2, &["[Server]: You joined \"study\" (2/10 online)."]);
    sim.line(2, "/join lobby");
    sim.expect(
        2,
        &["[Server]: You are joining rooms too often; try again in 6 s."],
    );
}

#[test]
fn loopback_is_exempt_while_exempt_from_max_per_ip() {
    let mut sim = Sim::config(|c| {
        c.join_burst = 1;
        c.history = 0;
    });
    let lo = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    sim.connect_from(1, lo);
    sim.line(1, "Ann");
    for room in ["a", "b", "c", "lobby"] {
        sim.line(1, &format!("/join {room}"));
    }
    assert_eq!(sim.members(), ["Ann"]);
}
