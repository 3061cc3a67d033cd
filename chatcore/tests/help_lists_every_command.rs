//! `/help` gives the asker one line per command with its syntax.

mod support;

use support::Sim;

#[test]
fn help_lists_every_command() {
    let mut sim = Sim::new();
    sim.join(1, "Alice");
    sim.join(2, "Bob");
    sim.line(2, "/Help");
    sim.expect(
        2,
        &[
            "[Server]: Commands (case does not matter):",
            "[Server]: /rename <nickname> - change your nickname",
            "[Server]: /whisper <nickname> <message> - send a private message (also /w)",
            "[Server]: /me <action> - tell everyone what you do (* Alice waves)",
            "[Server]: /schedule <HH:MM> <message> - send a message to everyone at that time (HH:MM, H:MM, HH:MM+09:00 or HH:MMZ)",
            "[Server]: /schedules - list your pending schedules (the admin sees all of them)",
            "[Server]: /unschedule <id> - cancel a schedule of yours (the admin: any)",
            "[Server]: /kick <nickname> [reason] - remove a member and ban them for a while (admin only)",
            "[Server]: /bans - list the room's bans (admin only)",
            "[Server]: /unban <nickname> - lift a ban (admin only)",
            "[Server]: /admin <nickname> - hand the admin role to a member (admin only)",
            "[Server]: /notice [text | -] - show the room's notice; the admin sets it, or clears it with -",
            "[Server]: /user - list the members",
            "[Server]: /rooms - list the rooms",
            "[Server]: /join <room> [code] - go to a room; a new name creates it, with you as its admin",
            "[Server]: /code [code] - set the room's participation code, or clear it (admin only)",
            "[Server]: /help - show this list",
            "[Server]: /quit - leave the chat",
            "[Server]: //text - send a message that starts with /",
        ],
    );
    sim.expect_silent(&[1]);
    // Commands are logged too, even those that change nothing.
    sim.expect_logs(&["[lobby] command Bob /help"]);
}
