//! Loading and reloading the certificate pair: what is refused (with which message), and
//! that a failed reload keeps the pair in force.

#[path = "support/testcerts.rs"]
mod testcerts;
#[path = "support/tls_client.rs"]
mod tls_client;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use chat_tls::Certs;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use testcerts::TestCa;
use tls_client::temp_dir;

#[test]
fn missing_unreadable_and_mismatched_pairs_are_refused_with_a_reason() {
    let dir = temp_dir("refused");
    let ca = TestCa::new(&dir);
    let a = ca.issue(&dir, "a");
    let b = ca.issue(&dir, "b");
    let missing = dir.join("missing.pem");
    let err = Certs::load(&missing, &a.key).expect_err("missing");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot read {}: ", missing.display())),
        "{err}"
    );
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "hello\n").expect("write");
    let err = Certs::load(&garbage, &a.key).expect_err("not PEM");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: no certificate or private key of the expected kind in it",
            garbage.display()
        )
    );
    // A key cut short (a copy interrupted mid-way) is named by the line it lacks.
    let half = dir.join("half.pem");
    let key = std::fs::read_to_string(&a.key).expect("read key");
    let end = key.find("-----END").expect("an end marker");
    std::fs::write(&half, &key[..end]).expect("write");
    let err = Certs::load(&a.cert, &half).expect_err("half a key");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a valid PEM file (missing the line -----END PRIVATE KEY-----)",
            half.display()
        )
    );
    // A link to an endless device, and a file larger than any chain: refused unread.
    let zero = dir.join("zero.pem");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let err = Certs::load(&a.cert, &zero).expect_err("a device");
    assert_eq!(
        err.to_string(),
        format!(
            "{} is not a regular file (a character device)",
            zero.display()
        )
    );
    let big = dir.join("big.pem");
    let mut chain = std::fs::read_to_string(&a.cert).expect("read cert");
    while chain.len() <= 1024 * 1024 {
        chain = chain.repeat(2);
    }
    std::fs::write(&big, chain).expect("write");
    let err = Certs::load(&big, &a.key).expect_err("too large");
    assert_eq!(
        err.to_string(),
        format!("{} is too large for a PEM file (over 1 MiB)", big.display())
    );
    // A key file given as the certificate, and a certificate as the key.
    assert!(Certs::load(&a.key, &a.key).is_err());
    assert!(Certs::load(&a.cert, &a.cert).is_err());
    let err = Certs::load(&a.cert, &b.key).expect_err("mismatched");
    assert!(
        err.to_string().starts_with(&format!(
            "{} and {} are not a usable pair: ",
            a.cert.display(),
            b.key.display()
        )),
        "{err}"
    );
    Certs::load(&a.cert, &a.key).expect("a pair");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The certificate (DER) a fresh handshake with `certs` presents, after a line each way.
fn served_cert(certs: &Certs, ca: &Path) -> Vec<u8> {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server_certs = certs.clone();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().expect("accept");
        let tls = server_certs.accept(tcp).expect("session");
        let mut line = [0u8; 3];
        (&tls).read_exact(&mut line).expect("read");
        assert_eq!(&line, b"hi\n");
        (&tls).write_all(b"ok\n").expect("write");
        tls.close_notify();
    });
    let name = "localhost".try_into().expect("name");
    let mut client = rustls::ClientConnection::new(tls_client::config(ca), name).expect("client");
    let mut tcp = TcpStream::connect(addr).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut stream = rustls::Stream::new(&mut client, &mut tcp);
    stream.write_all(b"hi\n").expect("send");
    let mut reply = String::new();
    stream
        .read_to_string(&mut reply)
        .expect("reply until close_notify");
    assert_eq!(reply, "ok\n");
    server.join().expect("server thread");
    client.peer_certificates().expect("a certificate")[0].to_vec()
}

fn first_cert(path: &Path) -> CertificateDer<'static> {
    CertificateDer::pem_file_iter(path)
        .expect("read")
        .next()
        .expect("a certificate")
        .expect("PEM")
}

#[test]
fn reload_serves_the_new_pair_to_new_connections_and_a_bad_pair_keeps_the_old() {
    let dir = temp_dir("reload");
    let ca = TestCa::new(&dir);
    let a = ca.issue(&dir, "a");
    let b = ca.issue(&dir, "b");
    let ca_pem = TestCa::pem_path(&dir);
    let certs = Certs::load(&a.cert, &a.key).expect("load a");
    let a_der = first_cert(&a.cert).to_vec();
    assert_eq!(served_cert(&certs, &ca_pem), a_der);

    std::fs::copy(&b.cert, &a.cert).expect("swap cert");
    std::fs::copy(&b.key, &a.key).expect("swap key");
    // Until the reload, the pair loaded stays in force.
    assert_eq!(served_cert(&certs, &ca_pem), a_der);
    certs.reload().expect("reload b");
    assert_eq!(served_cert(&certs, &ca_pem), first_cert(&b.cert).to_vec());

    // Half a rotation: a new certificate next to the old key is refused, and B stays.
    let c = ca.issue(&dir, "c");
    std::fs::copy(&c.cert, &a.cert).expect("cert only");
    let err = certs.reload().expect_err("mismatched");
    assert!(err.to_string().contains("are not a usable pair"), "{err}");
    assert_eq!(served_cert(&certs, &ca_pem), first_cert(&b.cert).to_vec());
    let _ = std::fs::remove_dir_all(&dir);
}
