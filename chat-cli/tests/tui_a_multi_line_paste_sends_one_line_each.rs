//! Terminal mode in tmux: a paste with line breaks sends one line per pasted line, as if
//! typed (the text after the last break stays on the input line); from 5 lines on it asks
//! first (Enter sends, Esc cancels); many lines are paced under the server's flood limit,
//! so none is dropped.

mod common;

use common::{RawMember, Tmux, last_row, start_server, stop_server};

#[test]
fn pasted_lines_are_sent_one_by_one_after_a_confirmation_from_five() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(addr.port());
    tmux.wait_for_text("Alice | 127.0.0.1");
    bob.lines.expect("[Server]: Alice has joined the chat.");

    // Three lines: the draft joins the first, the last (no break after it) waits.
    tmux.type_text("draft ");
    tmux.paste("one\ntwo\nthree");
    bob.lines.expect("Alice >> draft one");
    bob.lines.expect("Alice >> two");
    tmux.wait_for("the last pasted line on the input line", |rows| {
        last_row(rows) == "> three"
    });
    tmux.keys(&["Enter"]);
    bob.lines.expect("Alice >> three");

    // Thirty lines ask first; Esc cancels and nothing is sent.
    let many: String = (1..=30).map(|i| format!("pasted {i:02}\n")).collect();
    tmux.paste(&many);
    tmux.wait_for_text("* You pasted 30 lines: Enter sends them, Esc cancels.");
    tmux.keys(&["Escape"]);
    tmux.wait_for_text("* Paste cancelled; nothing was sent.");
    tmux.type_text("marker");
    tmux.wait_for("the typed marker", |rows| last_row(rows) == "> marker");
    tmux.keys(&["Enter"]);
    let next = bob.lines.wait_for("(the next line)", |_| true);
    assert_eq!(next, "Alice >> marker");

    // Confirmed: all thirty arrive, in order, more than the server's burst of 20.
    tmux.paste(&many);
    tmux.wait_for_text("Enter sends them, Esc cancels.");
    tmux.keys(&["Enter"]);
    for i in 1..=30 {
        let line = bob.lines.wait_for("(a pasted line)", |_| true);
        assert_eq!(line, format!("Alice >> pasted {i:02}"));
    }
    let rows = tmux.wait_for_text("Alice >> pasted 30");
    assert!(
        !rows.iter().any(|r| r.contains("sending too fast")),
        "the server dropped lines:\n{}",
        rows.join("\n")
    );
    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    stop_server(server);
}
