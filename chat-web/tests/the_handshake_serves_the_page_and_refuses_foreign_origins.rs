//! `GET /` is the page; `/ws` upgrades only for the page's own origin, a client that sends
//! none, or an origin `--web-origin` allows; anything else gets an HTTP error and a close.

mod support;

use support::{WebServer, Ws, http};
use tungstenite::client::IntoClientRequest;

fn upgrade(server: &WebServer, origin: &str) -> Result<(), u16> {
    let stream = std::net::TcpStream::connect(server.addr).expect("connect");
    let mut request = server.url().into_client_request().expect("request");
    request
        .headers_mut()
        .insert("Origin", origin.parse().expect("header"));
    match tungstenite::client(request, stream) {
        Ok(_) => Ok(()),
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(response))) => {
            Err(response.status().as_u16())
        }
        Err(e) => panic!("unexpected handshake error: {e}"),
    }
}

#[test]
fn the_page_is_served_whole() {
    let server = WebServer::start("page");
    let response = http(server.addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.contains("Content-Security-Policy: default-src 'none';"),
        "{head}"
    );
    assert_eq!(body, chat_web::PAGE);
}

#[test]
fn other_paths_and_methods_are_refused() {
    let server = WebServer::start("paths");
    let r = http(server.addr, "GET /etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 404 Not Found\r\n"), "{r}");
    let r = http(
        server.addr,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"), "{r}");
    let r = http(server.addr, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{r}");
    let r = http(server.addr, "\x16\x03\x01 not http\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{r}");
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(20_000));
    let r = http(server.addr, &huge);
    assert!(r.starts_with("HTTP/1.1 431 "), "{r}");
}

#[test]
fn only_the_pages_own_origin_may_upgrade() {
    let server = WebServer::start("origin");
    assert_eq!(upgrade(&server, "http://evil.example"), Err(403));
    assert_eq!(upgrade(&server, "null"), Err(403));
    assert_eq!(upgrade(&server, &format!("http://{}", server.addr)), Ok(()));
    // No Origin: not a browser.
    let mut ws = Ws::connect(&server);
    ws.expect_prefix("[Server]: Welcome to the open chat");
}

#[test]
fn web_origin_allows_another_origin() {
    let server = WebServer::with("origin-allowed", |_, web| {
        web.origins.allowed = vec!["https://chat.example.org".into()];
    });
    assert_eq!(upgrade(&server, "https://chat.example.org"), Ok(()));
    assert_eq!(upgrade(&server, "https://evil.example.org"), Err(403));
}

/// Whether the server has closed `s` (EOF or a reset), looking for at most `wait`.
fn closed_within(s: &mut std::net::TcpStream, wait: std::time::Duration) -> bool {
    use std::io::Read;
    s.set_read_timeout(Some(wait)).expect("timeout");
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

#[test]
fn a_client_trickling_its_head_is_closed_at_the_whole_exchanges_deadline() {
    use std::io::Write;
    use std::time::Duration;
    // Each read is answered within the per-read timeout, one byte at a time (slowloris):
    // only a deadline for the whole exchange ends it.
    let server = WebServer::with("trickle", |_, web| {
        web.handshake_timeout = Duration::from_secs(1);
    });
    let mut slow = std::net::TcpStream::connect(server.addr).expect("connect");
    let head = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(200));
    let mut closed = false;
    // 200 bytes 150 ms apart would take 30 s; the deadline is 1 s.
    for byte in head.as_bytes() {
        if slow.write_all(&[*byte]).is_err() || closed_within(&mut slow, Duration::from_millis(150))
        {
            closed = true;
            break;
        }
    }
    assert!(closed, "a trickled head kept its exchange for 30 s");
    // And the page still loads.
    let r = http(server.addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
}

#[test]
fn one_address_has_at_most_eight_exchanges_under_way_and_others_still_load_the_page() {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::time::Duration;
    let server = WebServer::start("per-address");
    let from = |ip: &str| {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        let local: SocketAddr = format!("{ip}:0").parse().expect("addr");
        socket.bind(&local.into()).expect("bind a loopback address");
        socket.connect(&server.addr.into()).expect("connect");
        TcpStream::from(socket)
    };
    // Eight silent connections from 127.0.0.1 take its share; each is accepted (and
    // counted) before the next is looked at, so the ninth is closed unanswered.
    let held: Vec<TcpStream> = (0..8).map(|_| from("127.0.0.1")).collect();
    let mut ninth = from("127.0.0.1");
    assert!(
        closed_within(&mut ninth, Duration::from_secs(5)),
        "the ninth exchange from one address was not closed"
    );
    // Another address loads the page meanwhile.
    let load = |ip: &str| {
        let mut s = from(ip);
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("write");
        s.set_read_timeout(Some(support::WAIT)).expect("timeout");
        let mut reply = Vec::new();
        let _ = s.read_to_end(&mut reply);
        reply.starts_with(b"HTTP/1.1 200 OK\r\n")
    };
    assert!(load("127.0.0.2"), "another address could not load the page");
    // Once the eight end, the first address loads it again.
    drop(held);
    let deadline = std::time::Instant::now() + support::WAIT;
    while !load("127.0.0.1") {
        assert!(
            std::time::Instant::now() < deadline,
            "127.0.0.1's share never came back"
        );
    }
}
