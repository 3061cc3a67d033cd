//! Helpers for the integration tests: the real server, the real binary over pipes, a raw
//! member, a scripted fake server and a tmux harness. Every wait has a 10 s deadline.
#![allow(dead_code)] // each test file uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// Every wait in these tests gives up after this long.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);

/// Poll interval for conditions that cannot be waited on directly (a tmux pane, an exit).
const POLL: Duration = Duration::from_millis(25);

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_chat-cli");

/// Starts the real server on an ephemeral port, logging into `dir`.
pub(crate) fn start_server(dir: &Path) -> chat_tcp::Server {
    let config = chat_tcp::ServerConfig {
        log_path: dir.join("server.txt"),
        ..chat_tcp::ServerConfig::default()
    };
    chat_tcp::Server::bind("127.0.0.1:0", config).expect("server binds")
}

/// Starts the real server with `cert` serving the line protocol over TLS at `tls_bind`
/// (`127.0.0.1:0`, or the address of a server that stopped) besides its plain port, logging
/// into `dir/<log>`.
pub(crate) fn start_tls_server(
    dir: &Path,
    log: &str,
    cert: &ServerCert,
    tls_bind: &str,
) -> chat_tcp::Server {
    start_tls_server_with(dir, log, cert, tls_bind, chatcore::Config::default())
}

/// [`start_tls_server`] with the room's limits in `room`.
pub(crate) fn start_tls_server_with(
    dir: &Path,
    log: &str,
    cert: &ServerCert,
    tls_bind: &str,
    room: chatcore::Config,
) -> chat_tcp::Server {
    let certs = chat_tls::Certs::load(&cert.cert, &cert.key).expect("the pair loads");
    let config = chat_tcp::ServerConfig {
        room,
        log_path: dir.join(log),
        tls: Some(certs),
        tls_bind: Some(tls_bind.to_owned()),
        ..chat_tcp::ServerConfig::default()
    };
    chat_tcp::Server::bind("127.0.0.1:0", config).expect("server binds")
}

/// Shuts the server down and waits for it.
pub(crate) fn stop_server(server: chat_tcp::Server) {
    server.shutdown();
    server.join().expect("server threads end cleanly");
}

/// Lines arriving from a reader thread, with deadline-bounded waits.
pub(crate) struct Lines {
    rx: Receiver<String>,
    seen: Vec<String>,
    what: String,
}

impl Lines {
    pub(crate) fn spawn(what: &str, source: impl Read + Send + 'static) -> Lines {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(source).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            rx,
            seen: Vec::new(),
            what: what.to_owned(),
        }
    }

    /// Waits for a line for which `pred` holds and returns it.
    pub(crate) fn wait_for(&mut self, desc: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{}: no line {desc} within {DEADLINE:?}; saw {:#?}",
                    self.what, self.seen
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "{}: stream ended before a line {desc}; saw {:#?}",
                    self.what, self.seen
                ),
            }
        }
    }

    /// Waits for exactly this line.
    pub(crate) fn expect(&mut self, want: &str) {
        self.wait_for(&format!("equal to {want:?}"), |l| l == want);
    }

    /// Waits for a line starting with `prefix` and returns it.
    pub(crate) fn expect_prefix(&mut self, prefix: &str) -> String {
        self.wait_for(&format!("starting with {prefix:?}"), |l| {
            l.starts_with(prefix)
        })
    }

    /// Waits for the end of the stream and returns every line seen.
    pub(crate) fn until_end(&mut self) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Disconnected) => return self.seen.clone(),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("{}: did not end; saw {:#?}", self.what, self.seen)
                }
            }
        }
    }

    /// Every line seen so far.
    pub(crate) fn seen(&self) -> &[String] {
        &self.seen
    }
}

/// A chat log's lines without their `2026-12-05 12:35:26+00:00 ` stamps, the session marks
/// (`--- ... ---`) left out.
pub(crate) fn logged_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|e| !e.starts_with("--- "))
        .map(|e| e.get(26..).unwrap_or(e))
        .collect()
}

/// The real `chat-cli` binary in plain mode over pipes.
pub(crate) struct PlainClient {
    child: Child,
    stdin: Option<ChildStdin>,
    pub(crate) out: Lines,
    pub(crate) err: Lines,
}

impl PlainClient {
    /// Starts `chat-cli --plain --host IP --port PORT ARGS...` in `cwd`.
    pub(crate) fn spawn(addr: SocketAddr, cwd: &Path, args: &[&str]) -> PlainClient {
        let (host, port) = (addr.ip().to_string(), addr.port().to_string());
        let mut all = vec!["--host", &host, "--port", &port];
        all.extend_from_slice(args);
        PlainClient::spawn_with(cwd, &all, &[])
    }

    /// Starts `chat-cli --plain ARGS...` in `cwd` with these environment variables.
    pub(crate) fn spawn_with(cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> PlainClient {
        let mut child = Command::new(BIN)
            .arg("--plain")
            .args(args)
            // The system roots are what the test says they are.
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .envs(env.iter().copied())
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chat-cli starts");
        let name = args.join(" ");
        let out = Lines::spawn(
            &format!("stdout of chat-cli {name}"),
            child.stdout.take().expect("piped stdout"),
        );
        let err = Lines::spawn(
            &format!("stderr of chat-cli {name}"),
            child.stderr.take().expect("piped stderr"),
        );
        PlainClient {
            stdin: child.stdin.take(),
            child,
            out,
            err,
        }
    }

    /// Types one line.
    pub(crate) fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}").expect("write to chat-cli's stdin");
        stdin.flush().expect("flush chat-cli's stdin");
    }

    /// Closes stdin (end of input).
    pub(crate) fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the process to exit.
    pub(crate) fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "chat-cli did not exit within {DEADLINE:?}; stdout {:#?}; stderr {:#?}",
                    self.out.seen(),
                    self.err.seen()
                );
            }
            thread::sleep(POLL);
        }
    }
}

impl Drop for PlainClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A member speaking raw protocol lines over TCP.
pub(crate) struct RawMember {
    stream: TcpStream,
    pub(crate) lines: Lines,
}

impl RawMember {
    /// Connects and joins as `nick`, waiting for the welcome.
    pub(crate) fn join(addr: SocketAddr, nick: &str) -> RawMember {
        let stream = TcpStream::connect(addr).expect("raw member connects");
        let reader = stream.try_clone().expect("clone stream");
        let mut member = RawMember {
            stream,
            lines: Lines::spawn(&format!("raw member {nick}"), reader),
        };
        member.send(nick);
        member
            .lines
            .expect_prefix(&format!("[Server]: Welcome, {nick}!"));
        member
    }

    pub(crate) fn send(&mut self, line: &str) {
        self.stream
            .write_all(format!("{line}\n").as_bytes())
            .expect("raw member writes");
    }
}

/// A scripted stand-in for a server: lets a test send what a real server never would.
pub(crate) struct FakeServer {
    listener: TcpListener,
}

/// One accepted connection to the fake server.
pub(crate) struct FakeConn {
    stream: TcpStream,
    pub(crate) lines: Lines,
}

impl FakeServer {
    pub(crate) fn bind() -> FakeServer {
        FakeServer {
            listener: TcpListener::bind("127.0.0.1:0").expect("fake server binds"),
        }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("fake server address")
    }

    /// Accepts the next connection (within the deadline).
    pub(crate) fn accept(&self) -> FakeConn {
        self.listener.set_nonblocking(true).expect("nonblocking");
        let deadline = Instant::now() + DEADLINE;
        let stream = loop {
            match self.listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    assert!(
                        Instant::now() < deadline,
                        "no connection within {DEADLINE:?}"
                    );
                    thread::sleep(POLL);
                }
                Err(e) => panic!("accept failed: {e}"),
            }
        };
        stream.set_nonblocking(false).expect("blocking stream");
        let reader = stream.try_clone().expect("clone stream");
        FakeConn {
            stream,
            lines: Lines::spawn("fake server connection", reader),
        }
    }
}

impl FakeConn {
    /// Sends raw bytes (no LF added).
    pub(crate) fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("fake server writes");
    }

    /// Sends one line.
    pub(crate) fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\n").as_bytes());
    }

    /// Plays the joining part of the protocol: prompt, nickname, welcome.
    pub(crate) fn welcome(&mut self) -> String {
        self.send("[Server]: Welcome to the open chat (0/10 online). Enter a nickname:");
        let nick = self.lines.wait_for("(a nickname)", |_| true);
        self.send(&format!(
            "[Server]: Welcome, {nick}! 1/10 online. Type /help for commands."
        ));
        nick
    }

    /// Writes chat lines in a thread as fast as the client takes them, until a write fails
    /// (the client closed); the thread returns how many it wrote.
    pub(crate) fn flood_forever(self) -> thread::JoinHandle<u64> {
        let mut stream = self.stream;
        thread::spawn(move || {
            let mut n = 0u64;
            loop {
                let mut chunk = String::new();
                for i in 0..100 {
                    chunk.push_str(&format!("Bob >> flood line {}\n", n + i));
                }
                if stream.write_all(chunk.as_bytes()).is_err() {
                    return n;
                }
                n += 100;
            }
        })
    }

    /// Closes the connection.
    pub(crate) fn close(self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// A tmux server of its own (`-L`), with one 100x30 pane running `sh`; killed on drop.
pub(crate) struct Tmux {
    socket: String,
    /// The socket file, removed on drop (`kill-server` leaves it behind).
    socket_path: Option<String>,
}

impl Tmux {
    /// Starts the pane in `cwd`. Fails the test (not skips) when tmux is missing.
    pub(crate) fn start(cwd: &Path) -> Tmux {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "chat-cli-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut tmux = Tmux {
            socket,
            socket_path: None,
        };
        let cwd = cwd.to_str().expect("utf-8 temp path");
        let status = Command::new("tmux")
            .args(["-L", &tmux.socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "100", "-y", "30", "-c", cwd, "sh"])
            .env("TERM", "xterm-256color")
            .env_remove("TMUX")
            .status();
        match status {
            Ok(status) => assert!(status.success(), "tmux new-session failed: {status}"),
            Err(e) => panic!(
                "terminal-mode tests need tmux ({e}); install it (apt-get install tmux; \
                 .ci/run does this)"
            ),
        }
        tmux.socket_path = Some(
            tmux.run(&["display-message", "-p", "#{socket_path}"])
                .trim_end()
                .to_owned(),
        );
        tmux.run(&["set-option", "-g", "status", "off"]);
        // Type nothing before the shell's prompt, or the tty echoes it ahead of the prompt.
        tmux.wait_for("the shell's prompt", |rows| {
            rows.iter().any(|r| !r.is_empty())
        });
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types a command line into the shell and presses Enter.
    pub(crate) fn type_line(&self, line: &str) {
        self.type_text(line);
        self.keys(&["Enter"]);
    }

    /// Starts the real client in the pane as Alice without a log, against a server on
    /// loopback `port`; the shell prints `EXITED <code>` when it ends.
    pub(crate) fn run_alice(&self, port: u16) {
        self.type_line(&format!(
            "{} --port {port} --nick Alice --no-log; echo EXITED $?",
            quoted(BIN.as_ref()),
        ));
    }

    /// Types text literally.
    pub(crate) fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "0", "-l", text]);
    }

    /// Pastes text as a terminal does (bracketed, line breaks as CR).
    pub(crate) fn paste(&self, text: &str) {
        self.run(&["set-buffer", "-b", "paste", "--", text]);
        self.run(&["paste-buffer", "-p", "-d", "-b", "paste", "-t", "0"]);
    }

    /// Resizes the window (and so the pane) to `width` columns.
    pub(crate) fn resize(&self, width: u16) {
        self.run(&["resize-window", "-t", "0", "-x", &width.to_string()]);
    }

    /// Presses keys by tmux name (`Enter`, `C-c`, `Left`).
    pub(crate) fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// The visible pane as text, one string per row (trailing spaces trimmed).
    pub(crate) fn capture(&self) -> Vec<String> {
        self.run(&["capture-pane", "-p", "-t", "0"])
            .lines()
            .map(|l| l.trim_end().to_owned())
            .collect()
    }

    /// The visible pane with its escape sequences (`capture-pane -e`).
    pub(crate) fn capture_escapes(&self) -> String {
        self.run(&["capture-pane", "-p", "-e", "-t", "0"])
    }

    /// A pane format variable, such as `#{pane_title}` or `#{alternate_on}`.
    pub(crate) fn format(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", "0", format])
            .trim_end()
            .to_owned()
    }

    /// Polls the pane until `pred` holds, returning the rows.
    pub(crate) fn wait_for(&self, desc: &str, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let rows = self.capture();
            if pred(&rows) {
                return rows;
            }
            if Instant::now() > deadline {
                panic!(
                    "pane never showed {desc} within {DEADLINE:?}:\n{}",
                    rows.join("\n")
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Polls until some row contains `text`.
    pub(crate) fn wait_for_text(&self, text: &str) -> Vec<String> {
        self.wait_for(&format!("{text:?}"), |rows| {
            rows.iter().any(|r| r.contains(text))
        })
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The last non-empty row: the input line while the client runs.
pub(crate) fn last_row(rows: &[String]) -> &str {
    rows.iter()
        .rev()
        .find(|r| !r.is_empty())
        .map_or("", String::as_str)
}

/// Shell-quotes a path for a command line typed into the pane.
pub(crate) fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// A certificate authority made for one test (rcgen), writing PEM files into a directory.
pub(crate) struct TestCa {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    /// Its certificate, for `--ca`.
    pub(crate) pem: std::path::PathBuf,
}

/// A server certificate and its key, as PEM files.
pub(crate) struct ServerCert {
    pub(crate) cert: std::path::PathBuf,
    pub(crate) key: std::path::PathBuf,
}

impl TestCa {
    /// A new CA named `name`; its certificate is written to `dir/<name>.pem`.
    pub(crate) fn new(dir: &Path, name: &str) -> TestCa {
        let key = rcgen::KeyPair::generate().expect("CA key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let cert = params.self_signed(&key).expect("CA self-signs");
        let pem = dir.join(format!("{name}.pem"));
        std::fs::write(&pem, cert.pem()).expect("write the CA certificate");
        TestCa {
            issuer: rcgen::Issuer::new(params, key),
            pem,
        }
    }

    /// A server certificate for `names` (DNS names or IP addresses), written to
    /// `dir/<stem>.pem` and `dir/<stem>-key.pem`.
    pub(crate) fn server_cert(&self, dir: &Path, stem: &str, names: &[&str]) -> ServerCert {
        self.server_cert_with(dir, stem, names, |_| {})
    }

    /// [`TestCa::server_cert`] with `edit` applied to its parameters (validity dates).
    pub(crate) fn server_cert_with(
        &self,
        dir: &Path,
        stem: &str,
        names: &[&str],
        edit: impl FnOnce(&mut rcgen::CertificateParams),
    ) -> ServerCert {
        let key = rcgen::KeyPair::generate().expect("server key");
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = rcgen::CertificateParams::new(names).expect("server params");
        edit(&mut params);
        let cert = params.signed_by(&key, &self.issuer).expect("CA signs");
        let files = ServerCert {
            cert: dir.join(format!("{stem}.pem")),
            key: dir.join(format!("{stem}-key.pem")),
        };
        std::fs::write(&files.cert, cert.pem()).expect("write the server certificate");
        std::fs::write(&files.key, key.serialize_pem()).expect("write the server key");
        files
    }
}

impl ServerCert {
    /// A self-signed certificate for `names`, written to `dir/<stem>.pem` and
    /// `dir/<stem>-key.pem`; `ca` makes it a CA's (`CA:TRUE`, as `openssl req -x509` does).
    pub(crate) fn self_signed(dir: &Path, stem: &str, names: &[&str], ca: bool) -> ServerCert {
        let key = rcgen::KeyPair::generate().expect("key");
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = rcgen::CertificateParams::new(names).expect("params");
        if ca {
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        }
        let cert = params.self_signed(&key).expect("self-signed");
        let files = ServerCert {
            cert: dir.join(format!("{stem}.pem")),
            key: dir.join(format!("{stem}-key.pem")),
        };
        std::fs::write(&files.cert, cert.pem()).expect("write the certificate");
        std::fs::write(&files.key, key.serialize_pem()).expect("write the key");
        files
    }
}

/// Debian's `openssl s_server` on an ephemeral loopback port: what it prints (the client's
/// lines among its own reports) and a stdin whose lines it sends to the client. Killed on drop.
pub(crate) struct OpensslServer {
    child: Child,
    stdin: ChildStdin,
    pub(crate) port: u16,
    pub(crate) out: Lines,
}

impl OpensslServer {
    /// Starts `openssl s_server` with this certificate; fails the test (not skips) when
    /// openssl is missing.
    pub(crate) fn start(cert: &ServerCert) -> OpensslServer {
        // Line-buffered, so its own reports (`SSL_do_handshake -> 1` after a key update)
        // arrive when they happen.
        let mut child = Command::new("stdbuf")
            .args(["-oL", "openssl", "s_server", "-accept", "127.0.0.1:0"])
            .arg("-cert")
            .arg(&cert.cert)
            .arg("-key")
            .arg(&cert.key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("TLS tests need openssl ({e}); install it (apt-get install openssl)")
            });
        let mut out = Lines::spawn(
            "openssl s_server",
            child.stdout.take().expect("piped stdout"),
        );
        let accept = out.expect_prefix("ACCEPT ");
        let port = accept
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {accept:?}"));
        OpensslServer {
            stdin: child.stdin.take().expect("piped stdin"),
            child,
            port,
            out,
        }
    }

    /// Sends one line to the connected client (a line `q` closes the connection and `K`
    /// sends a key update that asks for one back: s_server's commands).
    pub(crate) fn send(&mut self, line: &str) {
        // One write: `writeln!` on a pipe writes the line and its LF apart, and s_server,
        // which takes a command only from a read of `K\n` whole, could read `K` alone
        // and send it as data (the key update test then waited in vain, about 1 run in 10).
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .expect("write to s_server's stdin");
        self.stdin.flush().expect("flush s_server's stdin");
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
