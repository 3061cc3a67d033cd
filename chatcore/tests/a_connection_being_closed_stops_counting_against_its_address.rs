//! A connection the room has decided to close no longer counts against the per-address
//! limit, even before the transport reports it gone (a silent peer may take a while).

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::Sim;

const HOST: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
const PROMPT: &str = "[Server]: Welcome to the open chat (0/10 online). Enter a nickname:";

#[test]
fn a_connection_being_closed_stops_counting_against_its_address() {
    let mut sim = Sim::config(|c| {
        c.exempt_loopback = false;
        c.max_per_ip = 2;
    });
    sim.connect_from(1, Some(HOST));
    sim.connect_from(2, Some(HOST));
    sim.line(1, "/quit");
    sim.clear();
    // 1 is closing (not yet disconnected): 3 fits.
    sim.connect_from(3, Some(HOST));
    sim.expect(3, &[PROMPT]);
    // 2 and 3 are live: 4 does not.
    sim.connect_from(4, Some(HOST));
    sim.expect(
        4,
        &["[Server]: Too many connections from your address (max 2). Bye."],
    );
    // The transport's late reports change nothing: still no room for 5, then room again
    // once 3 goes.
    sim.disconnect(1);
    sim.disconnect(4);
    sim.connect_from(5, Some(HOST));
    sim.expect(
        5,
        &["[Server]: Too many connections from your address (max 2). Bye."],
    );
    sim.disconnect(3);
    sim.connect_from(6, Some(HOST));
    sim.expect(6, &[PROMPT]);
}
