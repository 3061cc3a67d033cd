//! Issue #10 item 4: members from 4 addresses fill the room's schedule list with "a minute
//! ago" schedules (so about 24 h ahead) and quit; nobody can schedule any more. The admin
//! lists them all, cancels them, and a member can schedule again.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::{Sim, ms};

fn addr(n: u8) -> Option<IpAddr> {
    Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, n)))
}

#[test]
fn admin_clears_a_schedule_list_filled_by_departed_members() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    // 4 addresses x 5 connections x 5 schedules = the room's 100, every address at its 25.
    let mut id = 10;
    for a in 1..=4 {
        for c in 0..5 {
            id += 1;
            sim.connect_from(id, addr(a));
            sim.line(id, &format!("m{a}x{c}"));
            for n in 0..5 {
                sim.line(id, &format!("/schedule 06:28Z filler {a}.{c}.{n}"));
            }
            let replies = sim.take(id);
            assert_eq!(replies.len(), 7, "{replies:?}");
            assert!(
                replies[6].starts_with("[Server]: Scheduled #"),
                "{replies:?}"
            );
            sim.line(id, "/quit");
            sim.disconnect(id);
        }
    }
    sim.connect_from(99, addr(9));
    sim.line(99, "Eve");
    sim.clear();
    sim.line(99, "/schedule 07:00Z mine");
    sim.expect(
        99,
        &["[Server]: The room already has 100 pending schedules (max 100)."],
    );

    // The admin sees all 100, the member none of them.
    sim.line(99, "/schedules");
    sim.expect(99, &["[Server]: No pending schedules."]);
    sim.line(1, "/schedules");
    let listed = sim.take(1);
    assert_eq!(listed.len(), 100);
    assert_eq!(
        listed[0],
        "[Server]: #1 for 06:28 tomorrow (+00:00), in 23h 59m, by m1x0 (left): filler 1.0.0"
    );
    for n in 1..=100 {
        sim.advance(ms(100)); // within the flood limit's 10 lines/s
        sim.line(1, &format!("/unschedule {n}"));
        sim.expect(1, &[&format!("[Server]: Schedule #{n} cancelled.")]);
    }
    sim.line(1, "/schedules");
    sim.expect(1, &["[Server]: No pending schedules."]);

    sim.line(99, "/schedule 07:00Z mine");
    sim.expect(
        99,
        &["[Server]: Scheduled #101 for 07:00 today (+00:00), in 30m: mine"],
    );
    // The emptied addresses may schedule again as well.
    sim.connect_from(100, addr(1));
    sim.line(100, "Mallory");
    sim.clear();
    sim.line(100, "/schedule 07:00Z back");
    sim.expect(
        100,
        &["[Server]: Scheduled #102 for 07:00 today (+00:00), in 30m: back"],
    );
}
