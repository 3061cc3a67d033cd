//! The slow-consumer policy through the in-process transport: a member who never reads is
//! dropped once its outbox is full, and a member who reads gets every line and stays.

use std::time::Duration;

use chat_runtime::local::LocalClient;
use chat_runtime::{Runtime, RuntimeConfig};

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn a_member_who_never_reads_is_dropped_alone() {
    let dir = std::env::temp_dir().join(format!("chat-runtime-slow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut config = RuntimeConfig {
        log_path: dir.join("server.txt"),
        outbox_lines: 50,
        ..RuntimeConfig::default()
    };
    config.room.flood_rate = 0;
    let runtime = Runtime::start(config).expect("start");
    let ip = "127.0.0.1".parse().expect("ip");
    let mut talker = LocalClient::connect(&runtime.door(), ip).expect("admitted");
    talker.send("Talker").expect("running");
    talker
        .recv_until(WAIT, |l| l == "[Server]: You are the admin.")
        .expect("admin line");
    let mut reader = LocalClient::connect(&runtime.door(), ip).expect("admitted");
    reader.send("Reader").expect("running");
    reader
        .recv_until(WAIT, |l| l.starts_with("[Server]: Welcome, Reader!"))
        .expect("welcome");
    let mut sleeper = LocalClient::connect(&runtime.door(), ip).expect("admitted");
    sleeper.send("Sleeper").expect("running");
    reader
        .recv_until(WAIT, |l| l == "[Server]: Sleeper has joined the chat.")
        .expect("join line");

    let left = "[Server]: Sleeper has left the chat.";
    let mut seen = Vec::new();
    for n in 0..200 {
        talker.send(&format!("line {n}")).expect("running");
        // The reader reads each line as it comes: never more than one behind.
        let line = reader.recv(WAIT).expect("a line");
        if line == left {
            seen.push(line);
            seen.push(reader.recv(WAIT).expect("a line"));
        } else {
            seen.push(line);
        }
    }
    let chat: Vec<String> = seen.iter().filter(|l| *l != left).cloned().collect();
    let expected: Vec<String> = (0..200).map(|n| format!("Talker >> line {n}")).collect();
    assert_eq!(chat, expected, "the reader gets every line, in order");
    assert_eq!(
        seen.len(),
        201,
        "and the sleeper's departure once: {seen:?}"
    );
    runtime.shutdown();
    assert_eq!(
        reader.recv(WAIT).as_deref(),
        Some("[Server]: The server is shutting down.")
    );
    runtime.join().expect("clean stop");
    let log = std::fs::read_to_string(dir.join("server.txt")).expect("log");
    assert!(log.contains("[lobby] leave Sleeper slow-consumer"), "{log}");
    assert!(!log.contains("leave Reader slow-consumer"), "{log}");
    assert!(!log.contains("leave Talker slow-consumer"), "{log}");
    std::fs::remove_dir_all(&dir).expect("clean up");
}
