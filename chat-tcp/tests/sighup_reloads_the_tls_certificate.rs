//! Certificate renewal: SIGHUP reloads `--tls-cert` and `--tls-key`; new connections get
//! the new pair, established ones keep theirs and go on chatting, and a pair that fails to
//! load keeps the one in force and is reported once, on stderr and in server.txt. A FIFO
//! at the certificate's path (a read that would block for ever) is refused at start and at
//! reload, and never keeps SIGTERM from stopping the server.

mod support;
#[path = "../../chat-tls/tests/support/testcerts.rs"]
mod testcerts;
#[path = "support/tls.rs"]
mod tls;

use std::path::Path;
use std::process::{Command, Stdio};

use support::{Child, WAIT, temp_dir, wait_for};
use testcerts::TestCa;
use tls::{TlsClient, first_cert};

/// Reads stderr until a line containing `what`, and returns that line.
/// The real server serving the pair at `cert` and `key` over TLS on a free port; returns it
/// and its TLS address.
fn spawn_with_pair(name: &str, cert: &Path, key: &Path) -> (Child, std::net::SocketAddr) {
    let server = Child::spawn(
        name,
        &[
            "--tls-cert",
            cert.to_str().expect("path"),
            "--tls-key",
            key.to_str().expect("path"),
            "--tls-bind",
            "127.0.0.1:0",
        ],
    );
    let line = stderr_until(&server, "chat-tcp: listening with TLS on ");
    let addr = line
        .rsplit(' ')
        .next()
        .expect("addr")
        .parse()
        .expect("addr");
    (server, addr)
}

fn stderr_until(server: &Child, what: &str) -> String {
    let mut before = Vec::new();
    loop {
        match server.stderr.recv_timeout(WAIT) {
            Ok(line) if line.contains(what) => return line,
            Ok(line) => before.push(line),
            Err(_) => panic!("no {what:?} on stderr after {before:?}"),
        }
    }
}

#[test]
fn sighup_serves_the_new_pair_to_new_connections_and_keeps_the_old_on_a_bad_one() {
    let dir = temp_dir("tls-reload");
    let ca = TestCa::new(&dir);
    let a = ca.issue(&dir, "a");
    let b = ca.issue(&dir, "b");
    let (cert_a, cert_b) = (first_cert(&a.cert).to_vec(), first_cert(&b.cert).to_vec());
    // The files the server reads; certbot would renew them in place.
    let (cert, key) = (dir.join("live.crt"), dir.join("live.key"));
    std::fs::copy(&a.cert, &cert).expect("copy");
    std::fs::copy(&a.key, &key).expect("copy");
    let ca_pem = TestCa::pem_path(&dir);
    let (server, addr) = spawn_with_pair("tls-reload", &cert, &key);

    let mut alice = TlsClient::joining(addr, &ca_pem);
    assert_eq!(alice.server_cert(), cert_a);
    alice.send("Alice");
    assert!(alice.line().starts_with("[Server]: Welcome, Alice!"));
    alice.expect(&["[Server]: You are the admin."]);

    // Half a renewal: the new certificate next to the old key. Refused; A stays.
    std::fs::copy(&b.cert, &cert).expect("copy");
    server.hangup();
    let error = stderr_until(&server, "cannot reload the TLS certificate");
    assert!(error.contains("keeping the one in force"), "{error}");
    assert!(error.contains("are not a usable pair"), "{error}");
    let carol = TlsClient::joining(addr, &ca_pem);
    assert_eq!(carol.server_cert(), cert_a);
    drop(carol);

    // The whole renewal: B for new connections.
    std::fs::copy(&b.key, &key).expect("copy");
    server.hangup();
    stderr_until(&server, "reloaded the TLS certificate for new connections");
    let mut bob = TlsClient::joining(addr, &ca_pem);
    assert_eq!(bob.server_cert(), cert_b);
    bob.send("Bob");
    assert!(bob.line().starts_with("[Server]: Welcome, Bob!"));
    // Alice, still on A's session, chats with Bob on B's.
    alice.expect(&["[Server]: Bob has joined the chat."]);
    alice.send("still here after the renewal");
    assert_eq!(bob.line(), "Alice >> still here after the renewal");
    bob.send("hi Alice");
    alice.expect(&["Bob >> hi Alice"]);

    // The last record, written after the reloads' (the log is written in order).
    let read = || std::fs::read_to_string(&server.log).expect("log");
    wait_for("the last chat line in server.txt", || {
        read().contains("chat Bob: hi Alice")
    });
    let log = read();
    let failures: Vec<_> = log
        .lines()
        .filter(|l| l.contains("tls certificate not reloaded"))
        .collect();
    assert_eq!(failures.len(), 1, "{log}");
    assert!(failures[0].contains("are not a usable pair"), "{log}");
    assert_eq!(
        log.lines()
            .filter(|l| l.ends_with(" tls certificate reloaded"))
            .count(),
        1,
        "{log}"
    );
}

/// Puts a FIFO (with no writer) at `path`, in place of whatever was there.
fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo failed");
}

#[test]
fn a_fifo_at_the_certificate_path_is_refused_at_start() {
    let dir = temp_dir("tls-fifo-start");
    let ca = TestCa::new(&dir);
    let a = ca.issue(&dir, "a");
    let cert = dir.join("live.crt");
    mkfifo(&cert);
    let mut child = Command::new(env!("CARGO_BIN_EXE_chat-tcp"))
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
        .arg(&cert)
        .arg("--tls-key")
        .arg(&a.key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chat-tcp");
    let pid = child.id();
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut { stderr }, &mut text);
        let _ = tx.send((child.wait(), text));
    });
    let Ok((status, stderr)) = rx.recv_timeout(WAIT) else {
        // Not reaped yet (the waiting thread is still blocked), so the pid is the server's.
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        panic!("chat-tcp still running {WAIT:?} after starting with a FIFO as its certificate");
    };
    assert_eq!(status.expect("wait").code(), Some(2));
    assert_eq!(
        stderr,
        format!(
            "chat-tcp: error: {} is not a regular file (a FIFO)\n",
            cert.display()
        )
    );
}

#[test]
fn a_fifo_swapped_in_is_refused_at_reload_and_sigterm_still_stops_the_server() {
    let dir = temp_dir("tls-fifo-reload");
    let ca = TestCa::new(&dir);
    let a = ca.issue(&dir, "a");
    let cert_a = first_cert(&a.cert).to_vec();
    let (cert, key) = (dir.join("live.crt"), dir.join("live.key"));
    std::fs::copy(&a.cert, &cert).expect("copy");
    std::fs::copy(&a.key, &key).expect("copy");
    let ca_pem = TestCa::pem_path(&dir);
    let (mut server, addr) = spawn_with_pair("tls-fifo-reload", &cert, &key);

    mkfifo(&cert);
    server.hangup();
    let error = stderr_until(&server, "cannot reload the TLS certificate");
    assert!(error.contains("keeping the one in force"), "{error}");
    assert!(
        error.contains(&format!(
            "{} is not a regular file (a FIFO)",
            cert.display()
        )),
        "{error}"
    );
    // The pair in force is still served.
    let mut alice = TlsClient::joining(addr, &ca_pem);
    assert_eq!(alice.server_cert(), cert_a);
    alice.send("Alice");
    assert!(alice.line().starts_with("[Server]: Welcome, Alice!"));
    alice.expect(&["[Server]: You are the admin."]);

    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
    let rest = server.rest_of_stderr();
    assert!(
        rest.iter().all(|l| !l.contains("cannot reload")),
        "reported again: {rest:?}"
    );
    let log = std::fs::read_to_string(&server.log).expect("log");
    let failures: Vec<_> = log
        .lines()
        .filter(|l| l.contains("tls certificate not reloaded"))
        .collect();
    assert_eq!(failures.len(), 1, "{log}");
    assert!(
        failures[0].contains("is not a regular file (a FIFO)"),
        "{log}"
    );
}
