//! One connection's bounded outbound queue, shared by the engine (which queues lines and
//! writes them straight through the transport's sink when it can) and the transport's
//! writer (which takes over when the sink is full, and closes the connection), and its
//! water marks: past the high one the engine stops taking input until the outbox is back
//! under the low one (docs/choices.md, "Overload: the server reads less").

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use parking_lot::{Condvar, Mutex};

use crate::pressure::Pressure;

/// The queue is full: the connection is a slow consumer and must be dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// How full an outbox is after a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// At or under the high-water mark.
    Normal,
    /// Over the high-water mark (half the bound): the engine should stop taking input.
    High,
}

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
    /// The engine waits for this outbox to drain under its low-water mark: wake it then.
    watched: bool,
}

/// Lines for one connection collected by the engine during a batch (see [`Outbox::stage`]).
#[derive(Debug, Default)]
pub(crate) struct Staged {
    lines: Vec<Bytes>,
    /// Their bytes.
    bytes: usize,
    /// The outbox when the first line of the batch was staged.
    base: Option<Base>,
}

impl Staged {
    /// Whether no line is staged.
    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// What an outbox held when the engine began staging for it.
#[derive(Debug, Clone, Copy)]
struct Base {
    lines: usize,
    bytes: usize,
    /// Not closing or stopped: staged lines will be queued.
    open: bool,
}

/// A queue bounded in lines and bytes; staging and queueing never block.
#[derive(Debug)]
pub(crate) struct Outbox {
    state: Mutex<State>,
    changed: Condvar,
    max_lines: usize,
    max_bytes: usize,
    /// Woken when a watched outbox drains under its low-water mark.
    pressure: Arc<Pressure>,
}

impl Outbox {
    pub(crate) fn new(max_lines: usize, max_bytes: usize, pressure: Arc<Pressure>) -> Outbox {
        Outbox {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            max_lines,
            max_bytes,
            pressure,
        }
    }

    /// Stages a line for the connection without taking the lock (but once per batch) and
    /// says whether the outbox with what is staged is now over its high-water mark (half of
    /// either bound); `Err(Full)` when a bound would be passed. The bounds are checked as if
    /// each line were queued at once: against what was queued when the batch began (the
    /// writer only takes away) plus what is staged. Lines for a closing connection are
    /// dropped. The engine then queues them with [`Outbox::take_direct`] (or
    /// [`Outbox::queue`]) after its batch.
    pub(crate) fn stage(&self, staged: &mut Staged, line: Bytes) -> Result<Level, Full> {
        let base = *staged.base.get_or_insert_with(|| {
            let s = self.state.lock();
            Base {
                lines: s.queue.len(),
                bytes: s.bytes,
                open: !(s.stopped || s.closing),
            }
        });
        if !base.open {
            return Ok(Level::Normal);
        }
        let (lines, bytes) = (base.lines + staged.lines.len(), base.bytes + staged.bytes);
        if lines >= self.max_lines || bytes + line.len() > self.max_bytes {
            return Err(Full);
        }
        staged.bytes += line.len();
        staged.lines.push(line);
        if lines + 1 > self.max_lines / 2 || base.bytes + staged.bytes > self.max_bytes / 2 {
            Ok(Level::High)
        } else {
            Ok(Level::Normal)
        }
    }

    /// Moves the staged lines into the queue (dropped if the connection is closing).
    fn append(s: &mut State, staged: &mut Staged) {
        if s.stopped || s.closing {
            staged.lines.clear();
        } else {
            s.bytes += staged.bytes;
            s.queue.extend(staged.lines.drain(..));
        }
        staged.bytes = 0;
        staged.base = None;
    }

    /// Queues what is staged without writing it (before the connection is closed).
    pub(crate) fn queue(&self, staged: &mut Staged) {
        if staged.base.is_some() {
            Self::append(&mut self.state.lock(), staged);
        }
    }

    /// Whether more than the low-water mark (an eighth of either bound) waits to be written.
    fn over_low(&self, s: &State) -> bool {
        s.queue.len() > self.max_lines / 8 || s.bytes > self.max_bytes / 8
    }

    /// Whether more than the low-water mark waits to be written.
    pub(crate) fn is_over_low(&self) -> bool {
        self.over_low(&self.state.lock())
    }

    /// For the engine while input is paused: true if the outbox is still over its
    /// low-water mark, and then the engine is woken when it drains under it.
    pub(crate) fn watch(&self) -> bool {
        let mut s = self.state.lock();
        s.watched = self.over_low(&s);
        s.watched
    }

    /// Wakes the engine if it waits for this outbox and it drained under the low-water mark.
    fn drained(&self, s: &mut State) {
        if s.watched && !self.over_low(s) {
            s.watched = false;
            self.pressure.wake();
        }
    }

    /// For the engine after a batch: queues what is staged, then moves the queue into
    /// `batch` if the engine may write it itself (nobody else owns the sink) and returns
    /// `Some(true)`. Otherwise wakes the writer if it has work (`Some(false)`); `None` when
    /// nothing is queued.
    pub(crate) fn take_direct(
        &self,
        staged: &mut Staged,
        batch: &mut VecDeque<Bytes>,
    ) -> Option<bool> {
        let mut s = self.state.lock();
        Self::append(&mut s, staged);
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
        self.drained(&mut s);
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
        self.drained(&mut s);
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
                self.drained(&mut s);
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

    impl Outbox {
        /// Stages one line and queues it at once.
        fn push(&self, line: Bytes) -> Result<Level, Full> {
            let mut staged = Staged::default();
            let level = self.stage(&mut staged, line);
            self.queue(&mut staged);
            level
        }
    }

    #[test]
    fn a_batch_is_staged_against_the_bounds_and_queued_in_order_after_what_was_queued() {
        // High-water mark: over 4 lines or 50 bytes.
        let o = Outbox::new(8, 100, Arc::default());
        assert_eq!(o.push(line("a\n")), Ok(Level::Normal));
        let mut staged = Staged::default();
        let levels: Vec<_> = ["b\n", "c\n", "d\n", "e\n", "f\n", "g\n", "h\n"]
            .into_iter()
            .map(|l| o.stage(&mut staged, line(l)))
            .collect();
        assert_eq!(levels[..3], [Ok(Level::Normal); 3]);
        assert_eq!(levels[3..], [Ok(Level::High); 4]);
        assert_eq!(o.stage(&mut staged, line("i\n")), Err(Full), "8 lines");
        let mut batch = VecDeque::new();
        assert_eq!(o.take_direct(&mut staged, &mut batch), Some(true));
        let all: Vec<_> = ["a\n", "b\n", "c\n", "d\n", "e\n", "f\n", "g\n", "h\n"]
            .map(line)
            .into();
        assert_eq!(batch, all);
        assert!(staged.is_empty());
        // The bytes bound counts the staged lines too.
        let o = Outbox::new(100, 10, Arc::default());
        let mut staged = Staged::default();
        assert_eq!(o.stage(&mut staged, line("0123\n")), Ok(Level::Normal));
        assert_eq!(o.stage(&mut staged, line("5\n")), Ok(Level::High));
        assert_eq!(o.stage(&mut staged, line("789\n")), Err(Full));
        // Lines staged for a connection that closes before they are queued are dropped.
        o.close();
        o.queue(&mut staged);
        assert!(staged.is_empty());
        assert_eq!(o.take_direct(&mut staged, &mut batch), None);
    }

    #[test]
    fn push_is_bounded_by_lines_and_bytes_including_bytes_in_flight() {
        let o = Outbox::new(2, 100, Arc::default());
        assert_eq!(o.push(line("a\n")), Ok(Level::Normal));
        assert_eq!(o.push(line("b\n")), Ok(Level::High));
        assert_eq!(o.push(line("c\n")), Err(Full));
        let o = Outbox::new(100, 5, Arc::default());
        assert_eq!(o.push(line("abc\n")), Ok(Level::High));
        let mut batch = VecDeque::new();
        assert_eq!(
            o.take_direct(&mut Staged::default(), &mut batch),
            Some(true)
        );
        // Taken but not yet written: still counted.
        assert_eq!(o.push(line("de\n")), Err(Full));
        o.written(4);
        assert_eq!(o.push(line("de\n")), Ok(Level::High));
    }

    #[test]
    fn a_watched_outbox_wakes_the_engine_once_under_the_low_water_mark() {
        let pressure = Arc::new(Pressure::default());
        // High-water mark: over 8 lines or 500 bytes; low: over 2 lines or 125 bytes.
        let o = Outbox::new(16, 1000, pressure.clone());
        let mut levels = Vec::new();
        for _ in 0..9 {
            levels.push(o.push(line("0123456789\n")).expect("room"));
        }
        assert_eq!(levels[..8], [Level::Normal; 8]);
        assert_eq!(levels[8], Level::High);
        let seen = pressure.wakes();
        assert!(o.watch(), "over the low-water mark");
        let mut batch = VecDeque::new();
        o.hand_off(&mut batch);
        assert_eq!(o.next(&mut batch, None), Some(Next::Write));
        // Taken by the writer, not yet written: 99 bytes, under the low mark of 125.
        assert_eq!(pressure.wakes(), seen + 1);
        o.written(11);
        assert_eq!(pressure.wakes(), seen + 1, "one wake per watch");
        assert!(!o.watch(), "under the low-water mark");
        o.written(88);
        assert_eq!(pressure.wakes(), seen + 1, "not watched");
    }

    #[test]
    fn a_stopped_outbox_wakes_the_engine_that_waits_for_it() {
        let pressure = Arc::new(Pressure::default());
        let o = Outbox::new(4, 1000, pressure.clone());
        for _ in 0..3 {
            o.push(line("a\n")).expect("room");
        }
        let seen = pressure.wakes();
        assert!(o.watch());
        o.stop();
        assert_eq!(pressure.wakes(), seen + 1);
    }

    #[test]
    fn the_engine_writes_directly_until_it_hands_off() {
        let o = Outbox::new(10, 1000, Arc::default());
        o.push(line("a\n")).expect("room");
        let mut batch = VecDeque::new();
        assert_eq!(
            o.take_direct(&mut Staged::default(), &mut batch),
            Some(true)
        );
        assert_eq!(batch, [line("a\n")]);
        // The socket took nothing: the rest goes back in front, in order.
        o.push(line("b\n")).expect("room");
        o.hand_off(&mut batch);
        assert!(batch.is_empty());
        o.push(line("c\n")).expect("room");
        assert_eq!(
            o.take_direct(&mut Staged::default(), &mut batch),
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
        assert_eq!(o.take_direct(&mut Staged::default(), &mut batch), None);
    }

    #[test]
    fn close_writes_what_is_queued_first() {
        let o = Outbox::new(10, 1000, Arc::default());
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
        let o = Arc::new(Outbox::new(10, 1000, Arc::default()));
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
        let o = Outbox::new(10, 1000, Arc::default());
        assert!(!o.wait_reader(Instant::now()));
        assert!(!o.wait_writer(Instant::now()));
        o.reader_done();
        o.writer_done();
        let far = Instant::now() + Duration::from_secs(3600);
        assert!(o.wait_reader(far));
        assert!(o.wait_writer(far));
    }
}
