//! A FIFO planted at `<nickname>_chat_log.txt` in a shared log directory neither freezes the
//! client (a blocking open would wait for a reader) nor gets the chat: the client says once
//! why it is not logging and chats on.
#![cfg(unix)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{PlainClient, RawMember, start_server, stop_server};

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn a_planted_fifo_is_refused_and_the_chat_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let logs = dir.path().join("shared");
    std::fs::create_dir(&logs).expect("log dir");
    mkfifo(&logs.join("Alice_chat_log.txt"));
    let server = start_server(dir.path());
    let mut bob = RawMember::join(server.local_addr(), "Bob");
    let mut alice = PlainClient::spawn(
        server.local_addr(),
        dir.path(),
        &[
            "--nick",
            "Alice",
            "--log-dir",
            logs.to_str().expect("utf-8 temp path"),
        ],
    );
    alice.out.expect_prefix("[Server]: Welcome, Alice!");
    alice.err.expect(
        "chat-cli: Could not open the chat log Alice_chat_log.txt \
         (not a regular file but a FIFO or socket); not logging.",
    );
    alice.send("still here");
    bob.lines.expect("Alice >> still here");
    alice.close_stdin();
    assert_eq!(alice.wait().code(), Some(0));
    let notices = alice.err.until_end();
    let refusals = notices.iter().filter(|l| l.contains("chat log")).count();
    assert_eq!(refusals, 1, "told once: {notices:#?}");
    stop_server(server);
    let names: Vec<_> = std::fs::read_dir(&logs)
        .expect("log dir")
        .map(|e| e.expect("dir entry").file_name())
        .collect();
    assert_eq!(names, ["Alice_chat_log.txt"], "no other file written");
}
