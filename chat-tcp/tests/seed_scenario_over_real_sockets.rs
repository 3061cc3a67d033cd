//! The seed program end to end: Alice, Bob and Charlie chat, rename, whisper, schedule and kick.

mod support;

use support::TestServer;
use time::macros::{datetime, offset};

#[test]
fn seed_scenario_over_real_sockets() {
    let clock = chat_tcp::Clock::starting_at(datetime!(2026-11-25 06:00 UTC));
    let mut server = TestServer::with("seed", |c| {
        c.room.utc_offset = offset!(+09:00);
        c.clock = clock.clone();
    });
    let mut alice = server.join("Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = server.join("Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    let mut charlie = server.join("Charlie");
    alice.expect(&["[Server]: Charlie has joined the chat."]);
    bob.expect(&["[Server]: Charlie has joined the chat."]);

    alice.send("Hello everyone!");
    bob.expect(&["Alice >> Hello everyone!"]);
    charlie.expect(&["Alice >> Hello everyone!"]);

    bob.send("/rename Bobby");
    bob.expect(&["[Server]: You are now \"Bobby\"."]);
    for c in [&mut alice, &mut charlie] {
        c.expect(&["[Server]: User \"Bob\" has changed their nickname to \"Bobby\"."]);
    }

    bob.send("/whisper Charlie Hi, Charlie!");
    charlie.expect(&["[Whisper from Bobby] Hi, Charlie!"]);
    bob.expect(&["[Whisper to Charlie] Hi, Charlie!"]);

    // 15:29:59 in Seoul, however long the start took: the 15:30 schedule is one second away.
    clock.set_wall(datetime!(2026-11-25 06:29:59 UTC));
    charlie.send("/schedule 15:30 Meeting starts soon");
    let reply = charlie.line();
    assert!(
        reply.starts_with(
            "[Server]: Scheduled #1 for 15:30 today (+09:00), in 1m: Meeting starts soon"
        ),
        "{reply}"
    );
    for c in [&mut alice, &mut bob, &mut charlie] {
        c.expect(&["[Scheduled by Charlie] Meeting starts soon"]);
    }

    alice.send("/user");
    alice.expect(&["[Server]: Users (3/10): Alice (admin), Bobby, Charlie"]);
    alice.send("/kick Bobby");
    bob.expect(&["[Server]: You have been kicked from the chat."]);
    assert_eq!(bob.expect_closed(), Vec::<String>::new());
    charlie.expect(&["[Server]: Bobby has been kicked from the chat."]);
    alice.expect(&["[Server]: You kicked Bobby."]);

    // Leave so that nobody is handed the admin (no record beyond the scenario's), and so
    // that stopping the server waits for no one.
    charlie.send("/quit");
    charlie.expect(&["[Server]: Bye, Charlie."]);
    alice.expect(&["[Server]: Charlie has left the chat."]);
    drop((alice, bob, charlie));
    let events = server.log_events();
    let expected = [
        "[lobby] room created",
        "[lobby] join Alice (c1)",
        "[lobby] join Bob (c2)",
        "[lobby] join Charlie (c3)",
        "[lobby] chat Alice: Hello everyone!",
        "[lobby] rename Bob -> Bobby",
        "[lobby] whisper Bobby -> Charlie: Hi, Charlie!",
        "[lobby] schedule #1 Charlie 2026-11-25T15:30+09:00: Meeting starts soon",
        "[lobby] fired #1 Charlie: Meeting starts soon",
        "[lobby] command Alice /user",
        "[lobby] kick Alice -> Bobby",
    ];
    let interesting: Vec<&str> = events
        .iter()
        .map(String::as_str)
        .filter(|e| {
            !e.starts_with("connect ")
                && !e.starts_with("start ")
                && !e.starts_with("[lobby] leave ")
                && !e.starts_with("shutdown")
        })
        .collect();
    assert_eq!(interesting, expected);
}

/// A client as `nc` is one: every byte the server sends, kept in order.
struct Nc {
    stream: std::net::TcpStream,
    got: Vec<u8>,
    /// Where the next `wait_for` starts looking.
    seen: usize,
}

impl Nc {
    fn connect(addr: std::net::SocketAddr) -> Nc {
        let stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_millis(50)))
            .expect("read timeout");
        Nc {
            stream,
            got: Vec::new(),
            seen: 0,
        }
    }

    fn send(&mut self, line: &str) {
        use std::io::Write;
        self.stream
            .write_all(format!("{line}\n").as_bytes())
            .expect("write");
    }

    /// Reads one chunk; false at the end of the stream. Panics past `deadline`.
    fn read_some(&mut self, deadline: std::time::Instant) -> bool {
        use std::io::Read;
        let mut buf = [0u8; 4096];
        assert!(
            std::time::Instant::now() < deadline,
            "timed out; got so far: {:?}",
            String::from_utf8_lossy(&self.got)
        );
        match self.stream.read(&mut buf) {
            Ok(0) => false,
            Ok(n) => {
                self.got.extend_from_slice(&buf[..n]);
                true
            }
            Err(e)
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock)
                    || matches!(e.kind(), std::io::ErrorKind::TimedOut) =>
            {
                true
            }
            Err(e) => panic!("read: {e}"),
        }
    }

    /// Reads until `text` has arrived after what earlier waits saw (10 s at most).
    fn wait_for(&mut self, text: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let rest = &self.got[self.seen..];
            if let Some(at) = rest.windows(text.len()).position(|w| w == text.as_bytes()) {
                self.seen += at + text.len();
                return;
            }
            assert!(self.read_some(deadline), "closed before {text:?}");
        }
    }

    /// Reads until the server closes the connection (10 s at most); returns every byte.
    fn until_closed(mut self) -> Vec<u8> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.read_some(deadline) {}
        self.got
    }
}

/// Every byte Alice, Bob and Charlie receive in the seed scenario, as the single-room server
/// before issue #12 sent them (recorded from commit a2dfa2a, the last one before the hall,
/// with this same test): rooms changed nothing a seed user sees.
#[test]
fn seed_scenario_is_byte_for_byte_the_seeds() {
    let clock = chat_tcp::Clock::starting_at(datetime!(2026-11-25 06:00 UTC));
    let server = TestServer::with("seed-bytes", |c| {
        c.room.utc_offset = offset!(+09:00);
        c.clock = clock.clone();
    });
    let join = |nick: &str| {
        let mut c = Nc::connect(server.addr);
        c.wait_for("Enter a nickname:\n");
        c.send(nick);
        c.wait_for(&format!("[Server]: Welcome, {nick}!"));
        c.wait_for("\n");
        c
    };
    let mut alice = join("Alice");
    alice.wait_for("[Server]: You are the admin.\n");
    let mut bob = join("Bob");
    alice.wait_for("[Server]: Bob has joined the chat.\n");
    let mut charlie = join("Charlie");
    alice.wait_for("[Server]: Charlie has joined the chat.\n");
    bob.wait_for("[Server]: Charlie has joined the chat.\n");

    alice.send("Hello everyone!");
    bob.wait_for("Alice >> Hello everyone!\n");
    charlie.wait_for("Alice >> Hello everyone!\n");
    bob.send("/rename Bobby");
    for c in [&mut alice, &mut bob, &mut charlie] {
        c.wait_for("Bobby");
        c.wait_for("\n");
    }
    bob.send("/whisper Charlie Hi, Charlie!");
    charlie.wait_for("[Whisper from Bobby] Hi, Charlie!\n");
    bob.wait_for("[Whisper to Charlie] Hi, Charlie!\n");
    clock.set_wall(datetime!(2026-11-25 06:29:59 UTC));
    charlie.send("/schedule 15:30 Meeting starts soon");
    for c in [&mut alice, &mut bob, &mut charlie] {
        c.wait_for("[Scheduled by Charlie] Meeting starts soon\n");
    }
    alice.send("/user");
    alice.wait_for("Charlie\n");
    alice.send("/kick Bobby");
    let bob = bob.until_closed();
    charlie.wait_for("[Server]: Bobby has been kicked from the chat.\n");
    alice.wait_for("[Server]: You kicked Bobby.\n");
    charlie.send("/quit");
    let charlie = charlie.until_closed();
    alice.wait_for("[Server]: Charlie has left the chat.\n");
    alice.send("/quit");
    let alice = alice.until_closed();

    let shown = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert_eq!(shown(&alice), ALICE, "Alice");
    assert_eq!(shown(&bob), BOB, "Bob");
    assert_eq!(shown(&charlie), CHARLIE, "Charlie");
    // Nothing hidden by the lossy conversion.
    assert_eq!(alice, ALICE.as_bytes());
    assert_eq!(bob, BOB.as_bytes());
    assert_eq!(charlie, CHARLIE.as_bytes());
}

const ALICE: &str = concat!(
    "[Server]: Welcome to the open chat (0/10 online). Enter a nickname:\n",
    "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.\n",
    "[Server]: You are the admin.\n",
    "[Server]: Bob has joined the chat.\n",
    "[Server]: Charlie has joined the chat.\n",
    "[Server]: User \"Bob\" has changed their nickname to \"Bobby\".\n",
    "[Scheduled by Charlie] Meeting starts soon\n",
    "[Server]: Users (3/10): Alice (admin), Bobby, Charlie\n",
    "[Server]: You kicked Bobby.\n",
    "[Server]: Charlie has left the chat.\n",
    "[Server]: Bye, Alice.\n",
);
const BOB: &str = concat!(
    "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:\n",
    "[Server]: Welcome, Bob! 2/10 online. Type /help for commands.\n",
    "[Server]: Charlie has joined the chat.\n",
    "Alice >> Hello everyone!\n",
    "[Server]: You are now \"Bobby\".\n",
    "[Whisper to Charlie] Hi, Charlie!\n",
    "[Scheduled by Charlie] Meeting starts soon\n",
    "[Server]: You have been kicked from the chat.\n",
);
const CHARLIE: &str = concat!(
    "[Server]: Welcome to the open chat (2/10 online). Enter a nickname:\n",
    "[Server]: Welcome, Charlie! 3/10 online. Type /help for commands.\n",
    "Alice >> Hello everyone!\n",
    "[Server]: User \"Bob\" has changed their nickname to \"Bobby\".\n",
    "[Whisper from Bobby] Hi, Charlie!\n",
    "[Server]: Scheduled #1 for 15:30 today (+09:00), in 1m: Meeting starts soon\n",
    "[Scheduled by Charlie] Meeting starts soon\n",
    "[Server]: Bobby has been kicked from the chat.\n",
    "[Server]: Bye, Charlie.\n",
);
