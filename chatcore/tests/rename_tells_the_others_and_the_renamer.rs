//! `/rename` changes the nickname: the others are told the old and new name, the renamer
//! is told the new one; the old name is free again.

mod support;

use support::Sim;

#[test]
fn rename_tells_the_others_and_the_renamer() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.join(3, "Charlie");

    sim.line(1, "/rename Alice123");
    sim.expect(1, &["[Server]: You are now \"Alice123\"."]);
    let told = "[Server]: User \"Alice\" has changed their nickname to \"Alice123\".";
    sim.expect(2, &[told]);
    sim.expect(3, &[told]);
    sim.expect_logs(&["[lobby] rename Alice -> Alice123"]);
    assert_eq!(sim.members(), ["Alice123", "Bob", "Charlie"]);

    // Later chat uses the new name; the old one can be taken by a newcomer.
    sim.line(1, "hi");
    sim.expect(2, &["Alice123 >> hi"]);
    sim.join(4, "alice");
    assert_eq!(sim.members(), ["Alice123", "Bob", "Charlie", "alice"]);
}

#[test]
fn rename_to_yourself_is_refused() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/rename Alice");
    sim.expect(1, &["[Server]: You are already \"Alice\"."]);
    sim.expect_silent(&[2]);
    sim.expect_logs(&["[lobby] rejected Alice (c1): You are already \"Alice\"."]);
}

#[test]
fn rename_to_an_invalid_name_is_refused() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/rename two words");
    sim.expect(
        1,
        &["[Server]: Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -)."],
    );
    sim.line(1, "/rename abcdefghijklmnopqrstu");
    sim.expect(
        1,
        &["[Server]: Nickname is too long (max 20 characters and 64 bytes)."],
    );
    sim.expect_silent(&[2]);
    assert_eq!(sim.members(), ["Alice", "Bob"]);
}

#[test]
fn tabs_around_the_new_name_are_spaces_but_controls_are_refused() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/rename\tAlice2\t");
    sim.expect(1, &["[Server]: You are now \"Alice2\"."]);
    sim.expect(
        2,
        &["[Server]: User \"Alice\" has changed their nickname to \"Alice2\"."],
    );
    // A TAB inside the name is a space inside it; a control character is refused, not
    // cleaned into some other name.
    let invalid =
        "[Server]: Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -).";
    for bad in [
        "/rename Al\tice",
        "/rename Ali\u{1}ce",
        "/rename Alice\u{202E}",
    ] {
        sim.line(1, bad);
        sim.expect(1, &[invalid]);
    }
    sim.expect_silent(&[2]);
    assert_eq!(sim.members(), ["Alice2", "Bob"]);
}
