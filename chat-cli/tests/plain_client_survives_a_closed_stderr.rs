//! Plain mode keeps chatting when nobody reads its stderr (`chat-cli ... 2>&1 | head -1`):
//! a notice written to a pipe whose reader is gone is dropped, not a panic.

mod common;

use std::io::Write;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;

use common::{BIN, DEADLINE, Lines, RawMember, start_server, stop_server};

/// The write end of a pipe whose read end is already closed everywhere: `true` is given the
/// read end as its stdin and has exited. (std gains `io::pipe` only after this crate's MSRV.)
fn pipe_nobody_reads() -> ChildStdin {
    let mut reader = Command::new("true")
        .stdin(Stdio::piped())
        .spawn()
        .expect("true runs");
    let write_end = reader.stdin.take().expect("piped stdin");
    let status = wait_within_deadline(reader);
    assert!(status.success(), "true: {status}");
    write_end
}

/// Waits for `child` on another thread, failing the test after [`DEADLINE`].
fn wait_within_deadline(mut child: Child) -> ExitStatus {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(child.wait()));
    rx.recv_timeout(DEADLINE)
        .unwrap_or_else(|_| panic!("process did not exit within {DEADLINE:?}"))
        .expect("wait for the process")
}

#[test]
fn a_line_is_sent_and_the_client_exits_0_with_stderr_closed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_server(dir.path());
    let addr = server.local_addr();
    let mut bob = RawMember::join(addr, "Bob");
    // Logging on, so the "Chat log: ..." notice goes to the dead stderr right after joining.
    let mut child = Command::new(BIN)
        .arg("--plain")
        .args(["--host", &addr.ip().to_string()])
        .args(["--port", &addr.port().to_string()])
        .args(["--nick", "Pipe", "--utc-offset", "+09:00"])
        .arg("--log-dir")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(pipe_nobody_reads())
        .spawn()
        .expect("chat-cli starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut out = Lines::spawn(
        "stdout of chat-cli",
        child.stdout.take().expect("piped stdout"),
    );
    out.expect_prefix("[Server]: Welcome, Pipe!");
    bob.lines.expect("[Server]: Pipe has joined the chat.");

    writeln!(stdin, "hi").expect("write to chat-cli's stdin");
    stdin.flush().expect("flush chat-cli's stdin");
    bob.lines.expect("Pipe >> hi");

    drop(stdin);
    out.expect("[Server]: Bye, Pipe.");
    assert_eq!(wait_within_deadline(child).code(), Some(0));
    bob.lines.expect("[Server]: Pipe has left the chat.");
    stop_server(server);
    let log = std::fs::read_to_string(dir.path().join("Pipe_chat_log.txt")).expect("chat log");
    assert!(log.contains(" Pipe >> hi\n"), "{log}");
}
