//! Terminal mode in tmux against a scripted server sending the rooms lines of PROTOCOL.md
//! §8-§9: the status line shows the room, its count and the admin mark; backlog lines show
//! their own time, dimmed, under a separator; actions, notices and a kick stand out; a
//! mention marks the nickname only; `/rooms` is a list; a narrow window drops the address,
//! never the state.

mod common;

use common::{FakeServer, Tmux};

/// The escaped row (capture-pane -e) holding `text`.
fn escaped_row(tmux: &Tmux, text: &str) -> String {
    tmux.capture_escapes()
        .lines()
        .find(|r| r.contains(text))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn room_lines_are_understood_and_styled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = FakeServer::bind();
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(server.addr().port());
    let mut conn = server.accept();
    assert_eq!(conn.welcome(), "Alice");
    tmux.type_line("/join study");
    conn.lines.expect("/join study");
    conn.send("[Server]: You joined \"study\" (3/10 online).");
    conn.send("[Server]: Last 2 messages (times in +09:00):");
    conn.send("[09:14] Bob >> hello from before");
    conn.send("[09:15] * Bob waves from before");
    conn.send("[Server]: Notice: Lunch at 12 in room 301");
    conn.send("* Carol waves now");
    conn.send("Bob >> hey alice, look");
    conn.send("[Server]: Bob is now the admin.");
    let rows = tmux.wait_for_text("Bob >> hey alice, look");
    let at = |text: &str| {
        rows.iter()
            .position(|r| r.contains(text))
            .unwrap_or_else(|| panic!("no {text:?} in\n{}", rows.join("\n")))
    };
    // The separator, then the backlog with its own times, then the live lines.
    let sep = at("──── Last 2 messages (times in +09:00) ────");
    assert!(
        rows[sep + 1].starts_with("09:14 Bob >> hello from before"),
        "{rows:#?}"
    );
    assert!(
        rows[sep + 2].starts_with("09:15 * Bob waves from before"),
        "{rows:#?}"
    );
    assert!(at("[Server]: Notice: Lunch at 12 in room 301") > sep + 2);
    assert!(rows[at("* Carol waves now")].ends_with(" * Carol waves now"));
    tmux.wait_for_text("| study 3/10 online | connected");

    // Backlog rows are dimmed (SGR 2); live chat is not.
    assert!(escaped_row(&tmux, "hello from before").contains("\u{1b}[2m"));
    assert!(!escaped_row(&tmux, "hey alice").contains("\u{1b}[2m"));
    // The mention marks the name only: "hey " plain, "alice" reversed, ", look" plain.
    let row = escaped_row(&tmux, "hey ");
    let name = row.find("alice").expect("the name");
    let before = &row[..name];
    assert!(before.ends_with('m'), "a style starts at the name: {row:?}");
    assert!(
        before[before.rfind("\u{1b}[").unwrap_or(0)..].contains('7'),
        "{row:?}"
    );
    assert!(
        row[row.find("hey").unwrap_or(0)..name].starts_with("hey \u{1b}["),
        "{row:?}"
    );

    // `/rooms` is a list, one room a row.
    tmux.type_line("/rooms");
    conn.lines.expect("/rooms");
    conn.send("[Server]: Rooms (2): lobby 1/10, study 3/10 (code)");
    let rows = tmux.wait_for_text("[Server]:   study 3/10 (code)");
    assert!(
        rows.iter().any(|r| r.ends_with(" [Server]: Rooms (2):")),
        "{rows:#?}"
    );
    assert!(
        rows.iter().any(|r| r.ends_with(" [Server]:   lobby 1/10")),
        "{rows:#?}"
    );

    // Admin: the status line follows who the admin is.
    conn.send("[Server]: Alice is now the admin.");
    tmux.wait_for_text("Alice (admin) | 127.0.0.1");

    // A narrow window drops the address first and keeps the state.
    tmux.resize(44);
    let rows = tmux.wait_for("a narrow status line", |rows| {
        rows.iter()
            .any(|r| r.starts_with(" Alice (admin) | study 3/10") && r.ends_with("| connected"))
    });
    assert!(!rows.iter().any(|r| r.contains("127.0.0.1")), "{rows:#?}");
    tmux.resize(100);

    // A kick cannot be missed: its own style (reverse or a background), and the session
    // stays over.
    conn.send("[Server]: You have been kicked from the chat.");
    conn.close();
    tmux.wait_for_text("| disconnected");
    let row = escaped_row(&tmux, "You have been kicked");
    assert!(
        row.contains("\u{1b}[1m") || row.contains(";1m") || row.contains("[1;"),
        "not bold: {row:?}"
    );
    let red = row.contains("48;5;1m") || row.contains("[41m");
    assert!(red || row.contains("\u{1b}[7m"), "no alert colour: {row:?}");
    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
}
