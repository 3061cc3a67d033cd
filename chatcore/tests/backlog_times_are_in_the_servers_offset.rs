//! The backlog's times are the delivery times in the server's offset, which its header names.

mod support;

use support::{Sim, secs};
use time::macros::offset;

#[test]
fn backlog_times_are_in_the_servers_offset() {
    for (offset, header, stamp) in [
        (offset!(+09:00), "(times in +09:00):", "[15:29]"),
        (offset!(-05:30), "(times in -05:30):", "[00:59]"),
    ] {
        let mut sim = Sim::config(|c| c.utc_offset = offset);
        sim.join(1, "Alice");
        sim.line(1, "first");
        sim.advance(secs(60)); // 06:30:59 UTC
        sim.line(1, "second");
        sim.connect(2);
        sim.line(2, "Bob");
        let got = sim.take(2);
        let next = if stamp == "[15:29]" {
            "[15:30]"
        } else {
            "[01:00]"
        };
        assert_eq!(
            got[2..],
            [
                format!("[Server]: Last 2 messages {header}"),
                format!("{stamp} Alice >> first"),
                format!("{next} Alice >> second"),
            ]
        );
    }
}
