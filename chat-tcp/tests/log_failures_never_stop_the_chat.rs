//! server.txt problems: refused at start, survived at run time.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{Child, Client, temp_dir};

#[test]
fn a_log_that_cannot_be_opened_is_a_clear_error_and_exit_2() {
    let dir = temp_dir("nolog");
    let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .args(["--bind", "127.0.0.1:0", "--web", "none", "--log"])
        .arg(dir.join("missing-dir").join("server.txt"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.contains("error")).count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("chat-tcp: error: cannot open log file"),
        "{stderr}"
    );
}

#[test]
fn a_full_disk_is_reported_once_and_the_chat_goes_on() {
    let mut server = Child::spawn_with_log(
        "/dev/full".into(),
        // The state would default to /dev/chat.db.
        &["--flood-rate", "0", "--state", "none"],
    );
    let mut alice = Client::first_member(server.addr, "Alice");
    let mut bob = Client::joined(server.addr, "Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    for i in 0..300 {
        bob.send(&format!("still chatting {i}"));
        alice.expect(&[&format!("Bob >> still chatting {i}")]);
    }
    // Gone before the signal, so the shutdown waits for nobody.
    drop((alice, bob));
    let (code, took) = server.terminate();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(2), "exit {took:?} after SIGTERM");
    let errors: Vec<String> = server
        .rest_of_stderr()
        .into_iter()
        .filter(|l| l.contains("cannot write the server log"))
        .collect();
    assert_eq!(errors.len(), 1, "first: {:?}", errors.first());
}
