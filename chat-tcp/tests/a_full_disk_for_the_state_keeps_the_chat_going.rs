//! PROTOCOL.md §10 against the real binary: the state file's disk fills up while the server
//! runs (a 512 KiB tmpfs in a user and mount namespace of the test's own, so no root is
//! needed). The chat goes on, the change that could not be saved is answered `Could not
//! save` instead of its confirmation, the failure is reported once on stderr and in
//! `server.txt`, and saving works again once there is room.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use support::{Client, listening_addr, read_events, stderr_lines, temp_dir};

/// Mounts a small tmpfs on `$1`, starts the server (the rest of the arguments) in the
/// background and then obeys its input: `fill` fills the tmpfs, `free` empties it; at the
/// end of its input it stops the server with SIGTERM and waits for it.
const SCRIPT: &str = r#"dir="$1"; shift
mount -t tmpfs -o size=512k tmpfs "$dir" || exit 97
"$@" >/dev/null &
pid=$!
while read -r cmd; do
  case "$cmd" in
    fill) dd if=/dev/zero of="$dir/filler" bs=4096 2>/dev/null; echo filled ;;
    free) rm -f "$dir/filler"; echo freed ;;
  esac
done
kill -TERM "$pid"
wait "$pid"
"#;

#[test]
fn a_full_disk_for_the_state_file_keeps_the_chat_going_and_says_could_not_save() {
    let dir = temp_dir("state-full");
    let log = dir.join("server.txt");
    let mnt = dir.join("state");
    std::fs::create_dir(&mnt).expect("dir");
    let mut child = Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            SCRIPT,
            "sh",
        ])
        .arg(&mnt)
        .arg(env!("CARGO_BIN_EXE_chat-tcp"))
        .args(["--bind", "127.0.0.1:0", "--web", "none", "--log"])
        .arg(&log)
        .arg("--state")
        .arg(mnt.join("chat.db"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run unshare (util-linux)");
    let mut control = child.stdin.take().expect("stdin");
    let mut acks = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let errs = stderr_lines(child.stderr.take().expect("stderr"));
    let addr = listening_addr(&errs);
    let mut alice = Client::first_member(addr, "Alice");
    let mut bob = Client::joined(addr, "Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);

    writeln!(control, "fill").expect("control");
    assert_eq!(
        acks.next().transpose().expect("ack").as_deref(),
        Some("filled")
    );
    alice.send("/schedule 23:59Z not kept");
    assert_eq!(
        alice.line(),
        "[Server]: Could not save this change to disk; it holds only until the server restarts."
    );
    alice.send("the chat goes on");
    bob.expect(&["Alice >> the chat goes on"]);
    alice.send("/notice also not kept");
    assert_eq!(
        alice.line(),
        "[Server]: Could not save this change to disk; it holds only until the server restarts."
    );
    bob.expect(&["[Server]: Notice from Alice: also not kept"]);

    writeln!(control, "free").expect("control");
    assert_eq!(
        acks.next().transpose().expect("ack").as_deref(),
        Some("freed")
    );
    alice.send("/notice kept");
    alice.expect(&["[Server]: Notice from Alice: kept"]);
    bob.expect(&["[Server]: Notice from Alice: kept"]);

    drop(control);
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "a clean stop");
    let stderr: Vec<String> = errs.try_iter().collect();
    let reported: Vec<_> = stderr
        .iter()
        .filter(|l| l.contains("cannot save durable changes"))
        .collect();
    assert_eq!(reported.len(), 1, "{stderr:?}");
    let events = read_events(&log);
    let saving: Vec<_> = events.iter().filter(|e| is_saving(e)).collect();
    assert_eq!(saving.len(), 2, "{events:?}");
    assert!(
        saving[0].starts_with("not saved: cannot save the state: database or disk is full"),
        "{saving:?}"
    );
    assert_eq!(saving[1], "saving works again");
}

fn is_saving(event: &str) -> bool {
    event.starts_with("not saved") || event.starts_with("saving")
}

#[test]
fn a_state_file_deleted_while_running_says_could_not_save_and_why_once() {
    let dir = temp_dir("state-deleted");
    let state = dir.join("chat.db");
    let mut server = support::Child::spawn_with_log(
        dir.join("server.txt"),
        &["--state", state.to_str().expect("utf-8 path")],
    );
    let mut alice = Client::first_member(server.addr, "Alice");
    alice.send("/notice kept");
    alice.expect(&["[Server]: Notice from Alice: kept"]);

    // A cleanup (or a restore done while the server runs) takes the files away: what the
    // server would write from now on goes to a file no one will read.
    for name in ["chat.db", "chat.db-wal", "chat.db-shm"] {
        std::fs::remove_file(dir.join(name)).expect("remove");
    }
    for notice in ["/notice lost", "/notice lost too"] {
        alice.send(notice);
        assert_eq!(
            alice.line(),
            "[Server]: Could not save this change to disk; it holds only until the server restarts."
        );
    }
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
    let stderr = server.rest_of_stderr();
    let reported: Vec<_> = stderr
        .iter()
        .filter(|l| l.contains("cannot save durable changes"))
        .collect();
    assert_eq!(reported.len(), 1, "{stderr:?}");
    assert!(
        reported[0].contains(&format!(
            "{} was deleted or replaced while the server ran; changes are not being saved",
            state.display()
        )),
        "{reported:?}"
    );
}
