//! Terminal mode in tmux against the real server: a kick ends the session (shown so it
//! cannot be missed) and is not reconnected; `/reconnect` tries at once, the kick ban refuses
//! the nickname, and the client stays out instead of retrying.

mod common;

use common::{RawMember, Tmux, start_server, stop_server};

#[test]
fn a_kick_is_final_and_a_ban_stops_the_reconnect() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    let tmux = Tmux::start(dir.path());
    tmux.run_alice(addr.port());
    tmux.wait_for_text("Alice | 127.0.0.1");
    bob.lines.expect("[Server]: Alice has joined the chat.");

    bob.send("/kick Alice");
    bob.lines.expect("[Server]: You kicked Alice.");
    tmux.wait_for_text("[Server]: You have been kicked from the chat.");
    tmux.wait_for_text("* The server closed the connection. /reconnect joins again.");
    tmux.wait_for_text("| disconnected");

    tmux.type_line("/reconnect");
    tmux.wait_for_text("[Server]: You are banned from \"lobby\" for ");
    let rows = tmux.wait_for("the session over again", |rows| {
        rows.iter()
            .filter(|r| r.contains("* The server closed the connection."))
            .count()
            == 2
            && rows.iter().any(|r| r.contains("| disconnected"))
    });
    assert!(
        !rows.iter().any(|r| r.contains("reconnecting")),
        "{}",
        rows.join("\n")
    );
    // Alice never got back in.
    bob.send("/user");
    bob.lines
        .expect_prefix("[Server]: Users (1/10): Bob (admin)");
    let joins = bob
        .lines
        .seen()
        .iter()
        .filter(|l| *l == "[Server]: Alice has joined the chat.")
        .count();
    assert_eq!(joins, 1, "{:#?}", bob.lines.seen());
    tmux.keys(&["C-c"]);
    tmux.wait_for_text("EXITED 0");
    stop_server(server);
}
