//! Shared helpers for the server's integration tests: a real server on 127.0.0.1:0 and raw
//! line clients with bounded waits.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use chat_tcp::{Server, ServerConfig};

/// The longest any test waits for one expected event.
pub const WAIT: Duration = Duration::from_secs(10);

/// A fresh empty directory under the system temp dir, removed on drop unless the test is
/// failing (then it is kept, with its server.txt, for a look).
pub struct TempDir(PathBuf);

impl Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Tell where the evidence is: the panic message does not say.
            eprintln!("kept {} for the failing test", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Creates a [`TempDir`] named after the test.
pub fn temp_dir(name: &str) -> TempDir {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "chat-tcp-test-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    TempDir(dir)
}

/// A running server with its log in a temp dir (removed on drop when the test passed).
pub struct TestServer {
    pub server: Option<Server>,
    pub addr: SocketAddr,
    pub log: PathBuf,
    /// Dropped after `Drop::drop` has stopped the server, so the log is complete first.
    _dir: TempDir,
}

impl TestServer {
    pub fn start(name: &str) -> TestServer {
        Self::with(name, |_| {})
    }

    pub fn with(name: &str, tweak: impl FnOnce(&mut ServerConfig)) -> TestServer {
        let dir = temp_dir(name);
        let log = dir.join("server.txt");
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
            _dir: dir,
        }
    }

    /// Connects and reads the nickname prompt.
    pub fn connect(&self) -> Client {
        Client::joining(self.addr)
    }

    /// Connects and joins as `nick`, reading the welcome line.
    pub fn join(&self, nick: &str) -> Client {
        Client::joined(self.addr, nick)
    }

    /// Shuts the server down and waits; the log is complete afterwards. Members still
    /// connected are told and closed, which costs the writers' linger (up to 500 ms) when
    /// they do not close their side: drop clients the test no longer needs first.
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
        Self::from_stream(TcpStream::connect(addr).expect("connect"))
    }

    /// Connects with a fixed receive buffer of `size` bytes (no autotuning).
    pub fn connect_with_rcvbuf(addr: SocketAddr, size: usize) -> Client {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        socket.set_recv_buffer_size(size).expect("rcvbuf");
        socket.connect(&addr.into()).expect("connect");
        Self::from_stream(socket.into())
    }

    /// Connects from the local address `from` (any of 127.0.0.0/8 works on loopback, so a
    /// test can be "another host").
    pub fn connect_from(from: IpAddr, addr: SocketAddr) -> Client {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        socket
            .bind(&SocketAddr::new(from, 0).into())
            .expect("bind the client's address");
        socket.connect(&addr.into()).expect("connect");
        Self::from_stream(socket.into())
    }

    fn from_stream(stream: TcpStream) -> Client {
        stream.set_read_timeout(Some(WAIT)).expect("timeout");
        // Every write leaves at once: two writes in a row (a text, then its newline) would
        // otherwise wait for the server's delayed ACK (Nagle), 40 ms each.
        stream.set_nodelay(true).expect("nodelay");
        let reader = BufReader::new(stream.try_clone().expect("clone"));
        Client { stream, reader }
    }

    /// Connects and reads the nickname prompt.
    pub fn joining(addr: SocketAddr) -> Client {
        let mut c = Client::connect(addr);
        let prompt = c.line();
        assert!(
            prompt.starts_with("[Server]: Welcome to the open chat"),
            "{prompt}"
        );
        c
    }

    /// Connects and joins as `nick`, reading the welcome line.
    pub fn joined(addr: SocketAddr, nick: &str) -> Client {
        let mut c = Client::joining(addr);
        c.send(nick);
        let welcome = c.line();
        assert!(
            welcome.starts_with(&format!("[Server]: Welcome, {nick}!")),
            "{welcome}"
        );
        c
    }

    /// Joins an empty room of 10 as `nick`: the exact welcome, then the admin line.
    pub fn first_member(addr: SocketAddr, nick: &str) -> Client {
        let mut c = Client::connect(addr);
        c.line();
        c.send(nick);
        let welcome = format!("[Server]: Welcome, {nick}! 1/10 online. Type /help for commands.");
        c.expect(&[&welcome, "[Server]: You are the admin."]);
        c
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

    /// The next line, waiting at most `within` (for an event at a known later time).
    pub fn line_within(&mut self, within: Duration) -> String {
        self.stream.set_read_timeout(Some(within)).expect("timeout");
        let line = self.line();
        self.stream.set_read_timeout(Some(WAIT)).expect("timeout");
        line
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

    /// Reads lines until one starts with `prefix`; returns that line.
    pub fn until_prefix(&mut self, prefix: &str) -> String {
        loop {
            let l = self.line();
            if l.starts_with(prefix) {
                return l;
            }
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

    /// Reads everything left, buffered bytes included, until the server has closed the
    /// connection (end of stream or a reset); panics if it is still open after `within`.
    /// Returns the bytes read.
    pub fn read_until_closed(&mut self, within: Duration) -> Vec<u8> {
        let deadline = Instant::now() + within;
        let mut got = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "still open after {within:?} ({} bytes read)",
                got.len()
            );
            self.stream.set_read_timeout(Some(left)).expect("timeout");
            match self.reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => panic!(
                    "still open after {within:?}: {e} ({} bytes read)",
                    got.len()
                ),
            }
        }
        self.stream.set_read_timeout(Some(WAIT)).expect("timeout");
        got
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

/// A server's stderr, line by line, read by a thread of its own.
pub fn stderr_lines(stderr: std::process::ChildStderr) -> std::sync::mpsc::Receiver<String> {
    let stderr = BufReader::new(stderr);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Reads a server's stderr until it says where it listens (bounded by `WAIT`).
pub fn listening_addr(stderr: &std::sync::mpsc::Receiver<String>) -> SocketAddr {
    let deadline = Instant::now() + WAIT;
    loop {
        let line = stderr
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("server did not start");
        if let Some(rest) = line.trim().strip_prefix("chat-tcp: listening on ") {
            let (addr, how) = rest.split_once(' ').expect("address and how to stop");
            // Says its pid and how to stop it (closing the terminal does not).
            let pid = how
                .strip_prefix("(pid ")
                .and_then(|p| p.split_once(';'))
                .map(|(pid, _)| pid)
                .expect("pid");
            assert_eq!(
                how,
                format!(
                    "(pid {pid}; stop it with Ctrl-C or kill {pid}: closing the terminal does not)"
                ),
                "{line}"
            );
            return addr.parse().expect("socket address");
        }
    }
}

/// Waits until `cond` holds (re-checked every millisecond); panics after `WAIT`. Only for
/// state no event announces (a thread exiting in the server, a kernel socket queue); the
/// caller says why there is no event to wait on.
pub fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The kernel queues of the TCP socket of this machine going from `local` to `remote`, from
/// /proc/net/tcp: (bytes sent but not acknowledged by the peer, bytes received but not yet
/// read by the socket's owner). `None` if there is no such socket. IPv4 only.
pub fn tcp_queues(local: SocketAddr, remote: SocketAddr) -> Option<(u64, u64)> {
    fn hex(addr: SocketAddr) -> String {
        let IpAddr::V4(ip) = addr.ip() else {
            panic!("IPv4 only: {addr}");
        };
        // The kernel prints the address as a native-endian u32 of the network-order bytes.
        format!(
            "{:08X}:{:04X}",
            u32::from_ne_bytes(ip.octets()),
            addr.port()
        )
    }
    let (local, remote) = (hex(local), hex(remote));
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.get(1) != Some(&local.as_str()) || fields.get(2) != Some(&remote.as_str()) {
            return None;
        }
        let (tx, rx) = fields.get(4)?.split_once(':')?;
        Some((
            u64::from_str_radix(tx, 16).ok()?,
            u64::from_str_radix(rx, 16).ok()?,
        ))
    })
}

/// The real server binary as a child process, killed on drop.
pub struct Child {
    /// `None` once [`Child::terminate`] has handed it to its waiting thread.
    child: Option<std::process::Child>,
    pid: u32,
    pub addr: SocketAddr,
    pub log: PathBuf,
    pub stderr: std::sync::mpsc::Receiver<String>,
    /// Removed after the process is gone (fields drop after `Drop::drop`).
    _dir: Option<TempDir>,
}

impl Child {
    /// Starts `chat-tcp --bind 127.0.0.1:0 --log <temp>/server.txt --web none <extra>` (no
    /// `--web none` when `extra` has a `--web`) and waits for it to listen.
    pub fn spawn(name: &str, extra: &[&str]) -> Child {
        let dir = temp_dir(name);
        let mut child = Self::spawn_with_log(dir.join("server.txt"), extra);
        child._dir = Some(dir);
        child
    }

    pub fn spawn_with_log(log: PathBuf, extra: &[&str]) -> Child {
        use std::process::{Command, Stdio};
        // No web page unless `extra` asks for one.
        let web = if extra.contains(&"--web") {
            &[][..]
        } else {
            &["--web", "none"]
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
            .args(["--bind", "127.0.0.1:0", "--log"])
            .arg(&log)
            .args(web)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chat-tcp");
        let rx = stderr_lines(child.stderr.take().expect("stderr"));
        let addr = listening_addr(&rx);
        let child = Child {
            pid: child.id(),
            child: Some(child),
            addr,
            log,
            stderr: rx,
            _dir: None,
        };
        // The signal thread is started just after the line above: wait for it, so that
        // `threads()` only changes with connections from now on. A thread's start is
        // announced nowhere, so /proc is polled.
        wait_for("the server's signal thread", || {
            child.thread_names().iter().any(|n| n == "signals")
        });
        child
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Resident memory of the server in KiB.
    pub fn rss_kib(&self) -> u64 {
        proc_status(self.pid, "VmRSS:")
    }

    /// Threads of the server.
    pub fn threads(&self) -> u64 {
        proc_status(self.pid, "Threads:")
    }

    /// The names of the server's threads.
    pub fn thread_names(&self) -> Vec<String> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.pid)).expect("proc tasks");
        tasks
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .map(|n| n.trim_end().to_owned())
            .collect()
    }

    /// The server's connection threads (a reader and a writer per connection served).
    pub fn connection_threads(&self) -> usize {
        self.thread_names()
            .iter()
            .filter(|n| *n == "chat-reader" || *n == "chat-writer")
            .count()
    }

    /// Sends SIGTERM and waits (bounded by `WAIT`) for the exit: returns the exit code and
    /// the time from sending the signal to seeing the exit. A thread blocks in `wait()` and
    /// reports on a channel, so the exit is seen as it happens, not at the next poll.
    pub fn terminate(&mut self) -> (Option<i32>, Duration) {
        let mut child = self.child.take().expect("terminate called twice");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        // Taken before `kill` runs, so the measured time is never shorter than the real one.
        let sent = Instant::now();
        let status = self.signal("-TERM");
        assert!(status.success(), "kill -TERM failed: {status}");
        match rx.recv_timeout(WAIT) {
            Ok(status) => (status.expect("wait").code(), sent.elapsed()),
            Err(_) => {
                // Not reaped yet (the waiting thread is still blocked), so the pid is ours.
                let _ = self.signal("-KILL");
                panic!("server did not exit within {WAIT:?} of SIGTERM");
            }
        }
    }

    /// `kill -9`: the server dies at once, without a word or a flush; waits for the exit.
    pub fn kill_hard(&mut self) {
        let mut child = self.child.take().expect("kill_hard called twice");
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");
    }

    /// Every stderr line not read yet, once the process has exited (after
    /// [`Child::terminate`]); bounded by `WAIT` in case the pipe outlives it.
    pub fn rest_of_stderr(&self) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        let mut lines = Vec::new();
        while let Ok(line) = self
            .stderr
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            lines.push(line);
        }
        lines
    }

    /// Sends SIGHUP (reopen the log) and waits for the server to say it took it.
    pub fn hangup(&self) {
        let status = self.signal("-HUP");
        assert!(status.success(), "kill -HUP failed: {status}");
        let deadline = Instant::now() + WAIT;
        loop {
            let line = self
                .stderr
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("no word of the reopen on stderr");
            if line.contains("reopening the server log") {
                return;
            }
        }
    }

    fn signal(&self, sig: &str) -> std::process::ExitStatus {
        std::process::Command::new("kill")
            .args([sig, &self.pid.to_string()])
            .status()
            .expect("run kill")
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
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
