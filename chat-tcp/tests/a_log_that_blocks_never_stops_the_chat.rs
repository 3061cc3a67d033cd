//! A server log that blocks (here a FIFO nobody reads, swapped in by rotation and SIGHUP)
//! never stops the chat: members keep chatting, newcomers get their prompt, SIGTERM exits
//! within 2 s. Records past the log's bounded buffer are counted, and the count is one
//! record once the log takes records again.

mod support;

use std::fs::File;
use std::io::Read;
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{Child, Client, WAIT};

/// Chat lines sent while the log is blocked: 2,000 records of about 3 KB, more than the
/// pipe (64 KiB) and the server's log buffer (4 MiB) hold together.
const LINES: usize = 2_000;
const TEXT: usize = 3_000;

/// Rotates the server's log and puts a FIFO in its place, opened here (read-write, so
/// neither this open nor the server's blocks) and not read: the server's writes block once
/// the pipe is full. Returns the FIFO.
fn swap_in_a_fifo(server: &Child) -> File {
    let fifo = server.log.with_extension("fifo");
    let status = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo failed");
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .expect("open the FIFO for reading");
    std::fs::rename(&server.log, server.log.with_extension("txt.1")).expect("rotate");
    std::fs::rename(&fifo, &server.log).expect("FIFO in place");
    server.hangup();
    reader
}

/// Alice sends [`LINES`] long lines; Bob gets every one of them.
fn chat_past_the_buffer(alice: &mut Client, bob: &mut Client) {
    let text = "x".repeat(TEXT);
    for chunk in 0..LINES / 50 {
        for i in 0..50 {
            alice.send(&format!("{} {text}", chunk * 50 + i));
        }
        for i in 0..50 {
            assert_eq!(bob.line(), format!("Alice >> {} {text}", chunk * 50 + i));
        }
    }
}

fn start() -> (Child, Client, Client) {
    let server = Child::spawn("fifo", &["--flood-rate", "0"]);
    let mut alice = Client::first_member(server.addr, "Alice");
    let bob = Client::joined(server.addr, "Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    (server, alice, bob)
}

#[test]
fn a_log_that_blocks_leaves_the_chat_running_and_sigterm_exits() {
    let (mut server, mut alice, mut bob) = start();
    let _fifo = swap_in_a_fifo(&server);
    chat_past_the_buffer(&mut alice, &mut bob);
    // A newcomer still gets the prompt, and joins.
    let mut carol = Client::joined(server.addr, "Carol");
    carol.line();
    alice.expect(&["[Server]: Carol has joined the chat."]);
    bob.expect(&["[Server]: Carol has joined the chat."]);
    drop((alice, bob, carol));
    let (code, took) = server.terminate();
    eprintln!("exit {code:?} {took:?} after SIGTERM with the log blocked");
    assert!(took < Duration::from_secs(2), "exit {took:?} after SIGTERM");
    let stderr = server.rest_of_stderr();
    assert!(
        stderr
            .iter()
            .any(|l| l.starts_with("chat-tcp: error: the server log is blocked; ")),
        "{stderr:#?}"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn records_lost_while_the_log_blocked_are_counted_when_it_works_again() {
    let (mut server, mut alice, mut bob) = start();
    let fifo = swap_in_a_fifo(&server);
    chat_past_the_buffer(&mut alice, &mut bob);

    // Now someone reads the FIFO: the log works again, and says what it lost.
    let (tx, rx) = mpsc::channel();
    let reader = read_all(fifo, tx);
    let mut text = String::new();
    let deadline = Instant::now() + WAIT;
    let read_until = |want: &str, text: &mut String| {
        while !text.contains(want) {
            let chunk = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no {want:?}; the log has {} bytes", text.len()));
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    read_until(" records: the log could not keep up\n", &mut text);
    // And records are written again.
    alice.send("after");
    bob.expect(&["Alice >> after"]);
    read_until(" chat Alice: after\n", &mut text);
    let events: Vec<&str> = text
        .lines()
        .map(|l| l.split_once(' ').expect("timestamp").1)
        .collect();
    let written = events
        .iter()
        .filter(|e| e.starts_with("[lobby] chat Alice: ") && **e != "[lobby] chat Alice: after")
        .count();
    let lost: Vec<u64> = events
        .iter()
        .filter_map(|e| {
            e.strip_prefix("lost ")?
                .strip_suffix(" records: the log could not keep up")
        })
        .map(|n| n.parse().expect("a count"))
        .collect();
    // Every record was either written or counted, and counted once, before "after".
    assert_eq!(
        lost.len(),
        1,
        "{:?}",
        &events[events.len().saturating_sub(5)..]
    );
    eprintln!(
        "{LINES} lines delivered while the log blocked; {written} written later, {} counted as lost",
        lost[0]
    );
    assert!(lost[0] > 0);
    assert_eq!(written as u64 + lost[0], LINES as u64);
    let lost_at = events
        .iter()
        .position(|e| e.starts_with("lost "))
        .expect("lost");
    assert_eq!(events[lost_at + 1..], ["[lobby] chat Alice: after"]);

    drop((alice, bob));
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
    // The reader holds a write end too, so it never sees the end of the FIFO: it is left
    // blocked and ends with the test process.
    drop(reader);
}

/// Reads the FIFO until the test ends, sending what it reads.
fn read_all(mut fifo: File, tx: mpsc::Sender<Vec<u8>>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n @ 1..) = fifo.read(&mut buf) {
            if tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    })
}
