//! Shared helpers for the web transport's tests: the runtime with the web listener on
//! 127.0.0.1:0, in-process members, and WebSocket clients over real sockets. Every wait is
//! bounded by [`WAIT`].
#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub mod browser;

use chat_runtime::local::LocalClient;
use chat_runtime::{Runtime, RuntimeConfig};
use chat_web::{WebConfig, WebListener};
use tungstenite::protocol::WebSocket;
use tungstenite::{Message, client::IntoClientRequest};

/// The longest any test waits for one expected event.
pub const WAIT: Duration = Duration::from_secs(10);

/// A fresh directory for a server log, removed when the test passes.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} for the failing test", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub fn temp_dir(name: &str) -> TempDir {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "chat-web-test-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    TempDir(dir)
}

/// The runtime with only the web transport, plus in-process members for the other side.
pub struct WebServer {
    runtime: Option<Runtime>,
    web: Option<WebListener>,
    pub addr: SocketAddr,
    pub log: PathBuf,
    _dir: TempDir,
}

impl WebServer {
    pub fn start(name: &str) -> WebServer {
        Self::with(name, |_, _| {})
    }

    pub fn with(name: &str, tweak: impl FnOnce(&mut RuntimeConfig, &mut WebConfig)) -> WebServer {
        Self::at(name, "127.0.0.1:0", tweak)
    }

    /// On a given address (a restart on the same port).
    pub fn at(
        name: &str,
        addr: &str,
        tweak: impl FnOnce(&mut RuntimeConfig, &mut WebConfig),
    ) -> WebServer {
        let dir = temp_dir(name);
        let log = dir.0.join("server.txt");
        let mut config = RuntimeConfig {
            log_path: log.clone(),
            ..RuntimeConfig::default()
        };
        let mut web = WebConfig::default();
        tweak(&mut config, &mut web);
        let runtime = Runtime::start(config).expect("runtime starts");
        let diag = slog::Logger::root(slog::Discard, slog::o!());
        let listener = WebListener::bind(addr, runtime.door(), web, diag).expect("web binds");
        let stopper = listener.stopper();
        runtime
            .shutdown_handle()
            .on_shutdown(move || stopper.stop());
        WebServer {
            addr: listener.local_addr(),
            runtime: Some(runtime),
            web: Some(listener),
            log,
            _dir: dir,
        }
    }

    /// A member connected in-process, named `nick`, with the welcome lines taken.
    pub fn member(&self, nick: &str) -> LocalClient {
        let door = self.runtime.as_ref().expect("running").door();
        let mut c = LocalClient::connect(&door, IpAddr::V4(Ipv4Addr::LOCALHOST)).expect("admitted");
        c.recv_until(WAIT, |l| l.contains("Enter a nickname"))
            .expect("prompt");
        c.send(nick).expect("send nick");
        c.recv_until(WAIT, |l| {
            l.starts_with(&format!("[Server]: Welcome, {nick}!"))
        })
        .expect("welcome");
        c
    }

    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub fn stop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown();
            if let Some(web) = self.web.take() {
                web.join().expect("web listener ends");
            }
            rt.join().expect("runtime ends");
        }
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Expects the next line `c` receives to be `want`.
pub fn expect_local(c: &mut LocalClient, want: &str) {
    match c.recv(WAIT) {
        Some(line) => assert_eq!(line, want),
        None => panic!("no line within {WAIT:?}; wanted {want:?}"),
    }
}

/// A WebSocket client over a real socket (tungstenite's own client).
pub struct Ws {
    pub ws: WebSocket<TcpStream>,
}

impl Ws {
    /// Connects to the server's `/ws` with no `Origin` (a client that is not a browser).
    pub fn connect(server: &WebServer) -> Ws {
        Self::connect_with(server, |_| {})
    }

    pub fn connect_with(
        server: &WebServer,
        tweak: impl FnOnce(&mut tungstenite::handshake::client::Request),
    ) -> Ws {
        let stream = TcpStream::connect(server.addr).expect("connect");
        stream.set_read_timeout(Some(WAIT)).expect("timeout");
        let mut request = server.url().into_client_request().expect("request");
        tweak(&mut request);
        let (ws, _) = tungstenite::client(request, stream).expect("handshake");
        Ws { ws }
    }

    /// Connects, takes the prompt, sends `nick` and takes lines up to the welcome.
    pub fn join(server: &WebServer, nick: &str) -> Ws {
        let mut ws = Ws::connect(server);
        ws.expect_prefix("[Server]: Welcome to the open chat");
        ws.send(nick);
        ws.expect_prefix(&format!("[Server]: Welcome, {nick}!"));
        ws
    }

    pub fn send(&mut self, text: &str) {
        self.ws.send(Message::text(text)).expect("send");
    }

    /// The next message, whatever it is (pings are answered by tungstenite).
    pub fn next(&mut self) -> Message {
        self.ws.read().expect("a message within the read timeout")
    }

    /// The next text message.
    pub fn text(&mut self) -> String {
        match self.next() {
            Message::Text(t) => t.as_str().to_owned(),
            other => panic!("wanted a text message, got {other:?}"),
        }
    }

    pub fn expect(&mut self, want: &str) {
        assert_eq!(self.text(), want);
    }

    /// Takes text messages until one starts with `prefix`.
    pub fn expect_prefix(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            let line = self.text();
            if line.starts_with(prefix) {
                return line;
            }
            seen.push(line);
        }
        panic!("no line starting with {prefix:?}; saw {seen:#?}");
    }
}

/// Sends `request` raw and returns the whole HTTP response (the server closes after it).
pub fn http(addr: SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(WAIT)).expect("timeout");
    s.write_all(request.as_bytes()).expect("write");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read response");
    String::from_utf8_lossy(&out).into_owned()
}
