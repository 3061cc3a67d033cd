//! When an admin's departure is folded away as churn (PROTOCOL.md §6), the new admin is
//! still told; the others only get the summary.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::{Sim, secs};

const HOST: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9)));

#[test]
fn a_new_admin_is_told_even_when_churn_is_folded() {
    let mut sim = Sim::config(|c| {
        c.history = 0;
        c.rename_rate = 0;
    });
    sim.connect_from(1, HOST);
    sim.line(1, "Mal");
    sim.join(2, "Ann");
    sim.join(3, "Ben");
    // The join was one; nine renames spend the rest of the address's burst.
    for n in 1..=9 {
        sim.line(1, &format!("/rename Mal{n}"));
    }
    assert_eq!(sim.take(2).len(), 9);
    sim.take(3);
    sim.line(1, "/quit");
    sim.expect(2, &["[Server]: Ann is now the admin."]);
    sim.expect_silent(&[3]);
    assert_eq!(sim.admin().as_deref(), Some("Ann"));
    sim.advance(secs(10));
    let summary = "[Server]: 2 more joins, leaves and renames were not shown.";
    sim.expect(2, &[summary]);
    sim.expect(3, &[summary]);
}
