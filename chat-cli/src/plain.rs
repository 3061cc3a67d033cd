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
        Kind::Own { .. } | Kind::OwnAction { .. } => {}
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

/// Longest stdin line kept (before its line break). A line over the server's 4096 bytes is
/// sent as several (`wire::split_long`); past this bound the line is skipped whole without
/// being stored, with a notice, so one endless line cannot fill memory.
const MAX_TYPED_BYTES: usize = crate::input::MAX_INPUT_BYTES;

/// Reads stdin lines (invalid UTF-8 replaced, CR LF accepted) in a thread; its end, or a
/// read error, is [`Typed::End`]. A line over [`MAX_TYPED_BYTES`] is not sent, with a notice.
fn spawn_stdin_reader(tx: SyncSender<Event>) {
    thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = Vec::new();
        loop {
            match read_line_bounded(&mut stdin, &mut buf, MAX_TYPED_BYTES) {
                Ok(Some(StdinLine::Whole)) => {
                    let line = String::from_utf8_lossy(&buf);
                    let line = line.trim_end_matches('\r').to_owned();
                    if tx.send(Event::Typed(Typed::Line(line))).is_err() {
                        return;
                    }
                }
                Ok(Some(StdinLine::TooLong)) => {
                    let _ = writeln!(
                        io::stderr().lock(),
                        "chat-cli: Line too long (max {MAX_TYPED_BYTES} bytes); it was not sent."
                    );
                }
                Ok(None) | Err(_) => break,
            }
        }
        let _ = tx.send(Event::Typed(Typed::End));
    });
}

/// What [`read_line_bounded`] found.
#[derive(Debug, PartialEq, Eq)]
enum StdinLine {
    /// A line, in the buffer without its LF.
    Whole,
    /// A line longer than the limit, skipped; the buffer is empty.
    TooLong,
}

/// Reads one line into `buf` (cleared first, LF dropped) keeping at most `max` bytes of it;
/// `None` at the end of input. A last line without an LF still counts.
fn read_line_bounded(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<StdinLine>> {
    buf.clear();
    let (mut too_long, mut any) = (false, false);
    loop {
        let available = match input.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            // The end of input, maybe after an unfinished last line.
            return Ok(any.then_some(if too_long {
                StdinLine::TooLong
            } else {
                StdinLine::Whole
            }));
        }
        any = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        if !too_long && buf.len() + chunk.len() <= max {
            buf.extend_from_slice(chunk);
        } else {
            too_long = true;
            buf.clear();
        }
        let used = newline.map_or(available.len(), |i| i + 1);
        input.consume(used);
        if newline.is_some() {
            return Ok(Some(if too_long {
                StdinLine::TooLong
            } else {
                StdinLine::Whole
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<(StdinLine, String)> {
        // A tiny buffer, so lines arrive in pieces as from a pipe.
        let mut reader = io::BufReader::with_capacity(3, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(read) = read_line_bounded(&mut reader, &mut buf, max).expect("read") {
            out.push((read, String::from_utf8_lossy(&buf).into_owned()));
        }
        out
    }

    #[test]
    fn lines_over_the_limit_are_skipped_whole_and_memory_stays_bounded() {
        let got = lines(b"hi\r\n12345678\nabcd\n\nlast", 4);
        assert_eq!(
            got,
            [
                (StdinLine::Whole, "hi\r".to_owned()),
                (StdinLine::TooLong, String::new()),
                (StdinLine::Whole, "abcd".to_owned()),
                (StdinLine::Whole, String::new()),
                (StdinLine::Whole, "last".to_owned()),
            ]
        );
        assert_eq!(lines(b"", 4), []);
        assert_eq!(lines(b"123456", 4), [(StdinLine::TooLong, String::new())]);
        // A megabyte without a line break never needs more than the limit.
        let huge = vec![b'x'; 1 << 20];
        let mut reader = io::BufReader::new(&huge[..]);
        let mut buf = Vec::new();
        let read = read_line_bounded(&mut reader, &mut buf, 4096).expect("read");
        assert_eq!(read, Some(StdinLine::TooLong));
        assert!(buf.capacity() <= 4096 + 8192, "{}", buf.capacity());
    }
}
