//! Terminal mode in tmux against a server that takes the nickname and never answers: Ctrl-C
//! still leaves, restores the terminal and exits 0.

mod common;

use common::{FakeServer, Tmux};

#[test]
fn ctrl_c_leaves_when_the_server_never_answers_the_nickname() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = FakeServer::bind();
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(server.addr().port());
    let mut conn = server.accept();
    conn.send("[Server]: Welcome to the open chat (0/10 online). Enter a nickname:");
    conn.lines.expect("Alice");
    tmux.wait_for_text("| joining");
    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    // Nothing but the nickname was ever sent.
    assert_eq!(conn.lines.until_end(), ["Alice"]);
}
