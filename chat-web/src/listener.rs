//! The web listener: accepts sockets, runs each HTTP exchange on a thread of its own (a slow
//! client cannot hold the others up), and hands upgraded connections to the runtime's door.

use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use chat_runtime::{Admitted, Door};
use slog::{Logger, warn};
use socket2::{SockRef, TcpKeepalive};

use crate::Error;
use crate::conn::{self, Shared, WsSink};
use crate::exchanges::{self, Exchanges};
use crate::http::{self, Origins, Route};
use crate::stream::Stream;

/// How the web listener behaves.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Origins allowed to open the WebSocket besides the page's own (`--web-origin`).
    pub origins: Origins,
    /// The room members enter first (`--default-room`), shown by the page's status line.
    pub default_room: String,
    /// HTTP exchanges (page loads and upgrades not yet admitted) at once; more are closed at
    /// once, so slow clients cannot pile up threads. One address (an IPv6 /64) may have 8 of
    /// them under way.
    pub max_handshakes: usize,
    /// How long a whole HTTP exchange may take: the TLS handshake, the request head and the
    /// answer (a client trickling bytes cannot stretch it).
    pub handshake_timeout: Duration,
    /// How long one write to a peer may block, or data stay unacknowledged, before the
    /// connection is dropped.
    pub write_timeout: Duration,
    /// TCP keepalive idle time, so a peer that vanished without a FIN is found.
    pub keepalive: Duration,
    /// The kernel send buffer of each connection (fixed, so a slow reader holds at most this
    /// much kernel memory besides its outbox); `None` keeps the OS's autotuning.
    pub send_buffer: Option<usize>,
    /// The certificate and key: with them the page is served over https and the WebSocket
    /// over wss only (the TLS handshake is part of the HTTP exchange, under the same
    /// `handshake_timeout` and `max_handshakes`).
    pub tls: Option<chat_tls::Certs>,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            origins: Origins::default(),
            default_room: "lobby".to_owned(),
            max_handshakes: 64,
            handshake_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            keepalive: Duration::from_secs(30),
            send_buffer: Some(256 * 1024),
            tls: None,
        }
    }
}

/// A bound web listener and its accept thread.
#[derive(Debug)]
pub struct WebListener {
    local_addr: SocketAddr,
    stop: Arc<Stop>,
    accept: JoinHandle<()>,
}

/// Stack size of each connection thread (tungstenite's buffers are on the heap).
const THREAD_STACK: usize = 128 * 1024;

/// How the accept loop is told to end: a flag, and the listener shut down for reading,
/// which makes a blocked `accept` fail at once on Linux.
#[derive(Debug)]
struct Stop {
    flag: AtomicBool,
    listener: TcpListener,
}

impl Stop {
    fn stop(&self) {
        if !self.flag.swap(true, Ordering::SeqCst) {
            let _ = SockRef::from(&self.listener).shutdown(std::net::Shutdown::Read);
        }
    }
}

/// Stops a [`WebListener`]'s accept loop; cheap to clone, for `on_shutdown` hooks.
#[derive(Debug, Clone)]
pub struct WebStopper(Arc<Stop>);

impl WebStopper {
    /// Stops accepting; connections already admitted are the runtime's to close.
    pub fn stop(&self) {
        self.0.stop();
    }
}

impl WebListener {
    /// Binds `addr` and starts accepting; upgraded connections go through `door`.
    pub fn bind(
        addr: impl ToSocketAddrs,
        door: Door,
        config: WebConfig,
        diag: Logger,
    ) -> Result<WebListener, Error> {
        let listener = TcpListener::bind(addr).map_err(Error::Bind)?;
        let local_addr = listener.local_addr().map_err(Error::Bind)?;
        let stop = Arc::new(Stop {
            flag: AtomicBool::new(false),
            listener,
        });
        let accept = {
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name("web-accept".into())
                .spawn(move || accept_loop(&stop, &door, &config, &diag))
                .map_err(Error::Spawn)?
        };
        Ok(WebListener {
            local_addr,
            stop,
            accept,
        })
    }

    /// The address it listens on (with the port chosen when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle that stops accepting.
    pub fn stopper(&self) -> WebStopper {
        WebStopper(Arc::clone(&self.stop))
    }

    /// Waits for the accept loop to end (after [`WebStopper::stop`]).
    pub fn join(self) -> Result<(), Error> {
        self.accept.join().map_err(|_| Error::Panicked)
    }
}

fn accept_loop(stop: &Stop, door: &Door, config: &WebConfig, diag: &Logger) {
    let exchanges = match Exchanges::start(
        config.max_handshakes,
        exchanges::PER_ADDRESS,
        config.handshake_timeout,
    ) {
        Ok(exchanges) => exchanges,
        Err(e) => return warn!(diag, "web: no thread for the exchanges' deadlines"; "error" => %e),
    };
    serve(stop, door, config, diag, &exchanges);
    exchanges.stop();
}

fn serve(stop: &Stop, door: &Door, config: &WebConfig, diag: &Logger, exchanges: &Arc<Exchanges>) {
    let page: Arc<str> = http::render_page(&config.default_room).into();
    let mut last_error = None;
    while !stop.flag.load(Ordering::SeqCst) {
        let (stream, peer) = match stop.listener.accept() {
            Ok(accepted) => accepted,
            Err(_) if stop.flag.load(Ordering::SeqCst) => break,
            Err(e) => {
                if last_error != Some(e.kind()) {
                    warn!(diag, "web: accept failed"; "error" => %e);
                    last_error = Some(e.kind());
                }
                // Out of descriptors, say: let connections end before trying again.
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        last_error = None;
        if stop.flag.load(Ordering::SeqCst) {
            break;
        }
        // Over the listener's or the address's share: closed at once.
        let Some(under_way) = exchanges.begin(&stream, peer.ip(), Instant::now()) else {
            continue;
        };
        let door = door.clone();
        let config = config.clone();
        let page = Arc::clone(&page);
        let spawned = thread::Builder::new()
            .name("web-conn".into())
            .stack_size(THREAD_STACK)
            .spawn(move || {
                let upgraded = exchange(stream, &page, &config);
                drop(under_way);
                if let Some((stream, leftover)) = upgraded {
                    run(stream, peer, leftover, &door);
                }
            });
        if spawned.is_err() {
            warn!(diag, "web: no thread for a connection");
        }
    }
}

/// The HTTP exchange (after the TLS handshake, with a certificate), bounded in time; the
/// stream and what followed the head when upgraded.
fn exchange(stream: TcpStream, page: &str, config: &WebConfig) -> Option<(Stream, Vec<u8>)> {
    stream
        .set_read_timeout(Some(config.handshake_timeout))
        .ok()?;
    stream.set_write_timeout(Some(config.write_timeout)).ok()?;
    stream.set_nodelay(true).ok()?;
    let sock = SockRef::from(&stream);
    let keepalive = TcpKeepalive::new()
        .with_time(config.keepalive)
        .with_interval(Duration::from_secs(10))
        .with_retries(3);
    let _ = sock.set_tcp_keepalive(&keepalive);
    if let Some(size) = config.send_buffer {
        let _ = sock.set_send_buffer_size(size);
    }
    let _ = sock.set_tcp_user_timeout(Some(config.write_timeout));
    let stream = match &config.tls {
        None => Stream::Plain(stream),
        Some(_) if http::is_plain_request(&stream) => {
            let _ = http::refuse_plain_request(&mut &stream);
            Stream::Plain(stream).finish();
            return None;
        }
        Some(certs) => Stream::Tls(Box::new(certs.accept(stream).ok()?)),
    };
    match http::serve(&mut &stream, page, &config.origins) {
        Ok(Route::Upgraded { leftover }) => {
            stream.tcp().set_read_timeout(None).ok()?;
            Some((stream, leftover))
        }
        Ok(Route::Served | Route::Refused) | Err(_) => {
            stream.finish();
            None
        }
    }
}

/// An upgraded connection: asks the door, then this thread reads and another writes.
fn run(stream: Stream, peer: SocketAddr, leftover: Vec<u8>, door: &Door) {
    let shared = Arc::new(Shared::new(stream));
    let sink = Arc::new(WsSink(Arc::clone(&shared)));
    let ip = peer.ip();
    match door.admit(ip, sink) {
        Err(refusal) => conn::refuse(&shared, refusal.line()),
        Ok(Admitted { reader, writer }) => {
            let writer_shared = Arc::clone(&shared);
            let spawned = thread::Builder::new()
                .name("web-write".into())
                .stack_size(THREAD_STACK)
                .spawn(move || conn::write_loop(writer, writer_shared));
            if spawned.is_err() {
                // The reader's end tears the connection down.
                return reader.end(chatcore::DisconnectCause::Error);
            }
            conn::read_loop(reader, shared, leftover);
        }
    }
}
