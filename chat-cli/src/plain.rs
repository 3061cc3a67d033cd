//! Plain mode, for pipes and scripts: stdin lines are sent, received lines go to stdout one
//! per line (sanitised) and nothing else does; the client's own notices go to stderr.

use std::io::{self, BufRead, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::Instant;

use crate::client::{Client, Event};
use crate::display::{DisplayLine, Kind};
use crate::session::Typed;

/// Runs until the session is over; returns the exit code.
pub(crate) fn run(mut client: Client, tx: SyncSender<Event>, rx: Receiver<Event>) -> u8 {
    spawn_stdin_reader(tx);
    let mut stdout = io::stdout().lock();
    loop {
        while let Some(line) = client.poll_shown() {
            print_line(&mut stdout, &line);
        }
        if let Some(code) = client.finished() {
            return code;
        }
        let event = match client.poll_timeout() {
            // Due timers fire even while events keep coming (a flooding server).
            Some(at) if at <= Instant::now() => Err(RecvTimeoutError::Timeout),
            Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match event {
            Ok(event) => client.handle_event(Instant::now(), event),
            Err(RecvTimeoutError::Timeout) => client.handle_timeout(Instant::now()),
            // Cannot happen while `client` holds a sender; leave rather than spin.
            Err(RecvTimeoutError::Disconnected) => return 1,
        }
    }
}

/// Received lines to stdout, the client's notices to stderr, own chat nowhere (the user
/// typed it; it is in the chat log).
fn print_line(stdout: &mut impl Write, line: &DisplayLine) {
    match line.kind {
        Kind::Own { .. } => {}
        Kind::Notice => {
            // Not `eprintln!`, which panics when stderr is a closed pipe: a notice nobody
            // reads is no reason to stop chatting (stderr is unbuffered; no flush needed).
            let notice = line.body().trim_start_matches("* ");
            let _ = writeln!(io::stderr().lock(), "chat-cli: {notice}");
        }
        _ => {
            // stdout is plain mode's product (a lock, not `println!`, so a closed pipe is an
            // error to ignore rather than a panic: it only means nobody reads).
            let _ = writeln!(stdout, "{}", line.text).and_then(|()| stdout.flush());
        }
    }
}

/// Reads stdin lines (invalid UTF-8 replaced, CR LF accepted) in a thread; its end, or a
/// read error, is [`Typed::End`].
fn spawn_stdin_reader(tx: SyncSender<Event>) {
    thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match stdin.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    let line = line.trim_end_matches(['\n', '\r']).to_owned();
                    if tx.send(Event::Typed(Typed::Line(line))).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = tx.send(Event::Typed(Typed::End));
    });
}
