//! Terminal mode in tmux against a scripted server: after `The server is shutting down.`
//! the client reconnects with its backoff, rejoins with the same nickname and enters the
//! same room again (with its code); after a kick it stays out until `/reconnect`;
//! `/connect HOST:PORT` moves to another server.

mod common;

use common::{FakeServer, Tmux, last_row};

#[test]
fn shutdown_reconnects_kick_does_not_and_reconnect_and_connect_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = FakeServer::bind();
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(server.addr().port());
    let mut conn = server.accept();
    assert_eq!(conn.welcome(), "Alice");
    tmux.wait_for_text("| lobby 1/10 online | connected");

    tmux.type_line("/j study s3cret");
    conn.lines.expect("/join study s3cret");
    conn.send("[Server]: You joined \"study\" (2/10 online).");
    tmux.wait_for_text("| study 2/10 online | connected");

    conn.send("[Server]: The server is shutting down.");
    conn.close();
    tmux.wait_for_text("* The server is shutting down; reconnecting in 1 s.");
    let mut conn = server.accept();
    assert_eq!(conn.welcome(), "Alice");
    conn.lines.expect("/join study s3cret");
    conn.send("[Server]: You joined \"study\" (1/10 online).");
    tmux.wait_for_text("* Rejoined the chat as Alice.");
    tmux.wait_for_text("| study 1/10 online | connected");

    // A kick is final until the user says otherwise.
    conn.send("[Server]: You have been kicked from the chat.");
    conn.close();
    tmux.wait_for_text("* The server closed the connection. /reconnect joins again.");
    tmux.wait_for_text("| disconnected");
    tmux.type_line("/reconnect");
    let mut conn = server.accept();
    assert_eq!(conn.welcome(), "Alice");
    conn.lines.expect("/join study s3cret");
    tmux.wait_for_text("| connected");

    // Another server: same nickname, its default room.
    let other = FakeServer::bind();
    tmux.type_line(&format!("/connect 127.0.0.1:{}", other.addr().port()));
    let mut moved = other.accept();
    assert_eq!(moved.welcome(), "Alice");
    let rows = tmux.wait_for_text(&format!("| 127.0.0.1:{} | lobby 1/10", other.addr().port()));
    assert_eq!(last_row(&rows), ">");
    // The old connection was closed, and nothing but the nickname went to the new one.
    assert_eq!(conn.lines.until_end(), ["Alice", "/join study s3cret"]);
    tmux.keys(&["C-c"]);
    moved.lines.expect("/quit");
    moved.close();
    tmux.wait_for_text("EXITED 0");
}
