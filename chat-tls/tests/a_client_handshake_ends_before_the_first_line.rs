//! `TlsStream::complete_handshake` on a client stream: with a certificate it trusts, the
//! session is established before any line and the first line then crosses; with one it does
//! not trust, the refusal is the rustls error itself (for a client to explain); a peer that
//! closes during the handshake is `UnexpectedEof`; one that never answers ends at the
//! socket's read timeout.

#[path = "support/testcerts.rs"]
mod testcerts;
#[path = "support/tls_client.rs"]
mod tls_client;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::Duration;

use chat_tls::{Certs, TlsStream};
use rustls::CertificateError;
use testcerts::TestCa;
use tls_client::{client, temp_dir};

const WAIT: Duration = Duration::from_secs(10);

/// A server in a thread with a certificate from a new CA (written to `dir/ca.pem`): it
/// accepts one connection and runs `talk` on its session.
fn serve<T: Send + 'static>(
    name: &str,
    talk: impl FnOnce(TlsStream) -> T + Send + 'static,
) -> (PathBuf, SocketAddr, JoinHandle<T>) {
    let dir = temp_dir(name);
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let certs = Certs::load(&pair.cert, &pair.key).expect("certs");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().expect("accept");
        tcp.set_read_timeout(Some(WAIT)).expect("timeout");
        talk(certs.accept(tcp).expect("server session"))
    });
    (dir, addr, server)
}

#[test]
fn a_trusted_server_is_established_before_the_first_line() {
    let (dir, addr, server) = serve("trusted", |tls| {
        // The server speaks first, as the chat does: its line may come with the handshake's
        // last flight, and must still reach the client's reader.
        (&tls).write_all(b"welcome\n").expect("welcome");
        let mut got = String::new();
        BufReader::new(&tls).read_line(&mut got).expect("read");
        got
    });
    let client = client(addr, &TestCa::pem_path(&dir));
    assert!(client.is_handshaking());
    client.complete_handshake().expect("handshake");
    assert!(!client.is_handshaking());
    let mut got = String::new();
    BufReader::new(&client).read_line(&mut got).expect("read");
    assert_eq!(got, "welcome\n");
    (&client).write_all(b"hello\n").expect("hello");
    assert_eq!(server.join().expect("server"), "hello\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_untrusted_certificate_is_the_rustls_error() {
    // The client trusts another certificate only (a self-signed one under another name).
    let other = temp_dir("untrusted-other");
    let stranger =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("self-signed");
    std::fs::write(TestCa::pem_path(&other), stranger.cert.pem()).expect("write");
    let (dir, addr, server) = serve("untrusted", |tls| {
        let mut buf = [0u8; 16];
        // The client's alert ends the server's session.
        (&tls).read(&mut buf).err().map(|e| e.to_string())
    });
    let client = client(addr, &TestCa::pem_path(&other));
    let err = client
        .complete_handshake()
        .expect_err("an untrusted certificate");
    assert_eq!(err.kind(), ErrorKind::InvalidData, "{err}");
    let tls = err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    assert_eq!(
        tls,
        Some(&rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer
        ))
    );
    assert_eq!(
        server.join().expect("server").as_deref(),
        Some("received fatal alert: UnknownCA")
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other);
}

#[test]
fn a_peer_that_closes_or_never_answers_ends_the_handshake() {
    let dir = temp_dir("silent");
    let _ca = TestCa::new(&dir);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");

    // Closes after reading the ClientHello (all of it, so the close is not a reset).
    let client_a = client(addr, &TestCa::pem_path(&dir));
    let (mut peer, _) = listener.accept().expect("accept");
    let mut header = [0u8; 5];
    peer.read_exact(&mut header).expect("record header");
    assert_eq!(header[0], 22, "a handshake record");
    let mut hello = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
    peer.read_exact(&mut hello).expect("client hello");
    drop(peer);
    let err = client_a.complete_handshake().expect_err("closed");
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof, "{err}");

    // Never answers: the socket's read timeout ends the wait.
    let client_b = client(addr, &TestCa::pem_path(&dir));
    let (_silent, _) = listener.accept().expect("accept");
    client_b
        .tcp()
        .set_read_timeout(Some(Duration::from_millis(50)))
        .expect("timeout");
    let err = client_b.complete_handshake().expect_err("no answer");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
