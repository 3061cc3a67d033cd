//! One connection's bounded outbound queue, shared by the engine (which queues lines and
//! writes them straight through the transport's sink when it can) and the transport's
//! writer (which takes over when the sink is full, and closes the connection).

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;
use parking_lot::{Condvar, Mutex};

/// The queue is full: the connection is a slow consumer and must be dropped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Full;

/// What a transport's writer should do next (see [`crate::Writer::next`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Write the lines moved into the batch (blocking is fine).
    Write,
    /// Everything is written and the server closes the connection: close it the
    /// transport's way, then [`crate::Writer::linger`].
    Close,
    /// Stop at once: the connection is being torn down.
    Stop,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Bytes>,
    /// Bytes queued or being written, bounded by `max_bytes`.
    bytes: usize,
    /// The writer thread owns the socket until the queue is empty: the socket was full, so
    /// the engine must not write around it (that would reorder lines).
    handed_off: bool,
    /// Close once the queue is written.
    closing: bool,
    /// Stop without writing more.
    stopped: bool,
    /// The writer has written everything and sent FIN (or stopped).
    writer_done: bool,
    /// The reader thread has exited; the writer's linger after a close can end.
    reader_done: bool,
}

/// A queue bounded in lines and bytes; `push` never blocks.
#[derive(Debug)]
pub(crate) struct Outbox {
    state: Mutex<State>,
    changed: Condvar,
    max_lines: usize,
    max_bytes: usize,
}

impl Outbox {
    pub(crate) fn new(max_lines: usize, max_bytes: usize) -> Outbox {
        Outbox {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            max_lines,
            max_bytes,
        }
    }

    /// Queues a line without waking anyone; `Err(Full)` when a bound would be passed.
    /// The engine calls [`Outbox::take_direct`] or [`Outbox::hand_off`] after its batch.
    pub(crate) fn push(&self, line: Bytes) -> Result<(), Full> {
        let mut s = self.state.lock();
        if s.stopped || s.closing {
            return Ok(());
        }
        if s.queue.len() >= self.max_lines || s.bytes + line.len() > self.max_bytes {
            return Err(Full);
        }
        s.bytes += line.len();
        s.queue.push_back(line);
        Ok(())
    }

    /// For the engine after a batch: moves the queue into `batch` if the engine may write it
    /// itself (nobody else owns the sink) and returns `Some(true)`. Otherwise wakes the
    /// writer if it has work (`Some(false)`); `None` when nothing is queued.
    pub(crate) fn take_direct(&self, batch: &mut VecDeque<Bytes>) -> Option<bool> {
        let mut s = self.state.lock();
        if s.queue.is_empty() {
            return None;
        }
        if s.handed_off || s.closing || s.stopped {
            drop(s);
            self.changed.notify_all();
            return Some(false);
        }
        std::mem::swap(&mut s.queue, batch);
        Some(true)
    }

    /// Puts what the engine could not write back in front of the queue and hands the socket
    /// to the writer thread.
    pub(crate) fn hand_off(&self, rest: &mut VecDeque<Bytes>) {
        let mut s = self.state.lock();
        while let Some(line) = rest.pop_back() {
            s.queue.push_front(line);
        }
        s.handed_off = true;
        drop(s);
        self.changed.notify_all();
    }

    /// `n` bytes have reached the socket.
    pub(crate) fn written(&self, n: usize) {
        let mut s = self.state.lock();
        s.bytes = s.bytes.saturating_sub(n);
    }

    /// Close after what is queued has been written.
    pub(crate) fn close(&self) {
        self.state.lock().closing = true;
        self.changed.notify_all();
    }

    /// Stop now, dropping what is queued.
    pub(crate) fn stop(&self) {
        let mut s = self.state.lock();
        s.stopped = true;
        s.queue.clear();
        s.bytes = 0;
        drop(s);
        self.changed.notify_all();
    }

    /// Whether the connection is being closed or torn down (its input no longer matters).
    pub(crate) fn is_closing(&self) -> bool {
        let s = self.state.lock();
        s.closing || s.stopped
    }

    /// For the writer: waits until it has something to do or `until` passes (then `None`);
    /// moves the queued lines it must write into `batch`.
    pub(crate) fn next(&self, batch: &mut VecDeque<Bytes>, until: Option<Instant>) -> Option<Next> {
        let mut s = self.state.lock();
        loop {
            if s.stopped {
                return Some(Next::Stop);
            }
            if !s.queue.is_empty() && (s.handed_off || s.closing) {
                std::mem::swap(&mut s.queue, batch);
                return Some(Next::Write);
            }
            if s.queue.is_empty() {
                // Caught up: the engine may write directly again.
                s.handed_off = false;
                if s.closing {
                    return Some(Next::Close);
                }
            }
            match until {
                Some(at) => {
                    if self.changed.wait_until(&mut s, at).timed_out() {
                        return None;
                    }
                }
                None => self.changed.wait(&mut s),
            }
        }
    }

    /// Called by the writer thread when it is done (FIN sent, or stopped).
    pub(crate) fn writer_done(&self) {
        self.state.lock().writer_done = true;
        self.changed.notify_all();
    }

    /// Called by the reader thread as it exits.
    pub(crate) fn reader_done(&self) {
        self.state.lock().reader_done = true;
        self.changed.notify_all();
    }

    /// Waits until the writer is done or `deadline` passes; true if it is done.
    pub(crate) fn wait_writer(&self, deadline: Instant) -> bool {
        let mut s = self.state.lock();
        while !s.writer_done {
            if self.changed.wait_until(&mut s, deadline).timed_out() {
                return s.writer_done;
            }
        }
        true
    }

    /// Waits until the reader has exited or `deadline` passes; true if it exited.
    pub(crate) fn wait_reader(&self, deadline: Instant) -> bool {
        let mut s = self.state.lock();
        while !s.reader_done {
            if self.changed.wait_until(&mut s, deadline).timed_out() {
                return s.reader_done;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn line(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    #[test]
    fn push_is_bounded_by_lines_and_bytes_including_bytes_in_flight() {
        let o = Outbox::new(2, 100);
        assert_eq!(o.push(line("a\n")), Ok(()));
        assert_eq!(o.push(line("b\n")), Ok(()));
        assert_eq!(o.push(line("c\n")), Err(Full));
        let o = Outbox::new(100, 5);
        assert_eq!(o.push(line("abc\n")), Ok(()));
        let mut batch = VecDeque::new();
        assert_eq!(o.take_direct(&mut batch), Some(true));
        // Taken but not yet written: still counted.
        assert_eq!(o.push(line("de\n")), Err(Full));
        o.written(4);
        assert_eq!(o.push(line("de\n")), Ok(()));
    }

    #[test]
    fn the_engine_writes_directly_until_it_hands_off() {
        let o = Outbox::new(10, 1000);
        o.push(line("a\n")).expect("room");
        let mut batch = VecDeque::new();
        assert_eq!(o.take_direct(&mut batch), Some(true));
        assert_eq!(batch, [line("a\n")]);
        // The socket took nothing: the rest goes back in front, in order.
        o.push(line("b\n")).expect("room");
        o.hand_off(&mut batch);
        assert!(batch.is_empty());
        o.push(line("c\n")).expect("room");
        assert_eq!(
            o.take_direct(&mut batch),
            Some(false),
            "the writer owns the sink now"
        );
        assert_eq!(o.next(&mut batch, None), Some(Next::Write));
        assert_eq!(batch, [line("a\n"), line("b\n"), line("c\n")]);
        batch.clear();
        // Once the writer has caught up the engine writes directly again.
        o.close();
        assert_eq!(o.next(&mut batch, None), Some(Next::Close));
        o.push(line("d\n")).expect("ignored after close");
        assert_eq!(o.take_direct(&mut batch), None);
    }

    #[test]
    fn close_writes_what_is_queued_first() {
        let o = Outbox::new(10, 1000);
        o.push(line("a\n")).expect("room");
        o.close();
        let mut batch = VecDeque::new();
        assert_eq!(o.next(&mut batch, None), Some(Next::Write));
        assert_eq!(batch, [line("a\n")]);
        batch.clear();
        assert_eq!(o.next(&mut batch, None), Some(Next::Close));
    }

    #[test]
    fn stop_drops_the_queue_and_wakes_the_writer() {
        let o = std::sync::Arc::new(Outbox::new(10, 1000));
        let writer = {
            let o = o.clone();
            std::thread::spawn(move || o.next(&mut VecDeque::new(), None))
        };
        o.push(line("a\n")).expect("room");
        o.stop();
        assert_eq!(writer.join().expect("writer"), Some(Next::Stop));
        assert!(o.is_closing());
    }

    #[test]
    fn waits_end_at_the_deadline_or_when_done() {
        let o = Outbox::new(10, 1000);
        assert!(!o.wait_reader(Instant::now()));
        assert!(!o.wait_writer(Instant::now()));
        o.reader_done();
        o.writer_done();
        let far = Instant::now() + Duration::from_secs(3600);
        assert!(o.wait_reader(far));
        assert!(o.wait_writer(far));
    }
}
