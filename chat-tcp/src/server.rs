//! Binding, the accept loop and socket options: the line-over-TCP transport on the runtime.

use std::io::Write;
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use bytes::Bytes;
use chat_runtime::{
    Admitted, Clock, Door, LogNotes, LogReopener, MemoryStore, Runtime, RuntimeConfig,
    ShutdownHandle,
};
use chat_tls::Certs;
use chatcore::DisconnectCause;
use slog::{Logger, error, info, o, warn};
use socket2::{SockRef, TcpKeepalive};

use chat_web::WebListener;

use crate::Error;
use crate::conn::{self, TcpSink, TlsSink};

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
    /// How long input may stay paused for a client far behind the rest before it is dropped
    /// (see [`RuntimeConfig::stall_timeout`]).
    pub stall_timeout: Duration,
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
    /// Where the web page and its WebSocket listen (`--web`), on the same runtime, so a
    /// browser member and a line member share the rooms; `None` serves no web page.
    pub web_bind: Option<String>,
    /// How the web listener behaves (its default room is taken from `room`).
    pub web: chat_web::WebConfig,
    /// The certificate and key (`--tls-cert`, `--tls-key`): with them the line protocol is
    /// also served over TLS at `tls_bind`, and the web listener serves https and wss.
    pub tls: Option<Certs>,
    /// Where the line protocol over TLS listens (`--tls-bind`); ignored without `tls`.
    pub tls_bind: Option<String>,
    /// The state file (PROTOCOL.md §10: rooms, schedules, bans, notices, backlog), opened
    /// and checked at start; `None` keeps everything in memory only.
    pub state: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        let runtime = RuntimeConfig::default();
        ServerConfig {
            room: runtime.room,
            log_path: runtime.log_path,
            max_connections: runtime.max_connections,
            outbox_lines: runtime.outbox_lines,
            outbox_bytes: runtime.outbox_bytes,
            stall_timeout: runtime.stall_timeout,
            write_timeout: Duration::from_secs(10),
            keepalive: Duration::from_secs(30),
            send_buffer: Some(256 * 1024),
            thread_stack: 64 * 1024,
            clock: runtime.clock,
            diag: runtime.diag,
            web_bind: None,
            web: chat_web::WebConfig::default(),
            tls: None,
            tls_bind: None,
            state: None,
        }
    }
}

impl ServerConfig {
    /// What the runtime is started with.
    pub fn runtime(&self, diag: Logger) -> RuntimeConfig {
        RuntimeConfig {
            room: self.room.clone(),
            log_path: self.log_path.clone(),
            max_connections: self.max_connections,
            outbox_lines: self.outbox_lines,
            outbox_bytes: self.outbox_bytes,
            stall_timeout: self.stall_timeout,
            clock: self.clock.clone(),
            diag,
        }
    }
}

/// Connections the kernel completes and queues before `accept` takes them: a burst of
/// connects is queued, not dropped (a dropped SYN is retried only after 1 s).
const LISTEN_BACKLOG: i32 = 1024;

/// A running server: the runtime and the TCP transport on it. Dropping it does not stop it:
/// call [`Server::shutdown`] (or a [`ShutdownHandle`]'s) and then [`Server::join`].
#[derive(Debug)]
pub struct Server {
    runtime: Runtime,
    local_addr: SocketAddr,
    /// Where the line protocol over TLS listens, when it does.
    tls_addr: Option<SocketAddr>,
    /// The accept threads (plain, then TLS), which end when the runtime stops.
    accept: Vec<JoinHandle<()>>,
    /// The web page and WebSocket listener, when one was asked for.
    web: Option<WebListener>,
}

impl Server {
    /// Opens the log, binds `addr` and starts the runtime and the accept thread.
    pub fn bind(
        addr: impl ToSocketAddrs + std::fmt::Display,
        config: ServerConfig,
    ) -> Result<Server, Error> {
        let shown = addr.to_string();
        let listener = listen(addr).map_err(|source| Error::Bind {
            addr: shown.clone(),
            source,
        })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: shown,
            source,
        })?;
        let tls_listener = match (&config.tls, &config.tls_bind) {
            (Some(_), Some(tls_addr)) => {
                let bound = listen(tls_addr.as_str())
                    .and_then(|l| l.local_addr().map(|a| (l, a)))
                    .map_err(|source| Error::Bind {
                        addr: tls_addr.clone(),
                        source,
                    })?;
                Some(bound)
            }
            _ => None,
        };
        let tls_addr = tls_listener.as_ref().map(|(_, addr)| *addr);
        let diag = config.diag.new(o!("addr" => local_addr.to_string()));
        let (state, history) = (config.state.clone(), config.room.history);
        let runtime = Runtime::open_store(config.runtime(diag.clone()), move || {
            let Some(path) = state else {
                return Ok(Box::new(MemoryStore));
            };
            match chat_store::Store::open(&path, history) {
                Ok(store) => Ok(Box::new(store)),
                Err(e) => Err(chat_runtime::Error::State(Box::new(e))),
            }
        })?;
        let web = match &config.web_bind {
            None => None,
            Some(web_addr) => {
                let web_config = chat_web::WebConfig {
                    default_room: config.room.default_room.clone(),
                    tls: config.tls.clone(),
                    ..config.web.clone()
                };
                match WebListener::bind(web_addr.as_str(), runtime.door(), web_config, diag.clone())
                {
                    Ok(web) => {
                        let stopper = web.stopper();
                        runtime
                            .shutdown_handle()
                            .on_shutdown(move || stopper.stop());
                        Some(web)
                    }
                    Err(e) => {
                        runtime.shutdown();
                        let _ = runtime.join();
                        return Err(Error::Web {
                            addr: web_addr.clone(),
                            source: e,
                        });
                    }
                }
            }
        };
        let mut acceptors = vec![(listener, None)];
        if let Some((tls_listener, _)) = tls_listener {
            acceptors.push((tls_listener, config.tls.clone()));
        }
        let mut accept = Vec::new();
        for (listener, tls) in acceptors {
            match spawn_acceptor(listener, tls, &runtime, &config, &diag) {
                Ok(handle) => accept.push(handle),
                Err(e) => {
                    runtime.shutdown();
                    accept
                        .into_iter()
                        .for_each(|h: JoinHandle<()>| drop(h.join()));
                    if let Some(web) = web {
                        let _ = web.join();
                    }
                    let _ = runtime.join();
                    return Err(Error::Spawn(e));
                }
            }
        }
        info!(diag, "listening");
        Ok(Server {
            runtime,
            local_addr,
            tls_addr,
            accept,
            web,
        })
    }

    /// Where the web page is served, when it is (useful after binding port 0).
    pub fn web_addr(&self) -> Option<SocketAddr> {
        self.web.as_ref().map(WebListener::local_addr)
    }

    /// Where the line protocol over TLS listens, when it does (useful after binding port 0).
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
    }

    /// The address the server listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The runtime's door, for another transport to serve the same rooms (WebSocket, the
    /// in-process [`chat_runtime::local`] one); the connection cap counts them all.
    pub fn door(&self) -> Door {
        self.runtime.door()
    }

    /// A handle that can stop the server from another thread.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.runtime.shutdown_handle()
    }

    /// A handle that makes the log thread reopen the log by its path (for log rotation).
    pub fn log_reopener(&self) -> LogReopener {
        self.runtime.log_reopener()
    }

    /// A handle that writes records of the server's own to the log (a certificate reload).
    pub fn log_notes(&self) -> LogNotes {
        self.runtime.log_notes()
    }

    /// Same as [`ShutdownHandle::shutdown`].
    pub fn shutdown(&self) {
        self.runtime.shutdown();
    }

    /// Waits for the accept thread and the runtime to finish; every log record has been
    /// written and flushed when it returns `Ok`. It returns when the server was shut down,
    /// or when a server thread failed (then with an error). A log that blocks is waited for
    /// at most 500 ms ([`chat_runtime::Error::LogBlocked`]).
    pub fn join(self) -> Result<(), Error> {
        let accepted: Vec<_> = self.accept.into_iter().map(JoinHandle::join).collect();
        let web = self.web.map(WebListener::join);
        self.runtime.join()?;
        if let Some(Err(_)) = web {
            return Err(Error::Panicked);
        }
        match accepted.iter().all(Result::is_ok) {
            true => Ok(()),
            false => Err(Error::Panicked),
        }
    }
}

/// Starts an accept thread for `listener`, serving the line protocol plain, or over TLS
/// with `tls`.
fn spawn_acceptor(
    listener: TcpListener,
    tls: Option<Certs>,
    runtime: &Runtime,
    config: &ServerConfig,
    diag: &Logger,
) -> std::io::Result<JoinHandle<()>> {
    let listener = Arc::new(listener);
    let stop = runtime.shutdown_handle();
    let waker = listener.clone();
    // Wakes the accept loop: on Linux, accept() on a listener shut down fails at once.
    stop.on_shutdown(move || {
        let _ = SockRef::from(&*waker).shutdown(Shutdown::Read);
    });
    let name = if tls.is_some() {
        "chat-tls-accept"
    } else {
        "chat-accept"
    };
    let acceptor = Acceptor {
        listener,
        tls,
        door: runtime.door(),
        stop,
        config: config.clone(),
        diag: diag.clone(),
    };
    thread::Builder::new()
        .name(name.into())
        .spawn(move || acceptor.run())
}

struct Acceptor {
    listener: Arc<TcpListener>,
    /// The certificate pair for a TLS listener; `None` for plain lines.
    tls: Option<Certs>,
    door: Door,
    stop: ShutdownHandle,
    config: ServerConfig,
    diag: Logger,
}

impl Acceptor {
    fn run(self) {
        // A descriptor held in reserve: when the process runs out, it is given up for a
        // moment so the waiting connection can be accepted and told, instead of sitting in
        // the backlog (the classic libev/nginx trick).
        let mut spare = reserve();
        let mut reported = false;
        loop {
            let accepted = self.listener.accept();
            if self.stop.is_stopping() {
                return;
            }
            match accepted {
                Ok((stream, peer)) => {
                    self.admit(stream, peer.ip());
                    reported = false;
                }
                Err(e) if is_fd_exhaustion(&e) && spare.is_some() => {
                    if !reported {
                        warn!(self.diag, "out of file descriptors; refusing connections"; "error" => %e);
                        reported = true;
                    }
                    drop(spare.take());
                    if let Ok((stream, peer)) = self.listener.accept() {
                        let refusal = self.door.turn_away(peer.ip());
                        // A TLS peer cannot read a line before a handshake: just closed.
                        if self.tls.is_none() {
                            refuse(&stream, refusal.line());
                        }
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

    fn admit(&self, stream: TcpStream, peer: IpAddr) {
        self.tune(&stream);
        match &self.tls {
            None => self.admit_plain(stream, peer),
            Some(certs) => self.admit_tls(certs, stream, peer),
        }
    }

    fn admit_plain(&self, stream: TcpStream, peer: IpAddr) {
        let stream = Arc::new(stream);
        let sink = Arc::new(TcpSink(stream.clone()));
        let Admitted { reader, writer } = match self.door.admit(peer, sink) {
            Ok(admitted) => admitted,
            Err(refusal) => return refuse(&stream, refusal.line()),
        };
        let out = stream.clone();
        self.spawn_halves(
            move || conn::write_loop(out, writer),
            move || conn::read_loop(stream, reader),
        );
    }

    /// Admits before the handshake, so a peer that never finishes it is a connection still
    /// choosing a nickname like any other: the nickname deadline closes it, and it counts
    /// against the pending cap and its address's limits. The hall's greeting waits in the
    /// session until the handshake ends; the reader thread drives the handshake.
    fn admit_tls(&self, certs: &Certs, stream: TcpStream, peer: IpAddr) {
        let stream = match certs.accept(stream) {
            Ok(stream) => Arc::new(stream),
            Err(e) => return warn!(self.diag, "cannot start a TLS session"; "error" => %e),
        };
        let sink = Arc::new(TlsSink(stream.clone()));
        let Admitted { reader, writer } = match self.door.admit(peer, sink) {
            Ok(admitted) => admitted,
            // No line: it could only be read after a handshake this thread cannot wait for.
            Err(_) => return drop(stream.shutdown(Shutdown::Both)),
        };
        let out = stream.clone();
        self.spawn_halves(
            move || conn::tls_write_loop(out, writer),
            move || {
                if conn::speaks_plain_text(stream.tcp()) {
                    conn::tell_plain_peer(&stream, not_tls_line());
                    return reader.end(DisconnectCause::Error);
                }
                conn::read_loop(stream, reader)
            },
        );
    }

    /// Starts the writer, then the reader thread of an admitted connection. If either cannot
    /// start, the halves already made are dropped, which reports the connection gone.
    fn spawn_halves(
        &self,
        write: impl FnOnce() + Send + 'static,
        read: impl FnOnce() + Send + 'static,
    ) {
        let started = self
            .spawn_conn("writer", write)
            .and_then(|()| self.spawn_conn("reader", read));
        if let Err(e) = started {
            error!(self.diag, "cannot start a connection thread"; "error" => %e);
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
        // Probes a quarter of the user timeout apart, so the probe that finds the user timeout
        // spent comes within a quarter of it (a fixed 10 s gap let a vanished peer outlive a
        // short user timeout by up to 10 s).
        let interval =
            (self.config.write_timeout / 4).clamp(Duration::from_secs(1), Duration::from_secs(10));
        let keepalive = TcpKeepalive::new()
            .with_time(self.config.keepalive)
            .with_interval(interval)
            .with_retries(4);
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
/// The line for a peer that speaks plain text to the TLS port, formatted once from
/// chatcore's one definition of every server line.
fn not_tls_line() -> &'static [u8] {
    static LINE: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    LINE.get_or_init(|| chatcore::reply::Reply::NotTls.to_bytes())
}

fn refuse(stream: &TcpStream, line: &str) {
    let _ = stream.set_nonblocking(true);
    let _ = (&*stream).write_all(line.as_bytes());
    let _ = stream.shutdown(Shutdown::Write);
}
