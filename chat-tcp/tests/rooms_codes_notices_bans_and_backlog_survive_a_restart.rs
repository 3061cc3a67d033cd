//! PROTOCOL.md §10 against the real binary: after a restart on the same state file, a room
//! keeps its code, notice, bans and backlog; a member rejoining sees the backlog from before.

mod support;

use support::{Child, Client, temp_dir};

#[test]
fn a_room_comes_back_with_its_code_notice_ban_and_backlog() {
    let dir = temp_dir("rooms-restart");
    let log = dir.join("server.txt");
    let mut server = Child::spawn_with_log(log.clone(), &["--utc-offset", "Z"]);
    let mut alice = Client::first_member(server.addr, "Alice");
    let mut bob = Client::joined(server.addr, "Bob");
    alice.send("/join study s3cret");
    alice.until("[Server]: You created \"study\" and are its admin.");
    alice.send("/notice Exam on Friday");
    alice.until("[Server]: Notice from Alice: Exam on Friday");
    bob.send("/join study s3cret");
    bob.until("[Server]: Notice: Exam on Friday");
    alice.until("[Server]: Bob has joined the chat.");
    alice.send("before the restart");
    bob.until("Alice >> before the restart");
    alice.send("/kick Bob");
    alice.until("[Server]: You kicked Bob.");
    // SIGTERM: a clean stop, the backlog line is kept at once.
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
    assert!(
        dir.join("chat.db").exists(),
        "the state file is beside the log"
    );

    let server = Child::spawn_with_log(log, &["--utc-offset", "Z"]);
    let mut carol = Client::first_member(server.addr, "Carol");
    carol.send("/rooms");
    assert_eq!(
        carol.line(),
        "[Server]: Rooms (2): lobby 1/10, study 0/10 (code)"
    );
    carol.send("/join study");
    assert_eq!(
        carol.line(),
        "[Server]: The room \"study\" needs a code: /join study <code>"
    );
    carol.send("/join study s3cret");
    assert_eq!(
        carol.line(),
        "[Server]: You joined \"study\" (1/10 online)."
    );
    assert_eq!(carol.line(), "[Server]: You are the admin.");
    assert_eq!(carol.line(), "[Server]: Last message (time in +00:00):");
    let backlog = carol.line();
    assert!(
        backlog.ends_with("] Alice >> before the restart") && backlog.starts_with('['),
        "{backlog}"
    );
    assert_eq!(carol.line(), "[Server]: Notice: Exam on Friday");
    let mut bob = Client::joined(server.addr, "Bob");
    bob.expect(&["[Server]: You are the admin."]);
    bob.send("/join study s3cret");
    let banned = bob.line();
    assert!(
        banned.starts_with("[Server]: You are banned from \"study\" for ")
            && banned.ends_with(" more minutes."),
        "{banned}"
    );
}
