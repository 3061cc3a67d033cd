//! The chat log is named after the nickname made safe, and is never written outside the log
//! directory, whatever the nickname: refused by the real server, or accepted by a hostile one.

mod common;

use std::path::Path;

use common::{FakeServer, PlainClient, start_server, stop_server};

/// Every file under `root`, relative, sorted.
fn files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                out.push(rel.display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn refused_dotted_nick_exits_1_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let work = dir.path().join("work");
    let logs = work.join("logs");
    std::fs::create_dir_all(&logs).expect("log dir");
    let server = start_server(dir.path());
    let mut client = PlainClient::spawn(
        server.local_addr(),
        &work,
        &[
            "--nick",
            "../evil",
            "--log-dir",
            logs.to_str().expect("utf-8"),
        ],
    );
    client.out.expect_prefix("[Server]: Nickname must be");
    assert_eq!(client.wait().code(), Some(1));
    client.err.expect("chat-cli: The nickname was refused.");
    stop_server(server);
    assert_eq!(files(&work), Vec::<String>::new());
    assert_eq!(files(dir.path()), ["server.txt"]);
}

#[test]
fn hostile_server_cannot_place_the_log_outside() {
    for (nick, file) in [
        ("../evil", "_._evil_chat_log.txt"),
        ("a/b", "a_b_chat_log.txt"),
        ("..", "_._chat_log.txt"),
        ("CON", "_CON_chat_log.txt"),
        (".hidden", "_hidden_chat_log.txt"),
        ("/etc/passwd", "_etc_passwd_chat_log.txt"),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let logs = dir.path().join("logs");
        let fake = FakeServer::bind();
        let mut client = PlainClient::spawn(
            fake.addr(),
            dir.path(),
            &["--nick", nick, "--log-dir", logs.to_str().expect("utf-8")],
        );
        let mut conn = fake.accept();
        assert_eq!(conn.welcome(), nick);
        client
            .out
            .expect_prefix(&format!("[Server]: Welcome, {nick}!"));
        conn.send("Mallory >> where does this go?");
        client.out.expect("Mallory >> where does this go?");
        client.close_stdin();
        conn.lines.expect("/quit");
        conn.send(&format!("[Server]: Bye, {nick}."));
        conn.close();
        assert_eq!(client.wait().code(), Some(0), "{nick}");
        assert_eq!(files(dir.path()), [format!("logs/{file}")], "{nick}");
        let log = std::fs::read_to_string(logs.join(file)).expect("log");
        assert!(log.contains(" Mallory >> where does this go?\n"), "{log}");
    }
}
