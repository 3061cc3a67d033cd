//! Binding, the accept loop and the handle that shuts the server down.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use chatcore::{ClientId, Room};
use slog::{Logger, error, info, o, warn};
use socket2::{SockRef, TcpKeepalive};

use crate::clock::Clock;
use crate::conn::{self, Conn};
use crate::engine::{Engine, Msg};
use crate::outbox::Outbox;
use crate::{Error, logfile};

/// Everything the server can be tuned with. `Default` gives the protocol's values.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The room's rules and limits.
    pub room: chatcore::Config,
    /// Where the server log goes (appended).
    pub log_path: PathBuf,
    /// Most sockets held at once (members, pending and closing); beyond it a connection is
    /// refused before any thread is started for it.
    pub max_connections: usize,
    /// Lines queued for one client before it counts as a slow consumer and is dropped.
    pub outbox_lines: usize,
    /// Bytes queued for one client before it counts as a slow consumer and is dropped.
    pub outbox_bytes: usize,
    /// A write blocked this long fails and frees the slot.
    pub write_timeout: Duration,
    /// TCP keepalive idle time; a dead peer is found about `keepalive + 3 × 10 s` later.
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
        let room = chatcore::Config::default();
        ServerConfig {
            max_connections: room.capacity + room.max_pending + 64,
            room,
            log_path: PathBuf::from("server.txt"),
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

/// Inputs queued for the engine before readers wait (back-pressure on fast senders).
const ENGINE_QUEUE: usize = 4096;
/// Log records queued before the engine waits for the log thread.
const LOG_QUEUE: usize = 16 * 1024;

/// A running server. Dropping it does not stop it: call [`Server::shutdown`] then
/// [`Server::join`].
#[derive(Debug)]
pub struct Server {
    local_addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    engine_tx: SyncSender<Msg>,
    threads: Vec<(&'static str, JoinHandle<()>)>,
}

impl Server {
    /// Opens the log, binds `addr` and starts the engine, log and accept threads.
    pub fn bind(
        addr: impl ToSocketAddrs + std::fmt::Display,
        config: ServerConfig,
    ) -> Result<Server, Error> {
        let now = config.clock.now();
        let room = Room::new(config.room.clone(), now)?;
        let file = logfile::open(&config.log_path).map_err(|source| Error::Log {
            path: config.log_path.clone(),
            source,
        })?;
        let shown = addr.to_string();
        let listener = TcpListener::bind(addr).map_err(|source| Error::Bind {
            addr: shown.clone(),
            source,
        })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: shown,
            source,
        })?;
        let diag = config.diag.new(o!("addr" => local_addr.to_string()));

        let (log_tx, log_rx) = sync_channel(LOG_QUEUE);
        let (engine_tx, engine_rx) = sync_channel(ENGINE_QUEUE);
        let stopping = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();

        let d = diag.clone();
        threads.push(("log", spawn("log", move || logfile::run(file, log_rx, d))?));
        let engine = Engine::new(room, config.clock, log_tx, diag.clone());
        threads.push(("engine", spawn("engine", move || engine.run(engine_rx))?));
        let acceptor = Acceptor {
            listener,
            engine: engine_tx.clone(),
            stopping: stopping.clone(),
            live: Arc::new(AtomicUsize::new(0)),
            next_id: AtomicU64::new(1),
            config,
            diag: diag.clone(),
        };
        threads.push(("accept", spawn("accept", move || acceptor.run())?));
        info!(diag, "listening");
        Ok(Server {
            local_addr,
            stopping,
            engine_tx,
            threads,
        })
    }

    /// The address the server listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Tells every member the server is shutting down, stops accepting and closes every
    /// connection. Returns at once; [`Server::join`] waits for the end.
    pub fn shutdown(&self) {
        if self.stopping.swap(true, Ordering::AcqRel) {
            return;
        }
        let _ = self.engine_tx.send(Msg::Shutdown);
        // Wake the accept loop, which is blocked in accept().
        let mut wake = self.local_addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
    }

    /// Waits for the accept, engine and log threads to finish (after [`Server::shutdown`]);
    /// every log record has been written and flushed when it returns.
    pub fn join(self) -> Result<(), Error> {
        let Server {
            engine_tx, threads, ..
        } = self;
        drop(engine_tx);
        let mut result = Ok(());
        for (name, handle) in threads.into_iter().rev() {
            if handle.join().is_err() {
                result = Err(Error::Panicked(name));
            }
        }
        result
    }
}

fn spawn(what: &'static str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, Error> {
    thread::Builder::new()
        .name(format!("chat-{what}"))
        .spawn(f)
        .map_err(|source| Error::Spawn { what, source })
}

struct Acceptor {
    listener: TcpListener,
    engine: SyncSender<Msg>,
    stopping: Arc<AtomicBool>,
    live: Arc<AtomicUsize>,
    next_id: AtomicU64,
    config: ServerConfig,
    diag: Logger,
}

impl Acceptor {
    fn run(self) {
        loop {
            let accepted = self.listener.accept();
            if self.stopping.load(Ordering::Acquire) {
                return;
            }
            match accepted {
                Ok((stream, peer)) => self.admit(stream, peer),
                Err(e) => {
                    // Out of file descriptors or similar: back off instead of spinning.
                    warn!(self.diag, "accept failed"; "error" => %e);
                    thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    fn admit(&self, stream: TcpStream, peer: SocketAddr) {
        if self.live.fetch_add(1, Ordering::AcqRel) >= self.config.max_connections {
            self.live.fetch_sub(1, Ordering::AcqRel);
            refuse(stream, "[Server]: The server is busy. Try again later.\n");
            return;
        }
        let id = ClientId(self.next_id.fetch_add(1, Ordering::Relaxed));
        self.tune(&stream);
        let outbox = Outbox::new(self.config.outbox_lines, self.config.outbox_bytes);
        let conn = Arc::new(Conn::new(id, stream, outbox, self.live.clone()));
        // The writer first: if it cannot start, nothing has been told to the engine yet.
        let writer = {
            let conn = conn.clone();
            self.spawn_conn("writer", move || conn::write_loop(conn))
        };
        if let Err(e) = writer {
            error!(self.diag, "cannot start a connection thread"; "error" => %e);
            refuse_conn(&conn, "[Server]: The server is busy. Try again later.\n");
            return;
        }
        let peer_ip = Some(peer.ip());
        if self
            .engine
            .send(Msg::Connect {
                conn: conn.clone(),
                peer: peer_ip,
            })
            .is_err()
        {
            conn.kill();
            return;
        }
        let max_line = self.config.room.max_line_bytes;
        let engine = self.engine.clone();
        let reader_conn = conn.clone();
        if let Err(e) = self.spawn_conn("reader", move || {
            conn::read_loop(reader_conn, engine, max_line)
        }) {
            error!(self.diag, "cannot start a connection thread"; "error" => %e);
            conn.kill();
            let cause = chatcore::DisconnectCause::Error;
            let _ = self.engine.send(Msg::Gone { id, cause });
        }
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

/// Best-effort one-line refusal to a socket no thread was started for.
fn refuse(stream: TcpStream, line: &str) {
    let _ = stream.set_nonblocking(true);
    let _ = (&stream).write_all(line.as_bytes());
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

fn refuse_conn(conn: &Conn, line: &str) {
    let _ = conn.stream.set_nonblocking(true);
    let _ = (&conn.stream).write_all(line.as_bytes());
    conn.kill();
}
