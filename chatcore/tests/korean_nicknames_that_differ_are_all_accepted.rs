//! Hangul is precomposed, so ignoring diacritics never joins two Korean names: names one
//! syllable or one jamo apart are all accepted side by side.

mod support;

use support::Sim;

#[test]
fn korean_nicknames_that_differ_are_all_accepted() {
    let mut sim = Sim::new();
    let names = ["개똥이", "개똥", "소똥이", "개동이", "김민준", "김민주"];
    for (id, name) in (1..).zip(names) {
        sim.join(id, name);
    }
    assert_eq!(sim.members(), names);
    // The same name typed as conjoining jamo is the same name.
    sim.connect(9);
    sim.take(9);
    sim.line(
        9,
        "\u{1100}\u{1162}\u{1104}\u{1169}\u{11BC}\u{110B}\u{1175}",
    );
    sim.expect(
        9,
        &["[Server]: Nickname \"개똥이\" is already taken. Enter another:"],
    );
}
