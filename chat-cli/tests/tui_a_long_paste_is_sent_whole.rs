//! Terminal mode in tmux: a paste longer than the server's 4096-byte line limit is sent
//! whole, split at spaces into lines that fit, and the window says so. Nothing is cut off.

mod common;

use common::{RawMember, Tmux, last_row, start_server, stop_server};

#[test]
fn a_5000_byte_paste_arrives_whole_as_two_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(addr.port());
    tmux.wait_for_text("Alice | 127.0.0.1");
    bob.lines.expect("[Server]: Alice has joined the chat.");

    let words: Vec<String> = (0..560).map(|i| format!("word{i:04}")).collect();
    let text = words.join(" ");
    assert!(text.len() > 5000, "{}", text.len());
    tmux.paste(&text);
    tmux.wait_for("the paste on the input line", |rows| {
        last_row(rows).ends_with("word0559")
    });
    tmux.keys(&["Enter"]);
    let first = bob.lines.expect_prefix("Alice >> word0000 ");
    let second = bob.lines.expect_prefix("Alice >> word");
    for line in [&first, &second] {
        assert!(line.len() - "Alice >> ".len() <= 4096, "{}", line.len());
    }
    let got = format!(
        "{} {}",
        &first["Alice >> ".len()..],
        &second["Alice >> ".len()..]
    );
    assert_eq!(got, text);
    tmux.wait_for_text("* Sent as 2 lines.");
    tmux.wait_for("an empty input line", |rows| last_row(rows) == ">");

    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    stop_server(server);
}
