//! Log rotation: once `server.txt` is moved away, SIGHUP makes the server write a new one at
//! the same path; nothing is lost and nothing is written twice.

mod support;

use support::{Child, Client, wait_for};

#[test]
fn sighup_after_a_rename_writes_a_new_log_at_the_same_path() {
    let mut server = Child::spawn("sighup", &[]);
    let mut alice = Client::joined(server.addr, "Alice");
    alice.expect(&["[Server]: You are the admin."]);
    let mut bob = Client::joined(server.addr, "Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    bob.send("before the rotation");
    alice.expect(&["Bob >> before the rotation"]);
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();
    wait_for("the first line in server.txt", || {
        read(&server.log).contains("[lobby] chat Bob: before the rotation")
    });

    // What logrotate does: move the file, then signal.
    let rotated = server.log.with_extension("txt.1");
    std::fs::rename(&server.log, &rotated).expect("rotate");
    server.hangup();
    bob.send("after the rotation");
    alice.expect(&["Bob >> after the rotation"]);
    wait_for("the new server.txt", || {
        read(&server.log).contains("[lobby] chat Bob: after the rotation")
    });
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));

    let (old, new) = (read(&rotated), read(&server.log));
    assert!(
        old.contains("[lobby] chat Bob: before the rotation"),
        "{old}"
    );
    assert!(!old.contains("after the rotation"), "{old}");
    assert!(!new.contains("before the rotation"), "{new}");
    // The rest of the session, shutdown included, is in the new file, which only its
    // owner may write and others may not read (it holds whispers).
    assert!(new.contains(" shutdown with 2 members"), "{new}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&server.log)
        .expect("new log")
        .permissions()
        .mode();
    // 0640 less the umask: the owner reads and writes, others nothing.
    assert_eq!((mode & 0o600, mode & 0o007), (0o600, 0), "{mode:o}");
}
