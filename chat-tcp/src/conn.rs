//! One line connection, plain or over TLS: the socket as the runtime's [`Sink`], its reader
//! thread (framing lines) and its writer thread (blocking writes of what the sink did not
//! take).

use std::collections::VecDeque;
use std::io::{IoSlice, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chat_runtime::{Next, Reader, Sink, Writer};
use chat_tls::TlsStream;
use chatcore::{DisconnectCause, LineDecoder};
use socket2::SockRef;

/// How long a closed connection waits for its peer to close too before the socket is torn
/// down (closing with unread input would reset the connection and could lose the goodbye).
const LINGER: Duration = Duration::from_millis(500);

/// How long after its accept a TLS connection's handshake may still end before a close
/// cuts it: a refusal sent at once (too many connections from the address) waits in the
/// session for the handshake, and `close_notify` before its end would leave it unread. Time
/// for a slow link's round trips; a close past it (the nickname deadline of a stalled
/// handshake) comes at once.
const HANDSHAKE_GRACE: Duration = Duration::from_secs(2);

/// How long after its accept a TLS connection that has sent nothing yet may keep a close
/// waiting for its handshake (a ClientHello comes with the connection's last ACK): a flood
/// of silent connections refused at once holds its threads this much longer, not
/// [`HANDSHAKE_GRACE`].
const SILENT_GRACE: Duration = LINGER;

/// Reader buffer size: one read takes at most this much.
const READ_BUF: usize = 4096;

/// Lines handed to one vectored write.
const IOV_MAX: usize = 64;

/// The socket as the runtime sees it: the engine writes to it without blocking while it
/// takes data.
#[derive(Debug)]
pub(crate) struct TcpSink(pub(crate) Arc<TcpStream>);

impl Sink for TcpSink {
    fn try_write(&self, lines: &[Bytes]) -> std::io::Result<usize> {
        send(&self.0, lines, libc::MSG_DONTWAIT)
    }

    fn abort(&self) {
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

/// A TLS connection as the runtime sees it: it takes nothing directly (lines are sealed and
/// written by the writer thread alone, so records leave in order), and tears down the
/// socket.
#[derive(Debug)]
pub(crate) struct TlsSink(pub(crate) Arc<TlsStream>);

impl Sink for TlsSink {
    fn abort(&self) {
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

/// Writes the front of `lines` with one vectored send; the bytes taken.
fn send(stream: &TcpStream, lines: &[Bytes], flags: i32) -> std::io::Result<usize> {
    let mut slices = [IoSlice::new(&[]); IOV_MAX];
    let mut count = 0;
    for (slot, line) in slices.iter_mut().zip(lines) {
        *slot = IoSlice::new(line);
        count += 1;
    }
    SockRef::from(stream).send_vectored_with_flags(&slices[..count], flags)
}

/// Whether the peer of a TLS port spoke plain text (`nc` to it): every TLS session starts
/// with a handshake record, byte 22, which is no character anyone types. Waits for the first
/// byte (the nickname deadline ends a peer that sends none).
pub(crate) fn speaks_plain_text(stream: &TcpStream) -> bool {
    let mut first = [0u8; 1];
    matches!(stream.peek(&mut first), Ok(1) if first[0] != 0x16)
}

/// Tells a plain-text peer of the TLS port `line` in the clear (a TLS alert would reach its
/// terminal as control bytes), then closes: what it sent is read first, up to [`LINGER`],
/// so the close does not reset the connection before the line is read. The session's
/// shutdown ends a writer's wait for a handshake that never comes.
pub(crate) fn tell_plain_peer(tls: &TlsStream, line: &[u8]) {
    let stream = tls.tcp();
    let _ = (&*stream).write_all(line);
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; READ_BUF];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match (&*stream).read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let _ = tls.shutdown(Shutdown::Both);
}

/// Reads, frames and feeds lines until the socket (or the TLS session) closes; then reports
/// the end.
pub(crate) fn read_loop<S>(stream: Arc<S>, reader: Reader)
where
    for<'a> &'a S: Read,
{
    let mut decoder = LineDecoder::new(reader.max_line_bytes());
    let mut buf = vec![0u8; READ_BUF];
    loop {
        match (&*stream).read(&mut buf) {
            // A partial line at the end is not a line (PROTOCOL.md §1): a client killed
            // mid-line must not deliver half a message.
            Ok(0) => return reader.end(DisconnectCause::Closed),
            Ok(n) => {
                let mut rest = &buf[..n];
                let mut frames = Vec::new();
                while let Some(frame) = decoder.decode(&mut rest) {
                    frames.push(frame);
                }
                if reader.feed(frames).is_err() {
                    return reader.end(DisconnectCause::Closed);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return reader.end(DisconnectCause::Error),
        }
    }
}

/// Writes (blocking, up to the socket's write timeout) whatever the runtime handed over,
/// and closes the connection when asked.
pub(crate) fn write_loop(stream: Arc<TcpStream>, writer: Writer) {
    let mut batch: VecDeque<Bytes> = VecDeque::new();
    loop {
        match writer.next(&mut batch) {
            Next::Write => {
                while !batch.is_empty() {
                    match send(&stream, batch.make_contiguous(), 0) {
                        Ok(n) => writer.written(&mut batch, n),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => {
                            // A write error or the write timeout: the reader sees the
                            // shutdown and reports the connection gone.
                            return writer.failed();
                        }
                    }
                }
            }
            Next::Close => {
                // FIN after the queued data; give the peer a moment to close its side so
                // unread input does not turn the close into a reset, then tear down.
                let _ = stream.shutdown(Shutdown::Write);
                writer.linger(Instant::now() + LINGER);
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Next::Stop => return,
        }
    }
}

/// Seals and writes (blocking, up to the socket's write timeout) whatever the runtime handed
/// over, and closes the session with `close_notify` when asked: after the handshake, so what
/// was written before it is read, if the handshake ends within [`HANDSHAKE_GRACE`] of the
/// start (this thread starts at the accept) and the peer spoke within [`SILENT_GRACE`].
pub(crate) fn tls_write_loop(stream: Arc<TlsStream>, writer: Writer) {
    let started = Instant::now();
    let mut batch: VecDeque<Bytes> = VecDeque::new();
    let mut plain = Vec::new();
    loop {
        match writer.next(&mut batch) {
            Next::Write => {
                // One copy, so a batch of lines is sealed into as few records as fit.
                plain.clear();
                batch.iter().for_each(|line| plain.extend_from_slice(line));
                if (&*stream).write_all(&plain).is_err() {
                    return writer.failed();
                }
                writer.written(&mut batch, plain.len());
            }
            Next::Close => {
                stream.wait_handshake(started + SILENT_GRACE, started + HANDSHAKE_GRACE);
                stream.close_notify();
                let _ = stream.shutdown(Shutdown::Write);
                writer.linger(Instant::now() + LINGER);
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Next::Stop => return,
        }
    }
}
