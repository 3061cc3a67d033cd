//! Renames per member (PROTOCOL.md §6): a burst of 5, then 5 a minute; past it the renamer is
//! told how long to wait and nobody else hears of it. A refused name costs nothing.

mod support;

use support::{Sim, ms, secs};

#[test]
fn renaming_too_often_is_refused_with_the_wait() {
    let mut sim = Sim::config(|c| c.history = 0);
    sim.join(1, "Ann");
    sim.join(2, "Ben");
    // A refused name is not a rename: it spends nothing.
    sim.line(2, "/rename Ann");
    sim.expect(2, &["[Server]: Nickname \"Ann\" is already taken."]);
    for n in 1..=5 {
        sim.line(2, &format!("/rename Ben{n}"));
    }
    sim.expect(
        1,
        &[
            "[Server]: User \"Ben\" has changed their nickname to \"Ben1\".",
            "[Server]: User \"Ben1\" has changed their nickname to \"Ben2\".",
            "[Server]: User \"Ben2\" has changed their nickname to \"Ben3\".",
            "[Server]: User \"Ben3\" has changed their nickname to \"Ben4\".",
            "[Server]: User \"Ben4\" has changed their nickname to \"Ben5\".",
        ],
    );
    sim.take(2);

    // The sixth within the minute: the real wait (one rename every 12 s), rounded up.
    sim.advance(ms(2500));
    sim.line(2, "/rename Ben6");
    sim.expect(
        2,
        &["[Server]: You are renaming too often; try again in 10 s."],
    );
    sim.expect_silent(&[1]);
    assert_eq!(sim.members(), ["Ann", "Ben5"]);

    // Once it is over, one more rename goes through, and then it waits again.
    sim.advance(secs(10));
    sim.line(2, "/rename Ben6");
    sim.expect(2, &["[Server]: You are now \"Ben6\"."]);
    sim.expect(
        1,
        &["[Server]: User \"Ben5\" has changed their nickname to \"Ben6\"."],
    );
    sim.line(2, "/rename Ben7");
    sim.expect(
        2,
        &["[Server]: You are renaming too often; try again in 12 s."],
    );
}
