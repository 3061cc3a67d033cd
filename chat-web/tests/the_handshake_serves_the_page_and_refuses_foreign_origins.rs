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
