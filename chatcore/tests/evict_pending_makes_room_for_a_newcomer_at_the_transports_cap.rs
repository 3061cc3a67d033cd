//! A transport at its own socket cap asks the room to evict a waiting connection instead of
//! refusing a newcomer: the same choice as the pending cap, the same goodbye line.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::{Sim, cid, secs};

const PERSON: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1));
const IDLER: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1));

#[test]
fn evict_pending_makes_room_for_a_newcomer_at_the_transports_cap() {
    let mut sim = Sim::new();
    // Members are never evicted; with nobody waiting there is nothing to evict.
    sim.join(1, "Alice");
    let now = sim.now();
    assert_eq!(sim.hall.evict_pending(now), None);
    sim.drain();
    sim.expect_nothing_sent();

    sim.connect_from(2, Some(PERSON));
    sim.advance(secs(1));
    sim.connect_from(3, Some(IDLER));
    sim.connect_from(4, Some(IDLER));
    sim.clear();

    let now = sim.now();
    assert_eq!(sim.hall.evict_pending(now), Some(cid(3)));
    sim.drain();
    sim.expect(
        3,
        &["[Server]: Too many connections are waiting for a nickname. Bye."],
    );
    sim.expect_closed(&[3]);
    sim.expect_silent(&[1, 2, 4]);
    sim.expect_logs(&["refused c3: Too many connections are waiting for a nickname. Bye."]);
    // The evicted one's deadline is gone; the person's (59 s away) is next.
    assert_eq!(sim.next_deadline_in(), Some(secs(59)));
}
