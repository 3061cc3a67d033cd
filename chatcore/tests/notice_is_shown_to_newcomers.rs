//! `/notice`: the admin sets it (everyone is told), anyone shows it, the admin clears it with
//! `-`; a newcomer gets it right after the backlog. Nobody else may set or clear it.

mod support;

use support::Sim;

#[test]
fn notice_is_shown_to_newcomers() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");

    sim.line(2, "/notice");
    sim.expect(2, &["[Server]: There is no notice."]);
    sim.line(2, "/notice Free pizza");
    sim.expect(2, &["[Server]: Only the admin can do that."]);

    sim.line(1, "/NOTICE  Lunch at 12 in room 301 ");
    for id in [1, 2] {
        sim.expect(
            id,
            &["[Server]: Notice from Alice: Lunch at 12 in room 301"],
        );
    }
    sim.expect_logs(&[
        "[lobby] command Bob /notice",
        "[lobby] rejected Bob (c2): Only the admin can do that.",
        "[lobby] notice Alice: Lunch at 12 in room 301",
    ]);
    assert_eq!(
        sim.hall.default_room().notice(),
        Some("Lunch at 12 in room 301")
    );

    sim.line(2, "/notice");
    sim.expect(2, &["[Server]: Notice: Lunch at 12 in room 301"]);
    sim.line(2, "hello");
    sim.clear();

    sim.connect(3);
    sim.line(3, "Charlie");
    sim.expect(
        3,
        &[
            "[Server]: Welcome to the open chat (2/10 online). Enter a nickname:",
            "[Server]: Welcome, Charlie! 3/10 online. Type /help for commands.",
            "[Server]: Last message (time in +00:00):",
            "[06:29] Bob >> hello",
            "[Server]: Notice: Lunch at 12 in room 301",
        ],
    );
    sim.clear();

    sim.line(2, "/notice -");
    sim.expect(2, &["[Server]: Only the admin can do that."]);
    sim.line(1, "/notice -");
    sim.expect(1, &["[Server]: Notice cleared."]);
    sim.expect_silent(&[2, 3]);
    sim.line(3, "/notice");
    sim.expect(3, &["[Server]: There is no notice."]);
    sim.clear();
    sim.connect(4);
    sim.line(4, "Dave");
    let got = sim.take(4);
    assert!(!got.iter().any(|l| l.contains("Notice")), "{got:?}");
}

#[test]
fn the_notice_is_sanitised() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "/notice \u{1b}[31mred\u{202e} alert");
    sim.expect(2, &["[Server]: Notice from Alice: [31mred alert"]);
}
