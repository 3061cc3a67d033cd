//! Plain mode, real binary against the real server: two clients chat, whisper and schedule
//! (the client appends its UTC offset), the chat log holds the lines in screen order, and
//! both exit 0 when their stdin closes.

mod common;

use common::{PlainClient, logged_lines, start_server, stop_server};

#[test]
fn two_clients_chat_whisper_and_schedule_and_log_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let logs = dir.path().join("logs");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let logs_arg = logs.to_str().expect("utf-8 path");

    let mut alice = PlainClient::spawn(
        addr,
        dir.path(),
        &[
            "--nick",
            "Alice",
            "--utc-offset",
            "+09:00",
            "--log-dir",
            logs_arg,
        ],
    );
    alice.out.expect_prefix("[Server]: Welcome, Alice!");

    // Without --nick, the first stdin line is the nickname.
    let mut bob = PlainClient::spawn(addr, dir.path(), &["--log-dir", logs_arg]);
    bob.out.expect_prefix("[Server]: Welcome to the open chat");
    bob.send("Bob");
    bob.out.expect_prefix("[Server]: Welcome, Bob!");
    alice.out.expect("[Server]: Bob has joined the chat.");

    alice.send("Hello everyone!");
    bob.out.expect("Alice >> Hello everyone!");

    bob.send("/whisper Alice Hi, Alice!");
    alice.out.expect("[Whisper from Bob] Hi, Alice!");
    bob.out.expect("[Whisper to Alice] Hi, Alice!");

    alice.send("/schedule 15:30 Meeting starts soon");
    let reply = alice.out.expect_prefix("[Server]: Scheduled #1 for 15:30 ");
    // The real clock decides between today and tomorrow; the offset is the client's.
    assert!(reply.contains(" (+09:00), in "), "{reply}");
    assert!(reply.ends_with(": Meeting starts soon"), "{reply}");

    bob.close_stdin();
    assert_eq!(bob.wait().code(), Some(0));
    bob.out.expect("[Server]: Bye, Bob.");
    alice.out.expect("[Server]: Bob has left the chat.");
    alice.close_stdin();
    assert_eq!(alice.wait().code(), Some(0));
    alice.out.until_end();

    // stdout holds exactly the received lines: never the user's own chat.
    assert!(
        !alice
            .out
            .seen()
            .iter()
            .any(|l| l.contains("Hello everyone!"))
    );
    assert!(alice.out.seen().iter().all(|l| !l.starts_with("* ")));

    let log = std::fs::read_to_string(logs.join("Alice_chat_log.txt")).expect("Alice's log");
    let entries: Vec<&str> = log.lines().collect();
    for line in [
        "Alice >> Hello everyone!",
        "[Whisper from Bob] Hi, Alice!",
        "[Server]: Bob has left the chat.",
    ] {
        assert!(
            entries.iter().any(|e| e.get(26..) == Some(line)),
            "{line:?} not in {entries:#?}"
        );
    }
    assert!(entries.iter().any(
        |e| e[26..].starts_with("[Server]: Scheduled #1 for 15:30 ") && e.contains("(+09:00)")
    ));
    // Every entry is stamped, but the session marks, which carry their own time.
    for entry in &entries {
        assert!(
            is_stamped(entry) || (entry.starts_with("--- ") && entry.ends_with(" ---")),
            "{entry:?}"
        );
    }
    assert!(
        entries
            .iter()
            .any(|e| e.ends_with(&format!(" connected to {addr} as Alice ---"))),
        "{entries:#?}"
    );
    let bob_log = std::fs::read_to_string(logs.join("Bob_chat_log.txt")).expect("Bob's log");
    assert!(bob_log.contains(" Alice >> Hello everyone!\n"), "{bob_log}");
    assert!(
        bob_log.contains(" [Whisper to Alice] Hi, Alice!\n"),
        "{bob_log}"
    );

    // The server saw the offset the client appended.
    stop_server(server);
    let server_log = std::fs::read_to_string(dir.path().join("server.txt")).expect("server log");
    assert!(
        server_log.contains("+09:00: Meeting starts soon"),
        "{server_log}"
    );
}

/// `YYYY-MM-DD HH:MM:SS ` at the start.
fn is_stamped(entry: &str) -> bool {
    let b = entry.as_bytes();
    // 2026-11-25 15:30:07+09:00 (the client runs with --utc-offset +09:00)
    b.len() > 26
        && b[..25].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 | 22 => *c == b':',
            19 => *c == b'+',
            _ => c.is_ascii_digit(),
        })
        && b[25] == b' '
}

/// A line typed ahead of the welcome (piped in with the nickname) is logged where the server
/// put it and where it reads on the screen: after the welcome and the backlog that came with
/// it, not between them. The log is stdout's lines in stdout's order, the own line inserted
/// before the goodbye.
#[test]
fn a_line_typed_ahead_is_logged_after_the_welcome_and_the_backlog() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let logs = dir.path().join("logs");
    let logs_arg = logs.to_str().expect("utf-8 path");

    // Bob talks first, so Alice gets a backlog (and Bob stays the admin).
    let mut bob = PlainClient::spawn(addr, dir.path(), &["--nick", "Bob", "--no-log"]);
    bob.out.expect_prefix("[Server]: Welcome, Bob!");
    bob.send("Hi everyone!");

    // Wait for the line to be in the room, so it is in Alice's backlog.
    let mut watcher = PlainClient::spawn(addr, dir.path(), &["--nick", "Watch", "--no-log"]);
    watcher.out.expect_prefix("[Server]: Welcome, Watch!");
    watcher.out.expect_prefix("[Server]: Last message");
    watcher.close_stdin();
    assert_eq!(watcher.wait().code(), Some(0));
    // The nickname and a line at once: the line waits for the nickname's answer.
    let mut alice = PlainClient::spawn(addr, dir.path(), &["--log-dir", logs_arg]);
    alice.send("Alice");
    alice.send("hello");
    alice.close_stdin();
    assert_eq!(alice.wait().code(), Some(0));
    let screen = alice.out.until_end();
    bob.out.expect("Alice >> hello");
    bob.close_stdin();
    assert_eq!(bob.wait().code(), Some(0));
    stop_server(server);

    assert!(
        screen
            .iter()
            .any(|l| l.starts_with("[Server]: Last message"))
            && screen.iter().any(|l| l.ends_with("] Bob >> Hi everyone!")),
        "no backlog on the screen: {screen:#?}"
    );
    let log = std::fs::read_to_string(logs.join("Alice_chat_log.txt")).expect("Alice's log");
    let logged = logged_lines(&log);
    let mut want: Vec<&str> = screen.iter().map(String::as_str).collect();
    let bye = want
        .iter()
        .position(|l| *l == "[Server]: Bye, Alice.")
        .expect("the goodbye on the screen");
    want.insert(bye, "Alice >> hello");
    assert_eq!(logged, want, "{log}");
}
