//! `/bans` (admin) lists the bans in force with their remaining time; `/unban Bob` lifts
//! Bob's (nickname and address), after which he may enter again. Nobody else may do either.

mod support;

use std::net::IpAddr;

use support::{Sim, secs};

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().expect("an address"))
}

#[test]
fn bans_are_listed_and_lifted_by_the_admin() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.connect_from(2, ip("203.0.113.7"));
    sim.line(2, "Bob");
    sim.join(3, "Charlie");
    sim.join(4, "Dave");
    sim.line(1, "/kick Bob");
    sim.disconnect(2);
    sim.advance(secs(3 * 60));
    sim.line(1, "/kick Charlie");
    sim.disconnect(3);
    sim.clear();

    sim.line(4, "/bans");
    sim.expect(4, &["[Server]: Only the admin can do that."]);
    sim.line(4, "/unban Bob");
    sim.expect(4, &["[Server]: Only the admin can do that."]);

    sim.line(1, "/BANS");
    sim.expect(
        1,
        &[
            "[Server]: Bob is banned for 7 more minutes.",
            "[Server]: Charlie is banned for 10 more minutes.",
        ],
    );
    sim.line(1, "/unban Zed");
    sim.expect(1, &["[Server]: Nobody named \"Zed\" is banned."]);
    sim.line(1, "/unban");
    sim.expect(1, &["[Server]: Usage: /unban <nickname>"]);
    sim.clear();
    sim.line(1, "/unban bob");
    sim.expect(1, &["[Server]: Bob may enter again."]);
    sim.expect_silent(&[4]);
    sim.expect_logs(&["[lobby] unban Alice -> Bob"]);
    sim.line(1, "/bans");
    sim.expect(1, &["[Server]: Charlie is banned for 10 more minutes."]);

    // Bob's address is free again too.
    sim.connect_from(5, ip("203.0.113.7"));
    sim.line(5, "Bob");
    assert_eq!(sim.members(), ["Alice", "Dave", "Bob"]);

    // An expired ban is no longer listed, nor can it be lifted.
    sim.advance(secs(10 * 60));
    sim.clear();
    sim.line(1, "/bans");
    sim.expect(1, &["[Server]: Nobody is banned."]);
    sim.line(1, "/unban Charlie");
    sim.expect(1, &["[Server]: Nobody named \"Charlie\" is banned."]);
}
