//! Terminal mode in tmux: clusters whose width terminals disagree on (regional-indicator
//! flags, ZWJ sequences) never leave stale cells on the input line, whatever the terminal
//! makes of them (Backspace and Enter leave it empty), nor in the message pane as lines
//! scroll.

mod common;

use common::{RawMember, Tmux, last_row, start_server, stop_server};

#[test]
fn typing_and_deleting_flags_leaves_an_empty_input_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(addr.port());
    tmux.wait_for_text("Alice | 127.0.0.1");
    bob.lines.expect("[Server]: Alice has joined the chat.");

    // One flag, one Backspace: nothing is left.
    tmux.type_text("🇰🇷");
    tmux.wait_for("the flag typed", |rows| last_row(rows) != ">");
    tmux.keys(&["BSpace"]);
    tmux.wait_for("an empty input line after Backspace", |rows| {
        last_row(rows) == ">"
    });

    // A line of flags and a family emoji, sent: the input line is empty again.
    let text = "🇰🇷 🇯🇵 go 👨‍👩‍👧 🇺🇸!";
    tmux.type_text(text);
    tmux.wait_for("the line typed", |rows| last_row(rows).ends_with('!'));
    tmux.keys(&["Enter"]);
    bob.lines.expect(&format!("Alice >> {text}"));
    tmux.wait_for("an empty input line after Enter", |rows| {
        last_row(rows) == ">"
    });

    // Typed, moved over and deleted from the middle: the rest of the line is drawn again.
    tmux.type_text("a🇰🇷b");
    tmux.keys(&["Left", "BSpace"]);
    tmux.wait_for("the flag deleted from the middle", |rows| {
        last_row(rows) == "> ab"
    });
    tmux.keys(&["C-u", "C-k"]);
    tmux.wait_for("an empty input line", |rows| last_row(rows) == ">");

    // The message pane too: a flag line scrolls up under shorter lines, and no half of a
    // flag is left on the rows it passed through.
    bob.send("a flag line 🇰🇷🇯🇵");
    for i in 1..=4 {
        bob.send(&format!("short {i}"));
        tmux.wait_for_text(&format!("Bob >> short {i}"));
    }
    let rows = tmux.capture();
    for row in &rows {
        let flagged = row
            .chars()
            .any(|c| ('\u{1F1E6}'..='\u{1F1FF}').contains(&c));
        assert!(
            !flagged || row.contains("flag line") || row.contains("Alice >> "),
            "a stale flag half on {row:?}:\n{}",
            rows.join("\n")
        );
    }

    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    stop_server(server);
}
