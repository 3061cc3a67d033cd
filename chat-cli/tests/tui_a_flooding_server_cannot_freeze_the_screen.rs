//! Terminal mode in tmux against a server that sends lines without end: the screen keeps
//! being drawn, and Ctrl-C still leaves (the client reads what the screen can take, and TCP
//! holds back the rest).

mod common;

use common::{FakeServer, Tmux};

#[test]
fn ctrl_c_leaves_while_the_server_floods() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = FakeServer::bind();
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(server.addr().port());
    let mut conn = server.accept();
    conn.welcome();
    let flood = conn.flood_forever();
    // The screen is drawn during the flood: the status line shows the joined nickname and
    // flood lines scroll by.
    tmux.wait_for("the joined status line and flood lines", |rows| {
        rows.iter().any(|r| r.starts_with(" Alice | 127.0.0.1"))
            && rows.iter().any(|r| r.contains("Bob >> flood line"))
    });
    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    let written = flood.join().expect("flood thread");
    assert!(written > 0);
}
