//! One room over two transports at once: a member through the runtime's in-process
//! transport and a member over TCP see each other's lines, and the server log has both.

mod support;

use chat_runtime::local::LocalClient;
use support::{TestServer, WAIT};

#[test]
fn an_in_process_member_and_a_tcp_member_share_a_room() {
    let mut server = TestServer::start("two-transports");
    let door = server.server.as_ref().expect("running").door();
    let mut local =
        LocalClient::connect(&door, "127.0.0.1".parse().expect("ip")).expect("admitted");
    assert_eq!(
        local.recv(WAIT).as_deref(),
        Some("[Server]: Welcome to the open chat (0/10 online). Enter a nickname:")
    );
    local.send("Alice").expect("engine running");
    assert_eq!(
        local.recv(WAIT).as_deref(),
        Some("[Server]: Welcome, Alice! 1/10 online. Type /help for commands.")
    );
    assert_eq!(
        local.recv(WAIT).as_deref(),
        Some("[Server]: You are the admin.")
    );

    let mut bob = server.join("Bob");
    assert_eq!(
        local.recv(WAIT).as_deref(),
        Some("[Server]: Bob has joined the chat.")
    );
    local.send("Hello from inside").expect("engine running");
    bob.expect(&["Alice >> Hello from inside"]);
    bob.send("Hello from the socket");
    assert_eq!(
        local.recv(WAIT).as_deref(),
        Some("Bob >> Hello from the socket")
    );
    local.send("/quit").expect("engine running");
    assert_eq!(local.recv(WAIT).as_deref(), Some("[Server]: Bye, Alice."));
    assert_eq!(local.recv(WAIT), None);
    assert!(local.is_closed());
    bob.expect(&[
        "[Server]: Alice has left the chat.",
        "[Server]: Bob is now the admin.",
    ]);
    drop(bob);

    let events = server.log_events();
    let chat: Vec<&str> = events
        .iter()
        .map(String::as_str)
        .filter(|e| e.starts_with("[lobby] chat") || e.starts_with("[lobby] join"))
        .collect();
    assert_eq!(
        chat,
        [
            "[lobby] join Alice (c1)",
            "[lobby] join Bob (c2)",
            "[lobby] chat Alice: Hello from inside",
            "[lobby] chat Bob: Hello from the socket",
        ]
    );
}
