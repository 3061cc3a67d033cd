//! Churn (PROTOCOL.md §6): the announcements one address causes in a room (joins, leaves,
//! renames) are a burst of 10, then 30 a minute; past it they are counted, not shown, and
//! the count is one summary line, 10 s after the first one folded, then at most once a
//! minute. Another address has its own budget.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use support::{Sim, secs};

const HOST: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9)));
const OTHER: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)));

#[test]
fn churn_from_one_address_is_folded_into_one_summary_a_minute() {
    let mut sim = Sim::config(|c| {
        c.history = 0;
        c.join_rate = 0;
        c.rename_rate = 0;
    });
    sim.join(1, "Ann");
    // One join, eight renames and a leave: the burst of 10, all shown.
    sim.connect_from(2, HOST);
    sim.line(2, "Mal");
    for n in 1..=8 {
        sim.line(2, &format!("/rename Mal{n}"));
    }
    sim.line(2, "/quit");
    let got = sim.take(1);
    assert_eq!(got.len(), 10, "{got:?}");
    assert_eq!(got[0], "[Server]: Mal has joined the chat.");
    assert_eq!(got[9], "[Server]: Mal8 has left the chat.");

    // Past it, the others hear nothing of the address; the churner still gets its replies.
    sim.connect_from(3, HOST);
    sim.line(3, "Eve");
    sim.line(3, "/rename Eve1");
    sim.line(3, "/rename Eve2");
    sim.expect(
        3,
        &[
            "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:",
            "[Server]: Welcome, Eve! 2/10 online. Type /help for commands.",
            "[Server]: You are now \"Eve1\".",
            "[Server]: You are now \"Eve2\".",
        ],
    );
    sim.expect_silent(&[1]);
    assert_eq!(sim.next_deadline_in(), Some(secs(10)));

    // Another address has a budget of its own.
    sim.connect_from(4, OTHER);
    sim.line(4, "Zed");
    sim.expect(1, &["[Server]: Zed has joined the chat."]);
    sim.take(4);
    sim.line(3, "/quit");
    sim.take(3);
    sim.expect_silent(&[1, 4]);

    // Ten seconds after the first one folded: the count, to everyone.
    sim.advance(secs(10));
    let summary = "[Server]: 4 more joins, leaves and renames were not shown.";
    sim.expect(1, &[summary]);
    sim.expect(4, &[summary]);

    // The budget refills at 30 a minute: 5 more after those 10 s...
    sim.connect_from(5, HOST);
    sim.line(5, "Kim");
    for n in 1..=5 {
        sim.line(5, &format!("/rename Kim{n}"));
    }
    sim.expect(
        1,
        &[
            "[Server]: Kim has joined the chat.",
            "[Server]: User \"Kim\" has changed their nickname to \"Kim1\".",
            "[Server]: User \"Kim1\" has changed their nickname to \"Kim2\".",
            "[Server]: User \"Kim2\" has changed their nickname to \"Kim3\".",
            "[Server]: User \"Kim3\" has changed their nickname to \"Kim4\".",
        ],
    );
    assert_eq!(sim.take(4).len(), 5);
    // ...and the next summary waits a minute after the last one.
    assert_eq!(sim.next_deadline_in(), Some(secs(60)));
    sim.advance(secs(59));
    sim.expect_silent(&[1, 4]);
    sim.advance(secs(1));
    let one = "[Server]: 1 more join, leave or rename was not shown.";
    sim.expect(1, &[one]);
    sim.expect(4, &[one]);
    assert_eq!(sim.next_deadline_in(), None);
}
