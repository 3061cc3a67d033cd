//! A kick from a loopback address bans the nickname but not the address while loopback is
//! exempt from `max_per_ip` (everyone local shares it); with the exemption off, it does.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::Sim;

const LOCAL: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));

fn kick_bob_then_try(exempt: bool, nick: &str) -> Vec<String> {
    let mut sim = Sim::config(|c| c.exempt_loopback = exempt);
    sim.join(1, "Alice");
    sim.connect_from(2, LOCAL);
    sim.line(2, "Bob");
    sim.line(1, "/kick Bob");
    sim.disconnect(2);
    sim.clear();
    sim.connect_from(3, LOCAL);
    sim.line(3, nick);
    sim.members()
}

#[test]
fn kick_ban_skips_loopback_while_it_is_exempt() {
    assert_eq!(kick_bob_then_try(true, "Carol"), ["Alice", "Carol"]);
    assert_eq!(kick_bob_then_try(true, "Bob"), ["Alice"]);
    assert_eq!(kick_bob_then_try(false, "Carol"), ["Alice"]);
}
