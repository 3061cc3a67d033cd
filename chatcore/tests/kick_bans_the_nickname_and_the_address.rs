//! `/kick` bans the kicked member from the room for `kick_ban` (10 minutes by default), by
//! its nickname's key and by its address (an IPv6 /64 counting as one): at the nickname
//! prompt such a connection is told how long is left and closed.

mod support;

use std::net::IpAddr;

use support::{Sim, secs};

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().expect("an address"))
}

#[test]
fn kick_bans_the_nickname_and_the_address() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.connect_from(2, ip("203.0.113.7"));
    sim.line(2, "Bob");
    sim.line(1, "/kick Bob");
    sim.disconnect(2);
    sim.clear();

    // The nickname, in any case or look-alike, from another address.
    sim.advance(secs(4 * 60 + 30));
    for (id, nick) in [(3, "Bob"), (4, "BOB")] {
        sim.connect_from(id, ip("198.51.100.1"));
        sim.line(id, nick);
        sim.expect(
            id,
            &[
                "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:",
                "[Server]: You are banned from \"lobby\" for 6 more minutes.",
            ],
        );
        sim.expect_closed(&[id]);
        sim.disconnect(id);
    }
    // Another nickname from the kicked address.
    sim.connect_from(5, ip("203.0.113.7"));
    sim.line(5, "Robert");
    sim.expect(
        5,
        &[
            "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:",
            "[Server]: You are banned from \"lobby\" for 6 more minutes.",
        ],
    );
    sim.expect_closed(&[5]);
    sim.disconnect(5);
    sim.expect_silent(&[1]);
    assert_eq!(sim.members(), ["Alice"]);

    // Anyone else is welcome.
    sim.connect_from(6, ip("198.51.100.1"));
    sim.line(6, "Carol");
    assert_eq!(sim.members(), ["Alice", "Carol"]);

    // The last minute reads singular; at the end the ban is over.
    sim.advance(secs(5 * 60));
    sim.connect_from(7, ip("203.0.113.7"));
    sim.line(7, "Bob");
    sim.expect(
        7,
        &[
            "[Server]: Welcome to the open chat (2/10 online). Enter a nickname:",
            "[Server]: You are banned from \"lobby\" for 1 more minute.",
        ],
    );
    sim.disconnect(7);
    sim.advance(secs(30));
    sim.connect_from(8, ip("203.0.113.7"));
    sim.line(8, "Bob");
    assert_eq!(sim.members(), ["Alice", "Carol", "Bob"]);
}

#[test]
fn an_ipv6_slash_64_is_one_address() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.connect_from(2, ip("2001:db8:1:2::1"));
    sim.line(2, "Bob");
    sim.line(1, "/kick Bob");
    sim.disconnect(2);
    sim.clear();
    sim.connect_from(3, ip("2001:db8:1:2:ffff::9"));
    sim.line(3, "Mallory");
    sim.expect_closed(&[3]);
    sim.disconnect(3);
    // The next /64 is another address.
    sim.connect_from(4, ip("2001:db8:1:3::1"));
    sim.line(4, "Mallory");
    assert_eq!(sim.members(), ["Alice", "Mallory"]);
}

#[test]
fn a_zero_kick_ban_bans_nobody() {
    let mut sim = Sim::config(|c| c.kick_ban = std::time::Duration::ZERO);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/kick Bob");
    sim.disconnect(2);
    sim.join(2, "Bob");
    sim.clear();
    sim.line(1, "/bans");
    sim.expect(1, &["[Server]: Nobody is banned."]);
}
