//! The engine thread: owns the `Room`, applies inputs in arrival order and carries out its
//! actions. It waits on its channel until the room's next deadline: no fixed tick.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use chatcore::{Action, ClientId, DisconnectCause, Frame, Input, LogRecord, Room};
use slog::{Logger, debug, error};

use crate::clock::Clock;
use crate::conn::Conn;

/// How long shutdown waits for connections to flush their goodbye before tearing them down.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

/// What the acceptor, the readers and the server handle tell the engine.
#[derive(Debug)]
pub(crate) enum Msg {
    /// A new connection; its reader starts after this is sent.
    Connect {
        conn: Arc<Conn>,
        peer: Option<IpAddr>,
    },
    /// A framed line from a reader.
    Frame { id: ClientId, frame: Frame },
    /// A reader exited.
    Gone {
        id: ClientId,
        cause: DisconnectCause,
    },
    /// Stop: say goodbye to everyone and exit.
    Shutdown,
}

pub(crate) struct Engine {
    room: Room,
    clock: Clock,
    /// Connections the room knows about, by id.
    conns: HashMap<ClientId, Arc<Conn>>,
    log_tx: SyncSender<LogRecord>,
    diag: Logger,
    /// Connections found slow while draining, disconnected once the drain ends.
    slow: Vec<ClientId>,
}

impl Engine {
    pub(crate) fn new(
        room: Room,
        clock: Clock,
        log_tx: SyncSender<LogRecord>,
        diag: Logger,
    ) -> Self {
        Engine {
            room,
            clock,
            conns: HashMap::new(),
            log_tx,
            diag,
            slow: Vec::new(),
        }
    }

    /// Runs until shutdown (or until every sender is gone).
    pub(crate) fn run(mut self, rx: Receiver<Msg>) {
        loop {
            let msg = match self.room.poll_timeout() {
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
            match msg {
                Some(Msg::Shutdown) => {
                    self.room.handle_shutdown(now);
                    self.drain();
                    self.finish(&rx);
                    return;
                }
                Some(msg) => self.handle(msg),
                None => {}
            }
            // Inputs can arrive back to back forever; deadlines must still fire on time.
            if self.room.poll_timeout().is_some_and(|d| d <= now.instant) {
                self.room.handle_timeout(now);
            }
            self.drain();
        }
    }

    fn handle(&mut self, msg: Msg) {
        let now = self.clock.now();
        let input = match msg {
            Msg::Connect { conn, peer } => {
                let id = conn.id;
                self.conns.insert(id, conn);
                Input::Connect { id, peer }
            }
            Msg::Frame { id, frame } => {
                if !self.conns.contains_key(&id) {
                    return;
                }
                Input::Frame { id, frame }
            }
            Msg::Gone { id, cause } => {
                let Some(conn) = self.conns.remove(&id) else {
                    return;
                };
                // The peer may still read (half-close): let the writer flush what is queued.
                conn.outbox.close();
                Input::Disconnect { id, cause }
            }
            Msg::Shutdown => return,
        };
        if let Err(e) = self.room.handle_input(now, input) {
            error!(self.diag, "engine bug: room refused an input"; "error" => %e);
        }
    }

    /// Carries out every action the room has queued.
    fn drain(&mut self) {
        loop {
            while let Some(action) = self.room.poll_action() {
                match action {
                    Action::Send { to, line } => {
                        if let Some(conn) = self.conns.get(&to) {
                            if conn.outbox.push(line).is_err() {
                                self.slow.push(to);
                            }
                        }
                    }
                    Action::Close { id } => {
                        if let Some(conn) = self.conns.get(&id) {
                            conn.outbox.close();
                        }
                    }
                    Action::Log(record) => {
                        // Blocks when the log thread is behind: a log line is never dropped.
                        if self.log_tx.send(record).is_err() {
                            error!(self.diag, "log thread is gone");
                        }
                    }
                }
            }
            if self.slow.is_empty() {
                return;
            }
            let now = self.clock.now();
            for id in std::mem::take(&mut self.slow) {
                let Some(conn) = self.conns.remove(&id) else {
                    continue;
                };
                debug!(self.diag, "disconnecting slow consumer"; "client" => %id);
                conn.kill();
                let cause = DisconnectCause::SlowConsumer;
                if let Err(e) = self.room.handle_input(now, Input::Disconnect { id, cause }) {
                    error!(self.diag, "engine bug: room refused a disconnect"; "error" => %e);
                }
            }
        }
    }

    /// After shutdown: lets writers flush the goodbye, then tears down what is left.
    fn finish(&mut self, rx: &Receiver<Msg>) {
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        while !self.conns.is_empty() {
            let wait = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(wait) {
                Ok(Msg::Gone { id, .. }) => {
                    self.conns.remove(&id);
                }
                Ok(Msg::Connect { conn, .. }) => conn.kill(),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        for conn in self.conns.values() {
            conn.kill();
        }
        self.conns.clear();
        // Log records queued by the final drain are already in the channel; dropping
        // `log_tx` lets the log thread flush and exit.
    }
}
