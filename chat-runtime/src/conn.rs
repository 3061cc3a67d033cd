//! One connection as the runtime sees it: the [`Sink`] a transport plugs in, the state the
//! engine and the transport's threads share, and the two halves a transport drives
//! ([`Reader`] and [`Writer`]).

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::mpsc::SyncSender;
use std::time::Instant;

use bytes::{Buf, Bytes};
use chatcore::{ClientId, DisconnectCause, Frame};
use parking_lot::Mutex;

use crate::Error;
use crate::door::Slot;
use crate::engine::Msg;
use crate::outbox::{Next, Outbox, Staged};

/// The way out to one peer, implemented by a transport. The engine thread calls it, so no
/// method may block.
pub trait Sink: Send + Sync + 'static {
    /// Writes a prefix of `lines` now, without blocking, and returns how many bytes were
    /// taken (a line may be taken in part). `Ok(0)` or a `WouldBlock` error means the sink
    /// is full: the lines go to the transport's [`Writer`] instead, in order. Any other error
    /// means the connection failed; it is torn down. The default takes nothing, so every
    /// line goes through the writer.
    fn try_write(&self, lines: &[Bytes]) -> std::io::Result<usize> {
        let _ = lines;
        Ok(0)
    }

    /// Lines were handed to the writer, or a close or teardown was asked for: wake the
    /// writer if it waits on something other than [`Writer::next`] (which the runtime wakes
    /// itself). The default does nothing.
    fn wake_writer(&self) {}

    /// Tears the connection down now: the transport's reader and writer must return soon
    /// (for a socket, `shutdown(Both)`).
    fn abort(&self);
}

/// What the engine and both halves of a connection share.
pub(crate) struct Shared {
    /// The hall's name for this connection.
    pub(crate) id: ClientId,
    /// The peer, after IPv4-mapped addresses were unmapped.
    pub(crate) peer: IpAddr,
    /// Lines waiting to be written.
    pub(crate) outbox: Outbox,
    /// The transport's way out.
    sink: Arc<dyn Sink>,
    /// Why the server tore the connection down, reported instead of what the reader sees.
    cause: Mutex<Option<DisconnectCause>>,
    /// This connection's place in the connection limit: given back as soon as the server
    /// decides to close the connection ([`Shared::release_slot`]), or on drop.
    slot: Mutex<Option<Slot>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("id", &self.id)
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new(
        id: ClientId,
        peer: IpAddr,
        outbox: Outbox,
        sink: Arc<dyn Sink>,
        slot: Slot,
    ) -> Shared {
        Shared {
            id,
            peer,
            outbox,
            sink,
            cause: Mutex::new(None),
            slot: Mutex::new(Some(slot)),
        }
    }

    /// Stops counting this connection against the limit that admits newcomers: the server
    /// has decided to close it, and a silent peer must not hold the place for the linger.
    pub(crate) fn release_slot(&self) {
        drop(self.slot.lock().take());
    }

    /// Close once what is queued has been written.
    pub(crate) fn close(&self) {
        self.outbox.close();
        self.sink.wake_writer();
    }

    /// Tears the connection down now: both halves stop, queued output is dropped, and the
    /// reader reports `cause`.
    pub(crate) fn kill(&self, cause: DisconnectCause) {
        self.release_slot();
        self.cause.lock().get_or_insert(cause);
        self.outbox.stop();
        self.sink.wake_writer();
        self.sink.abort();
    }

    /// For the engine after a batch: queues what it staged and writes what is queued
    /// through the sink without blocking. What the sink does not take is handed to the
    /// writer.
    pub(crate) fn flush(&self, staged: &mut Staged, batch: &mut VecDeque<Bytes>) {
        match self.outbox.take_direct(staged, batch) {
            Some(true) => {}
            Some(false) => return self.sink.wake_writer(),
            None => return,
        }
        loop {
            match self.sink.try_write(batch.make_contiguous()) {
                Ok(0) => break,
                Ok(n) => {
                    consume(batch, n);
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
        self.sink.wake_writer();
    }
}

/// Drops the first `n` bytes of `batch` (whole lines, then part of one).
fn consume(batch: &mut VecDeque<Bytes>, mut n: usize) {
    while n > 0 {
        let Some(front) = batch.front_mut() else {
            break;
        };
        if front.len() <= n {
            n -= front.len();
            batch.pop_front();
        } else {
            front.advance(n);
            n = 0;
        }
    }
}

/// The inbound half of a connection: feeds the peer's lines to the engine and reports the
/// end. Dropping it without [`Reader::end`] reports the connection gone with
/// [`DisconnectCause::Error`], so a reader that panics never leaves a ghost member.
#[derive(Debug)]
pub struct Reader {
    /// The connection.
    shared: Arc<Shared>,
    /// The engine's bounded queue: a full one makes `feed` wait (back-pressure).
    engine: SyncSender<Msg>,
    /// The hall's line limit.
    max_line: usize,
    /// Whether the end was reported.
    ended: bool,
}

impl Reader {
    pub(crate) fn new(shared: Arc<Shared>, engine: SyncSender<Msg>, max_line: usize) -> Reader {
        Reader {
            shared,
            engine,
            max_line,
            ended: false,
        }
    }

    /// The hall's name for this connection.
    pub fn id(&self) -> ClientId {
        self.shared.id
    }

    /// The peer's address as the door saw it (IPv4-mapped addresses unmapped).
    pub fn peer(&self) -> IpAddr {
        self.shared.peer
    }

    /// The longest line the hall accepts, in bytes; longer ones are fed as
    /// [`Frame::TooLong`].
    pub fn max_line_bytes(&self) -> usize {
        self.max_line
    }

    /// Hands decoded lines to the engine, in order. Waits while the engine's queue is full:
    /// a sender faster than the server is read more slowly instead of growing a queue.
    /// Input of a connection being closed is dropped. `Err(Stopped)`: the engine is gone,
    /// stop reading.
    pub fn feed(&self, frames: Vec<Frame>) -> Result<(), Error> {
        if frames.is_empty() || self.shared.outbox.is_closing() {
            return Ok(());
        }
        let id = self.shared.id;
        self.engine
            .send(Msg::Frames { id, frames })
            .map_err(|_| Error::Stopped)
    }

    /// Whether the server is closing or has torn down this connection: its input no longer
    /// matters.
    pub fn is_closing(&self) -> bool {
        self.shared.outbox.is_closing()
    }

    /// Reports the end of the input: [`DisconnectCause::Closed`] when the peer closed,
    /// [`DisconnectCause::Error`] when reading failed. If the runtime tore the connection
    /// down, its own cause is reported instead.
    pub fn end(mut self, seen: DisconnectCause) {
        self.report(seen);
    }

    fn report(&mut self, seen: DisconnectCause) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        self.shared.outbox.reader_done();
        let cause = self.shared.cause.lock().unwrap_or(seen);
        let id = self.shared.id;
        if self.engine.send(Msg::Gone { id, cause }).is_err() {
            // No engine to tell: make sure the writer does not outlive us.
            self.shared.kill(cause);
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.report(DisconnectCause::Error);
    }
}

/// The outbound half of a connection: takes the lines the sink did not take and the order
/// to close. Dropping it tells the runtime the writer is done.
#[derive(Debug)]
pub struct Writer {
    /// The connection.
    shared: Arc<Shared>,
}

impl Writer {
    pub(crate) fn new(shared: Arc<Shared>) -> Writer {
        Writer { shared }
    }

    /// The hall's name for this connection.
    pub fn id(&self) -> ClientId {
        self.shared.id
    }

    /// Waits until there is something to do. [`Next::Write`]: the lines to write were
    /// moved into `batch`; write them (blocking is fine here) and call [`Writer::written`].
    /// [`Next::Close`]: everything is written and the server closes the connection.
    /// [`Next::Stop`]: it was torn down; return.
    pub fn next(&self, batch: &mut VecDeque<Bytes>) -> Next {
        self.shared.outbox.next(batch, None).unwrap_or(Next::Stop)
    }

    /// Like [`Writer::next`], but gives up at `deadline` with `None` (for a transport that
    /// also waits on something else).
    pub fn next_until(&self, batch: &mut VecDeque<Bytes>, deadline: Instant) -> Option<Next> {
        self.shared.outbox.next(batch, Some(deadline))
    }

    /// `n` bytes from the front of `batch` reached the peer: drops them from `batch` and
    /// frees that much of the connection's outbox.
    pub fn written(&self, batch: &mut VecDeque<Bytes>, n: usize) {
        consume(batch, n);
        self.shared.outbox.written(n);
    }

    /// A write failed or timed out: tears the connection down (the reader reports it).
    pub fn failed(&self) {
        self.shared.kill(DisconnectCause::Error);
        self.shared.outbox.writer_done();
    }

    /// After [`Next::Close`] and the transport's own close (a FIN, a close frame): says the
    /// writer is done and waits until the reader has ended or `deadline` passes, so unread
    /// input does not turn the close into a reset. True if the reader ended.
    pub fn linger(&self, deadline: Instant) -> bool {
        self.shared.outbox.writer_done();
        self.shared.outbox.wait_reader(deadline)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.shared.outbox.writer_done();
    }
}
