//! One WebSocket connection after its handshake: the [`Sink`] the runtime writes through,
//! the reader thread that owns tungstenite's protocol state, and the writer thread that is
//! the only one to write to the socket.
//!
//! tungstenite's `WebSocket` cannot be split across threads, so the reader keeps its
//! [`WebSocketContext`] and gives it a stream whose writes (pongs, close replies) are queued
//! for the writer; the writer takes those and the runtime's lines, framed here, in one
//! order, and nothing reaches the socket from anywhere else.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chat_runtime::{Next, Reader, Sink, Writer};
use chatcore::{DisconnectCause, Frame};
use parking_lot::{Condvar, Mutex};
use tungstenite::Message;
use tungstenite::error::{CapacityError, Error as WsError};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{Role, WebSocketConfig, WebSocketContext};

use crate::stream::Stream;

/// The largest message tungstenite assembles. Messages between the hall's line limit (4096
/// bytes) and this get the `Line too long` reply and the connection stays; a larger one is
/// closed with 1009, since skipping it would mean reading it all.
pub(crate) const MAX_MESSAGE: usize = 64 * 1024;

/// How long a closed connection waits for the peer's close frame before the socket goes.
const LINGER: Duration = Duration::from_millis(500);

/// Control frames (pongs, close replies) waiting for the writer: a peer pinging faster than
/// it reads loses its oldest pongs beyond this, never the server's memory.
const MAX_CONTROL: usize = 16;

/// tungstenite's settings: small buffers, and messages no larger than a line can usefully be.
pub(crate) fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
        .max_write_buffer_size(4096)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
}

/// What the reader, the writer and the runtime's sink share.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Written by the writer thread only; read by the reader thread; shut down by
    /// [`Sink::abort`].
    stream: Stream,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// Whole frames tungstenite wrote (pongs, close replies), in order.
    control: VecDeque<Bytes>,
    /// The runtime asked the writer to look at its outbox (lines, a close, a stop).
    woken: bool,
    /// The reader has ended; the writer stops after what is queued.
    reader_done: bool,
}

impl Shared {
    pub(crate) fn new(stream: Stream) -> Shared {
        Shared {
            stream,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        }
    }

    fn push_control(&self, frame: Bytes) {
        let mut s = self.state.lock();
        if s.control.len() >= MAX_CONTROL {
            s.control.pop_front();
        }
        s.control.push_back(frame);
        self.changed.notify_one();
    }
}

/// The runtime's way out to this peer: every line goes through the writer thread, which
/// frames it (so the engine never blocks and never interleaves with a pong).
#[derive(Debug)]
pub(crate) struct WsSink(pub(crate) Arc<Shared>);

impl Sink for WsSink {
    fn wake_writer(&self) {
        let mut s = self.0.state.lock();
        s.woken = true;
        self.0.changed.notify_one();
    }

    fn abort(&self) {
        self.0.stream.shutdown(Shutdown::Both);
        self.wake_writer();
    }
}

/// The reader's view of the socket: reads come from it, writes (tungstenite's automatic
/// pongs and close replies) are collected and handed to the writer as whole frames.
struct ReadSide {
    shared: Arc<Shared>,
    pending: Vec<u8>,
}

impl Read for ReadSide {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.shared.stream).read(buf)
    }
}

impl Write for ReadSide {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let frame = Bytes::from(std::mem::take(&mut self.pending));
            self.shared.push_control(frame);
        }
        Ok(())
    }
}

/// A close frame from the server, unmasked.
fn close_frame(code: CloseCode, reason: &'static str) -> Bytes {
    let code = u16::from(code).to_be_bytes();
    let mut frame = vec![0x88, (2 + reason.len()) as u8];
    frame.extend_from_slice(&code);
    frame.extend_from_slice(reason.as_bytes());
    Bytes::from(frame)
}

/// Appends `line` (without its LF) to `out` as one unmasked text frame.
fn push_text_frame(out: &mut Vec<u8>, line: &[u8]) {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    out.push(0x81);
    match line.len() {
        n @ 0..=125 => out.push(n as u8),
        n @ 126..=0xffff => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(line);
}

/// Tells a peer the door refused why (`line`, as a text message), closes with 1013 (try
/// again later) and shuts the socket; best effort, bounded by the write timeout.
pub(crate) fn refuse(shared: &Shared, line: &str) {
    let mut out = Vec::new();
    push_text_frame(&mut out, line.as_bytes());
    out.extend_from_slice(&close_frame(CloseCode::Again, "refused"));
    let _ = (&shared.stream).write_all(&out);
    shared.stream.finish();
}

/// Reads messages until the peer closes or the connection is torn down, and reports the end.
/// `leftover` holds bytes read past the handshake.
pub(crate) fn read_loop(reader: Reader, shared: Arc<Shared>, leftover: Vec<u8>) {
    let mut io = ReadSide {
        shared: Arc::clone(&shared),
        pending: Vec::new(),
    };
    let mut ws = WebSocketContext::from_partially_read(leftover, Role::Server, Some(ws_config()));
    let max_line = reader.max_line_bytes();
    let cause = loop {
        match ws.read(&mut io) {
            Ok(Message::Text(text)) => {
                let text = text.as_str();
                // One message is one line; a trailing LF (or CRLF) is the line's end, not text.
                let line = text.strip_suffix('\n').unwrap_or(text);
                let line = line.strip_suffix('\r').unwrap_or(line);
                let frame = if line.len() > max_line {
                    Frame::TooLong
                } else {
                    Frame::Line(line.to_owned())
                };
                if reader.feed(vec![frame]).is_err() {
                    break DisconnectCause::Error;
                }
            }
            Ok(Message::Binary(_)) => {
                shared.push_control(close_frame(CloseCode::Unsupported, "text messages only"));
                break DisconnectCause::Closed;
            }
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
            // The peer's close: the next read queues the reply and ends.
            Ok(Message::Close(_)) => {}
            Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => {
                break DisconnectCause::Closed;
            }
            Err(WsError::Capacity(CapacityError::MessageTooLong { .. })) => {
                shared.push_control(close_frame(CloseCode::Size, "message too big"));
                break DisconnectCause::Closed;
            }
            Err(WsError::Utf8(_)) => {
                shared.push_control(close_frame(CloseCode::Invalid, "not UTF-8"));
                break DisconnectCause::Closed;
            }
            Err(WsError::Protocol(_)) => {
                shared.push_control(close_frame(CloseCode::Protocol, "protocol error"));
                break DisconnectCause::Closed;
            }
            Err(_) => break DisconnectCause::Error,
        }
    };
    // tungstenite writes its reply to the peer's close and ends without flushing it.
    let _ = io.flush();
    {
        let mut s = shared.state.lock();
        s.reader_done = true;
        shared.changed.notify_one();
    }
    reader.end(cause);
}

/// What the writer found to do.
enum Work {
    Control(Bytes),
    Lines(Next),
    /// The reader ended and nothing is queued.
    ReaderDone,
}

/// Writes control frames and the runtime's lines, in order, until the connection ends.
pub(crate) fn write_loop(writer: Writer, shared: Arc<Shared>) {
    let mut batch: VecDeque<Bytes> = VecDeque::new();
    let mut out = Vec::new();
    let mut closed = false;
    loop {
        let work = {
            let mut s = shared.state.lock();
            loop {
                if let Some(frame) = s.control.pop_front() {
                    break Work::Control(frame);
                }
                s.woken = false;
                if let Some(next) = writer.next_until(&mut batch, Instant::now()) {
                    break Work::Lines(next);
                }
                if s.reader_done {
                    break Work::ReaderDone;
                }
                if !s.woken {
                    shared.changed.wait(&mut s);
                }
            }
        };
        match work {
            Work::Control(frame) => {
                if closed {
                    continue;
                }
                // A close frame (ours or the reply to the peer's) is the last frame.
                closed = frame.first() == Some(&0x88);
                if (&shared.stream).write_all(&frame).is_err() {
                    return writer.failed();
                }
            }
            Work::Lines(Next::Write) => {
                if closed {
                    let n = batch.iter().map(Bytes::len).sum();
                    writer.written(&mut batch, n);
                    continue;
                }
                out.clear();
                let mut n = 0;
                for line in &batch {
                    push_text_frame(&mut out, line);
                    n += line.len();
                }
                if (&shared.stream).write_all(&out).is_err() {
                    return writer.failed();
                }
                writer.written(&mut batch, n);
            }
            Work::Lines(Next::Close) => {
                if !closed {
                    let _ = (&shared.stream).write_all(&close_frame(CloseCode::Normal, ""));
                }
                if let Stream::Tls(tls) = &shared.stream {
                    tls.close_notify();
                }
                writer.linger(Instant::now() + LINGER);
                shared.stream.shutdown(Shutdown::Both);
                return;
            }
            Work::Lines(Next::Stop) => return,
            Work::ReaderDone => {
                // The peer is gone or was told why it is closed; wait for the runtime's
                // close or stop, which follows the reader's end.
                let next = writer.next(&mut batch);
                if next == Next::Stop || next == Next::Close {
                    shared.stream.shutdown(Shutdown::Both);
                    return;
                }
                let n = batch.iter().map(Bytes::len).sum();
                writer.written(&mut batch, n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_frames_carry_the_line_without_its_lf() {
        let mut out = Vec::new();
        push_text_frame(&mut out, b"hi\n");
        assert_eq!(out, b"\x81\x02hi");
        out.clear();
        push_text_frame(&mut out, &[b'a'; 300]);
        assert_eq!(&out[..4], &[0x81, 126, 1, 44]);
        assert_eq!(out.len(), 304);
        out.clear();
        push_text_frame(&mut out, &vec![b'a'; 70_000]);
        assert_eq!(&out[..10], &[0x81, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    }

    #[test]
    fn close_frames_have_the_code_first() {
        assert_eq!(
            &close_frame(CloseCode::Unsupported, "x")[..],
            &[0x88, 3, 0x03, 0xeb, b'x']
        );
    }
}
