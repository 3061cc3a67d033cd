//! Terminal mode in tmux: Ctrl-L redraws the screen and the client goes on. Redrawing must
//! never read from the terminal (asking for the cursor position while the input thread
//! waits for keys ended the client with "cursor position could not be read").

mod common;

use common::{RawMember, Tmux, last_row, start_server, stop_server};

#[test]
fn ctrl_l_redraws_and_the_chat_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(addr.port());
    tmux.wait_for_text("Alice | 127.0.0.1");
    bob.lines.expect("[Server]: Alice has joined the chat.");
    bob.send("before the redraw");
    tmux.wait_for_text("Bob >> before the redraw");

    tmux.type_text("half");
    tmux.wait_for("the typed text", |rows| last_row(rows) == "> half");
    // No key follows at once: a redraw that waited for the terminal's answer (which the
    // input thread takes) would give up after 2 s and end the client.
    tmux.keys(&["C-l"]);
    bob.send("after the redraw");
    let rows = tmux.wait_for_text("Bob >> after the redraw");
    assert!(
        rows.iter().any(|r| r.ends_with("Bob >> before the redraw")),
        "the redraw lost the pane:\n{}",
        rows.join("\n")
    );
    tmux.keys(&["C-l"]);
    bob.send("after the second redraw");
    tmux.wait_for_text("Bob >> after the second redraw");
    tmux.type_text(" typed");
    tmux.wait_for("the input line kept", |rows| {
        last_row(rows) == "> half typed"
    });
    tmux.keys(&["Enter"]);
    bob.lines.expect("Alice >> half typed");
    let rows = tmux.capture();
    assert!(
        !rows
            .iter()
            .any(|r| r.contains("EXITED") || r.contains("terminal error")),
        "the client ended:\n{}",
        rows.join("\n")
    );
    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    stop_server(server);
}
