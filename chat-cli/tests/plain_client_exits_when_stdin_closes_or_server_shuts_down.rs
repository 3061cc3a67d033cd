//! Plain mode leaves on end of input (sending /quit); a server shutdown is reconnected, with
//! exit code 0; a connection failure is exit code 1 and bad usage 2.

mod common;

use std::process::Command;

use common::{BIN, PlainClient, start_server, stop_server};

#[test]
fn end_of_stdin_sends_quit_and_exits_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let mut client = PlainClient::spawn(
        server.local_addr(),
        dir.path(),
        &["--nick", "Alice", "--no-log"],
    );
    client.out.expect_prefix("[Server]: Welcome, Alice!");
    client.close_stdin();
    assert_eq!(client.wait().code(), Some(0));
    client.out.expect("[Server]: Bye, Alice.");
    stop_server(server);
    let log = std::fs::read_to_string(dir.path().join("server.txt")).expect("server log");
    assert!(log.contains(" leave Alice quit"), "{log}");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "--no-log wrote a file"
    );
}

#[test]
fn stdin_closed_at_once_still_joins_then_quits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let mut client = PlainClient::spawn(
        server.local_addr(),
        dir.path(),
        &["--nick", "Bot", "--no-log"],
    );
    client.close_stdin();
    assert_eq!(client.wait().code(), Some(0));
    let out = client.out.until_end();
    assert!(
        out.iter().any(|l| l.starts_with("[Server]: Welcome, Bot!")),
        "{out:#?}"
    );
    assert_eq!(out.last().map(String::as_str), Some("[Server]: Bye, Bot."));
    stop_server(server);
}

#[test]
fn server_shutdown_is_reconnected_and_the_end_of_stdin_leaves() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let logs = dir.path().join("logs");
    let logs_arg = logs.to_str().expect("utf-8 path");
    let mut client = PlainClient::spawn(
        addr,
        dir.path(),
        &["--nick", "Alice", "--log-dir", logs_arg],
    );
    client.out.expect_prefix("[Server]: Welcome, Alice!");
    server.shutdown();
    client.out.expect("[Server]: The server is shutting down.");
    client
        .err
        .expect("chat-cli: The server is shutting down; reconnecting in 1 s.");
    server.join().expect("server threads end");
    // The server comes back on the same port: the client rejoins as Alice.
    let config = chat_tcp::ServerConfig {
        log_path: dir.path().join("server2.txt"),
        ..chat_tcp::ServerConfig::default()
    };
    let server = chat_tcp::Server::bind(addr, config).expect("the server binds again");
    client.out.expect_prefix("[Server]: Welcome, Alice!");
    client.err.expect("chat-cli: Rejoined the chat as Alice.");
    client.close_stdin();
    assert_eq!(client.wait().code(), Some(0));
    stop_server(server);
    // The chat log marks each session and the disconnect between them.
    let log = std::fs::read_to_string(logs.join("Alice_chat_log.txt")).expect("the chat log");
    let marks: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("--- "))
        .map(|l| l.get(21..).unwrap_or_default())
        .collect();
    assert_eq!(
        marks,
        [
            format!("connected to {addr} as Alice ---"),
            format!("disconnected from {addr} ---"),
            format!("reconnected to {addr} as Alice ---"),
            format!("disconnected from {addr} ---"),
        ],
        "{log}"
    );
}

#[test]
fn connection_failure_exits_1_with_a_message() {
    // A port that was just free is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let out = Command::new(BIN)
        .args(["--plain", "--port", &port.to_string(), "--nick", "A"])
        .output()
        .expect("chat-cli runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("chat-cli: cannot connect to 127.0.0.1:{port}:")),
        "{err}"
    );
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &["--port", "nope"][..],
        &["--utc-offset", "9"],
        &["--bogus"],
    ] {
        let out = Command::new(BIN)
            .args(args)
            .output()
            .expect("chat-cli runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}
