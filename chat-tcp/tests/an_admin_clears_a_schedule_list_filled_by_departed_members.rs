//! Issue #10, item 4, against the real binary: members from 4 addresses fill the room's
//! schedule list with "a minute ago" schedules (about 24 h ahead) and quit; a newcomer cannot
//! schedule. The admin lists all 100 (`/schedules`), cancels them (`/unschedule`), and the
//! newcomer schedules at once.
//!
//! `cargo test -p chat-tcp --test an_admin_clears_a_schedule_list_filled_by_departed_members`

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{SystemTime, UNIX_EPOCH};

use support::{Child, Client};

/// `HH:MMZ` of a minute ago, in UTC: a bare time already past means tomorrow.
fn a_minute_ago() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let minutes = (secs / 60 + 24 * 60 - 1) % (24 * 60);
    format!("{:02}:{:02}Z", minutes / 60, minutes % 60)
}

#[test]
fn an_admin_clears_a_schedule_list_filled_by_departed_members() {
    // The flood limit off, so the admin's 100 cancellations need no pacing.
    let server = Child::spawn(
        "schedule-list",
        &["--no-loopback-exemption", "--flood-rate", "0"],
    );
    let mut alice = Client::first_member(server.addr, "Alice");
    let at = a_minute_ago();
    // 4 addresses x 5 connections x 5 schedules = the room's 100, every address at its 25.
    for a in 1..=4u8 {
        let from = IpAddr::V4(Ipv4Addr::new(127, 0, 41, a));
        for c in 0..5 {
            let nick = format!("m{a}x{c}");
            let mut m = Client::connect_from(from, server.addr);
            m.line();
            m.send(&nick);
            m.until(&format!(
                "[Server]: Welcome, {nick}! 2/10 online. Type /help for commands."
            ));
            for n in 0..5 {
                m.send(&format!("/schedule {at} filler {a}.{c}.{n}"));
                let reply = m.line();
                assert!(reply.starts_with("[Server]: Scheduled #"), "{reply}");
                assert!(reply.ends_with(&format!(": filler {a}.{c}.{n}")), "{reply}");
            }
            m.send("/quit");
            m.expect_closed();
        }
    }
    let mut eve = Client::connect_from(IpAddr::V4(Ipv4Addr::new(127, 0, 42, 9)), server.addr);
    eve.line();
    eve.send("Eve");
    eve.until("[Server]: Welcome, Eve! 2/10 online. Type /help for commands.");
    eve.send("/schedule 23:59Z mine");
    eve.expect(&["[Server]: The room already has 100 pending schedules (max 100)."]);

    // A member sees none of them; the admin sees all 100, the authors marked (left).
    eve.send("/schedules");
    eve.expect(&["[Server]: No pending schedules."]);
    alice.send("/schedules");
    let mut listed = vec![alice.until_prefix("[Server]: #")];
    while listed.len() < 100 {
        listed.push(alice.line());
    }
    // Every id once (schedules due in the same minute may list in any order).
    let mut ids: Vec<u64> = listed
        .iter()
        .map(|l| {
            let id = l
                .strip_prefix("[Server]: #")
                .and_then(|r| r.split(' ').next());
            id.and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{l}"))
        })
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=100).collect::<Vec<u64>>());
    let first = listed
        .iter()
        .find(|l| l.starts_with("[Server]: #1 for "))
        .expect("#1");
    assert!(first.ends_with(", by m1x0 (left): filler 1.0.0"), "{first}");
    for n in 1..=100 {
        alice.send(&format!("/unschedule {n}"));
        alice.until(&format!("[Server]: Schedule #{n} cancelled."));
    }
    alice.send("/schedules");
    alice.until("[Server]: No pending schedules.");

    eve.send("/schedule 23:59Z mine");
    let reply = eve.line();
    assert!(
        reply.starts_with("[Server]: Scheduled #101 for 23:59 "),
        "{reply}"
    );
}
