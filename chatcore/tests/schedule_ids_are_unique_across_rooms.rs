//! Schedule ids are unique on the whole server (PROTOCOL.md §9): a schedule set in another
//! room takes the next number, and each fires in its own room only.

mod support;

use support::{Sim, secs};

#[test]
fn schedule_ids_are_unique_across_rooms() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "/join study");
    sim.clear();

    sim.line(1, "/schedule 06:30Z tea");
    sim.expect(
        1,
        &["[Server]: Scheduled #1 for 06:30 today (+00:00), in 1m: tea"],
    );
    sim.line(2, "/schedule 06:30Z cake");
    sim.expect(
        2,
        &["[Server]: Scheduled #2 for 06:30 today (+00:00), in 1m: cake"],
    );
    sim.clear();
    sim.advance(secs(1));
    sim.expect(1, &["[Scheduled by Alice] tea"]);
    sim.expect(2, &["[Scheduled by Bob] cake"]);
    sim.expect_logs(&["[lobby] fired #1 Alice: tea", "[study] fired #2 Bob: cake"]);
}
