//! The real binary with its default transports: a member in a real headless chromium on
//! the web page and an `nc`-style member on the line protocol chat in one room.

#[path = "../../chat-web/tests/support/browser.rs"]
mod browser;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use browser::Browser;

const WAIT: Duration = Duration::from_secs(10);

/// Kills the server (our own child) when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_browser_member_and_an_nc_member_chat_in_one_room() {
    let dir = std::env::temp_dir().join(format!("chat-tcp-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .args(["--bind", "127.0.0.1:0", "--web", "127.0.0.1:0", "--log"])
        .arg(dir.join("server.txt"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().expect("stderr");
    let _server = Killed(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let (mut tcp, mut web) = (None, None);
    while tcp.is_none() || web.is_none() {
        let line = rx
            .recv_timeout(WAIT)
            .expect("the server says where it listens");
        if let Some(rest) = line.strip_prefix("chat-tcp: listening on ") {
            tcp = rest.split(' ').next().map(str::to_owned);
        } else if let Some(rest) = line.strip_prefix("chat-tcp: web page on ") {
            web = Some(rest.to_owned());
        }
    }
    let (tcp, web) = (tcp.expect("tcp"), web.expect("web"));

    // Bob, as nc would be.
    let mut bob = TcpStream::connect(&tcp).expect("connect");
    bob.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut lines = BufReader::new(bob.try_clone().expect("clone")).lines();
    let mut next = move || lines.next().expect("a line").expect("read");
    assert!(next().starts_with("[Server]: Welcome to the open chat"));
    bob.write_all(b"Bob\n").expect("write");
    assert!(next().starts_with("[Server]: Welcome, Bob!"));
    assert_eq!(next(), "[Server]: You are the admin.");

    let mut b = Browser::launch();
    b.open(&web);
    b.wait_for_prefix("[Server]: Welcome to the open chat (1/10 online).");
    b.type_line("개똥이");
    b.wait_for_prefix("[Server]: Welcome, 개똥이! 2/10 online.");
    assert_eq!(next(), "[Server]: 개똥이 has joined the chat.");

    b.type_line("안녕하세요 <b>Bob</b>");
    assert_eq!(next(), "개똥이 >> 안녕하세요 <b>Bob</b>");
    bob.write_all("Hi from nc 👋\n/me waves\n".as_bytes())
        .expect("write");
    b.wait_for_line("Bob >> Hi from nc 👋");
    b.wait_for_line("* Bob waves");
    bob.write_all("/whisper 개똥이 psst\n".as_bytes())
        .expect("write");
    b.wait_for_line("[Whisper from Bob] psst");
    assert_eq!(next(), "[Whisper to 개똥이] psst");
    b.type_line("/user");
    b.wait_for_line("[Server]: Users (2/10): Bob (admin), 개똥이");
    b.assert_no_errors();
    let _ = std::fs::remove_dir_all(&dir);
}
