//! One connection's bounded outbound queue, shared by the engine (producer) and the
//! connection's writer thread (consumer).

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;
use parking_lot::{Condvar, Mutex};

/// The queue is full: the connection is a slow consumer and must be dropped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Full;

/// What the writer should do next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Write the lines moved into the batch.
    Write,
    /// Everything is written and the engine asked for a close.
    Close,
    /// Stop at once: the connection is being torn down.
    Stop,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Bytes>,
    /// Bytes in `queue`, bounded by `max_bytes`.
    bytes: usize,
    /// Close once the queue is written.
    closing: bool,
    /// Stop without writing more.
    stopped: bool,
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

    /// Queues a line; `Err(Full)` when either bound would be passed.
    pub(crate) fn push(&self, line: Bytes) -> Result<(), Full> {
        let mut s = self.state.lock();
        if s.stopped || s.closing {
            return Ok(());
        }
        if s.queue.len() >= self.max_lines || s.bytes + line.len() > self.max_bytes {
            return Err(Full);
        }
        let was_empty = s.queue.is_empty();
        s.bytes += line.len();
        s.queue.push_back(line);
        drop(s);
        if was_empty {
            self.changed.notify_all();
        }
        Ok(())
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

    /// Waits until there is something to do; moves every queued line into `batch`.
    pub(crate) fn next(&self, batch: &mut VecDeque<Bytes>) -> Next {
        let mut s = self.state.lock();
        loop {
            if s.stopped {
                return Next::Stop;
            }
            if !s.queue.is_empty() {
                std::mem::swap(&mut s.queue, batch);
                s.bytes = 0;
                return Next::Write;
            }
            if s.closing {
                return Next::Close;
            }
            self.changed.wait(&mut s);
        }
    }

    /// Called by the reader thread as it exits.
    pub(crate) fn reader_done(&self) {
        self.state.lock().reader_done = true;
        self.changed.notify_all();
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
    use super::*;

    #[test]
    fn push_is_bounded_by_lines_and_bytes() {
        let o = Outbox::new(2, 100);
        assert_eq!(o.push(Bytes::from_static(b"a\n")), Ok(()));
        assert_eq!(o.push(Bytes::from_static(b"b\n")), Ok(()));
        assert_eq!(o.push(Bytes::from_static(b"c\n")), Err(Full));
        let o = Outbox::new(100, 5);
        assert_eq!(o.push(Bytes::from_static(b"abc\n")), Ok(()));
        assert_eq!(o.push(Bytes::from_static(b"de\n")), Err(Full));
    }

    #[test]
    fn next_drains_everything_then_reports_close() {
        let o = Outbox::new(10, 1000);
        o.push(Bytes::from_static(b"a\n")).expect("room");
        o.push(Bytes::from_static(b"b\n")).expect("room");
        o.close();
        let mut batch = VecDeque::new();
        assert_eq!(o.next(&mut batch), Next::Write);
        assert_eq!(batch.len(), 2);
        batch.clear();
        assert_eq!(o.next(&mut batch), Next::Close);
        // Nothing is queued after a close.
        assert_eq!(o.push(Bytes::from_static(b"c\n")), Ok(()));
        assert_eq!(o.next(&mut batch), Next::Close);
        assert!(batch.is_empty());
    }

    #[test]
    fn stop_drops_the_queue() {
        let o = Outbox::new(10, 1000);
        o.push(Bytes::from_static(b"a\n")).expect("room");
        o.stop();
        let mut batch = VecDeque::new();
        assert_eq!(o.next(&mut batch), Next::Stop);
        assert!(batch.is_empty());
    }
}
