//! PROTOCOL.md §10 against the real binary: a state file that is corrupt, belongs to another
//! program, sits in a read-only directory, is in use by another server, is a symbolic link,
//! a FIFO, another user's or writable by every user makes the server refuse to start with one
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
    // The whole path and what to do about it.
    let whole = std::path::absolute(&state).expect("absolute path");
    refused(
        &out,
        &format!(
            "chat-tcp: error: {} is in use by another server; it was left untouched (stop that \
             server, or give this one its own file with --state PATH, or --state none)",
            whole.display()
        ),
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

#[test]
fn a_symbolic_link_a_fifo_and_a_world_writable_file_are_refused_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("state-planted");
    let log = dir.join("server.txt");

    // A dangling link: following it would create the file where the link's owner chose.
    let target = dir.join("elsewhere.db");
    let link = dir.join("chat.db");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let out = run(&link, &log, None);
    refused(
        &out,
        "chat.db is a symbolic link (the server follows none: give the file's own path); it was left untouched",
    );
    assert!(!target.exists(), "the link's target was created");
    // A link to a real state file: refused the same.
    drop(chat_store::Store::open(&target, 20).expect("a state file"));
    let out = run(&link, &log, None);
    refused(&out, "chat.db is a symbolic link");

    // A link planted as one of SQLite's side files, which SQLite would follow: the server
    // would write its journal into the link's target.
    let mine = dir.join("precious.txt");
    std::fs::write(&mine, "keep me\n").expect("write");
    let state = dir.join("side.db");
    let wal = dir.join("side.db-wal");
    std::os::unix::fs::symlink(&mine, &wal).expect("symlink");
    let out = run(&state, &log, None);
    refused(
        &out,
        "side.db-wal is a symbolic link (the server follows none); it was left untouched",
    );
    assert_eq!(std::fs::read_to_string(&mine).expect("read"), "keep me\n");
    assert!(!state.exists(), "the state file was created");
    std::fs::remove_file(&wal).expect("unlink");
    std::fs::write(&wal, "").expect("write");
    std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let out = run(&state, &log, None);
    refused(
        &out,
        "side.db-wal is writable by every user (mode 666); it was left untouched",
    );

    let fifo = dir.join("fifo.db");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    let out = run(&fifo, &log, None);
    refused(
        &out,
        "fifo.db is not a regular file (a FIFO); it was left untouched",
    );

    // Planted in a shared directory: anyone could read the codes or change the rooms.
    let open = dir.join("open.db");
    drop(chat_store::Store::open(&open, 20).expect("a state file"));
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).expect("chmod");
    let before = std::fs::read(&open).expect("read");
    let out = run(&open, &log, None);
    refused(
        &out,
        "open.db is writable by every user (mode 666); it was left untouched",
    );
    assert_eq!(std::fs::read(&open).expect("read"), before);
    let mode = std::fs::metadata(&open).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o666, "left untouched");
}

#[test]
fn a_state_file_of_another_user_is_refused_untouched() {
    // Giving a file to another user needs root. Without it, another user's file is one this
    // user cannot write (root's /etc/passwd): refused untouched all the same (the owner rule
    // itself is also tested in-process: chat-store, claim.rs, a_file_of_another_user_is_refused).
    if effective_uid() != 0 {
        let passwd = Path::new("/etc/passwd");
        let before = std::fs::read(passwd).expect("read /etc/passwd");
        let dir = temp_dir("state-other-user-unprivileged");
        let out = run(passwd, &dir.join("server.txt"), None);
        refused(&out, "/etc/passwd");
        assert_eq!(std::fs::read(passwd).expect("read"), before);
        return;
    }
    let dir = temp_dir("state-other-user");
    let state = dir.join("chat.db");
    drop(chat_store::Store::open(&state, 20).expect("a state file"));
    std::os::unix::fs::chown(&state, Some(65534), Some(65534)).expect("chown to nobody");
    let before = std::fs::read(&state).expect("read");
    let out = run(&state, &dir.join("server.txt"), None);
    refused(
        &out,
        "chat.db belongs to another user (uid 65534; this server runs as uid 0); it was left untouched",
    );
    assert_eq!(std::fs::read(&state).expect("read"), before);
}

/// This process's effective user id, from /proc (no unsafe, no dependency).
fn effective_uid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let uids = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .expect("a Uid: line");
    uids.split_whitespace()
        .nth(1)
        .expect("the effective uid")
        .parse()
        .expect("a number")
}
