//! PROTOCOL.md §10 against the real binary: a state file that is corrupt, belongs to another
//! program, sits in a read-only directory or is in use by another server makes the server
//! refuse to start with one
//! `chat-tcp: error:` line and exit code 2, and the file is left exactly as it was.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::temp_dir;

/// Runs the server on `state` (through `sh -c wrap` when given) and returns its output.
fn run(state: &Path, log: &Path, wrap: Option<&str>) -> Output {
    let exe = env!("CARGO_BIN_EXE_chat-tcp");
    let mut cmd = match wrap {
        None => Command::new(exe),
        Some(script) => {
            let mut c = Command::new("unshare");
            c.args([
                "--user",
                "--map-root-user",
                "--mount",
                "sh",
                "-c",
                script,
                "sh",
            ]);
            c.arg(state.parent().expect("dir"));
            c.arg(exe);
            c
        }
    };
    cmd.args(["--bind", "127.0.0.1:0", "--web", "none", "--log"])
        .arg(log)
        .arg("--state")
        .arg(state)
        .output()
        .expect("run chat-tcp")
}

/// Asserts one error line naming `what`, exit 2.
#[track_caller]
fn refused(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let errors: Vec<_> = stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].starts_with("chat-tcp: error: "), "{stderr}");
    assert!(errors[0].contains(what), "{what:?} not in {stderr}");
}

#[test]
fn a_corrupt_file_and_a_file_of_another_program_are_refused_untouched() {
    let dir = temp_dir("state-foreign");
    let log = dir.join("server.txt");

    let text = dir.join("notes.db");
    std::fs::write(&text, "shopping list: eggs, milk\n".repeat(200)).expect("write");
    let out = run(&text, &log, None);
    refused(
        &out,
        "is not a chat state file (not an SQLite database); it was left untouched",
    );
    assert_eq!(
        std::fs::read(&text).expect("read"),
        "shopping list: eggs, milk\n".repeat(200).as_bytes()
    );

    let other = dir.join("other.db");
    let conn = rusqlite::Connection::open(&other).expect("sqlite");
    conn.execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');")
        .expect("another program's table");
    drop(conn);
    let before = std::fs::read(&other).expect("read");
    let out = run(&other, &log, None);
    refused(&out, "is not a chat state file (application id 0x0)");
    assert_eq!(std::fs::read(&other).expect("read"), before);

    // A state file of ours, then damaged in the middle of its pages.
    let state = dir.join("chat.db");
    let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .args(["--bind", "127.0.0.1:0", "--web", "none", "--capacity", "0"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "a bad flag opens nothing");
    let store = chat_store::Store::open(&state, 20).expect("a fresh state file");
    drop(store);
    let mut bytes = std::fs::read(&state).expect("read");
    assert!(bytes.len() > 4096, "{} bytes", bytes.len());
    for b in &mut bytes[4096..] {
        *b = 0x5a;
    }
    std::fs::write(&state, &bytes).expect("damage");
    let out = run(&state, &log, None);
    refused(&out, "chat.db is corrupt");
    assert_eq!(std::fs::read(&state).expect("read"), bytes);
}

#[test]
fn a_state_file_in_a_read_only_directory_is_refused_untouched() {
    let dir = temp_dir("state-readonly");
    let log = dir.join("server.txt");
    let data = dir.join("data");
    std::fs::create_dir(&data).expect("dir");
    let state = data.join("chat.db");
    // The directory is made read-only with a read-only bind mount in a mount namespace of
    // its own, which holds for root too (a mode of 0555 does not).
    let ro = r#"dir="$1"; shift; mount --bind "$dir" "$dir" && mount -o remount,bind,ro "$dir" "$dir" && exec "$@""#;

    let out = run(&state, &log, Some(ro));
    refused(&out, "cannot open state file");
    assert!(!state.exists(), "nothing was created");

    let store = chat_store::Store::open(&state, 20).expect("a state file");
    drop(store);
    let before = std::fs::read(&state).expect("read");
    let out = run(&state, &log, Some(ro));
    refused(&out, "cannot open state file");
    assert_eq!(std::fs::read(&state).expect("read"), before);
}

#[test]
fn a_state_file_in_use_by_another_server_is_refused_and_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("state-in-use");
    let state = dir.join("chat.db");
    let state_arg = state.to_str().expect("utf-8 path");
    let mut first = support::Child::spawn_with_log(dir.join("server.txt"), &["--state", state_arg]);
    let mut alice = support::Client::first_member(first.addr, "Alice");
    alice.send("/notice kept by the first server");
    alice.until("[Server]: Notice from Alice: kept by the first server");

    // A second server on the same file (another port, another log) would fire every
    // schedule a second time: it refuses to start.
    let before = std::fs::read(&state).expect("read");
    // Bounded: without the lock the second server would run (and chat) until killed.
    let out = Command::new("timeout")
        .args(["--kill-after=1", "10", env!("CARGO_BIN_EXE_chat-tcp")])
        .args(["--bind", "127.0.0.1:0", "--web", "none", "--log"])
        .arg(dir.join("second.txt"))
        .arg("--state")
        .arg(&state)
        .output()
        .expect("run chat-tcp under timeout");
    refused(
        &out,
        "chat.db is in use by another server; it was left untouched",
    );
    assert_eq!(std::fs::read(&state).expect("read"), before);

    // It holds room codes and chat: not for every local user (nor are SQLite's side files,
    // which take the database file's mode).
    for name in ["chat.db", "chat.db-wal", "chat.db-shm"] {
        let mode = std::fs::metadata(dir.join(name))
            .expect("the state files exist while the server runs")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640, "{name}: {mode:o}");
    }
    let (code, _) = first.terminate();
    assert_eq!(code, Some(0));
}
