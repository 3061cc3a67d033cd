//! `Server`, `admin` and `system` are reserved in any case and look-alike spelling.

mod support;

use support::Sim;

#[test]
fn reserved_nicknames_are_refused_in_any_case() {
    let mut sim = Sim::new();
    sim.connect(1);
    sim.take(1);
    for name in [
        "Server",
        "server",
        "SERVER",
        "admin",
        "Admin",
        "ADMIN",
        "system",
        "System",
        "systern",
        // Cherokee capitals that read SERVER.
        "\u{13DA}\u{13AC}\u{13D2}\u{13D9}\u{13AC}\u{13D2}",
    ] {
        sim.line(1, name);
        let expected = format!("[Server]: Nickname \"{name}\" is reserved. Enter another:");
        sim.expect(1, &[expected.as_str()]);
    }
    assert_eq!(sim.members(), Vec::<String>::new());
    // Only the exact key is reserved.
    sim.line(1, "Servers");
    assert_eq!(sim.members(), ["Servers"]);
}

#[test]
fn reserved_names_are_refused_on_rename_too() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/rename admin");
    sim.expect(1, &["[Server]: Nickname \"admin\" is reserved."]);
    sim.expect_silent(&[2]);
    assert_eq!(sim.members(), ["Alice", "Bob"]);
}
