//! The real binary as a child process: SIGTERM tells members, flushes server.txt, exits 0.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{Client, read_events, temp_dir};

#[test]
fn sigterm_says_goodbye_and_flushes_the_log() {
    let mut server = support::Child::spawn("sigterm", &[]);
    let addr = server.addr;
    let mut members: Vec<Client> = Vec::new();
    for nick in ["Alice", "Bob", "Carol"] {
        let c = Client::joined(addr, nick);
        members.push(c);
    }
    members[0].until("[Server]: Carol has joined the chat.");
    for i in 0..50 {
        members[i % 3].send(&format!("line {i}"));
    }
    members[1].send("/whisper Alice psst");
    members[0].until("[Whisper from Bob] psst");
    // A round trip per member: each one's lines have all been handled.
    for m in &mut members {
        m.sync();
    }

    let (code, took) = server.terminate();
    for m in &mut members {
        m.until("[Server]: The server is shutting down.");
        assert_eq!(m.expect_closed(), Vec::<String>::new());
    }
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(2), "exit {took:?} after SIGTERM");

    let events = read_events(&server.log);
    let chats = events
        .iter()
        .filter(|e| e.starts_with("[lobby] chat "))
        .count();
    assert_eq!(chats, 50, "{events:?}");
    for want in [
        "[lobby] whisper Bob -> Alice: psst",
        "shutdown with 3 members",
        "[lobby] leave Alice shutdown",
        "[lobby] leave Bob shutdown",
        "[lobby] leave Carol shutdown",
    ] {
        assert!(
            events.iter().any(|e| e == want),
            "missing {want:?} in {events:?}"
        );
    }
}

#[test]
fn a_bad_flag_or_a_port_in_use_exits_2_with_one_clear_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .args(["--capacity", "zero"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--capacity"));

    // A flood limit that would let nothing through is refused, not taken as "off".
    let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--web",
            "none",
            "--flood-burst",
            "0",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--flood-burst") && stderr.contains("not in 1.."),
        "{stderr}"
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let dir = temp_dir("inuse");
    let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .args(["--bind", &addr, "--web", "none", "--log"])
        .arg(dir.join("server.txt"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("chat-tcp: error: cannot listen on {addr}"))
            && stderr.contains("(another server there? choose other ports with --bind and --web)"),
        "{stderr}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--log",
            "/nonexistent-dir/server.txt",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot open log file /nonexistent-dir/server.txt"),
        "{stderr}"
    );
}
