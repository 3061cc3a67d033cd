//! Records of connections that have not joined are limited per address: 50 a minute, then
//! they are counted, and the count is one record when the minute ends. Joins and what
//! members do are always logged; other addresses have budgets of their own.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::{Sim, secs};

const HOST: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
const OTHER: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1));

#[test]
fn an_address_logs_fifty_records_a_minute_before_joining() {
    let mut sim = Sim::new();
    sim.drain();
    sim.expect_logs(&["start capacity 10", "[lobby] room created"]);
    // 25 connections that come and go: 50 records.
    for id in 1..=25 {
        sim.connect_from(id, Some(HOST));
        sim.disconnect(id);
    }
    let logs = sim.take_logs();
    assert_eq!(logs.len(), 50, "{logs:#?}");
    sim.advance(secs(10));
    for id in 26..=30 {
        sim.connect_from(id, Some(HOST));
        sim.line(id, "");
        sim.disconnect(id);
    }
    // Still answered, no longer logged.
    sim.expect(
        26,
        &[
            "[Server]: Welcome to the open chat (0/10 online). Enter a nickname:",
            "[Server]: Nickname must not be empty. Enter another:",
        ],
    );
    sim.expect_logs(&[]);
    sim.connect_from(31, Some(OTHER));
    sim.expect_logs(&["connect c31 from 198.51.100.1"]);
    // A join is logged whatever the budget.
    sim.connect_from(32, Some(HOST));
    sim.line(32, "Alice");
    sim.expect_logs(&["[lobby] join Alice (c32)"]);

    // The minute ends 60 s after the first record: the count, once.
    assert_eq!(sim.next_deadline_in(), Some(secs(50)));
    sim.advance(secs(50));
    sim.expect_logs(&["unwritten 16 records of connections from 203.0.113.7 that had not joined"]);
    // A new minute, a new budget.
    sim.connect_from(33, Some(HOST));
    sim.expect_logs(&["connect c33 from 203.0.113.7"]);
}
