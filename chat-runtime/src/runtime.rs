//! Starting and stopping the runtime: the engine and log threads, the door transports ask,
//! and the handles that shut everything down.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use chatcore::Hall;
use parking_lot::Mutex;
use slog::{Logger, o};

use crate::Error;
use crate::clock::Clock;
use crate::door::{Door, Limits};
use crate::engine::{Engine, Msg};
use crate::logfile::{self, LogNotes, LogQueue, LogReopener};
use crate::pressure::Pressure;
use crate::store::{Durable, MemoryStore, Store};

/// Messages (one per read, at most 4 KiB of lines each) queued for the engine before readers
/// wait: back-pressure on fast senders, and a bound on what waits. A read of 4 KiB of empty
/// lines is 2,048 frames of 32 bytes, 64 KiB, so the queue holds at most 8 MiB: 16.5 MiB
/// peak RSS under an empty-line flood, against 42-52 MiB with 512 slots and the same
/// latency under load (BENCHMARKS.md, "The engine queue").
const ENGINE_QUEUE: usize = 128;
/// Bytes of formatted records waiting for the log thread; past it, records are counted as
/// lost (and the count logged when the log takes records again) rather than the chat
/// waiting for a log that blocks. 4 MiB is about 40,000 chat records, a minute of the
/// heaviest chat the room allows.
const LOG_BUFFER: usize = 4 << 20;
/// How long `Runtime::join`, after the engine ended, waits for the log thread to write what
/// is queued: a log that blocks must not stop the process from exiting.
const LOG_GRACE: Duration = Duration::from_millis(500);

/// Everything the runtime can be tuned with. `Default` gives the protocol's values.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The hall's rules and limits: every room's, and who may connect (per address, per
    /// subnet, pending), which the hall alone decides.
    pub room: chatcore::Config,
    /// Where the server log goes (appended).
    pub log_path: PathBuf,
    /// Most connections held at once over every transport (members, pending and closing);
    /// beyond it the door refuses. `None`: capacity + max_pending + 64.
    pub max_connections: Option<usize>,
    /// Lines queued for one client before it counts as a slow consumer and is dropped.
    /// Past half of it (or of `outbox_bytes`) the engine stops taking input until the
    /// outbox is back under an eighth (docs/choices.md, "Overload: the server reads less").
    pub outbox_lines: usize,
    /// Bytes queued for one client before it counts as a slow consumer and is dropped.
    pub outbox_bytes: usize,
    /// How long input may stay paused for outboxes that do not drain: then those still over
    /// their low-water mark are dropped as slow consumers, if some other connection's is
    /// under it (they are behind the rest).
    pub stall_timeout: Duration,
    /// Where `now` comes from (tests shift the wall clock).
    pub clock: Clock,
    /// Diagnostics (not the server log).
    pub diag: Logger,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            room: chatcore::Config::default(),
            log_path: PathBuf::from("server.txt"),
            max_connections: None,
            outbox_lines: 8192,
            outbox_bytes: 1 << 20,
            stall_timeout: Duration::from_secs(1),
            clock: Clock::system(),
            diag: Logger::root(slog::Discard, o!()),
        }
    }
}

impl RuntimeConfig {
    /// The connection cap in force.
    pub fn max_connections(&self) -> usize {
        self.max_connections
            .unwrap_or(self.room.capacity + self.room.max_pending + 64)
    }
}

/// A running chat server without any transport: transports plug in through
/// [`Runtime::door`]. Dropping it does not stop it: call [`Runtime::shutdown`] (or a
/// [`ShutdownHandle`]'s), end the transports, then [`Runtime::join`].
#[derive(Debug)]
pub struct Runtime {
    handle: ShutdownHandle,
    door: Door,
    /// The engine thread.
    engine: JoinHandle<()>,
    /// The log thread, waited for only [`LOG_GRACE`] after the engine.
    log_thread: JoinHandle<()>,
    /// Says the log thread has ended.
    log_ended: Receiver<()>,
    log: Arc<LogQueue>,
    reopener: LogReopener,
    /// The time source, for records written with [`Runtime::log_notes`].
    clock: Clock,
}

/// Stops a running runtime from any thread (a signal handler's thread, say).
#[derive(Clone)]
pub struct ShutdownHandle {
    inner: Arc<Stop>,
}

struct Stop {
    /// Read by the engine every turn.
    stopping: Arc<AtomicBool>,
    /// Wakes the engine if it sleeps.
    engine: SyncSender<Msg>,
    /// Wakes the engine if it waits for outboxes to drain.
    pressure: Arc<Pressure>,
    /// What transports asked to run when stopping begins (close a listener, say); taken,
    /// and so run once, by the first stop.
    hooks: Mutex<Option<Vec<Hook>>>,
}

/// What a transport runs when stopping begins.
type Hook = Box<dyn FnOnce() + Send>;

impl std::fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShutdownHandle")
            .field("stopping", &self.is_stopping())
            .finish_non_exhaustive()
    }
}

impl ShutdownHandle {
    /// Tells every member the server is shutting down, runs the transports' shutdown hooks
    /// (they stop accepting) and closes every connection. Returns at once;
    /// [`Runtime::join`] waits for the end.
    pub fn shutdown(&self) {
        if self.inner.stopping.swap(true, Ordering::AcqRel) {
            return;
        }
        // The engine checks the flag every turn; this only wakes it if it sleeps. A full
        // queue means it is busy and will see the flag soon.
        let _ = self.inner.engine.try_send(Msg::Wake);
        self.inner.pressure.wake();
        self.run_hooks();
    }

    /// Whether shutdown has begun (asked for, or the engine stopped on its own).
    pub fn is_stopping(&self) -> bool {
        self.inner.stopping.load(Ordering::Acquire)
    }

    /// Runs `hook` once when stopping begins (at once if it has begun): a transport stops
    /// accepting there.
    pub fn on_shutdown(&self, hook: impl FnOnce() + Send + 'static) {
        let mut hooks = self.inner.hooks.lock();
        match hooks.as_mut() {
            Some(list) => list.push(Box::new(hook)),
            None => {
                drop(hooks);
                hook();
            }
        }
    }

    fn run_hooks(&self) {
        let hooks = self.inner.hooks.lock().take();
        for hook in hooks.into_iter().flatten() {
            hook();
        }
    }
}

impl Runtime {
    /// Opens the log and starts the engine and log threads.
    pub fn start(config: RuntimeConfig) -> Result<Runtime, Error> {
        Self::with_store(config, Box::new(MemoryStore))
    }

    /// Like [`Runtime::start`], with `store` keeping what the hall reports as durable and
    /// the hall rebuilt from what it kept ([`Store::load`]).
    pub fn with_store(config: RuntimeConfig, store: Box<dyn Store>) -> Result<Runtime, Error> {
        Self::open_store(config, || Ok(store))
    }

    /// Like [`Runtime::with_store`], opening the store only once the configuration is
    /// checked and the log is open, so those errors come first and a state file is not
    /// created for a server that cannot start.
    pub fn open_store(
        config: RuntimeConfig,
        open: impl FnOnce() -> Result<Box<dyn Store>, Error>,
    ) -> Result<Runtime, Error> {
        config.room.validate()?;
        let file = logfile::open(&config.log_path).map_err(|source| Error::Log {
            path: config.log_path.clone(),
            source,
        })?;
        let mut store = open()?;
        let state = store.load()?;
        let keeps = store.keeps();
        let durable = Durable::start(store, keeps, config.room.history)?;
        let now = config.clock.now();
        let hall = Hall::restore(config.room.clone(), now, state)?;
        let diag = config.diag.clone();
        let log = LogQueue::new(LOG_BUFFER);
        let (engine_tx, engine_rx) = sync_channel(ENGINE_QUEUE);
        let stopping = Arc::new(AtomicBool::new(false));
        let pressure = Arc::new(Pressure::default());
        let handle = ShutdownHandle {
            inner: Arc::new(Stop {
                stopping: stopping.clone(),
                engine: engine_tx.clone(),
                pressure: pressure.clone(),
                hooks: Mutex::new(Some(Vec::new())),
            }),
        };

        let reopener = LogReopener::default();
        let reopen = {
            let (asked, path) = (reopener.clone(), config.log_path.clone());
            move || asked.take().then(|| logfile::open(&path))
        };
        let (log_done, log_ended) = sync_channel(1);
        let (queue, clock, d) = (log.clone(), config.clock.clone(), diag.clone());
        let log_thread = spawn("log", move || {
            logfile::run(file, &queue, &clock, d, reopen);
            let _ = log_done.send(());
        })?;
        let engine = Engine::new(
            hall,
            config.clock.clone(),
            log.clone(),
            stopping,
            durable,
            (pressure.clone(), config.stall_timeout),
            diag.clone(),
        );
        let wake = handle.clone();
        let engine = spawn("engine", move || {
            // However the engine ends (a panic included), the rest of the server stops.
            let _stop = StopOnDrop(wake);
            engine.run(engine_rx);
        });
        let engine = match engine {
            Ok(engine) => engine,
            Err(e) => {
                log.close();
                return Err(e);
            }
        };
        let door = Door::new(
            Limits::new(config.max_connections()),
            engine_tx,
            (config.outbox_lines, config.outbox_bytes),
            pressure,
            config.room.max_line_bytes,
            diag,
        );
        Ok(Runtime {
            handle,
            door,
            engine,
            log_thread,
            log_ended,
            log,
            reopener,
            clock: config.clock.clone(),
        })
    }

    /// The door every transport asks to let a peer in.
    pub fn door(&self) -> Door {
        self.door.clone()
    }

    /// A handle that can stop the runtime from another thread, and where transports hook
    /// their own stop.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.handle.clone()
    }

    /// A handle that makes the log thread reopen the log by its path (for log rotation).
    pub fn log_reopener(&self) -> LogReopener {
        self.reopener.clone()
    }

    /// A handle that writes records of the transports' own (not the hall's) to the log.
    pub fn log_notes(&self) -> LogNotes {
        LogNotes::new(self.log.clone(), self.clock.clone())
    }

    /// Same as [`ShutdownHandle::shutdown`].
    pub fn shutdown(&self) {
        self.handle.shutdown();
    }

    /// Waits for the engine and then the log thread to finish; every log record has been
    /// written and flushed when it returns `Ok`. Call it once the transports have stopped
    /// accepting. It returns when the runtime was shut down, or when the engine failed (then
    /// with an error). A log that blocks (a full pipe, a hung network file system) is waited
    /// for at most 500 ms after the engine, then [`Error::LogBlocked`] says how many records
    /// were not written.
    pub fn join(self) -> Result<(), Error> {
        let Runtime {
            handle,
            door,
            engine,
            log_thread,
            log_ended,
            log,
            ..
        } = self;
        drop(handle);
        let mut result = Ok(());
        if engine.join().is_err() {
            result = Err(Error::Panicked("engine"));
        }
        door.report_rest();
        drop(door);
        // The engine closed the queue when it ended.
        log.close();
        match log_ended.recv_timeout(LOG_GRACE) {
            Err(RecvTimeoutError::Timeout) => {
                // Left blocked; the process exits around it.
                return Err(Error::LogBlocked {
                    unwritten: log.unwritten(),
                });
            }
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                if log_thread.join().is_err() {
                    result = Err(Error::Panicked("log"));
                }
            }
        }
        result
    }
}

/// Marks the runtime stopping, and runs the transports' hooks, when dropped.
struct StopOnDrop(ShutdownHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.inner.stopping.store(true, Ordering::Release);
        self.0.run_hooks();
    }
}

fn spawn(what: &'static str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, Error> {
    thread::Builder::new()
        .name(format!("chat-{what}"))
        .spawn(f)
        .map_err(|source| Error::Spawn { what, source })
}
