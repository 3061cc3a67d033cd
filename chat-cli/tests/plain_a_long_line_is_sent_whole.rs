//! Plain mode: a stdin line longer than the server's 4096-byte limit is sent whole as
//! several lines that fit (split at spaces), with a notice on stderr; a `/whisper` keeps
//! its recipient on every piece.

mod common;

use common::{PlainClient, RawMember, start_server, stop_server};

#[test]
fn a_long_line_and_a_long_whisper_arrive_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    let mut alice = PlainClient::spawn(addr, dir.path(), &["--nick", "Alice", "--no-log"]);
    alice.out.expect_prefix("[Server]: Welcome, Alice!");
    bob.lines.expect("[Server]: Alice has joined the chat.");

    let text: String = (0..1000)
        .map(|i| format!("단어{i:04}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.len() > 2 * 4096, "{}", text.len());
    alice.send(&text);
    let mut got = Vec::new();
    for _ in 0..3 {
        let line = bob.lines.expect_prefix("Alice >> ");
        assert!(line.len() - "Alice >> ".len() <= 4096);
        got.push(line["Alice >> ".len()..].to_owned());
    }
    assert_eq!(got.join(" "), text);
    alice.err.expect("chat-cli: Sent as 3 lines.");

    alice.send(&format!("/whisper Bob {text}"));
    let mut got = Vec::new();
    for _ in 0..3 {
        let line = bob.lines.expect_prefix("[Whisper from Alice] ");
        got.push(line["[Whisper from Alice] ".len()..].to_owned());
    }
    assert_eq!(got.join(" "), text);

    alice.close_stdin();
    assert!(alice.wait().success());
    stop_server(server);
}
