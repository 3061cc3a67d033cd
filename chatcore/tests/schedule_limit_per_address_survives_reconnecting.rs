//! Schedules left by a member who went count against their address: reconnecting (or
//! renaming) cannot fill the room's schedule list from one address. An address may hold
//! `max_schedules_per_member x max_per_ip` pending schedules, what its connections could
//! hold at once; loopback, when exempt, is not limited this way.

mod support;

use std::net::IpAddr;

use support::Sim;

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().expect("address"))
}

/// `id` connects from `peer`, joins as `nick` and sets `n` schedules.
fn join_and_schedule(sim: &mut Sim, id: u64, peer: Option<IpAddr>, nick: &str, n: usize) {
    sim.connect_from(id, peer);
    sim.line(id, nick);
    sim.clear();
    for k in 0..n {
        sim.line(id, &format!("/schedule 07:00Z {nick} {k}"));
        let reply = sim.take(id);
        assert!(reply[0].starts_with("[Server]: Scheduled #"), "{reply:?}");
    }
}

#[test]
fn reconnecting_does_not_give_an_address_more_schedules() {
    let mut sim = Sim::config(|c| {
        c.max_schedules_per_member = 2;
        c.max_per_ip = 2;
    });
    let attacker = ip("203.0.113.7");
    // Two sessions from one address, one after the other, each leaving 2 schedules.
    join_and_schedule(&mut sim, 1, attacker, "Mallory", 2);
    sim.disconnect(1);
    join_and_schedule(&mut sim, 2, attacker, "Mallory2", 2);
    sim.disconnect(2);
    // The third is over the address's 2 x 2, whatever its nickname.
    sim.connect_from(3, attacker);
    sim.line(3, "Mallory3");
    sim.clear();
    sim.line(3, "/schedule 07:00Z more");
    sim.expect(
        3,
        &["[Server]: Your address already has 4 pending schedules (max 4)."],
    );
    // An IPv6 neighbour in the same /64 counts as the same address...
    join_and_schedule(&mut sim, 4, ip("2001:db8:1:2::1"), "Six", 2);
    sim.disconnect(4);
    join_and_schedule(&mut sim, 5, ip("2001:db8:1:2::2"), "Six2", 2);
    sim.connect_from(6, ip("2001:db8:1:2::3"));
    sim.line(6, "Six3");
    sim.clear();
    sim.line(6, "/schedule 07:00Z more");
    sim.expect(
        6,
        &["[Server]: Your address already has 4 pending schedules (max 4)."],
    );
    // ... while another address, and exempt loopback, are not affected.
    join_and_schedule(&mut sim, 7, ip("198.51.100.1"), "Alice", 2);
    for id in 8..11 {
        join_and_schedule(&mut sim, id, ip("127.0.0.1"), &format!("Local{id}"), 2);
        sim.disconnect(id);
    }
}
