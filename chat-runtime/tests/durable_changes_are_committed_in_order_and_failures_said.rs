//! PROTOCOL.md §10 through the runtime, with a store that records its commits: a change a
//! member is told about is committed before the confirmation is queued; a backlog line is
//! committed within a second with nothing else happening, and at once at shutdown; a
//! commit that fails leaves the chat going, replaces the confirmation with `Could not
//! save`, and is reported once in `server.txt` until saving works again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use chat_runtime::local::LocalClient;
use chat_runtime::{Error, Runtime, RuntimeConfig, Store};
use chatcore::Action;
use chatcore::persist::Change;

const WAIT: Duration = Duration::from_secs(10);

/// Sends each commit's changes (their kind) to the test; fails while `fail` is set; while
/// `stall` is set, a commit says so on `stalled` and waits for a word on `gate` (a disk
/// that hangs).
struct Recording {
    staged: Vec<String>,
    commits: Sender<Vec<String>>,
    fail: Arc<AtomicBool>,
    stall: Arc<AtomicBool>,
    stalled: Sender<()>,
    gate: Receiver<()>,
}

impl Store for Recording {
    fn stage(&mut self, action: &Action) -> bool {
        let Action::Persist(change) = action else {
            return false;
        };
        let kind = match change {
            Change::BacklogAppended { line, .. } => {
                format!("backlog {}", String::from_utf8_lossy(line).trim_end())
            }
            other => format!("{other:?}")
                .split([' ', '{'])
                .next()
                .unwrap_or_default()
                .to_owned(),
        };
        self.staged.push(kind);
        true
    }

    fn commit(&mut self) -> Result<(), Error> {
        if self.stall.load(Ordering::SeqCst) {
            let _ = self.stalled.send(());
            let _ = self.gate.recv_timeout(WAIT);
        }
        let staged = std::mem::take(&mut self.staged);
        if self.fail.load(Ordering::SeqCst) {
            return Err(Error::Store("No space left on device".into()));
        }
        let _ = self.commits.send(staged);
        Ok(())
    }
}

struct Server {
    runtime: Runtime,
    commits: Receiver<Vec<String>>,
    fail: Arc<AtomicBool>,
    stall: Arc<AtomicBool>,
    stalled: Receiver<()>,
    gate: Sender<()>,
    dir: std::path::PathBuf,
}

fn start(name: &str) -> Server {
    let dir = std::env::temp_dir().join(format!("chat-runtime-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut config = RuntimeConfig {
        log_path: dir.join("server.txt"),
        ..RuntimeConfig::default()
    };
    config.room.flood_rate = 0;
    let (tx, commits) = channel();
    let fail = Arc::new(AtomicBool::new(false));
    let stall = Arc::new(AtomicBool::new(false));
    let (stalled_tx, stalled) = channel();
    let (gate, gate_rx) = channel();
    let store = Recording {
        staged: Vec::new(),
        commits: tx,
        fail: fail.clone(),
        stall: stall.clone(),
        stalled: stalled_tx,
        gate: gate_rx,
    };
    let runtime = Runtime::with_store(config, Box::new(store)).expect("start");
    Server {
        runtime,
        commits,
        fail,
        stall,
        stalled,
        gate,
        dir,
    }
}

fn member(server: &Server, nick: &str) -> LocalClient {
    let ip = "127.0.0.1".parse().expect("ip");
    let mut c = LocalClient::connect(&server.runtime.door(), ip).expect("admitted");
    c.send(nick).expect("running");
    let welcome = format!("[Server]: Welcome, {nick}!");
    c.recv_until(WAIT, |l| l.starts_with(&welcome))
        .expect("welcome");
    c
}

impl Server {
    /// Stops the server and returns its log without timestamps.
    fn stop(self) -> Vec<String> {
        self.runtime.shutdown();
        self.runtime.join().expect("clean stop");
        let log = std::fs::read_to_string(self.dir.join("server.txt")).expect("log");
        std::fs::remove_dir_all(&self.dir).expect("clean up");
        log.lines()
            .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest).to_owned())
            .collect()
    }

    /// Every commit made so far.
    fn committed(&self) -> Vec<Vec<String>> {
        self.commits.try_iter().collect()
    }
}

#[test]
fn a_confirmation_follows_its_commit_and_a_backlog_line_waits_at_most_a_second() {
    let server = start("order");
    let mut alice = member(&server, "Alice");
    // The default room was created: committed before Alice's welcome.
    assert_eq!(server.committed(), [["RoomCreated"]]);

    alice.send("/schedule 23:59Z late").expect("running");
    alice
        .recv_until(WAIT, |l| l.starts_with("[Server]: Scheduled #1 for 23:59"))
        .expect("confirmation");
    assert_eq!(server.committed(), [["ScheduleAdded"]]);

    let sent = Instant::now();
    alice.send("hello").expect("running");
    let commit = server.commits.recv_timeout(WAIT).expect("a commit");
    assert_eq!(commit, ["backlog Alice >> hello"]);
    let waited = sent.elapsed();
    assert!(waited < Duration::from_secs(1), "kept after {waited:?}");

    alice.send("bye for now").expect("running");
    let log = server.stop();
    assert!(log.iter().all(|l| !l.contains("not saved")), "{log:?}");
}

#[test]
fn backlog_lines_are_committed_at_once_on_a_clean_shutdown() {
    let server = start("shutdown");
    let mut alice = member(&server, "Alice");
    server.committed();
    alice.send("last words").expect("running");
    // Through the engine: the line is in the backlog once `/user` is answered.
    alice.send("/user").expect("running");
    alice
        .recv_until(WAIT, |l| l.starts_with("[Server]: Users"))
        .expect("user list");
    server.runtime.shutdown();
    let commit = server.commits.recv_timeout(WAIT).expect("a commit");
    assert_eq!(commit, ["backlog Alice >> last words"]);
    let Server { runtime, dir, .. } = server;
    runtime.join().expect("clean stop");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn a_failed_commit_says_could_not_save_to_its_author_and_is_logged_once() {
    let server = start("fail");
    let mut alice = member(&server, "Alice");
    let mut bob = member(&server, "Bob");
    alice
        .recv_until(WAIT, |l| l == "[Server]: Bob has joined the chat.")
        .expect("join line");
    let not_saved =
        "[Server]: Could not save this change to disk; it holds only until the server restarts.";

    server.fail.store(true, Ordering::SeqCst);
    alice.send("/schedule 23:59Z not kept").expect("running");
    assert_eq!(alice.recv(WAIT).as_deref(), Some(not_saved));
    alice.send("/notice Lunch at noon").expect("running");
    assert_eq!(alice.recv(WAIT).as_deref(), Some(not_saved));
    assert_eq!(
        bob.recv(WAIT).as_deref(),
        Some("[Server]: Notice from Alice: Lunch at noon")
    );
    alice.send("the chat goes on").expect("running");
    assert_eq!(bob.recv(WAIT).as_deref(), Some("Alice >> the chat goes on"));
    // The schedule holds in memory.
    alice.send("/schedules").expect("running");
    let listed = alice.recv(WAIT).expect("a line");
    assert!(listed.starts_with("[Server]: #1 for 23:59"), "{listed}");

    server.fail.store(false, Ordering::SeqCst);
    alice.send("/notice -").expect("running");
    assert_eq!(
        alice.recv(WAIT).as_deref(),
        Some("[Server]: Notice cleared.")
    );
    let log = server.stop();
    let saving: Vec<_> = log
        .iter()
        .filter(|l| l.starts_with("not saved") || l.starts_with("saving"))
        .collect();
    assert_eq!(
        saving,
        [
            "not saved: No space left on device; the chat goes on",
            "saving works again"
        ]
    );
}

#[test]
fn a_disk_that_hangs_while_backlog_lines_are_saved_delays_no_chat_line() {
    let server = start("stall");
    let mut alice = member(&server, "Alice");
    let mut bob = member(&server, "Bob");
    alice
        .recv_until(WAIT, |l| l == "[Server]: Bob has joined the chat.")
        .expect("join line");
    server.stall.store(true, Ordering::SeqCst);
    alice.send("before the hang").expect("running");
    assert_eq!(bob.recv(WAIT).as_deref(), Some("Alice >> before the hang"));
    // Half a second later the line is handed to the store, whose commit hangs.
    server
        .stalled
        .recv_timeout(WAIT)
        .expect("the store's commit began");
    for n in 0..50 {
        alice
            .send(&format!("during the hang {n}"))
            .expect("running");
        let want = format!("Alice >> during the hang {n}");
        assert_eq!(bob.recv(WAIT), Some(want));
    }
    server.stall.store(false, Ordering::SeqCst);
    server.gate.send(()).expect("release");
    let log = server.stop();
    assert!(log.iter().all(|l| !l.contains("not saved")), "{log:?}");
}

#[test]
fn a_disk_that_hangs_on_a_confirmed_change_says_not_saved_and_the_chat_goes_on() {
    let server = start("hang");
    let mut alice = member(&server, "Alice");
    let mut bob = member(&server, "Bob");
    alice
        .recv_until(WAIT, |l| l == "[Server]: Bob has joined the chat.")
        .expect("join line");
    let not_saved =
        "[Server]: Could not save this change to disk; it holds only until the server restarts.";

    // Alice's notice must be committed before she is told; the commit hangs.
    server.stall.store(true, Ordering::SeqCst);
    alice.send("/notice Lunch at noon").expect("running");
    server
        .stalled
        .recv_timeout(WAIT)
        .expect("the store's commit began");
    // The engine stops waiting, tells Alice the truth, and the chat goes on.
    assert_eq!(alice.recv(WAIT).as_deref(), Some(not_saved));
    assert_eq!(
        bob.recv(WAIT).as_deref(),
        Some("[Server]: Notice from Alice: Lunch at noon")
    );
    // A second change while the first commit still hangs is not waited for at all.
    alice.send("/schedule 23:59Z standup").expect("running");
    assert_eq!(alice.recv(WAIT).as_deref(), Some(not_saved));
    for n in 0..20 {
        bob.send(&format!("while the disk hangs {n}"))
            .expect("running");
        let want = format!("Bob >> while the disk hangs {n}");
        assert_eq!(alice.recv(WAIT), Some(want));
    }

    // The disk comes back: the hung commit ends, then the schedule's (handed over in
    // order behind it) is kept after all.
    server.stall.store(false, Ordering::SeqCst);
    server.gate.send(()).expect("release");
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let commit = server
            .commits
            .recv_timeout(left)
            .expect("the schedule is committed once the disk is back");
        if commit.iter().any(|c| c.starts_with("Schedule")) {
            break;
        }
    }
    // Saving works again: a change is waited for and confirmed.
    alice.send("/notice -").expect("running");
    assert_eq!(
        alice.recv(WAIT).as_deref(),
        Some("[Server]: Notice cleared.")
    );
    let log = server.stop();
    let saving: Vec<_> = log
        .iter()
        .filter(|l| l.starts_with("not saved") || l.starts_with("saving"))
        .collect();
    assert_eq!(
        saving,
        [
            "not saved: the disk did not finish saving within 2s; the chat goes on",
            "saving works again"
        ]
    );
}
