//! After a scripted session, server.txt holds one line per event, in order.

mod support;

use support::TestServer;

#[test]
fn server_log_has_one_line_per_event() {
    let mut server = TestServer::start("events");
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    alice.send("hi");
    bob.expect(&["Alice >> hi"]);
    bob.send("/rename Robert");
    bob.line();
    bob.send("/whisper Alice hey");
    bob.line();
    bob.send("/nope");
    bob.line();
    alice.send("/kick Robert bye");
    alice.until("[Server]: You kicked Robert.");
    let mut carol = server.connect();
    carol.send("Carol");
    carol.line();
    carol.send("/quit");
    carol.until("[Server]: Bye, Carol.");
    carol.expect_closed();
    alice.until("[Server]: Carol has left the chat.");
    let events = server.log_events();
    assert_eq!(
        events,
        [
            "start capacity 10",
            "[lobby] room created",
            "connect c1 from 127.0.0.1",
            "[lobby] join Alice (c1)",
            "connect c2 from 127.0.0.1",
            "[lobby] join Bob (c2)",
            "[lobby] chat Alice: hi",
            "[lobby] rename Bob -> Robert",
            "[lobby] whisper Robert -> Alice: hey",
            "[lobby] rejected Robert (c2): Unknown command \"/nope\". Type /help for the list.",
            "[lobby] kick Alice -> Robert: bye",
            "connect c3 from 127.0.0.1",
            "[lobby] join Carol (c3)",
            "[lobby] leave Carol quit",
            "shutdown with 1 member",
            "[lobby] leave Alice shutdown",
        ]
    );
}
