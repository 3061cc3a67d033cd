//! Certificate renewal: SIGHUP reloads `--tls-cert` and `--tls-key`; new connections get
//! the new pair, established ones keep theirs and go on chatting, and a pair that fails to
//! load keeps the one in force and is reported once, on stderr and in server.txt.

mod support;
#[path = "../../chat-tls/tests/support/testcerts.rs"]
mod testcerts;
#[path = "support/tls.rs"]
mod tls;

use support::{Child, WAIT, temp_dir, wait_for};
use testcerts::TestCa;
use tls::{TlsClient, first_cert};

/// Reads stderr until a line containing `what`, and returns that line.
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
    let server = Child::spawn(
        "tls-reload",
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
