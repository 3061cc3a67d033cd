//! At most 5 connections per remote address; loopback too when the exemption is off.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::Sim;

const HOST: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
const OTHER: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1));

#[test]
fn per_address_limit_refuses_the_sixth_connection() {
    let mut sim = Sim::config(|c| c.exempt_loopback = false);
    for id in 1..=5 {
        sim.connect_from(id, Some(HOST));
    }
    // Members and pending connections count alike.
    sim.line(1, "Alice");
    sim.clear();

    sim.connect_from(6, Some(HOST));
    sim.expect(
        6,
        &["[Server]: Too many connections from your address (max 5). Bye."],
    );
    sim.expect_closed(&[6]);
    sim.expect_logs(&[
        "connect c6 from 203.0.113.7",
        "refused c6: Too many connections from your address (max 5). Bye.",
    ]);

    // Another address is not affected.
    sim.connect_from(7, Some(OTHER));
    sim.expect(
        7,
        &["[Server]: Welcome to the open chat (1/10 online). Enter a nickname:"],
    );

    // Once the refused one and a member are gone, there is room again.
    sim.disconnect(6);
    sim.disconnect(1);
    sim.clear();
    sim.connect_from(8, Some(HOST));
    sim.expect(
        8,
        &["[Server]: Welcome to the open chat (0/10 online). Enter a nickname:"],
    );
}

#[test]
fn loopback_counts_when_the_exemption_is_off() {
    let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut sim = Sim::config(|c| {
        c.exempt_loopback = false;
        c.max_per_ip = 2;
    });
    sim.connect_from(1, Some(lo));
    sim.connect_from(2, Some(lo));
    sim.connect_from(3, Some(lo));
    sim.expect(
        3,
        &["[Server]: Too many connections from your address (max 2). Bye."],
    );
    sim.expect_closed(&[3]);
}

#[test]
fn loopback_is_exempt_by_default() {
    let mut sim = Sim::new();
    for id in 1..=8 {
        sim.connect_from(id, Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    }
    sim.expect_closed(&[]);
}
