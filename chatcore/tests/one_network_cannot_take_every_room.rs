//! Rooms that `/join` from one IPv4 /24 (or IPv6 /48) created count against that network
//! while they exist, at most `max_rooms_per_subnet`: addresses of a few networks, each
//! creating rooms and leaving at once, cannot take every one of `max_rooms` for the rooms'
//! 24 h lifetime. Loopback is exempt while it is exempt from the other per-address limits.

mod support;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use support::{Sim, secs};

fn net(c: u8, last: u8) -> Option<IpAddr> {
    Some(IpAddr::V4(Ipv4Addr::new(198, 51, c, last)))
}

fn member(sim: &mut Sim, id: u64, peer: Option<IpAddr>, nick: &str) {
    sim.connect_from(id, peer);
    sim.line(id, nick);
    sim.clear();
}

const REFUSED: &str =
    "[Server]: Too many rooms were created from your network (max 3); join one of them.";

#[test]
fn a_network_creates_at_most_its_share_of_rooms_while_they_exist() {
    let mut sim = Sim::config(|c| {
        c.max_rooms_per_subnet = 3;
        c.join_rate = 0;
        c.room_ttl = secs(600);
        c.history = 0;
    });
    // Two addresses of one /24 create three rooms between them and leave.
    member(&mut sim, 1, net(100, 1), "Mallory");
    member(&mut sim, 2, net(100, 2), "Trent");
    sim.line(1, "/join a1");
    sim.line(1, "/join a2");
    sim.line(2, "/join a3");
    sim.clear();
    sim.line(2, "/join a4");
    sim.expect(2, &[REFUSED]);
    assert!(sim.hall.room("a4").is_none());
    sim.disconnect(1);
    sim.disconnect(2);
    // A third address of the same /24 is refused too; an existing room is still open to it.
    member(&mut sim, 3, net(100, 3), "Oscar");
    sim.line(3, "/join b1");
    sim.expect(3, &[REFUSED]);
    sim.line(3, "/join a1");
    sim.expect(
        3,
        &[
            "[Server]: You joined \"a1\" (1/10 online).",
            "[Server]: You are the admin.",
        ],
    );
    // Another /24 is another network.
    member(&mut sim, 4, net(101, 1), "Alice");
    sim.line(4, "/join study");
    sim.expect(4, &["[Server]: You created \"study\" and are its admin."]);

    // Once one of the network's rooms is removed (idle for the ttl), it may create one more.
    sim.line(3, "/join lobby");
    sim.clear();
    sim.advance(secs(600));
    assert!(sim.hall.room("a2").is_none());
    sim.line(3, "/join b1");
    sim.expect(3, &["[Server]: You created \"b1\" and are its admin."]);

    // IPv6: a /48 is one network, across its /64s.
    let v6 = |n: u16| Some(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 7, n, 0, 0, 0, 1)));
    for (i, id) in (10..14).enumerate() {
        member(&mut sim, id, v6(id as u16), &format!("Six{id}"));
        sim.line(id, &format!("/join v{id}"));
        let want = if i < 3 {
            format!("[Server]: You created \"v{id}\" and are its admin.")
        } else {
            REFUSED.to_owned()
        };
        sim.expect(id, &[want.as_str()]);
    }
}

#[test]
fn loopback_is_exempt_while_it_is_exempt_from_the_per_address_limit() {
    let lo = |n: u8| Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)));
    let mut sim = Sim::config(|c| {
        c.max_rooms_per_subnet = 1;
        c.join_rate = 0;
    });
    member(&mut sim, 1, lo(1), "Alice");
    sim.line(1, "/join one");
    sim.line(1, "/join two");
    sim.expect(
        1,
        &[
            "[Server]: You created \"one\" and are its admin.",
            "[Server]: You created \"two\" and are its admin.",
        ],
    );

    let mut strict = Sim::config(|c| {
        c.max_rooms_per_subnet = 1;
        c.join_rate = 0;
        c.exempt_loopback = false;
    });
    member(&mut strict, 1, lo(1), "Alice");
    strict.line(1, "/join one");
    strict.clear();
    strict.line(1, "/join two");
    strict.expect(
        1,
        &["[Server]: Too many rooms were created from your network (max 1); join one of them."],
    );
}
