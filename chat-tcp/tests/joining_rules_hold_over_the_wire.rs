//! Nicknames, capacity and the admin, as a `nc` user sees them.

mod support;

use support::TestServer;

#[test]
fn korean_nicknames_join_and_chat() {
    let server = TestServer::start("korean");
    let mut a = server.join("개똥이");
    a.expect(&["[Server]: You are the admin."]);
    let mut b = server.join("김철수");
    a.expect(&["[Server]: 김철수 has joined the chat."]);
    b.send("안녕하세요 👋");
    a.expect(&["김철수 >> 안녕하세요 👋"]);
}

#[test]
fn duplicate_and_case_duplicate_nicknames_are_refused_and_may_retry() {
    let server = TestServer::start("dup");
    let _alice = server.join("Alice");
    let mut c = server.connect();
    c.send("Alice");
    c.expect(&["[Server]: Nickname \"Alice\" is already taken. Enter another:"]);
    c.send("alice");
    c.expect(&["[Server]: Nickname \"alice\" is already taken. Enter another:"]);
    c.send("Аlice"); // Cyrillic А
    c.expect(&["[Server]: Nickname mixes scripts that look alike (such as Latin and Cyrillic). Enter another:"]);
    c.send("Server");
    c.expect(&["[Server]: Nickname \"Server\" is reserved. Enter another:"]);
    c.send("../x");
    c.expect(&["[Server]: Nickname must be 1-20 letters, digits, _ - or . (not starting with . or -). Enter another:"]);
    c.send("Alicia");
    c.expect(&["[Server]: Welcome, Alicia! 2/10 online. Type /help for commands."]);
}

#[test]
fn eleventh_connection_is_refused() {
    let server = TestServer::start("full");
    let mut members: Vec<_> = (0..10).map(|i| server.join(&format!("m{i}"))).collect();
    let mut eleventh = support::Client::connect(server.addr);
    eleventh.expect(&["[Server]: The chat room is full (10/10). Try again later."]);
    assert_eq!(eleventh.expect_closed(), Vec::<String>::new());
    // The room still works for the ten.
    members[3].send("still here");
    let skipped = members[0].until("m3 >> still here");
    assert!(
        skipped
            .iter()
            .all(|l| l.ends_with("has joined the chat.") || l.contains("admin")),
        "{skipped:?}"
    );
}

#[test]
fn admin_passes_to_the_longest_member_and_quit_and_disconnect_are_announced() {
    let server = TestServer::start("admin");
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    let mut carol = server.join("Carol");
    bob.expect(&["[Server]: Carol has joined the chat."]);

    alice.expect(&[
        "[Server]: Bob has joined the chat.",
        "[Server]: Carol has joined the chat.",
    ]);
    alice.send("/quit");
    alice.expect(&["[Server]: Bye, Alice."]);
    assert_eq!(alice.expect_closed(), Vec::<String>::new());
    bob.expect(&[
        "[Server]: Alice has left the chat.",
        "[Server]: Bob is now the admin.",
    ]);
    carol.expect(&[
        "[Server]: Alice has left the chat.",
        "[Server]: Bob is now the admin.",
    ]);

    // Renaming to the departed admin's name gives no rights.
    carol.send("/rename Alice");
    carol.expect(&["[Server]: You are now \"Alice\"."]);
    bob.expect(&["[Server]: User \"Carol\" has changed their nickname to \"Alice\"."]);
    carol.send("/kick Bob");
    carol.expect(&["[Server]: Only the admin can kick."]);

    drop(bob); // a disconnect without /quit
    carol.expect(&[
        "[Server]: Bob has left the chat.",
        "[Server]: Alice is now the admin.",
    ]);
}

#[test]
fn unknown_commands_and_usage_errors_go_to_the_sender_only() {
    let server = TestServer::start("unknown");
    let mut alice = server.join("Alice");
    let mut bob = server.join("Bob");
    alice.expect(&[
        "[Server]: You are the admin.",
        "[Server]: Bob has joined the chat.",
    ]);
    bob.send("/dance");
    bob.expect(&["[Server]: Unknown command \"/dance\". Type /help for the list."]);
    bob.send("/whisper Alice");
    bob.expect(&["[Server]: Usage: /whisper <nickname> <message>"]);
    bob.send("/WHISPER Zed hi");
    bob.expect(&["[Server]: No user named \"Zed\" is in the chat."]);
    bob.send("//dance");
    // Alice saw none of the refused lines, only the escaped chat line.
    alice.expect(&["Bob >> /dance"]);
}
