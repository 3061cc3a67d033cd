//! Shared helpers for the server's integration tests: a real server on 127.0.0.1:0 and raw
//! line clients with bounded waits.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use chat_tcp::{Server, ServerConfig};

/// The longest any test waits for one expected event.
pub const WAIT: Duration = Duration::from_secs(10);

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "chat-tcp-test-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// A running server with its log in a temp dir.
pub struct TestServer {
    pub server: Option<Server>,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl TestServer {
    pub fn start(name: &str) -> TestServer {
        Self::with(name, |_| {})
    }

    pub fn with(name: &str, tweak: impl FnOnce(&mut ServerConfig)) -> TestServer {
        let log = temp_dir(name).join("server.txt");
        let mut config = ServerConfig {
            log_path: log.clone(),
            ..ServerConfig::default()
        };
        tweak(&mut config);
        let server = Server::bind("127.0.0.1:0", config).expect("bind");
        let addr = server.local_addr();
        TestServer {
            server: Some(server),
            addr,
            log,
        }
    }

    /// Connects and reads the nickname prompt.
    pub fn connect(&self) -> Client {
        let mut c = Client::connect(self.addr);
        let prompt = c.line();
        assert!(
            prompt.starts_with("[Server]: Welcome to the open chat"),
            "{prompt}"
        );
        c
    }

    /// Connects and joins as `nick`, reading the welcome line(s).
    pub fn join(&self, nick: &str) -> Client {
        let mut c = self.connect();
        c.send(nick);
        let welcome = c.line();
        assert!(
            welcome.starts_with(&format!("[Server]: Welcome, {nick}!")),
            "{welcome}"
        );
        c
    }

    /// Shuts the server down and waits; the log is complete afterwards.
    pub fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown();
            s.join().expect("server threads");
        }
    }

    /// The log lines without their timestamps (stops the server first).
    pub fn log_events(&mut self) -> Vec<String> {
        self.stop();
        read_events(&self.log)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Reads a server log, dropping the timestamp of each line.
pub fn read_events(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("read log");
    text.lines()
        .map(|l| {
            let (ts, rest) = l.split_once(' ').expect("timestamp");
            assert_eq!(ts.len(), 24, "RFC 3339 UTC with milliseconds: {ts}");
            assert!(ts.ends_with('Z'), "{ts}");
            rest.to_owned()
        })
        .collect()
}

/// A raw line client: exactly what `nc` would see.
pub struct Client {
    pub stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(WAIT)).expect("timeout");
        let reader = BufReader::new(stream.try_clone().expect("clone"));
        Client { stream, reader }
    }

    /// Connects with a fixed receive buffer of `size` bytes (no autotuning).
    pub fn connect_with_rcvbuf(addr: SocketAddr, size: usize) -> Client {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        socket.set_recv_buffer_size(size).expect("rcvbuf");
        socket.connect(&addr.into()).expect("connect");
        let stream: TcpStream = socket.into();
        stream.set_read_timeout(Some(WAIT)).expect("timeout");
        let reader = BufReader::new(stream.try_clone().expect("clone"));
        Client { stream, reader }
    }

    /// Sends `text` plus a newline.
    pub fn send(&mut self, text: &str) {
        self.send_raw(format!("{text}\n").as_bytes());
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// The next line, without its `\n`; panics after `WAIT` or at end of stream.
    pub fn line(&mut self) -> String {
        match self.try_line() {
            Some(l) => l,
            None => panic!("connection closed while a line was expected"),
        }
    }

    /// The next line, or `None` at end of stream. Checks the framing rules on the way.
    pub fn try_line(&mut self) -> Option<String> {
        let mut buf = Vec::new();
        match self.reader.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                assert_eq!(buf.last(), Some(&b'\n'), "line without newline: {buf:?}");
                buf.pop();
                assert!(
                    buf.iter().all(|&b| b >= 0x20 && b != 0x7f || b == b'\t'),
                    "control byte in {buf:?}"
                );
                Some(String::from_utf8(buf).expect("server sent invalid UTF-8"))
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => None,
            Err(e) => panic!("no line within {WAIT:?}: {e}"),
        }
    }

    /// Asserts the next lines are exactly `expected`.
    pub fn expect(&mut self, expected: &[&str]) {
        for want in expected {
            assert_eq!(&self.line(), want);
        }
    }

    /// Reads lines until one equals `want`; returns the lines skipped.
    pub fn until(&mut self, want: &str) -> Vec<String> {
        let mut skipped = Vec::new();
        loop {
            let l = self.line();
            if l == want {
                return skipped;
            }
            skipped.push(l);
        }
    }

    /// Asserts the server closes the connection (after any remaining lines, which are
    /// returned).
    pub fn expect_closed(&mut self) -> Vec<String> {
        let mut rest = Vec::new();
        while let Some(l) = self.try_line() {
            rest.push(l);
        }
        rest
    }

    /// Sends `/user` and returns the reply: a round trip proving everything sent before it
    /// has been handled.
    pub fn sync(&mut self) -> String {
        self.send("/user");
        loop {
            let l = self.line();
            if l.starts_with("[Server]: Users (") {
                return l;
            }
        }
    }
}

/// Waits until `cond` holds (re-checked every 10 ms); panics after `WAIT`. For state with no
/// event to wait on, such as a file the server writes.
pub fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The real server binary as a child process, killed on drop.
pub struct Child {
    pub child: std::process::Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
    pub stderr: std::sync::mpsc::Receiver<String>,
}

impl Child {
    /// Starts `chat-tcp --bind 127.0.0.1:0 --log <temp>/server.txt <extra>` and waits for it
    /// to listen.
    pub fn spawn(name: &str, extra: &[&str]) -> Child {
        Self::spawn_with_log(temp_dir(name).join("server.txt"), extra)
    }

    pub fn spawn_with_log(log: PathBuf, extra: &[&str]) -> Child {
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
            .args(["--bind", "127.0.0.1:0", "--log"])
            .arg(&log)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chat-tcp");
        let stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + WAIT;
        let addr = loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("server did not start");
            if let Some(rest) = line.trim().strip_prefix("chat-tcp: listening on ") {
                let addr = rest.split_whitespace().next().expect("address");
                break addr.parse().expect("socket address");
            }
        };
        Child {
            child,
            addr,
            log,
            stderr: rx,
        }
    }

    /// Resident memory of the server in KiB.
    pub fn rss_kib(&self) -> u64 {
        proc_status(self.child.id(), "VmRSS:")
    }

    /// Threads of the server.
    pub fn threads(&self) -> u64 {
        proc_status(self.child.id(), "Threads:")
    }

    /// Sends SIGTERM and waits (bounded) for the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(code) = self.child.try_wait().expect("wait") {
                return code.code();
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn proc_status(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = status
        .lines()
        .find(|l| l.starts_with(key))
        .expect("key in status");
    line[key.len()..]
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .expect("number")
}
