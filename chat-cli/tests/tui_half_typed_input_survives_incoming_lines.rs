//! Terminal mode in tmux: lines from another member arrive while half a line is typed; they
//! show above, the half-typed input stays whole on the input line, and Enter sends it.

mod common;

use common::{BIN, RawMember, Tmux, last_row, quoted, start_server, stop_server};

#[test]
fn incoming_lines_never_garble_the_input_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");

    let tmux = Tmux::start(dir.path());
    tmux.type_line(&format!(
        "{} --port {} --nick Alice --log-dir {}; echo EXITED $?",
        quoted(BIN.as_ref()),
        addr.port(),
        quoted(dir.path()),
    ));
    tmux.wait_for_text("Alice | 127.0.0.1");
    bob.lines.expect("[Server]: Alice has joined the chat.");

    let typed = "half typed 안녕 👋";
    tmux.type_text(typed);
    tmux.wait_for("the typed text", |rows| {
        last_row(rows) == format!("> {typed}")
    });

    for i in 1..=3 {
        bob.send(&format!("incoming line {i}"));
    }
    let rows = tmux.wait_for_text("Bob >> incoming line 3");
    assert_eq!(last_row(&rows), format!("> {typed}"), "{rows:#?}");
    let status = rows
        .iter()
        .position(|r| r.starts_with(" Alice | "))
        .expect("status line");
    for i in 1..=3 {
        let at = rows
            .iter()
            .position(|r| r.ends_with(&format!(" Bob >> incoming line {i}")))
            .expect("incoming line shown");
        assert!(
            at < status,
            "line {i} is not above the status line:\n{}",
            rows.join("\n")
        );
    }
    // The cursor is still where the typing left it: after the text.
    let cursor: usize = tmux.format("#{cursor_x}").parse().expect("cursor_x");
    assert_eq!(
        cursor,
        2 + typed
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    );

    tmux.type_text(" end");
    // Alt with a letter is a key binding (or nothing), never text.
    tmux.keys(&["M-d", "M-x", "Enter"]);
    bob.lines.expect(&format!("Alice >> {typed} end"));
    let rows = tmux.wait_for_text(&format!("Alice >> {typed} end"));
    assert_eq!(
        last_row(&rows),
        ">",
        "input line not cleared:\n{}",
        rows.join("\n")
    );

    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    bob.lines.expect("[Server]: Alice has left the chat.");
    stop_server(server);
}
