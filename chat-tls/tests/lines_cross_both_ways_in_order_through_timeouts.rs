//! Two `TlsStream`s, a client and a server, each used from a reader and a writer thread:
//! lines cross both ways at once, whole and in order, and a writer whose socket write times
//! out (the peer is not reading) loses and repeats nothing when it goes on. Writes are 20 KB,
//! so records are full (16 KiB) and one socket read can hold more than rustls takes at once.

#[path = "support/testcerts.rs"]
mod testcerts;
#[path = "support/tls_client.rs"]
mod tls_client;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use chat_tls::{Certs, TlsStream};
use testcerts::TestCa;
use tls_client::{client, temp_dir};

const WAIT: Duration = Duration::from_secs(10);
const LINES: usize = 2000;

fn line(from: &str, i: usize) -> String {
    format!("{from} {i:05} {}\n", "x".repeat(1000))
}

/// Writes `LINES` lines, going on after every write timeout; says when one happened.
fn write_all_lines(stream: &TlsStream, from: &str, timed_out: Option<mpsc::Sender<()>>) {
    let mut told = false;
    // 20 lines (20 KB) a write: full 16 KiB records, so the reader gets more plaintext from
    // one socket read than rustls holds at once.
    for first in (0..LINES).step_by(20) {
        let text: String = (first..first + 20).map(|i| line(from, i)).collect();
        let mut rest = text.as_bytes();
        while !rest.is_empty() {
            match (&*stream).write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    if let (Some(tx), false) = (&timed_out, told) {
                        let _ = tx.send(());
                        told = true;
                    }
                }
                Err(e) => panic!("{from} lines from {first}: {e}"),
            }
        }
    }
    while let Err(e) = stream.flush_tls() {
        assert!(
            matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "{e}"
        );
    }
}

fn read_all_lines(stream: &TlsStream, from: &str) {
    let mut reader = BufReader::new(stream);
    let mut got = String::new();
    for i in 0..LINES {
        got.clear();
        reader.read_line(&mut got).expect("read");
        assert_eq!(got, line(from, i), "line {i} from {from}");
    }
}

#[test]
fn lines_cross_both_ways_at_once_and_survive_write_timeouts() {
    let dir = temp_dir("both-ways");
    let ca = TestCa::new(&dir);
    let pair = ca.issue(&dir, "server");
    let certs = Certs::load(&pair.cert, &pair.key).expect("certs");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");

    let client = Arc::new(client(addr, &TestCa::pem_path(&dir)));
    let (tcp, _) = listener.accept().expect("accept");
    tcp.set_read_timeout(Some(WAIT)).expect("timeout");
    let server = Arc::new(certs.accept(tcp).expect("server session"));
    // The client's writes time out quickly while the server does not read yet.
    client.tcp().set_read_timeout(Some(WAIT)).expect("timeout");
    client
        .tcp()
        .set_write_timeout(Some(Duration::from_millis(20)))
        .expect("timeout");
    socket2::SockRef::from(client.tcp())
        .set_send_buffer_size(16 * 1024)
        .expect("sndbuf");

    // The handshake first (each side's reader drives it), so the timeouts below are the
    // socket's, with records half written.
    let client_reader = {
        let c = Arc::clone(&client);
        std::thread::spawn(move || read_all_lines(&c, "server"))
    };
    (&*client).write_all(b"hello\n").expect("hello");
    let mut hello = [0u8; 6];
    (&*server).read_exact(&mut hello).expect("hello");
    assert_eq!(&hello, b"hello\n");

    let (timed_out, first_timeout) = mpsc::channel();
    let threads = vec![
        client_reader,
        {
            let c = Arc::clone(&client);
            std::thread::spawn(move || write_all_lines(&c, "client", Some(timed_out)))
        },
        {
            let s = Arc::clone(&server);
            std::thread::spawn(move || write_all_lines(&s, "server", None))
        },
    ];
    // The server starts reading only once the client's writes have timed out.
    first_timeout
        .recv_timeout(WAIT)
        .expect("the client's writes time out while nobody reads");
    read_all_lines(&server, "client");
    for t in threads {
        t.join().expect("thread");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
