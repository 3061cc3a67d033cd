//! Terminal mode in tmux: while scrolled back, End on an empty input line, and Ctrl-End or
//! Alt-End on any line, jump back to the newest line.

mod common;

use common::{RawMember, Tmux, last_row, start_server, stop_server};

fn scrolled_back(rows: &[String]) -> bool {
    rows.iter().any(|r| r.contains("more rows below (PgDn)"))
}

#[test]
fn end_and_ctrl_end_jump_to_the_newest_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(addr.port());
    tmux.wait_for_text("Alice | 127.0.0.1");
    bob.lines.expect("[Server]: Alice has joined the chat.");
    for i in 1..=19 {
        bob.send(&format!("line {i}"));
    }
    tmux.wait_for_text("Bob >> line 19");

    // End on an empty input line.
    tmux.keys(&["PPage"]);
    tmux.wait_for("the view scrolled back", scrolled_back);
    tmux.keys(&["End"]);
    tmux.wait_for("the newest line again", |rows| {
        !scrolled_back(rows) && rows.iter().any(|r| r.ends_with("Bob >> line 19"))
    });

    // With text typed, End moves the cursor only; Ctrl-End and Alt-End jump.
    tmux.type_text("draft");
    for key in ["C-End", "M-End"] {
        tmux.keys(&["PPage"]);
        tmux.wait_for("the view scrolled back", scrolled_back);
        tmux.keys(&["Home", "End"]);
        // End with text typed: the view stays where it is.
        tmux.type_text("!");
        tmux.wait_for("the cursor at the end", |rows| {
            last_row(rows).ends_with('!') && scrolled_back(rows)
        });
        tmux.keys(&[key]);
        tmux.wait_for(&format!("the newest line after {key}"), |rows| {
            !scrolled_back(rows) && rows.iter().any(|r| r.ends_with("Bob >> line 19"))
        });
    }
    assert_eq!(last_row(&tmux.capture()), "> draft!!");
    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    stop_server(server);
}
