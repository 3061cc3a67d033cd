//! At most `max_per_subnet` connections from one IPv4 /24 (or IPv6 /48), whatever the
//! addresses in it, so one host with many addresses cannot take every slot.

mod support;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use support::Sim;

fn v4(last: u8) -> Option<IpAddr> {
    Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, last)))
}

#[test]
fn per_subnet_limit_refuses_the_twenty_first_connection() {
    let mut sim = Sim::config(|c| c.max_pending = 100);
    for id in 1..=20 {
        sim.connect_from(id, v4(id as u8));
    }
    sim.clear();
    sim.connect_from(21, v4(21));
    sim.expect(
        21,
        &["[Server]: Too many connections from your network (max 20). Bye."],
    );
    sim.expect_closed(&[21]);
    // Another /24 is another network.
    sim.connect_from(22, Some(IpAddr::V4(Ipv4Addr::new(198, 51, 101, 1))));
    assert!(!sim.is_closed(22));
    // One going frees a place in its network.
    sim.disconnect(1);
    sim.disconnect(21);
    sim.clear();
    sim.connect_from(23, v4(23));
    assert!(!sim.is_closed(23));

    // IPv6: a /48 is one network, across its /64s.
    let v6 = |n: u16| Some(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 7, n, 0, 0, 0, 1)));
    for id in 100..120 {
        sim.connect_from(id, v6(id as u16));
    }
    sim.clear();
    sim.connect_from(120, v6(120));
    sim.expect(
        120,
        &["[Server]: Too many connections from your network (max 20). Bye."],
    );
}

#[test]
fn loopback_is_exempt_while_it_is_exempt_from_the_per_address_limit() {
    let mut sim = Sim::config(|c| {
        c.max_per_subnet = 1;
        c.max_per_ip = 1;
    });
    let lo = |n: u8| Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)));
    sim.connect_from(1, lo(1));
    sim.connect_from(2, lo(2));
    assert!(!sim.is_closed(2));

    let mut strict = Sim::config(|c| {
        c.max_per_subnet = 1;
        c.exempt_loopback = false;
    });
    strict.connect_from(1, lo(1));
    strict.connect_from(2, lo(2));
    strict.expect_closed(&[2]);
}
