//! One connection: its socket, its reader thread and its writer thread, and the write path
//! the engine uses directly.

use std::collections::VecDeque;
use std::io::{IoSlice, Read};
use std::net::{IpAddr, Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes};
use chatcore::{ClientId, DisconnectCause, LineDecoder};
use parking_lot::Mutex;
use socket2::SockRef;

use crate::engine::Msg;
use crate::limits::Slot;
use crate::outbox::{Next, Outbox};

/// How long a closed connection waits for its peer to close too before the socket is torn
/// down (closing with unread input would reset the connection and could lose the goodbye).
const LINGER: Duration = Duration::from_millis(500);

/// Reader buffer size: one read takes at most this much.
const READ_BUF: usize = 4096;

/// Lines handed to one vectored write.
const IOV_MAX: usize = 64;

/// What the engine and both threads of a connection share.
#[derive(Debug)]
pub(crate) struct Conn {
    /// The room's name for this connection.
    pub(crate) id: ClientId,
    /// The peer, after IPv4-mapped addresses were unmapped.
    pub(crate) peer: IpAddr,
    /// Read by the reader thread, written by the engine (directly) and the writer thread.
    pub(crate) stream: TcpStream,
    /// Lines waiting to be written.
    pub(crate) outbox: Outbox,
    /// Why the server tore the connection down, reported instead of what the reader sees.
    cause: Mutex<Option<DisconnectCause>>,
    /// This connection's place in the server's connection limits: given back as soon as the
    /// server decides to close the connection ([`Conn::release_slot`]), or on drop.
    slot: Mutex<Option<Slot>>,
}

impl Conn {
    pub(crate) fn new(
        id: ClientId,
        peer: IpAddr,
        stream: TcpStream,
        outbox: Outbox,
        slot: Slot,
    ) -> Conn {
        Conn {
            id,
            peer,
            stream,
            outbox,
            cause: Mutex::new(None),
            slot: Mutex::new(Some(slot)),
        }
    }

    /// Stops counting this connection against the limits that admit newcomers: the server
    /// has decided to close it, and a silent peer must not hold the place for the linger.
    pub(crate) fn release_slot(&self) {
        drop(self.slot.lock().take());
    }

    /// Tears the connection down now: both threads stop, queued output is dropped, and the
    /// reader reports `cause`.
    pub(crate) fn kill(&self, cause: DisconnectCause) {
        self.release_slot();
        self.cause.lock().get_or_insert(cause);
        self.outbox.stop();
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// For the engine after a batch: writes what is queued without blocking. What the socket
    /// does not take is handed to the writer thread, which waits for room.
    pub(crate) fn flush(&self, batch: &mut VecDeque<Bytes>) {
        if !self.outbox.take_direct(batch) {
            return;
        }
        loop {
            match write_some(&self.stream, batch, libc::MSG_DONTWAIT) {
                Ok(n) => {
                    self.outbox.written(n);
                    if batch.is_empty() {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => {
                    batch.clear();
                    self.kill(DisconnectCause::Error);
                    return;
                }
            }
        }
        self.outbox.hand_off(batch);
    }
}

/// Writes the front of `batch` with one vectored send and drops what was written.
fn write_some(
    stream: &TcpStream,
    batch: &mut VecDeque<Bytes>,
    flags: i32,
) -> std::io::Result<usize> {
    let mut slices = [IoSlice::new(&[]); IOV_MAX];
    let mut count = 0;
    for (slot, line) in slices.iter_mut().zip(batch.iter()) {
        *slot = IoSlice::new(line);
        count += 1;
    }
    let n = SockRef::from(stream).send_vectored_with_flags(&slices[..count], flags)?;
    let mut left = n;
    while left > 0 {
        let Some(front) = batch.front_mut() else {
            break;
        };
        if front.len() <= left {
            left -= front.len();
            batch.pop_front();
        } else {
            front.advance(left);
            left = 0;
        }
    }
    Ok(n)
}

/// Reports the connection gone when the reader ends, however it ends (a panic included),
/// so the room never keeps a ghost member.
struct GoneGuard<'a> {
    conn: &'a Conn,
    engine: &'a SyncSender<Msg>,
    seen: DisconnectCause,
}

impl Drop for GoneGuard<'_> {
    fn drop(&mut self) {
        self.conn.outbox.reader_done();
        let cause = self.conn.cause.lock().unwrap_or(self.seen);
        if self
            .engine
            .send(Msg::Gone {
                id: self.conn.id,
                cause,
            })
            .is_err()
        {
            // No engine to tell: make sure the writer does not outlive us.
            self.conn.kill(cause);
        }
    }
}

/// Reads, frames and forwards lines until the socket closes; then reports the connection gone.
pub(crate) fn read_loop(conn: Arc<Conn>, engine: SyncSender<Msg>, max_line: usize) {
    let mut guard = GoneGuard {
        conn: &conn,
        engine: &engine,
        seen: DisconnectCause::Closed,
    };
    let mut decoder = LineDecoder::new(max_line);
    let mut buf = vec![0u8; READ_BUF];
    loop {
        match (&conn.stream).read(&mut buf) {
            // A partial line at the end is not a line (PROTOCOL.md §1): a client killed
            // mid-line must not deliver half a message.
            Ok(0) => return,
            Ok(n) => {
                let mut rest = &buf[..n];
                let mut frames = Vec::new();
                while let Some(frame) = decoder.decode(&mut rest) {
                    frames.push(frame);
                }
                // Input from a connection being closed no longer matters: don't queue it.
                if frames.is_empty() || conn.outbox.is_closing() {
                    continue;
                }
                if engine
                    .send(Msg::Frames {
                        id: conn.id,
                        frames,
                    })
                    .is_err()
                {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => {
                guard.seen = DisconnectCause::Error;
                return;
            }
        }
    }
}

/// Writes (blocking, up to the socket's write timeout) whatever the engine handed over,
/// and closes the connection when asked.
pub(crate) fn write_loop(conn: Arc<Conn>) {
    let mut batch: VecDeque<Bytes> = VecDeque::new();
    loop {
        match conn.outbox.next(&mut batch) {
            Next::Write => {
                while !batch.is_empty() {
                    match write_some(&conn.stream, &mut batch, 0) {
                        Ok(n) => conn.outbox.written(n),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => {
                            // A write error or the write timeout: the reader sees the
                            // shutdown and reports the connection gone.
                            conn.kill(DisconnectCause::Error);
                            conn.outbox.writer_done();
                            return;
                        }
                    }
                }
            }
            Next::Close => {
                // FIN after the queued data; give the peer a moment to close its side so
                // unread input does not turn the close into a reset, then tear down.
                let _ = conn.stream.shutdown(Shutdown::Write);
                conn.outbox.writer_done();
                conn.outbox.wait_reader(Instant::now() + LINGER);
                let _ = conn.stream.shutdown(Shutdown::Both);
                return;
            }
            Next::Stop => {
                conn.outbox.writer_done();
                return;
            }
        }
    }
}
