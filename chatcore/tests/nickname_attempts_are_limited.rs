//! A connection that keeps sending bad nicknames is closed after 20 tries, so it cannot make
//! the server reply and log without end before it joins.

mod support;

use support::Sim;

#[test]
fn nickname_attempts_are_limited() {
    let mut sim = Sim::new();
    sim.connect(1);
    sim.clear();
    for _ in 0..20 {
        sim.line(1, "../x");
        sim.expect(
            1,
            &["[Server]: Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -). Enter another:"],
        );
    }
    assert!(!sim.is_closed(1));
    sim.line(1, "Alice");
    sim.expect(1, &["[Server]: Too many nickname attempts. Bye."]);
    sim.expect_closed(&[1]);
    assert_eq!(sim.members(), Vec::<String>::new());
}

#[test]
fn a_control_character_in_a_rename_is_refused_not_cleaned() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.clear();
    sim.line(1, "/rename Bo\u{1b}b");
    sim.expect(
        1,
        &["[Server]: Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -)."],
    );
    assert_eq!(sim.members(), ["Alice"]);
}

#[test]
fn refused_frames_count_as_attempts_too() {
    let mut sim = Sim::new();
    sim.connect(1);
    sim.clear();
    for _ in 0..20 {
        sim.frame(1, chatcore::Frame::InvalidUtf8);
        sim.expect(1, &["[Server]: Line is not valid UTF-8. Enter a nickname:"]);
    }
    sim.frame(1, chatcore::Frame::TooLong);
    sim.expect(1, &["[Server]: Too many nickname attempts. Bye."]);
    sim.expect_closed(&[1]);
}
