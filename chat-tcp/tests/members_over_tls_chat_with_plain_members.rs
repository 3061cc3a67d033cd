//! The line protocol over TLS through the real binary (`--tls-cert`, `--tls-key`,
//! `--tls-bind`), with certificates made in the test: a TLS member and a plain member chat
//! in one room, `openssl s_client` joins from outside, a handshake that stalls is closed at
//! the nickname deadline and counts as waiting, plain text instead of a ClientHello is told
//! so in one line and a broken handshake is closed while the server goes on, a refusal made
//! before the handshake ends (too many connections from one address) is read after it, a bad
//! pair stops the start with exit 2, and the web page is served over https to a real
//! headless chromium whose WebSocket is wss.

#[path = "../../chat-web/tests/support/browser.rs"]
mod browser;
mod support;
#[path = "../../chat-tls/tests/support/testcerts.rs"]
mod testcerts;
#[path = "support/tls.rs"]
mod tls;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};

use support::{Child, Client, WAIT, temp_dir, wait_for};
use testcerts::{Issued, TestCa};
use tls::TlsClient;

/// The real server with TLS on a free port; returns it and its TLS address.
fn spawn_tls(name: &str, pair: &Issued, extra: &[&str]) -> (Child, SocketAddr) {
    let (cert, key) = (
        pair.cert.to_str().expect("path"),
        pair.key.to_str().expect("path"),
    );
    let mut args = vec![
        "--tls-cert",
        cert,
        "--tls-key",
        key,
        "--tls-bind",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(extra);
    let server = Child::spawn(name, &args);
    let addr = tls_addr(&server);
    (server, addr)
}

/// Reads the server's stderr up to the line saying where TLS listens.
fn tls_addr(server: &Child) -> SocketAddr {
    loop {
        let line = server.stderr.recv_timeout(WAIT).expect("the TLS address");
        if let Some(addr) = line.strip_prefix("chat-tcp: listening with TLS on ") {
            return addr.parse().expect("address");
        }
    }
}

#[test]
fn a_tls_member_and_a_plain_member_chat_in_one_room() {
    let dir = temp_dir("tls-chat");
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let ca_pem = TestCa::pem_path(&dir);
    let (server, tls_addr) = spawn_tls("tls-chat", &pair, &[]);

    let mut alice = TlsClient::joining(tls_addr, &ca_pem);
    assert_eq!(alice.server_cert(), tls::first_cert(&pair.cert).to_vec());
    alice.send("Alice");
    alice.expect(&[
        "[Server]: Welcome, Alice! 1/10 online. Type /help for commands.",
        "[Server]: You are the admin.",
    ]);
    let mut bob = Client::joined(server.addr, "Bob");
    alice.expect(&["[Server]: Bob has joined the chat."]);
    alice.send("안녕 Bob, this crossed the internet encrypted 🔒");
    assert_eq!(
        bob.line(),
        "Alice >> 안녕 Bob, this crossed the internet encrypted 🔒"
    );
    bob.send("/whisper Alice psst");
    alice.expect(&["[Whisper from Bob] psst"]);
    bob.expect(&["[Whisper to Alice] psst"]);
    // A line long enough for several TLS records, and many lines at once, arrive whole and
    // in order.
    let long = "x".repeat(4000);
    bob.send(&long);
    // (Within the flood limit's burst of 20.)
    let burst: String = (0..15).map(|i| format!("line {i}\n")).collect();
    bob.send_raw(burst.as_bytes());
    assert_eq!(alice.line(), format!("Bob >> {long}"));
    for i in 0..15 {
        assert_eq!(alice.line(), format!("Bob >> line {i}"));
    }
    alice.send("/quit");
    assert_eq!(alice.expect_closed(), ["[Server]: Bye, Alice."]);
    bob.expect(&[
        "[Server]: Alice has left the chat.",
        "[Server]: Bob is now the admin.",
    ]);
}

#[test]
fn openssl_s_client_joins_over_tls() {
    let dir = temp_dir("tls-openssl");
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let (server, tls_addr) = spawn_tls("tls-openssl", &pair, &[]);
    let mut bob = Client::first_member(server.addr, "Bob");

    let ca_pem = TestCa::pem_path(&dir);
    let mut openssl = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-verify_return_error",
            "-verify_hostname",
        ])
        .args(["localhost", "-connect", &tls_addr.to_string(), "-CAfile"])
        .arg(&ca_pem)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_client (Debian: apt-get install openssl; scripts/test installs it)");
    let killer = Killed(openssl.id());
    let mut input = openssl.stdin.take().expect("stdin");
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = openssl.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || rx.recv_timeout(WAIT).expect("a line from s_client");
    assert_eq!(
        next(),
        "[Server]: Welcome to the open chat (1/10 online). Enter a nickname:"
    );
    input.write_all(b"Carol\n").expect("write");
    assert_eq!(
        next(),
        "[Server]: Welcome, Carol! 2/10 online. Type /help for commands."
    );
    bob.expect(&["[Server]: Carol has joined the chat."]);
    input
        .write_all("hi from openssl 🙂\n".as_bytes())
        .expect("write");
    assert_eq!(bob.line(), "Carol >> hi from openssl 🙂");
    bob.send("welcome, Carol");
    assert_eq!(next(), "Bob >> welcome, Carol");
    input.write_all(b"/quit\n").expect("write");
    assert_eq!(next(), "[Server]: Bye, Carol.");
    // The server closed the session: s_client ends on its own.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(openssl.wait());
    });
    let status = rx
        .recv_timeout(WAIT)
        .expect("s_client exits")
        .expect("wait");
    assert!(status.success(), "{status}");
    drop(killer);
    bob.expect(&["[Server]: Carol has left the chat."]);
}

/// Kills a child process by id on drop, however the test ends.
struct Killed(u32);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", &self.0.to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

/// The alert a session closed before its handshake ends with: close_notify, in the clear.
const CLOSE_NOTIFY: &[u8] = &[0x15, 3, 3, 0, 2, 1, 0];

/// Asserts the server closes `stream`, whose handshake never ended, with no line (a peer
/// without a session cannot read one): `close_notify` and the end, or a reset.
fn expect_closed_before_a_handshake(stream: &mut TcpStream) {
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => assert_eq!(rest, CLOSE_NOTIFY),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
}

#[test]
fn a_stalled_handshake_waits_like_any_nickname_prompt_and_is_freed() {
    let dir = temp_dir("tls-stall");
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let (server, tls_addr) = spawn_tls("tls-stall", &pair, &["--nick-timeout", "1"]);

    // Opens TCP and sends half a ClientHello, then nothing.
    let mut stalled = TcpStream::connect(tls_addr).expect("connect");
    stalled
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .expect("write");
    wait_for("the stalled handshake's threads", || {
        server.connection_threads() == 2
    });
    // Closed at the nickname deadline.
    expect_closed_before_a_handshake(&mut stalled);
    wait_for("the threads to end", || server.connection_threads() == 0);
    let log = std::fs::read_to_string(&server.log).expect("log");
    assert!(
        log.contains(" refused c1: No nickname chosen in time. Bye.\n"),
        "{log}"
    );
}

#[test]
fn a_stalled_handshake_counts_against_the_waiting_cap() {
    let dir = temp_dir("tls-pending");
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let (server, tls_addr) = spawn_tls("tls-pending", &pair, &["--max-pending", "1"]);
    let mut stalled = TcpStream::connect(tls_addr).expect("connect");
    wait_for("the stalled handshake's threads", || {
        server.connection_threads() == 2
    });
    // One more waiting connection: the older one, the stalled handshake, makes way.
    let mut carol = Client::joining(server.addr);
    expect_closed_before_a_handshake(&mut stalled);
    carol.send("Carol");
    assert!(carol.line().starts_with("[Server]: Welcome, Carol!"));
}

#[test]
fn a_refusal_over_tls_is_told_after_the_handshake_every_time() {
    let dir = temp_dir("tls-refused");
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let ca_pem = TestCa::pem_path(&dir);
    let (server, tls_addr) = spawn_tls(
        "tls-refused",
        &pair,
        &["--no-loopback-exemption", "--max-per-ip", "1"],
    );
    // The address's one place, held over plain TCP.
    let _held = Client::joining(server.addr);
    // The hall refuses each TLS newcomer at once, before its handshake ends: the line waits
    // for the handshake and arrives, then the close (it once came as a bare close).
    for attempt in 0..20 {
        let mut refused = TlsClient::connect(tls_addr, &ca_pem);
        assert_eq!(
            refused.expect_closed(),
            ["[Server]: Too many connections from your address (max 1). Bye."],
            "attempt {attempt}"
        );
    }
}

#[test]
fn plain_text_is_told_in_the_clear_garbage_gets_an_alert_and_the_server_goes_on() {
    let dir = temp_dir("tls-garbage");
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let ca_pem = TestCa::pem_path(&dir);
    let (server, tls_addr) = spawn_tls("tls-garbage", &pair, &[]);
    // Plain text (`nc` to the TLS port: a nickname, an HTTP request, a Korean nickname)
    // is told so in the clear, one line and nothing after it: no TLS alert, whose bytes
    // would reach a terminal as control characters.
    for plain in [
        "Alice\n".as_bytes(),
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "개똥이\n".as_bytes(),
    ] {
        let mut peer = TcpStream::connect(tls_addr).expect("connect");
        peer.set_read_timeout(Some(WAIT)).expect("timeout");
        peer.write_all(plain).expect("write");
        let mut reply = Vec::new();
        peer.read_to_end(&mut reply)
            .expect("the line, then the end");
        assert_eq!(
            String::from_utf8_lossy(&reply),
            "[Server]: This port speaks TLS: connect with chat-cli --tls or openssl s_client. Bye.\n",
            "{plain:?}"
        );
    }
    // A broken handshake record: a TLS alert (fatal), never a line.
    let mut peer = TcpStream::connect(tls_addr).expect("connect");
    peer.set_read_timeout(Some(WAIT)).expect("timeout");
    peer.write_all(&[0x16, 3, 3, 0xff, 0xff, 1]).expect("write");
    let mut reply = Vec::new();
    let ended = peer.read_to_end(&mut reply);
    assert_eq!(
        reply.get(..6),
        Some(&[0x15, 3, 3, 0, 2, 2][..]),
        "{reply:?} {ended:?}"
    );
    assert_eq!(reply.len(), 7, "{reply:?}");
    wait_for("the threads to end", || server.connection_threads() == 0);
    let mut alice = TlsClient::joining(tls_addr, &ca_pem);
    alice.send("Alice");
    assert!(
        alice
            .line()
            .starts_with("[Server]: Welcome, Alice! 1/10 online.")
    );
}

#[test]
fn a_missing_or_mismatched_pair_stops_the_start_with_exit_2() {
    let dir = temp_dir("tls-start");
    let ca = TestCa::new(&dir);
    let a = ca.issue(&dir, "a");
    let b = ca.issue(&dir, "b");
    let missing = dir.join("missing.pem");
    let run = |cert: &Path, key: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
            .args([
                "--bind",
                "127.0.0.1:0",
                "--web",
                "none",
                "--tls-bind",
                "127.0.0.1:0",
            ])
            .arg("--log")
            .arg(dir.join("server.txt"))
            .arg("--tls-cert")
            .arg(cert)
            .arg("--tls-key")
            .arg(key)
            .stdin(Stdio::null())
            .output()
            .expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&missing, &a.key);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with(&format!(
            "chat-tcp: error: cannot read {}: ",
            missing.display()
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let (code, stderr) = run(&a.cert, &b.key);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with(&format!(
            "chat-tcp: error: {} and {} are not a usable pair: ",
            a.cert.display(),
            b.key.display()
        )),
        "{stderr}"
    );
    // One of the pair alone is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
        .args(["--web", "none", "--tls-cert"])
        .arg(&a.cert)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--tls-key <PATH>"), "{stderr}");
}

#[test]
fn a_browser_on_https_and_wss_chats_with_a_tls_line_member() {
    let dir = temp_dir("tls-browser");
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let ca_pem = TestCa::pem_path(&dir);
    let (server, tls_addr) = spawn_tls("tls-browser", &pair, &["--web", "127.0.0.1:0"]);
    let web = loop {
        let line = server.stderr.recv_timeout(WAIT).expect("the web address");
        if let Some(url) = line.strip_prefix("chat-tcp: web page on ") {
            break url.to_owned();
        }
    };
    assert!(web.starts_with("https://127.0.0.1:"), "{web}");
    // The page over plain http is not served: the listener speaks TLS only, and a plain
    // request is told so in plain HTTP (not a TLS alert it cannot read).
    let mut plain = TcpStream::connect(web.trim_start_matches("https://").trim_end_matches('/'))
        .expect("connect");
    plain.set_read_timeout(Some(WAIT)).expect("timeout");
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    let mut reply = Vec::new();
    let _ = plain.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{reply}");
    assert!(
        reply.ends_with(
            "\r\n\r\nThis port speaks https: open the page with https:// instead of http://.\n"
        ),
        "{reply}"
    );
    assert!(!reply.contains("<html"), "{reply}");

    let mut bob = TlsClient::joining(tls_addr, &ca_pem);
    bob.send("Bob");
    assert!(bob.line().starts_with("[Server]: Welcome, Bob!"));
    bob.expect(&["[Server]: You are the admin."]);
    // Chromium trusts this one key, not every certificate.
    let trust = format!("--ignore-certificate-errors-spki-list={}", pair.spki_sha256);
    let mut b = browser::Browser::launch_with(&[trust]);
    b.open(&web);
    b.wait_for_prefix("[Server]: Welcome to the open chat (1/10 online).");
    assert_eq!(
        b.eval("location.protocol"),
        serde_json::Value::String("https:".into())
    );
    b.type_line("개똥이");
    b.wait_for_prefix("[Server]: Welcome, 개똥이! 2/10 online.");
    bob.expect(&["[Server]: 개똥이 has joined the chat."]);
    b.type_line("over wss 🔒");
    bob.expect(&["개똥이 >> over wss 🔒"]);
    bob.send("and back over TLS");
    b.wait_for_line("Bob >> and back over TLS");
    b.assert_no_errors();
}
