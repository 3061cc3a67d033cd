//! `--utc-offset`: a real offset (negative ones included) is the one bare `/schedule` times
//! use; one beyond what is used on Earth is a usage error.

mod support;

use std::process::Command;

use support::{Child, Client, temp_dir};

#[test]
fn a_negative_offset_is_accepted_and_used_for_bare_times() {
    let server = Child::spawn("offset", &["--utc-offset", "-05:00"]);
    let mut alice = Client::first_member(server.addr, "Alice");
    alice.send("/schedule 12:00 lunch");
    let reply = alice.line();
    assert!(
        reply.starts_with("[Server]: Scheduled #1 for 12:00 ")
            && reply.contains(" (-05:00), in ")
            && reply.ends_with(": lunch"),
        "{reply}"
    );
}

#[test]
fn an_offset_beyond_a_day_is_refused_with_exit_2() {
    let dir = temp_dir("offset-bad");
    let log = dir.join("server.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--web",
            "none",
            "--utc-offset",
            "+25:00",
            "--log",
        ])
        .arg(&log)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--utc-offset") && stderr.contains("+25:00"),
        "{stderr}"
    );
    // Refused before anything started: not even the log was created.
    assert!(!log.exists());
}
