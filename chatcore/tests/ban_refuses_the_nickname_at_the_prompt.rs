//! A ban from the default room refuses the nickname at the prompt with the time left, closes
//! the connection, tells nobody else and logs the refusal; the room's exposed check agrees.

mod support;

use std::time::Duration;

use chatcore::Nickname;
use support::{Sim, secs};

#[test]
fn ban_refuses_the_nickname_at_the_prompt() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/kick Bob");
    sim.disconnect(2);
    sim.advance(secs(59));
    sim.clear();

    sim.connect(3);
    sim.line(3, "bob");
    sim.expect(
        3,
        &[
            "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:",
            "[Server]: You are banned from \"lobby\" for 10 more minutes.",
        ],
    );
    sim.expect_closed(&[3]);
    sim.expect_silent(&[1]);
    sim.expect_logs(&[
        "connect c3",
        "refused c3: You are banned from \"lobby\" for 10 more minutes.",
    ]);
    // Nothing it sends before the transport closes it does anything.
    sim.line(3, "Robert");
    sim.expect_nothing_sent();

    let key = Nickname::parse("BOB").expect("valid").key();
    let now = sim.now().instant;
    assert_eq!(
        sim.hall.default_room().ban_remaining(&key, None, now),
        Some(Duration::from_secs(600 - 59))
    );
    let other = Nickname::parse("Carol").expect("valid").key();
    assert_eq!(
        sim.hall.default_room().ban_remaining(&other, None, now),
        None
    );
    assert_eq!(
        sim.hall
            .default_room()
            .ban_remaining(&key, None, now + Duration::from_secs(541)),
        None
    );
}
