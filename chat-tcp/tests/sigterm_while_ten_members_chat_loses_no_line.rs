//! SIGTERM in the middle of a busy room: every delivered line is in server.txt.

mod support;

use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use support::{Child, Client, WAIT, read_events};

const MEMBERS: usize = 10;
/// Chat lines one member receives before the signal is sent.
const TRAFFIC: usize = 300;
/// Most lines a member may have been sent and not yet read. Far below the server's outbox
/// (8192 lines), so however slowly this process's threads are scheduled nobody is dropped as
/// a slow consumer: that is another test's subject, and here it would end the chat early.
const WINDOW: usize = 1_000;

/// Flow control between the members' senders and readers.
#[derive(Default)]
struct Flow {
    state: Mutex<Counts>,
    changed: Condvar,
}

#[derive(Default)]
struct Counts {
    /// Lines each member has written (counted before the write).
    sent: [usize; MEMBERS],
    /// Chat lines each member has read.
    read: [usize; MEMBERS],
    /// Some member stopped reading (the goodbye, or the end of its stream): stop sending.
    over: bool,
}

impl Counts {
    /// The most lines any member has been sent (by the others) and not yet read.
    fn backlog(&self) -> usize {
        let total: usize = self.sent.iter().sum();
        (0..MEMBERS)
            .map(|j| (total - self.sent[j]).saturating_sub(self.read[j]))
            .max()
            .unwrap_or(0)
    }
}

impl Flow {
    /// Waits until member `i` may send one more line and counts it; false once it is over
    /// (or after `WAIT` without room, when a reader is stuck: the test fails elsewhere).
    fn may_send(&self, i: usize) -> bool {
        let counts = self.state.lock().expect("flow");
        let (mut counts, _) = self
            .changed
            .wait_timeout_while(counts, WAIT, |c| !c.over && c.backlog() >= WINDOW)
            .expect("flow");
        if counts.over || counts.backlog() >= WINDOW {
            return false;
        }
        counts.sent[i] += 1;
        true
    }

    fn has_read(&self, j: usize) -> usize {
        let mut counts = self.state.lock().expect("flow");
        counts.read[j] += 1;
        self.changed.notify_all();
        counts.read[j]
    }

    fn end(&self) {
        self.state.lock().expect("flow").over = true;
        self.changed.notify_all();
    }
}

#[test]
fn sigterm_while_ten_members_chat_loses_no_line() {
    let mut server = Child::spawn("sigterm10", &["--flood-rate", "0"]);
    let mut members: Vec<Client> = Vec::new();
    for i in 0..MEMBERS {
        let c = Client::joined(server.addr, &format!("m{i}"));
        members.push(c);
    }
    members[0].until("[Server]: m9 has joined the chat.");
    // Each member chats from its own thread as fast as the window allows and records every
    // line it receives, until the server says goodbye; the first to have received TRAFFIC
    // chat lines says so.
    let flow = Arc::new(Flow::default());
    let (busy_tx, busy_rx) = mpsc::channel();
    let handles: Vec<_> = members
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            let busy = busy_tx.clone();
            let flow = flow.clone();
            thread::spawn(move || {
                let mut writer = c.stream.try_clone().expect("clone");
                let sender = {
                    let flow = flow.clone();
                    thread::spawn(move || {
                        for n in 0.. {
                            let line = format!("from m{i} number {n}\n");
                            if !flow.may_send(i) || writer.write_all(line.as_bytes()).is_err() {
                                break;
                            }
                        }
                    })
                };
                let mut got = Vec::new();
                while let Some(l) = c.try_line() {
                    if l == "[Server]: The server is shutting down." {
                        break;
                    }
                    if l.contains(" >> ") && flow.has_read(i) == TRAFFIC {
                        let _ = busy.send(i);
                    }
                    got.push(l);
                }
                flow.end();
                drop(c);
                let _ = sender.join();
                got
            })
        })
        .collect();
    drop(busy_tx);
    // Let some traffic flow: until one member has received a few hundred lines.
    if let Err(e) = busy_rx.recv_timeout(WAIT) {
        // Say what the members saw and what the server said, for the post-mortem.
        flow.end();
        let ends: Vec<_> = handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(got) => format!("{} lines, last {:?}", got.len(), got.last()),
                Err(_) => "panicked".to_owned(),
            })
            .collect();
        let _ = server.terminate();
        let stderr: Vec<String> = server.stderr.try_iter().collect();
        panic!("no member received {TRAFFIC} chat lines ({e}): {ends:#?}\nserver: {stderr:#?}");
    }
    let (code, took) = server.terminate();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(2), "exit {took:?} after SIGTERM");
    let mut delivered = HashSet::new();
    for h in handles {
        for l in h.join().expect("member thread") {
            if let Some((nick, text)) = l.split_once(" >> ") {
                delivered.insert(format!("[lobby] chat {nick}: {text}"));
            }
        }
    }
    let logged: HashSet<String> = read_events(&server.log).into_iter().collect();
    // Distinct lines: each names its sender and number.
    assert!(
        delivered.len() >= TRAFFIC,
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
