//! The HTTP side of the web listener: reads one request head, serves the page, refuses what
//! is not the page or an acceptable WebSocket upgrade, and answers the upgrade.

use std::io::{self, Read, Write};

use tungstenite::handshake::server::{Request, create_response, write_response};

/// The page: HTML, CSS and JS in one file, embedded in the binary.
pub const PAGE: &str = include_str!("page.html");

/// The longest request head read before the request is refused.
const MAX_HEAD: usize = 8 * 1024;

/// The most header lines in a request head.
const MAX_HEADERS: usize = 32;

/// What a request asks for.
#[derive(Debug)]
pub(crate) enum Route {
    /// `GET /`: the page was written; close.
    Served,
    /// `GET /ws` with an acceptable upgrade: the 101 was written; `leftover` holds bytes the
    /// client sent after the head (its first frames).
    Upgraded {
        /// Bytes read past the request head.
        leftover: Vec<u8>,
    },
    /// Anything else was answered with an error status; close.
    Refused,
}

/// Which origins may open the WebSocket: the page's own always, plus these.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// Exact origins (`https://chat.example.org`), compared without regard to case; `*`
    /// allows any.
    pub allowed: Vec<String>,
}

impl Origins {
    /// Whether a request with these `Origin` and `Host` headers may upgrade. No `Origin` is
    /// a client that is not a browser (it could send any origin anyway); a browser always
    /// sends one, and only a page served from this host (or an allowed one) may connect, so
    /// another site cannot make its visitors' browsers join the chat.
    pub fn allows(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        let Some(origin) = origin else {
            return true;
        };
        let own = host.is_some_and(|host| {
            ["http://", "https://"].iter().any(|scheme| {
                origin.len() == scheme.len() + host.len()
                    && origin[..scheme.len()].eq_ignore_ascii_case(scheme)
                    && origin[scheme.len()..].eq_ignore_ascii_case(host)
            })
        });
        own || self
            .allowed
            .iter()
            .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
    }
}

/// The page as served: [`PAGE`] with the name of the room members enter first (the status
/// line shows it until the member moves).
pub(crate) fn render_page(default_room: &str) -> String {
    let escaped: String = default_room
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            c => c.to_string(),
        })
        .collect();
    PAGE.replacen(
        "data-default-room=\"lobby\"",
        &format!("data-default-room=\"{escaped}\""),
        1,
    )
}

/// A connection's bytes, plain or TLS.
pub(crate) trait ReadWrite: Read + Write {}

impl<T: Read + Write> ReadWrite for T {}

/// Reads the request head from `stream` (bounded by [`MAX_HEAD`] and the stream's read
/// timeout) and answers it with `page` or the upgrade.
pub(crate) fn serve(
    stream: &mut impl ReadWrite,
    page: &str,
    origins: &Origins,
) -> io::Result<Route> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let (size, request) = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(Route::Refused);
        }
        buf.extend_from_slice(&chunk[..n]);
        match parse(&buf) {
            Ok(Some(parsed)) => break parsed,
            Ok(None) if buf.len() < MAX_HEAD => {}
            Ok(None) => return refuse(stream, "431 Request Header Fields Too Large"),
            Err(status) => return refuse(stream, status),
        }
    };
    let leftover = buf.split_off(size);
    match request.uri().path() {
        "/" | "/index.html" => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {}\r\nCache-Control: no-cache\r\n\
                 Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; \
                 script-src 'unsafe-inline'; connect-src 'self'; img-src data:\r\n\
                 X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n\
                 Connection: close\r\n\r\n",
                page.len()
            );
            stream.write_all(head.as_bytes())?;
            stream.write_all(page.as_bytes())?;
            Ok(Route::Served)
        }
        "/ws" => {
            let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
            if !origins.allows(header("Origin"), header("Host")) {
                return refuse(stream, "403 Forbidden");
            }
            let Ok(response) = create_response(&request) else {
                return refuse(stream, "400 Bad Request");
            };
            let mut head = Vec::new();
            write_response(&mut head, &response).map_err(io::Error::other)?;
            stream.write_all(&head)?;
            Ok(Route::Upgraded { leftover })
        }
        _ => refuse(stream, "404 Not Found"),
    }
}

/// The request head at the start of `buf`, its size, or `None` while it is incomplete;
/// `Err` holds the status to refuse it with.
fn parse(buf: &[u8]) -> Result<Option<(usize, Request)>, &'static str> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut head = httparse::Request::new(&mut headers);
    let size = match head.parse(buf) {
        Ok(httparse::Status::Complete(size)) => size,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err("431 Request Header Fields Too Large"),
        Err(_) => return Err("400 Bad Request"),
    };
    if head.method != Some("GET") {
        return Err("405 Method Not Allowed");
    }
    let mut request = Request::builder()
        .method("GET")
        .uri(head.path.unwrap_or("/"))
        .version(tungstenite::http::Version::HTTP_11);
    for h in head.headers.iter() {
        request = request.header(h.name, h.value);
    }
    request
        .body(())
        .map(|r| Some((size, r)))
        .map_err(|_| "400 Bad Request")
}

/// Whether a peer on the https port speaks plain HTTP (`curl http://` to it, an `http://`
/// bookmark): a TLS handshake starts with a handshake record (byte 22), a request with a
/// method's capital letters. Waits for the first byte at most the stream's read timeout.
pub(crate) fn is_plain_request(stream: &std::net::TcpStream) -> bool {
    let mut first = [0u8; 1];
    matches!(stream.peek(&mut first), Ok(1) if first[0].is_ascii_uppercase())
}

/// Tells a plain-HTTP peer of the https port where to go instead of a TLS alert it cannot
/// read, and closes.
pub(crate) fn refuse_plain_request(stream: &mut impl ReadWrite) -> io::Result<Route> {
    // The head is read first (bounded, like any request's): closing with it unread would
    // reset the connection and lose the answer.
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while head.len() < MAX_HEAD && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk)? {
            0 => break,
            n => head.extend_from_slice(&chunk[..n]),
        }
    }
    respond(
        stream,
        "400 Bad Request",
        "This port speaks https: open the page with https:// instead of http://.\n",
    )
}

/// Answers with `status` and a one-line body, and closes.
fn refuse(stream: &mut impl ReadWrite, status: &str) -> io::Result<Route> {
    respond(stream, status, &format!("{status}\n"))
}

/// Answers with `status` and `body` (plain text), and closes.
fn respond(stream: &mut impl ReadWrite, status: &str, body: &str) -> io::Result<Route> {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes())?;
    Ok(Route::Refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_own_origin_and_non_browsers_are_allowed() {
        let o = Origins::default();
        assert!(o.allows(None, Some("127.0.0.1:9980")));
        assert!(o.allows(Some("http://127.0.0.1:9980"), Some("127.0.0.1:9980")));
        assert!(o.allows(Some("HTTPS://Chat.Example:443"), Some("chat.example:443")));
        assert!(!o.allows(Some("http://evil.example"), Some("127.0.0.1:9980")));
        assert!(!o.allows(Some("http://127.0.0.1:9980.evil"), Some("127.0.0.1:9980")));
        assert!(!o.allows(Some("http://127.0.0.1:9980"), None));
        assert!(!o.allows(Some("null"), Some("127.0.0.1:9980")));
    }

    #[test]
    fn web_origin_allows_more() {
        let o = Origins {
            allowed: vec!["https://chat.example.org".into()],
        };
        assert!(o.allows(Some("https://chat.example.org"), Some("127.0.0.1:9980")));
        assert!(!o.allows(Some("https://other.example.org"), Some("127.0.0.1:9980")));
        let any = Origins {
            allowed: vec!["*".into()],
        };
        assert!(any.allows(Some("null"), Some("127.0.0.1:9980")));
    }

    #[test]
    fn the_default_room_is_named_in_the_page() {
        assert_eq!(render_page("lobby"), PAGE);
        let page = render_page("개발\"<");
        assert!(page.contains("<body data-default-room=\"개발&quot;&lt;\">"));
    }

    #[test]
    fn the_page_has_no_external_asset() {
        for needle in [
            "http://",
            "https://",
            "src=\"",
            "href=\"http",
            "@import",
            "url(",
        ] {
            assert!(!PAGE.contains(needle), "the page contains {needle:?}");
        }
        assert!(
            !PAGE.contains("innerHTML"),
            "the page must insert text, never HTML"
        );
    }
}
