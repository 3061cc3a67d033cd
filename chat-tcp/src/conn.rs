//! One connection: its socket, its reader thread and its writer thread.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chatcore::{ClientId, DisconnectCause, LineDecoder};

use crate::engine::Msg;
use crate::outbox::{Next, Outbox};

/// How long a closed connection waits for its peer to finish before the socket is torn down.
const LINGER: Duration = Duration::from_secs(2);

/// Reader buffer size: one read takes at most this much.
const READ_BUF: usize = 4096;

/// Writer batch size: queued lines are copied into one buffer of about this size per write.
const WRITE_BUF: usize = 16 * 1024;

/// What the engine and both threads of a connection share.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) id: ClientId,
    pub(crate) stream: TcpStream,
    pub(crate) outbox: Outbox,
    /// The server's count of live connections, decremented when the last holder drops this.
    live: Arc<AtomicUsize>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Conn {
    /// Wraps an accepted socket; the caller has already counted it in `live`.
    pub(crate) fn new(
        id: ClientId,
        stream: TcpStream,
        outbox: Outbox,
        live: Arc<AtomicUsize>,
    ) -> Conn {
        Conn {
            id,
            stream,
            outbox,
            live,
        }
    }

    /// Tears the connection down now: both threads stop, queued output is dropped.
    pub(crate) fn kill(&self) {
        self.outbox.stop();
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// Reads, frames and forwards lines until the socket closes; then reports the connection gone.
pub(crate) fn read_loop(conn: Arc<Conn>, engine: SyncSender<Msg>, max_line: usize) {
    let mut decoder = LineDecoder::new(max_line);
    let mut buf = vec![0u8; READ_BUF];
    let cause = loop {
        match (&conn.stream).read(&mut buf) {
            // A partial line at the end is not a line (PROTOCOL.md §1): a client killed
            // mid-line must not deliver half a message.
            Ok(0) => break DisconnectCause::Closed,
            Ok(n) => {
                let mut rest = &buf[..n];
                let mut engine_gone = false;
                while let Some(frame) = decoder.decode(&mut rest) {
                    if engine.send(Msg::Frame { id: conn.id, frame }).is_err() {
                        engine_gone = true;
                        break;
                    }
                }
                if engine_gone {
                    break DisconnectCause::Closed;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break DisconnectCause::Error,
        }
    };
    conn.outbox.reader_done();
    let _ = engine.send(Msg::Gone { id: conn.id, cause });
}

/// Writes queued lines in batches until told to close or stop.
pub(crate) fn write_loop(conn: Arc<Conn>) {
    let mut batch: VecDeque<Bytes> = VecDeque::new();
    let mut buf: Vec<u8> = Vec::new();
    loop {
        match conn.outbox.next(&mut batch) {
            Next::Write => {
                if write_batch(&conn.stream, &mut batch, &mut buf).is_err() {
                    // The reader sees the shutdown and reports the connection gone.
                    conn.kill();
                    return;
                }
            }
            Next::Close => {
                // FIN after the queued data; give the peer a moment to close its side so
                // unread input does not turn the close into a reset, then tear down.
                let _ = conn.stream.shutdown(Shutdown::Write);
                conn.outbox.wait_reader(Instant::now() + LINGER);
                let _ = conn.stream.shutdown(Shutdown::Both);
                return;
            }
            Next::Stop => return,
        }
    }
}

fn write_batch(
    mut stream: &TcpStream,
    batch: &mut VecDeque<Bytes>,
    buf: &mut Vec<u8>,
) -> std::io::Result<()> {
    if buf.capacity() == 0 {
        buf.reserve(WRITE_BUF);
    }
    while let Some(line) = batch.pop_front() {
        if !buf.is_empty() && buf.len() + line.len() > WRITE_BUF {
            stream.write_all(buf)?;
            buf.clear();
        }
        buf.extend_from_slice(&line);
    }
    if !buf.is_empty() {
        stream.write_all(buf)?;
        buf.clear();
    }
    Ok(())
}
