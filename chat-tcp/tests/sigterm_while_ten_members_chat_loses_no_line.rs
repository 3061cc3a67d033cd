//! SIGTERM in the middle of a busy room: every delivered line is in server.txt.

mod support;

use std::collections::HashSet;
use std::thread;

use support::{Child, Client, read_events};

#[test]
fn sigterm_while_ten_members_chat_loses_no_line() {
    let mut server = Child::spawn("sigterm10", &["--flood-rate", "0"]);
    let mut members: Vec<Client> = Vec::new();
    for i in 0..10 {
        let mut c = Client::connect(server.addr);
        c.line();
        c.send(&format!("m{i}"));
        c.line();
        members.push(c);
    }
    members[0].until("[Server]: m9 has joined the chat.");
    // Each member chats from its own thread and records every line it receives, until the
    // server says goodbye.
    let handles: Vec<_> = members
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            thread::spawn(move || {
                let mut writer = c.stream.try_clone().expect("clone");
                let sender = thread::spawn(move || {
                    use std::io::Write;
                    for n in 0.. {
                        if writeln!(writer, "from m{i} number {n}").is_err() {
                            break;
                        }
                        if n % 50 == 49 {
                            thread::yield_now();
                        }
                    }
                });
                let mut got = Vec::new();
                while let Some(l) = c.try_line() {
                    if l == "[Server]: The server is shutting down." {
                        break;
                    }
                    got.push(l);
                }
                drop(c);
                let _ = sender.join();
                got
            })
        })
        .collect();
    // Let some traffic flow: wait until the log has a few hundred chat lines.
    support::wait_for("chat traffic", || {
        std::fs::read_to_string(&server.log)
            .map(|t| t.matches(" chat ").count() > 300)
            .unwrap_or(false)
    });
    assert_eq!(server.terminate(), Some(0));
    let mut delivered = HashSet::new();
    for h in handles {
        for l in h.join().expect("member thread") {
            if let Some((nick, text)) = l.split_once(" >> ") {
                delivered.insert(format!("chat {nick}: {text}"));
            }
        }
    }
    let logged: HashSet<String> = read_events(&server.log).into_iter().collect();
    assert!(
        delivered.len() > 300,
        "only {} lines delivered",
        delivered.len()
    );
    let missing: Vec<_> = delivered.difference(&logged).take(5).collect();
    assert!(
        missing.is_empty(),
        "{} delivered lines missing from server.txt, e.g. {missing:?}",
        delivered.difference(&logged).count()
    );
}
