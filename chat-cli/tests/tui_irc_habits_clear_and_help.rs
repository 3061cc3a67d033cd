//! Terminal mode in tmux against the real server: IRC habits (`/me`, `/msg`, `/nick`) work,
//! `/help` shows the client's keys and then the server's list, and `/clear` empties the
//! window without sending anything.

mod common;

use common::{RawMember, Tmux, last_row, start_server, stop_server};

#[test]
fn me_msg_nick_help_and_clear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(addr.port());
    tmux.wait_for_text("Alice | 127.0.0.1");
    bob.lines.expect("[Server]: Alice has joined the chat.");

    tmux.type_line("/me waves");
    bob.lines.expect("* Alice waves");
    tmux.wait_for("the own action", |rows| {
        rows.iter().any(|r| r.ends_with(" * Alice waves"))
    });

    tmux.type_line("/msg Bob psst");
    bob.lines.expect("[Whisper from Alice] psst");
    tmux.wait_for_text("[Whisper to Bob] psst");

    tmux.type_line("/nick Alice2");
    bob.lines
        .expect("[Server]: User \"Alice\" has changed their nickname to \"Alice2\".");
    tmux.wait_for_text("Alice2 | 127.0.0.1");

    tmux.type_line("/help");
    // The client's part ends with its commands (the keys above them may have scrolled off a
    // 30-row pane by the time the server's list is in).
    tmux.wait_for("the client's commands, then the server's list", |rows| {
        rows.iter()
            .any(|r| r.contains("* Client commands: /reconnect"))
            && rows
                .iter()
                .any(|r| r.contains("[Server]: /rename <nickname>"))
    });

    tmux.type_line("/clear");
    tmux.wait_for("an empty window", |rows| {
        !rows
            .iter()
            .any(|r| r.contains("Alice waves") || r.contains("/rename"))
            && rows.iter().any(|r| r.starts_with(" Alice2 | "))
    });
    tmux.type_line("after clear");
    // /clear never reached the server: the next line Bob gets is this one.
    let next = bob.lines.wait_for("(the next line)", |_| true);
    assert_eq!(next, "Alice2 >> after clear");
    let rows = tmux.wait_for_text("Alice2 >> after clear");
    assert_eq!(last_row(&rows), ">");

    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    stop_server(server);
}
