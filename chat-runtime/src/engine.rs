//! The engine thread: owns the `Hall` (every room), applies inputs in arrival order and
//! carries out its actions. It sleeps on its channel until the next input or the hall's next
//! deadline (no fixed tick), handles everything already queued as one batch, then writes each
//! touched connection once and hands the batch's log records to the log thread at once.
//! When an outbox passes its high-water mark the engine stops taking input until it drains
//! (the readers then wait on the bounded queue and the transports push back on senders);
//! a connection that stays behind the rest is dropped as a slow consumer.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chatcore::Hall;
use chatcore::{Action, ClientId, DisconnectCause, Frame, Input, LogRecord, Now};
use slog::{Logger, debug, error};

use crate::clock::Clock;
use crate::conn::Shared;
use crate::logfile::LogQueue;
use crate::outbox::{Level, Staged};
use crate::pressure::Pressure;
use crate::store::{Durable, Saving};

/// How long shutdown waits for connections to flush their goodbye and close.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1000);

/// Most inputs handled before the engine writes and logs what they produced.
const BATCH: usize = 256;

/// What the door, the readers and the shutdown handle tell the engine.
#[derive(Debug)]
pub(crate) enum Msg {
    /// A new connection; its reader starts after this is sent.
    Connect {
        /// The connection, shared with its transport's halves.
        conn: Arc<Shared>,
    },
    /// The lines of one read from a reader.
    Frames {
        /// Whose.
        id: ClientId,
        /// In order.
        frames: Vec<Frame>,
    },
    /// A reader exited.
    Gone {
        /// Whose.
        id: ClientId,
        /// Why.
        cause: DisconnectCause,
    },
    /// The door is at the connection cap: evict a connection still choosing a nickname (if
    /// any) so a newcomer can be admitted instead of refused, and say whether one was.
    Evict {
        /// Where the answer goes.
        reply: SyncSender<bool>,
    },
    /// Look at the stop flag (sent by `ShutdownHandle::shutdown`).
    Wake,
}

/// A connection and the lines the engine staged for it in this batch, queued together under
/// one lock by `flush` (or before the connection is closed).
struct Peer {
    conn: Arc<Shared>,
    staged: Staged,
}

impl Peer {
    /// Closes the connection after what is queued and staged has been written.
    fn close(&mut self) {
        self.conn.outbox.queue(&mut self.staged);
        self.conn.close();
    }
}

pub(crate) struct Engine {
    /// The whole chat server (every room); only this thread touches it.
    hall: Hall,
    /// Where `now` comes from.
    clock: Clock,
    /// Connections the room knows about, by id.
    conns: HashMap<ClientId, Peer>,
    /// Connections with lines staged in this batch.
    dirty: Vec<ClientId>,
    /// Log records of this batch, sent to the log thread together.
    records: Vec<LogRecord>,
    /// The log thread's queue (bounded; past it records are counted as lost, so the chat
    /// never waits for the log).
    log: Arc<LogQueue>,
    /// Set by `ShutdownHandle::shutdown`.
    stopping: Arc<AtomicBool>,
    /// Makes durable what the hall reports as durable, before a line that confirms it.
    durable: Durable,
    /// The member whose lines are being handled: a durable change is its command's.
    actor: Option<ClientId>,
    /// Diagnostics.
    diag: Logger,
    /// Connections found slow while draining, disconnected once the drain ends.
    slow: Vec<ClientId>,
    /// Connections whose outbox passed its high-water mark: no input is taken until each is
    /// back under its low-water mark (or dropped). May hold an id more than once.
    pressed: Vec<ClientId>,
    /// Wakes the engine when a pressed outbox drains (or shutdown begins).
    pressure: Arc<Pressure>,
    /// How long input stays paused for outboxes that do not drain before those behind the
    /// rest are dropped.
    stall: Duration,
    /// Reused by `flush`.
    batch: VecDeque<Bytes>,
}

impl Engine {
    pub(crate) fn new(
        hall: Hall,
        clock: Clock,
        log: Arc<LogQueue>,
        stopping: Arc<AtomicBool>,
        durable: Durable,
        (pressure, stall): (Arc<Pressure>, Duration),
        diag: Logger,
    ) -> Self {
        Engine {
            hall,
            clock,
            conns: HashMap::new(),
            dirty: Vec::new(),
            records: Vec::new(),
            log,
            stopping,
            durable,
            actor: None,
            diag,
            slow: Vec::new(),
            pressed: Vec::new(),
            pressure,
            stall,
            batch: VecDeque::new(),
        }
    }

    /// Runs until shutdown (or until every sender is gone).
    pub(crate) fn run(mut self, rx: Receiver<Msg>) {
        // `Hall::new` logged the start.
        self.drain();
        self.flush();
        while !self.stopping.load(Ordering::Acquire) {
            if !self.pressed.is_empty() {
                self.wait_drained();
                continue;
            }
            let deadline = [self.hall.poll_timeout(), self.durable.deadline()]
                .into_iter()
                .flatten()
                .min();
            let first = match deadline {
                Some(deadline) => {
                    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                        Ok(msg) => Some(msg),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                None => match rx.recv() {
                    Ok(msg) => Some(msg),
                    Err(_) => break,
                },
            };
            let now = self.clock.now();
            // Everything already queued is one batch.
            for msg in first.into_iter().chain(rx.try_iter().take(BATCH)) {
                self.handle(now, msg);
                self.drain();
                // An outbox passed its high-water mark: write what is queued and take no
                // more input until it drained.
                if !self.pressed.is_empty() {
                    break;
                }
            }
            // Inputs can arrive back to back forever; deadlines must still fire on time.
            if self.hall.poll_timeout().is_some_and(|d| d <= now.instant) {
                self.actor = None;
                self.hall.handle_timeout(now);
                self.drain();
            }
            self.flush();
        }
        self.finish(&rx);
    }

    fn handle(&mut self, now: Now, msg: Msg) {
        self.actor = match &msg {
            Msg::Frames { id, .. } => Some(*id),
            _ => None,
        };
        match msg {
            Msg::Connect { conn } => {
                let id = conn.id;
                let peer = Some(conn.peer);
                let staged = Staged::default();
                self.conns.insert(id, Peer { conn, staged });
                self.input(now, Input::Connect { id, peer });
            }
            Msg::Frames { id, frames } => {
                if !self.conns.contains_key(&id) {
                    return;
                }
                for frame in frames {
                    self.input(now, Input::Frame { id, frame });
                }
            }
            Msg::Gone { id, cause } => {
                let Some(mut peer) = self.conns.remove(&id) else {
                    return;
                };
                // The peer may still read (half-close): let the writer flush what is queued.
                peer.close();
                peer.conn.release_slot();
                self.input(now, Input::Disconnect { id, cause });
            }
            Msg::Evict { reply } => {
                let evicted = self.hall.evict_pending(now).is_some();
                // The eviction's `Close` gives the slot back.
                self.drain();
                let _ = reply.try_send(evicted);
            }
            Msg::Wake => {}
        }
    }

    fn input(&mut self, now: Now, input: Input) {
        if let Err(e) = self.hall.handle_input(now, input) {
            error!(self.diag, "engine bug: hall refused an input"; "error" => %e);
        }
    }

    /// Carries out every action the room has queued: lines are queued per connection (and
    /// written by `flush`), closes are passed on, records are collected.
    fn drain(&mut self) {
        loop {
            while let Some(action) = self.hall.poll_action() {
                match action {
                    Action::Send { to, mut line } => {
                        self.durable.before_send(to, &mut line);
                        self.report();
                        if let Some(peer) = self.conns.get_mut(&to) {
                            if peer.staged.is_empty() {
                                self.dirty.push(to);
                            }
                            match peer.conn.outbox.stage(&mut peer.staged, line) {
                                Ok(Level::Normal) => {}
                                Ok(Level::High) => self.pressed.push(to),
                                Err(_) => self.slow.push(to),
                            }
                        }
                    }
                    Action::Close { id } => {
                        if let Some(peer) = self.conns.get_mut(&id) {
                            peer.close();
                            peer.conn.release_slot();
                        }
                    }
                    Action::Log(record) => self.records.push(record),
                    // Durable changes (issue #14) go to the store, committed before the
                    // next line is queued: no confirmation is sent before its change is kept.
                    other => self.durable.stage(other, self.actor, Instant::now),
                }
            }
            if self.slow.is_empty() {
                return;
            }
            let now = self.clock.now();
            for id in std::mem::take(&mut self.slow) {
                let Some(peer) = self.conns.remove(&id) else {
                    continue;
                };
                debug!(self.diag, "disconnecting slow consumer"; "client" => %id);
                peer.conn.kill(DisconnectCause::SlowConsumer);
                let cause = DisconnectCause::SlowConsumer;
                self.input(now, Input::Disconnect { id, cause });
            }
        }
    }

    /// Input is paused: waits, without taking input, until every pressed outbox is back under
    /// its low-water mark, firing the hall's deadlines meanwhile. Those still over it after
    /// `stall` are behind the rest and dropped as slow consumers, provided some other
    /// connection's outbox is under its mark; when none is (every peer stalls at once, a
    /// frozen network), the wait goes on and the transports' write timeouts decide.
    fn wait_drained(&mut self) {
        self.pressed.sort_unstable();
        self.pressed.dedup();
        let mut stall_at = Instant::now() + self.stall;
        loop {
            if self.stopping.load(Ordering::Acquire) {
                self.pressed.clear();
                return;
            }
            // Read before looking, so a drain between the look and the sleep wakes it.
            let seen = self.pressure.wakes();
            let conns = &self.conns;
            self.pressed
                .retain(|id| conns.get(id).is_some_and(|peer| peer.conn.outbox.watch()));
            if self.pressed.is_empty() {
                return;
            }
            let now = Instant::now();
            if now >= stall_at {
                let pressed = &self.pressed;
                let others_kept_up = self
                    .conns
                    .iter()
                    .any(|(id, peer)| !peer.conn.outbox.is_over_low() && !pressed.contains(id));
                if others_kept_up {
                    self.slow.append(&mut self.pressed);
                    self.drain();
                    self.flush();
                    continue;
                }
                stall_at = now + self.stall;
            }
            match self.hall.poll_timeout() {
                Some(due) if due <= now => {
                    self.hall.handle_timeout(self.clock.now());
                    self.drain();
                    self.flush();
                    self.pressed.sort_unstable();
                    self.pressed.dedup();
                }
                due => self
                    .pressure
                    .wait(seen, due.map_or(stall_at, |d| d.min(stall_at))),
            }
        }
    }

    /// Tells the operator (stderr and `server.txt`) that saving failed, once until it works
    /// again, and when it does; the chat goes on either way.
    fn report(&mut self) {
        for saving in std::mem::take(&mut self.durable.reports) {
            self.report_one(saving);
        }
    }

    fn report_one(&mut self, saving: Saving) {
        let event = match saving {
            Saving::Failed(e) => {
                error!(self.diag, "cannot save durable changes; the chat goes on"; "error" => %e);
                let error = match &e {
                    crate::Error::Store(inner) => inner.to_string(),
                    other => other.to_string(),
                };
                chatcore::Event::NotSaved { error }
            }
            Saving::Recovered => {
                slog::info!(self.diag, "saving durable changes works again");
                chatcore::Event::SavedAgain
            }
        };
        let at = self.clock.now().wall;
        self.records.push(LogRecord::new(at, None, event));
    }

    /// Commits everything staged (at shutdown).
    fn commit(&mut self) {
        self.durable.commit();
        self.report();
    }

    /// Writes each connection touched by the batch once, and logs the batch.
    fn flush(&mut self) {
        self.durable.flush(Instant::now());
        self.report();
        self.dirty.sort_unstable();
        self.dirty.dedup();
        for id in self.dirty.drain(..) {
            if let Some(peer) = self.conns.get_mut(&id) {
                peer.conn.flush(&mut peer.staged, &mut self.batch);
                self.batch.clear();
            }
        }
        if !self.records.is_empty() {
            self.log.push(self.records.drain(..));
        }
    }

    /// After shutdown: says goodbye, lets writers flush it, then tears down what is left.
    fn finish(&mut self, rx: &Receiver<Msg>) {
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        self.hall.handle_shutdown(self.clock.now());
        self.drain();
        // Backlog lines at once on a clean shutdown (PROTOCOL.md §10).
        self.commit();
        self.flush();
        while !self.conns.is_empty() {
            let wait = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(wait) {
                Ok(Msg::Gone { id, .. }) => {
                    // Let the writer finish its goodbye and FIN.
                    if let Some(peer) = self.conns.remove(&id) {
                        peer.conn.outbox.wait_writer(deadline);
                    }
                }
                Ok(Msg::Connect { conn }) => conn.kill(DisconnectCause::Requested),
                Ok(Msg::Evict { reply }) => {
                    let _ = reply.try_send(false);
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        self.kill_all(rx);
    }

    /// Tears down every connection, including any still queued in the channel.
    fn kill_all(&mut self, rx: &Receiver<Msg>) {
        for (_, peer) in self.conns.drain() {
            peer.conn.kill(DisconnectCause::Requested);
        }
        for msg in rx.try_iter() {
            if let Msg::Connect { conn } = msg {
                conn.kill(DisconnectCause::Requested);
            }
        }
    }
}

impl Drop for Engine {
    /// Also runs when the engine panics: no connection may outlive it, and the server must
    /// notice it is gone.
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::Release);
        for (_, peer) in self.conns.drain() {
            peer.conn.kill(DisconnectCause::Error);
        }
        self.commit();
        self.log.push(self.records.drain(..));
        // No more records: the log thread writes what it has and ends.
        self.log.close();
    }
}
