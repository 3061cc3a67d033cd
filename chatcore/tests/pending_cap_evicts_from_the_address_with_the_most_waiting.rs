//! At the pending cap, the connection closed to make room is the oldest one of the address
//! with the most connections waiting, so a stream of idle connections from a few addresses
//! evicts its own and not a person who takes a while to type a name. Ties: the oldest.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::{Sim, secs};

const PERSON: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1));
const A: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1));
const B: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 2));
const C: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 3));

const EVICTED: &str = "[Server]: Too many connections are waiting for a nickname. Bye.";
const PROMPT: &str = "[Server]: Welcome to the open chat (0/10 online). Enter a nickname:";

#[test]
fn pending_cap_evicts_from_the_address_with_the_most_waiting() {
    let mut sim = Sim::config(|c| c.max_pending = 4);
    // The person connected first: the oldest waiting connection of all.
    sim.connect_from(1, Some(PERSON));
    for (id, peer) in [(2, A), (3, A), (4, B)] {
        sim.advance(secs(1));
        sim.connect_from(id, Some(peer));
    }
    sim.clear();

    // A has the most waiting: its oldest (2) goes, not the person.
    sim.connect_from(5, Some(B));
    sim.expect(2, &[EVICTED]);
    sim.expect(5, &[PROMPT]);
    sim.expect_closed(&[2]);
    sim.expect_logs(&[
        "connect c5 from 203.0.113.2",
        "refused c2: Too many connections are waiting for a nickname. Bye.",
    ]);

    // Now B has two waiting (4 and 5): its oldest goes.
    sim.connect_from(6, Some(C));
    sim.expect(4, &[EVICTED]);
    sim.expect_closed(&[4]);
    sim.expect_silent(&[1, 3, 5]);

    // One each (1, 3, 5, 6): a tie, so the oldest overall goes, the person's.
    sim.connect_from(7, Some(C));
    sim.expect(1, &[EVICTED]);
    sim.expect_closed(&[1]);

    // The connections still waiting can join.
    sim.line(3, "Bob");
    assert_eq!(sim.members(), ["Bob"]);
}
