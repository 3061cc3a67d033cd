//! `/code` (admin) makes a room need a participation code: `/rooms` marks it, only the right
//! code lets one in, and the code is never broadcast, listed or logged (PROTOCOL.md §8).

mod support;

use support::Sim;

#[test]
fn a_code_lets_in_only_who_knows_it() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Carol");
    sim.line(1, "/join study");
    sim.line(2, "/join study");
    sim.clear();

    sim.line(2, "/code s3cret");
    sim.expect(2, &["[Server]: Only the admin can do that."]);
    sim.line(1, "/code s3cret");
    sim.expect(
        1,
        &["[Server]: The participation code is set; /join study <code> enters."],
    );
    sim.expect_silent(&[2, 3]);
    sim.line(1, "/code abc");
    sim.expect(
        1,
        &["[Server]: A code is 4-32 visible characters, without spaces."],
    );

    sim.line(3, "/rooms");
    sim.expect(3, &["[Server]: Rooms (2): lobby 1/10, study 2/10 (code)"]);
    sim.line(3, "/join study s3cret");
    sim.expect(3, &["[Server]: You joined \"study\" (3/10 online)."]);
    sim.expect(1, &["[Server]: Carol has joined the chat."]);
    sim.expect(2, &["[Server]: Carol has joined the chat."]);

    // Cleared: anyone may enter.
    sim.line(1, "/code");
    sim.expect(
        1,
        &["[Server]: The participation code is cleared; anyone may join."],
    );
    sim.expect_nothing_sent();

    let logs = sim.take_logs();
    assert!(logs.iter().all(|l| !l.contains("s3cret")), "{logs:?}");
    assert!(
        logs.contains(&"[study] code set by Alice".to_owned()),
        "{logs:?}"
    );
    assert!(
        logs.contains(&"[study] code cleared by Alice".to_owned()),
        "{logs:?}"
    );
}
