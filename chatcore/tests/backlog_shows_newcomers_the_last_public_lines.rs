//! A member entering gets, right after the welcome, the room's last public lines (chat, `/me`
//! actions, fired schedules) in order, each as delivered after `[HH:MM] `; never whispers
//! or `[Server]:` lines; only the last `history` of them.

mod support;

use support::{Sim, secs};

#[test]
fn backlog_shows_newcomers_the_last_public_lines() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(1, "Hello everyone!");
    sim.line(2, "/whisper Alice secret");
    sim.line(2, "/rename Bobby");
    sim.line(2, "/me waves");
    sim.line(1, "/schedule 06:31Z standup");
    sim.line(1, "/user");
    sim.line(2, "/nope");
    sim.advance(secs(61)); // 06:31:00: the schedule fires
    sim.line(2, "//etc");
    sim.clear();

    sim.connect(3);
    sim.line(3, "Charlie");
    sim.expect(
        3,
        &[
            "[Server]: Welcome to the open chat (2/10 online). Enter a nickname:",
            "[Server]: Welcome, Charlie! 3/10 online. Type /help for commands.",
            "[Server]: Last 4 messages (times in +00:00):",
            "[06:29] Alice >> Hello everyone!",
            "[06:29] * Bobby waves",
            "[06:31] [Scheduled by Alice] standup",
            "[06:31] Bobby >> /etc",
        ],
    );
    sim.expect(1, &["[Server]: Charlie has joined the chat."]);
}

#[test]
fn only_the_last_history_lines_are_kept() {
    let mut sim = Sim::config(|c| c.history = 2);
    sim.join(1, "Alice");
    for n in 1..=5 {
        sim.line(1, &format!("line {n}"));
    }
    sim.connect(2);
    sim.line(2, "Bob");
    let got = sim.take(2);
    assert_eq!(
        got[2..],
        [
            "[Server]: Last 2 messages (times in +00:00):",
            "[06:29] Alice >> line 4",
            "[06:29] Alice >> line 5",
        ]
    );
}

#[test]
fn one_line_has_a_singular_header() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.line(1, "alone here");
    sim.connect(2);
    sim.line(2, "Bob");
    let got = sim.take(2);
    assert_eq!(
        got[2..],
        [
            "[Server]: Last message (time in +00:00):",
            "[06:29] Alice >> alone here",
        ]
    );
}

#[test]
fn no_header_when_empty_or_off() {
    for history in [0, 20] {
        let mut sim = Sim::config(|c| c.history = history);
        sim.join(1, "Alice");
        sim.line(1, "/w Alice me?");
        if history == 0 {
            sim.line(1, "said with the backlog off");
        }
        sim.connect(2);
        sim.line(2, "Bob");
        sim.expect(
            2,
            &[
                "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:",
                "[Server]: Welcome, Bob! 2/10 online. Type /help for commands.",
            ],
        );
    }
}

#[test]
fn the_first_member_gets_it_after_the_admin_line() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.line(1, "anyone?");
    sim.line(1, "/quit");
    sim.disconnect(1);
    sim.connect(2);
    sim.line(2, "Bob");
    sim.expect(
        2,
        &[
            "[Server]: Welcome to the open chat (0/10 online). Enter a nickname:",
            "[Server]: Welcome, Bob! 1/10 online. Type /help for commands.",
            "[Server]: You are the admin.",
            "[Server]: Last message (time in +00:00):",
            "[06:29] Alice >> anyone?",
        ],
    );
}
