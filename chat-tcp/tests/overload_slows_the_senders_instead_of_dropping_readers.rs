//! Overload: members who all send as fast as they can (flood limit off) are read more
//! slowly instead of their readers being dropped; every reader that reads gets every line.
//! A member who stops reading is the only one dropped, and the others go on.

mod support;

use std::io::Write;
use std::thread;

use chat_tcp::ServerConfig;
use support::{Client, TestServer};

/// Lines each flooding member sends, in one write as fast as the socket takes them.
const LINES: usize = 3_000;

/// Small outboxes and send buffers, so the 9-fold fan-out passes the high-water mark many
/// times over: each reader is sent 27,000 lines (about 1.2 MB), its outbox holds 128 KiB.
fn small_buffers(c: &mut ServerConfig) {
    c.room.flood_rate = 0;
    c.outbox_bytes = 128 * 1024;
    c.send_buffer = Some(32 * 1024);
}

fn text(k: usize) -> String {
    format!("{k:05} {}", "x".repeat(30))
}

/// Joins `nicks` in order and takes every line up to the last join, so each client's next
/// line is the first of the flood.
fn join_all(server: &TestServer, nicks: &[&str]) -> Vec<Client> {
    let mut clients: Vec<Client> = Vec::new();
    for (i, nick) in nicks.iter().enumerate() {
        let mut c = server.join(nick);
        if i == 0 {
            c.expect(&["[Server]: You are the admin."]);
        }
        let joined = format!("[Server]: {nick} has joined the chat.");
        for other in &mut clients {
            other.expect(&[&joined]);
        }
        clients.push(c);
    }
    clients
}

/// Each flooder writes its `LINES` lines on a thread of its own while its reader thread
/// checks that the lines of every other flooder arrive whole and in order, and that the
/// only other line is `departure` (at most once). Returns, per flooder, whether it saw it.
fn flood(flooders: Vec<Client>, nicks: &[&str], departure: &str) -> Vec<bool> {
    thread::scope(|s| {
        let mut readers = Vec::new();
        for (me, mut client) in flooders.into_iter().enumerate() {
            let mut out = client.stream.try_clone().expect("clone");
            s.spawn(move || {
                let burst: String = (0..LINES).map(|k| text(k) + "\n").collect();
                // The server may stop reading for a while: this blocks, never fails.
                out.write_all(burst.as_bytes())
                    .expect("the server reads it all");
            });
            readers.push(s.spawn(move || {
                let mut next = vec![0usize; nicks.len()];
                next[me] = LINES;
                let mut departed = false;
                while next.iter().any(|&k| k < LINES) {
                    let line = client.line();
                    if line == departure {
                        assert!(!departed, "{} saw it twice: {line}", nicks[me]);
                        departed = true;
                        continue;
                    }
                    let (nick, said) = line
                        .split_once(" >> ")
                        .unwrap_or_else(|| panic!("{} got {line:?} after {next:?}", nicks[me]));
                    let from = nicks.iter().position(|n| *n == nick).expect("a flooder");
                    assert_eq!(said, text(next[from]), "{} from {nick}", nicks[me]);
                    next[from] += 1;
                }
                departed
            }));
        }
        readers
            .into_iter()
            .map(|r| r.join().expect("reader"))
            .collect()
    })
}

fn slow_consumers(server: &mut TestServer) -> Vec<String> {
    server
        .log_events()
        .into_iter()
        .filter(|e| e.ends_with(" slow-consumer"))
        .collect()
}

#[test]
fn ten_members_flooding_at_full_speed_are_slowed_not_dropped() {
    let mut server = TestServer::with("overload-flood", small_buffers);
    let nicks = ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9"];
    let clients = join_all(&server, &nicks);
    let departed = flood(clients, &nicks, "[Server]: nobody leaves");
    assert_eq!(departed, [false; 10]);
    assert_eq!(slow_consumers(&mut server), Vec::<String>::new());
}

#[test]
fn a_member_who_stops_reading_is_dropped_alone_while_the_others_flood() {
    let mut server = TestServer::with("overload-sleeper", small_buffers);
    let nicks = ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8"];
    let mut flooders = join_all(&server, &nicks);
    // Never reads; a small receive buffer, so the kernel does not absorb its lines.
    let mut sleeper = Client::connect_with_rcvbuf(server.addr, 4096);
    sleeper.line();
    sleeper.send("Sleeper");
    for f in &mut flooders {
        f.expect(&["[Server]: Sleeper has joined the chat."]);
    }
    let departed = flood(flooders, &nicks, "[Server]: Sleeper has left the chat.");
    assert_eq!(
        departed, [true; 9],
        "every flooder saw the sleeper leave once"
    );
    assert_eq!(
        slow_consumers(&mut server),
        ["[lobby] leave Sleeper slow-consumer"]
    );
}
