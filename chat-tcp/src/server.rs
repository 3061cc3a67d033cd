//! Binding, the accept loop and the handles that shut the server down.

use std::io::Write;
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use chatcore::{ClientId, DisconnectCause, Hall};
use slog::{Logger, error, info, o, warn};
use socket2::{SockRef, TcpKeepalive};

use crate::clock::Clock;
use crate::conn::{self, Conn};
use crate::engine::{Engine, Msg};
use crate::limits::{self, Limits};
use crate::logfile::{LogQueue, LogReopener};
use crate::outbox::Outbox;
use crate::{Error, logfile};

/// Everything the server can be tuned with. `Default` gives the protocol's values.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The hall's rules and limits: every room's, and who may connect (per address, per
    /// subnet, pending), which the hall alone decides.
    pub room: chatcore::Config,
    /// Where the server log goes (appended).
    pub log_path: PathBuf,
    /// Most sockets held at once (members, pending and closing); beyond it a connection is
    /// refused before any thread is started for it. `None`: capacity + max_pending + 64.
    pub max_connections: Option<usize>,
    /// Lines queued for one client before it counts as a slow consumer and is dropped.
    pub outbox_lines: usize,
    /// Bytes queued for one client before it counts as a slow consumer and is dropped.
    pub outbox_bytes: usize,
    /// A write blocked this long fails and frees the slot.
    pub write_timeout: Duration,
    /// TCP keepalive idle time. A peer that vanished without a FIN is found when a probe
    /// goes unanswered for `write_timeout` (TCP_USER_TIMEOUT): about `keepalive +
    /// write_timeout` after it last spoke (40 s by default).
    pub keepalive: Duration,
    /// The kernel send buffer of each connection (fixed, so a slow reader holds at most this
    /// much kernel memory besides its outbox); `None` keeps the OS's autotuning.
    pub send_buffer: Option<usize>,
    /// Stack size of each connection thread.
    pub thread_stack: usize,
    /// Where `now` comes from (tests shift the wall clock).
    pub clock: Clock,
    /// Diagnostics (not the server log).
    pub diag: Logger,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            room: chatcore::Config::default(),
            log_path: PathBuf::from("server.txt"),
            max_connections: None,
            outbox_lines: 8192,
            outbox_bytes: 1 << 20,
            write_timeout: Duration::from_secs(10),
            keepalive: Duration::from_secs(30),
            send_buffer: Some(256 * 1024),
            thread_stack: 64 * 1024,
            clock: Clock::system(),
            diag: Logger::root(slog::Discard, o!()),
        }
    }
}

impl ServerConfig {
    /// The connection cap in force.
    pub fn max_connections(&self) -> usize {
        self.max_connections
            .unwrap_or(self.room.capacity + self.room.max_pending + 64)
    }
}

/// Messages (one per read, at most 4 KiB of lines each) queued for the engine before readers
/// wait: back-pressure on fast senders, and a bound on what waits. A read of 4 KiB of empty
/// lines is 2,048 frames of 32 bytes, 64 KiB, so the queue holds at most 8 MiB: 16.5 MiB
/// peak RSS under an empty-line flood, against 42-52 MiB with 512 slots and the same
/// latency under load (BENCHMARKS.md, "The engine queue").
const ENGINE_QUEUE: usize = 128;
/// Connections the kernel completes and queues before `accept` takes them: a burst of
/// connects is queued, not dropped (a dropped SYN is retried only after 1 s).
const LISTEN_BACKLOG: i32 = 1024;
/// How long the acceptor, at the socket cap, waits for the engine to evict a waiting
/// connection before it refuses the newcomer.
const EVICT_WAIT: Duration = Duration::from_secs(1);
/// Bytes of formatted records waiting for the log thread; past it, records are counted as
/// lost (and the count logged when the log takes records again) rather than the chat
/// waiting for a log that blocks. 4 MiB is about 40,000 chat records, a minute of the
/// heaviest chat the room allows.
const LOG_BUFFER: usize = 4 << 20;
/// How long `Server::join`, after the other threads ended, waits for the log thread to
/// write what is queued: a log that blocks must not stop the process from exiting.
const LOG_GRACE: Duration = Duration::from_millis(500);

/// A running server. Dropping it does not stop it: call [`Server::shutdown`] (or a
/// [`ShutdownHandle`]'s) and then [`Server::join`].
#[derive(Debug)]
pub struct Server {
    handle: ShutdownHandle,
    /// The engine and accept threads.
    threads: Vec<(&'static str, JoinHandle<()>)>,
    /// The log thread, waited for only [`LOG_GRACE`] after the others.
    log_thread: JoinHandle<()>,
    /// Says the log thread has ended.
    log_ended: Receiver<()>,
    log: Arc<LogQueue>,
    reopener: LogReopener,
}

/// Stops a running server from any thread (a signal handler's thread, say).
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    local_addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    engine_tx: SyncSender<Msg>,
    listener: Arc<TcpListener>,
}

impl ShutdownHandle {
    /// Tells every member the server is shutting down, stops accepting and closes every
    /// connection. Returns at once; [`Server::join`] waits for the end.
    pub fn shutdown(&self) {
        if self.stopping.swap(true, Ordering::AcqRel) {
            return;
        }
        // The engine checks the flag every turn; this only wakes it if it sleeps. A full
        // queue means it is busy and will see the flag soon.
        let _ = self.engine_tx.try_send(Msg::Wake);
        // Wakes the accept loop: on Linux, accept() on a listener shut down fails at once.
        let _ = SockRef::from(&*self.listener).shutdown(Shutdown::Read);
    }

    /// Whether shutdown has begun (asked for, or the engine stopped on its own).
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

impl Server {
    /// Opens the log, binds `addr` and starts the engine, log and accept threads.
    pub fn bind(
        addr: impl ToSocketAddrs + std::fmt::Display,
        config: ServerConfig,
    ) -> Result<Server, Error> {
        let now = config.clock.now();
        let hall = Hall::new(config.room.clone(), now)?;
        let file = logfile::open(&config.log_path).map_err(|source| Error::Log {
            path: config.log_path.clone(),
            source,
        })?;
        let shown = addr.to_string();
        let listener = listen(addr).map_err(|source| Error::Bind {
            addr: shown.clone(),
            source,
        })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: shown,
            source,
        })?;
        let listener = Arc::new(listener);
        let diag = config.diag.new(o!("addr" => local_addr.to_string()));

        let log = LogQueue::new(LOG_BUFFER);
        let (engine_tx, engine_rx) = sync_channel(ENGINE_QUEUE);
        let stopping = Arc::new(AtomicBool::new(false));
        let handle = ShutdownHandle {
            local_addr,
            stopping: stopping.clone(),
            engine_tx: engine_tx.clone(),
            listener: listener.clone(),
        };
        let mut threads = Vec::new();

        let d = diag.clone();
        let reopener = LogReopener::default();
        let reopen = {
            let (asked, path) = (reopener.clone(), config.log_path.clone());
            move || asked.take().then(|| logfile::open(&path))
        };
        let (log_done, log_ended) = sync_channel(1);
        let (queue, clock) = (log.clone(), config.clock.clone());
        let log_thread = spawn("log", move || {
            logfile::run(file, &queue, &clock, d, reopen);
            let _ = log_done.send(());
        })?;
        let engine = Engine::new(
            hall,
            config.clock.clone(),
            log.clone(),
            stopping.clone(),
            diag.clone(),
        );
        let wake = handle.clone();
        threads.push((
            "engine",
            spawn("engine", move || {
                // However the engine ends (a panic included), the rest of the server stops.
                let _stop = StopOnDrop(wake);
                engine.run(engine_rx);
            })?,
        ));
        let limits = Limits::new(config.max_connections());
        let acceptor = Acceptor {
            listener,
            engine: engine_tx,
            stopping,
            limits,
            next_id: AtomicU64::new(1),
            config,
            diag: diag.clone(),
            refused: limits::Refused::default(),
        };
        threads.push(("accept", spawn("accept", move || acceptor.run())?));
        info!(diag, "listening");
        Ok(Server {
            handle,
            threads,
            log_thread,
            log_ended,
            log,
            reopener,
        })
    }

    /// The address the server listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.handle.local_addr
    }

    /// A handle that can stop the server from another thread.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.handle.clone()
    }

    /// A handle that makes the log thread reopen the log by its path (for log rotation).
    pub fn log_reopener(&self) -> LogReopener {
        self.reopener.clone()
    }

    /// Same as [`ShutdownHandle::shutdown`].
    pub fn shutdown(&self) {
        self.handle.shutdown();
    }

    /// Waits for the engine, accept and log threads to finish; every log record has been
    /// written and flushed when it returns `Ok`. It returns when the server was shut down,
    /// or when a server thread failed (then with an error). A log that blocks (a full pipe,
    /// a hung network file system) is waited for at most 500 ms after the other threads,
    /// then [`Error::LogBlocked`] says how many records were not written.
    pub fn join(self) -> Result<(), Error> {
        let Server {
            handle,
            threads,
            log_thread,
            log_ended,
            log,
            ..
        } = self;
        drop(handle);
        let mut result = Ok(());
        for (name, thread) in threads.into_iter().rev() {
            if thread.join().is_err() {
                result = Err(Error::Panicked(name));
            }
        }
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

/// Shuts the server down when dropped.
struct StopOnDrop(ShutdownHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = SockRef::from(&*self.0.listener).shutdown(Shutdown::Read);
        self.0.stopping.store(true, Ordering::Release);
    }
}

fn spawn(what: &'static str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, Error> {
    thread::Builder::new()
        .name(format!("chat-{what}"))
        .spawn(f)
        .map_err(|source| Error::Spawn { what, source })
}

struct Acceptor {
    listener: Arc<TcpListener>,
    engine: SyncSender<Msg>,
    stopping: Arc<AtomicBool>,
    limits: Arc<Limits>,
    next_id: AtomicU64,
    config: ServerConfig,
    diag: Logger,
    refused: limits::Refused,
}

impl Acceptor {
    fn run(mut self) {
        // A descriptor held in reserve: when the process runs out, it is given up for a
        // moment so the waiting connection can be accepted and told, instead of sitting in
        // the backlog (the classic libev/nginx trick).
        let mut spare = reserve();
        let mut reported = false;
        loop {
            let accepted = self.listener.accept();
            if self.stopping.load(Ordering::Acquire) {
                if let Some(counts) = self.refused.rest() {
                    self.report_refused(&counts);
                }
                return;
            }
            match accepted {
                Ok((stream, peer)) => {
                    self.admit(stream, peer);
                    reported = false;
                }
                Err(e) if is_fd_exhaustion(&e) && spare.is_some() => {
                    if !reported {
                        warn!(self.diag, "out of file descriptors; refusing connections"; "error" => %e);
                        reported = true;
                    }
                    drop(spare.take());
                    if let Ok((stream, peer)) = self.listener.accept() {
                        let peer = limits::canonical(peer.ip());
                        self.refuse(&stream, peer, &limits::Refusal::Busy);
                    }
                    spare = reserve();
                }
                Err(e) if is_resource_error(&e) => {
                    // Out of memory, or of descriptors with no spare: back off, don't spin.
                    warn!(self.diag, "accept failed"; "error" => %e);
                    thread::sleep(Duration::from_millis(50));
                }
                Err(e) => warn!(self.diag, "accept failed"; "error" => %e),
            }
        }
    }

    fn admit(&mut self, stream: TcpStream, peer: SocketAddr) {
        let peer = limits::canonical(peer.ip());
        let admitted = match self.limits.admit() {
            // At the socket cap a waiting connection goes before a newcomer is refused.
            Err(limits::Refusal::Busy) if self.evict_one() => self.limits.admit(),
            admitted => admitted,
        };
        let slot = match admitted {
            Ok(slot) => slot,
            Err(refusal) => return self.refuse(&stream, peer, &refusal),
        };
        if let Some(counts) = self.refused.due(Instant::now()) {
            self.report_refused(&counts);
        }
        let id = ClientId(self.next_id.fetch_add(1, Ordering::Relaxed));
        self.tune(&stream);
        let outbox = Outbox::new(self.config.outbox_lines, self.config.outbox_bytes);
        let conn = Arc::new(Conn::new(id, peer, stream, outbox, slot));
        // The writer first: if it cannot start, nothing has been told to the engine yet.
        let writer = {
            let conn = conn.clone();
            self.spawn_conn("writer", move || conn::write_loop(conn))
        };
        if let Err(e) = writer {
            error!(self.diag, "cannot start a connection thread"; "error" => %e);
            refuse(&conn.stream, &limits::Refusal::Busy.line());
            return conn.kill(DisconnectCause::Error);
        }
        if self
            .engine
            .send(Msg::Connect { conn: conn.clone() })
            .is_err()
        {
            return conn.kill(DisconnectCause::Error);
        }
        let max_line = self.config.room.max_line_bytes;
        let engine = self.engine.clone();
        let reader = conn.clone();
        let spawned = self.spawn_conn("reader", move || conn::read_loop(reader, engine, max_line));
        if let Err(e) = spawned {
            error!(self.diag, "cannot start a connection thread"; "error" => %e);
            conn.kill(DisconnectCause::Error);
            let cause = DisconnectCause::Error;
            let _ = self.engine.send(Msg::Gone { id, cause });
        }
    }

    /// Asks the engine to evict a connection still choosing a nickname (the room picks which,
    /// as for its pending cap); whether one was, and so a slot is free again.
    fn evict_one(&self) -> bool {
        let (reply, answer) = sync_channel(1);
        if self.engine.send(Msg::Evict { reply }).is_err() {
            return false;
        }
        answer.recv_timeout(EVICT_WAIT).unwrap_or(false)
    }

    /// Turns `stream` away with `refusal`'s line, and tells the operator (at most once a
    /// minute, with counts).
    fn refuse(&mut self, stream: &TcpStream, peer: IpAddr, refusal: &limits::Refusal) {
        refuse(stream, &refusal.line());
        if let Some(counts) = self.refused.count(refusal, peer, Instant::now()) {
            self.report_refused(&counts);
        }
    }

    fn report_refused(&self, counts: &limits::Refused) {
        let last_from = counts
            .last_from
            .map(|ip| ip.to_string())
            .unwrap_or_default();
        warn!(self.diag, "connections refused at the door";
            "busy" => counts.busy, "last_from" => last_from);
    }

    fn spawn_conn(&self, what: &str, f: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
        thread::Builder::new()
            .name(format!("chat-{what}"))
            .stack_size(self.config.thread_stack)
            .spawn(f)
            .map(drop)
    }

    fn tune(&self, stream: &TcpStream) {
        let _ = stream.set_nodelay(true);
        let _ = stream.set_write_timeout(Some(self.config.write_timeout));
        let sock = SockRef::from(stream);
        let keepalive = TcpKeepalive::new()
            .with_time(self.config.keepalive)
            .with_interval(Duration::from_secs(10))
            .with_retries(3);
        let _ = sock.set_tcp_keepalive(&keepalive);
        if let Some(size) = self.config.send_buffer {
            let _ = sock.set_send_buffer_size(size);
        }
        // Unacknowledged data this long means the peer is gone, even while we keep writing.
        let _ = sock.set_tcp_user_timeout(Some(self.config.write_timeout));
    }
}

/// Binds the first address of `addr` that works and listens with [`LISTEN_BACKLOG`] (the
/// standard library's `TcpListener::bind` uses 128).
fn listen(addr: impl ToSocketAddrs) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let mut last = None;
    for addr in addr.to_socket_addrs()? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        // As std does: a restarted server can bind while old connections are in TIME_WAIT.
        socket.set_reuse_address(true)?;
        match socket
            .bind(&addr.into())
            .and_then(|()| socket.listen(LISTEN_BACKLOG))
        {
            Ok(()) => return Ok(socket.into()),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address to bind")
    }))
}

/// A descriptor to give up when the process runs out of them.
fn reserve() -> Option<std::fs::File> {
    std::fs::File::open("/dev/null").ok()
}

fn is_fd_exhaustion(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
}

fn is_resource_error(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// Best-effort one-line refusal to a socket no thread serves.
fn refuse(stream: &TcpStream, line: &str) {
    let _ = stream.set_nonblocking(true);
    let _ = (&*stream).write_all(line.as_bytes());
    let _ = stream.shutdown(Shutdown::Write);
}
