//! A connection that has not joined gets its first three refused nicknames logged one by
//! one, then one record with the count of the rest when it closes or joins, so connections
//! that never join cannot fill `server.txt`.

mod support;

use support::Sim;

const BAD: &str = "../x";
const REFUSED: &str = "rejected c1: Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -). Enter another:";

#[test]
fn connections_that_never_join_log_a_few_refusals_then_one_count() {
    let mut sim = Sim::new();
    sim.connect(1);
    sim.clear();
    for _ in 0..20 {
        sim.line(1, BAD);
    }
    // Every refusal is still answered.
    assert_eq!(sim.take(1).len(), 20);
    sim.expect_logs(&[REFUSED, REFUSED, REFUSED]);
    sim.line(1, BAD);
    sim.expect(1, &["[Server]: Too many nickname attempts. Bye."]);
    sim.expect_logs(&[
        "rejected c1: 17 more refused nicknames",
        "refused c1: Too many nickname attempts. Bye.",
    ]);
    sim.disconnect(1);
    sim.expect_logs(&[]);

    // Going away: the count comes before the record of it.
    sim.connect(2);
    for _ in 0..5 {
        sim.line(2, "");
    }
    sim.clear();
    sim.disconnect(2);
    sim.expect_logs(&["rejected c2: 2 more refused nicknames", "abandoned c2"]);

    // Joining: the count comes first, then the join.
    sim.connect(3);
    for _ in 0..4 {
        sim.line(3, "");
    }
    sim.clear();
    sim.line(3, "Alice");
    sim.expect_logs(&[
        "rejected c3: 1 more refused nickname",
        "[lobby] join Alice (c3)",
    ]);
}
