//! Plain mode against the real server: `/clear` is the client's (a notice, nothing sent),
//! and `/j NAME` is `/join NAME`: the room is created and the others see the member leave.

mod common;

use common::{PlainClient, RawMember, start_server, stop_server};

#[test]
fn clear_is_not_sent_and_j_creates_and_enters_a_room() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    let mut alice = PlainClient::spawn(addr, dir.path(), &["--nick", "Alice", "--no-log"]);
    alice.out.expect_prefix("[Server]: Welcome, Alice!");
    bob.lines.expect("[Server]: Alice has joined the chat.");

    alice.send("/clear");
    alice
        .err
        .expect("chat-cli: /clear empties the full-screen window; nothing was sent.");
    alice.send("/j study");
    // Had `/clear` reached the server, its refusal would come before the room's greeting.
    let created = "[Server]: You created \"study\" and are its admin.";
    alice.out.wait_for("the room's greeting", |l| {
        assert!(
            !l.contains("Unknown command"),
            "/clear reached the server: {l}"
        );
        l == created
    });
    bob.lines.expect("[Server]: Alice has left the room.");

    alice.close_stdin();
    assert!(alice.wait().success());
    stop_server(server);
}
