//! The network side: connecting (plain TCP or TLS), a reader thread per connection that turns bytes into lines, the
//! writer, and the reconnect backoff.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread;
use std::time::Duration;

use chat_tls::TlsStream;
use chatcore::{Frame, LineDecoder};
use rustls::ClientConfig;

use crate::tls;

/// How long one connect attempt may take per address.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a write may block before the connection is given up on (a server that stopped
/// reading must not freeze the input line).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest line accepted from the server: its lines are at most 4096 + 256 bytes (an input
/// line plus the longest prefix the room adds). Longer ones come from a broken or hostile
/// server and are dropped, so 10,000 lines of scrollback stay under 44 MB.
const MAX_LINE_BYTES: usize = 4096 + 256;

/// First reconnect delay; it doubles per failed attempt.
const BACKOFF_START: Duration = Duration::from_secs(1);

/// Longest reconnect delay.
const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// What a connection's thread reports.
#[derive(Debug)]
pub(crate) enum NetEvent {
    /// A background connect (and handshake) succeeded.
    Connected(Stream),
    /// A background connect failed.
    Failed(io::Error),
    /// One line from the server, without its LF.
    Line(String),
    /// The lines of one read from the socket have all been reported (what the server wrote
    /// at once, such as a welcome with its backlog, usually comes in one read).
    ReadEnd,
    /// The server closed the connection or it broke; nothing more comes from it.
    Closed,
}

/// The delay before reconnect attempt `attempt` (0-based): 1 s, 2 s, 4 s, ... capped at 60 s.
pub(crate) fn backoff(attempt: u32) -> Duration {
    BACKOFF_START
        .checked_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX))
        .map_or(BACKOFF_MAX, |d| d.min(BACKOFF_MAX))
}

/// How connections are made: plain TCP, or TLS (`--tls`) with this configuration. Every
/// connection of a session, reconnects and `/connect` included, is made the same way.
#[derive(Debug, Clone)]
pub(crate) struct Dialer {
    tls: Option<Arc<ClientConfig>>,
}

impl Dialer {
    /// Plain TCP.
    pub(crate) fn plain() -> Dialer {
        Dialer { tls: None }
    }

    /// TLS with this configuration, the server's name taken from the host connected to.
    pub(crate) fn tls(config: Arc<ClientConfig>) -> Dialer {
        Dialer { tls: Some(config) }
    }

    /// Whether connections are TLS.
    pub(crate) fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// The port used when none is given: 9999, or 9993 for TLS.
    pub(crate) fn default_port(&self) -> u16 {
        if self.is_tls() {
            tls::DEFAULT_PORT
        } else {
            DEFAULT_PORT
        }
    }

    /// Connects to `addr` (`host:port`), trying each address it resolves to, then (TLS)
    /// runs the handshake, checking the certificate for `host`.
    pub(crate) fn connect(&self, addr: &str) -> io::Result<Stream> {
        let sock = connect_tcp(addr)?;
        match &self.tls {
            None => Ok(Stream::Plain(sock)),
            Some(config) => Ok(Stream::Tls(Arc::new(tls::handshake(
                sock,
                Arc::clone(config),
                addr,
            )?))),
        }
    }
}

/// The line protocol's default port over plain TCP.
pub(crate) const DEFAULT_PORT: u16 = 9999;

fn connect_tcp(addr: &str) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address found");
    for sock in addr.to_socket_addrs()? {
        match TcpStream::connect_timeout(&sock, CONNECT_TIMEOUT) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// An open connection, plain or TLS (its handshake done).
#[derive(Debug)]
pub(crate) enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS: the session the reader and writer threads share (chat-tls's stream: one lock
    /// around the session, socket reads outside it, writes through one path).
    Tls(Arc<TlsStream>),
}

impl Stream {
    /// Shuts the connection down both ways, without waiting on a lock or a write; its
    /// reader then reports `Closed`.
    pub(crate) fn shutdown(&self) {
        // Already closed by the peer is fine.
        let _ = match self {
            Stream::Plain(sock) => sock.shutdown(Shutdown::Both),
            Stream::Tls(tls) => tls.shutdown(Shutdown::Both),
        };
    }

    /// A handle on the same connection for a reader or writer thread.
    fn try_clone(&self) -> io::Result<Stream> {
        Ok(match self {
            Stream::Plain(sock) => Stream::Plain(sock.try_clone()?),
            Stream::Tls(tls) => Stream::Tls(Arc::clone(tls)),
        })
    }

    /// Writes `bytes` whole; TLS records are flushed too, so a server that stops reading
    /// fails the write at the write timeout.
    fn send(&self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Stream::Plain(sock) => (&*sock).write_all(bytes),
            Stream::Tls(tls) => (&**tls).write_all(bytes).and_then(|()| tls.flush_tls()),
        }
    }

    /// Ends the connection: TLS says `close_notify` first.
    fn finish(&self) {
        if let Stream::Tls(tls) = self {
            tls.close_notify();
        }
        self.shutdown();
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(sock) => sock.read(buf),
            Stream::Tls(tls) => (&**tls).read(buf),
        }
    }
}

/// Connects in a background thread, so a slow connect or handshake never freezes the
/// screen; reports [`NetEvent::Connected`] or [`NetEvent::Failed`], then, once connected,
/// reads like [`spawn_reader`].
pub(crate) fn spawn_connect<F>(dialer: Dialer, addr: String, mut report: F)
where
    F: FnMut(NetEvent) -> bool + Send + 'static,
{
    thread::spawn(move || {
        let reader = match dialer.connect(&addr).and_then(|s| Ok((s.try_clone()?, s))) {
            Ok((reader, stream)) => {
                if !report(NetEvent::Connected(stream)) {
                    return;
                }
                reader
            }
            Err(e) => {
                report(NetEvent::Failed(e));
                return;
            }
        };
        read_lines(reader, report);
    });
}

/// Reads lines from `stream` in a thread, reporting each and then [`NetEvent::Closed`];
/// stops early when `report` returns false (the receiver is gone).
pub(crate) fn spawn_reader<F>(stream: &Stream, report: F) -> io::Result<()>
where
    F: FnMut(NetEvent) -> bool + Send + 'static,
{
    let reader = stream.try_clone()?;
    thread::spawn(move || read_lines(reader, report));
    Ok(())
}

fn read_lines<F: FnMut(NetEvent) -> bool>(mut stream: impl Read, mut report: F) {
    let mut decoder = LineDecoder::new(MAX_LINE_BYTES);
    let mut buf = [0u8; 8192];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut input = &buf[..n];
        let mut any = false;
        while let Some(frame) = decoder.decode(&mut input) {
            // Overlong and non-UTF-8 lines cannot come from a conforming server; they are
            // dropped rather than shown in part.
            if let Frame::Line(line) = frame {
                any = true;
                if !report(NetEvent::Line(line)) {
                    return;
                }
            }
        }
        if any && !report(NetEvent::ReadEnd) {
            return;
        }
    }
    // A line cut off by the close is not a line (every server line ends in LF, PROTOCOL.md
    // §1): showing its start would show a message that was never sent whole.
    report(NetEvent::Closed);
}

/// Lines waiting for a connection's writer thread; past it the server is not reading and
/// further lines fail at once instead of freezing the screen.
const MAX_QUEUED_LINES: usize = 1000;

/// The writing half of an open connection: a thread writes what [`Connection::send`]
/// queues, so a server that stops reading never blocks the thread that draws and reads keys.
#[derive(Debug)]
pub(crate) struct Connection {
    /// Tags this connection's events, so late events of an old connection are ignored.
    id: u64,
    /// For shutting the connection down; the reader and writer threads have their clones.
    stream: Stream,
    /// Lines for the writer thread, LF included.
    queue: SyncSender<Vec<u8>>,
}

impl Connection {
    /// Wraps the writing half of connection `id` and starts its writer thread.
    pub(crate) fn new(id: u64, stream: Stream) -> io::Result<Self> {
        let (queue, lines) = sync_channel(MAX_QUEUED_LINES);
        let started = stream.try_clone().and_then(|writer| {
            thread::Builder::new()
                .name("writer".into())
                .spawn(move || write_lines(writer, &lines))
        });
        if let Err(e) = started {
            // Unusable: close it, so its reader ends too.
            stream.shutdown();
            return Err(e);
        }
        Ok(Connection { id, stream, queue })
    }

    /// The id its events carry.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Queues one line for sending. CR and LF inside it are dropped: one line is one
    /// message, whatever was typed. Fails at once if the writer has failed (the connection
    /// is then shut down, so its reader reports `Closed`) or if the server has not taken
    /// the lines already queued.
    pub(crate) fn send(&mut self, line: &str) -> io::Result<()> {
        let mut wire: Vec<u8> = line
            .chars()
            .filter(|c| !matches!(c, '\r' | '\n'))
            .collect::<String>()
            .into_bytes();
        wire.push(b'\n');
        self.queue.try_send(wire).map_err(|e| match e {
            TrySendError::Full(_) => io::Error::new(
                io::ErrorKind::WouldBlock,
                "the server is not reading what was sent",
            ),
            TrySendError::Disconnected(_) => {
                io::Error::new(io::ErrorKind::BrokenPipe, "the connection is broken")
            }
        })
    }

    /// Shuts the connection down both ways; its reader then reports `Closed`.
    pub(crate) fn close(&self) {
        self.stream.shutdown();
    }
}

/// The writer thread: writes queued lines until the [`Connection`] is dropped (what it
/// queued is still written) or a write fails (the write timeout included), then shuts the
/// connection down, so its reader reports the close.
fn write_lines(writer: Stream, lines: &Receiver<Vec<u8>>) {
    for line in lines {
        if writer.send(&line).is_err() {
            break;
        }
    }
    writer.finish();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::mpsc;

    #[test]
    fn backoff_doubles_from_one_second_to_a_minute() {
        let secs: Vec<u64> = (0..9).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff(31), BACKOFF_MAX);
        assert_eq!(backoff(32), BACKOFF_MAX);
        assert_eq!(backoff(u32::MAX), BACKOFF_MAX);
    }

    #[test]
    fn reads_lines_then_reports_closed() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?.to_string();
        let (tx, rx) = mpsc::channel();
        let stream = Dialer::plain().connect(&addr)?;
        spawn_reader(&stream, move |ev| tx.send(ev).is_ok())?;
        let mut conn = Connection::new(7, stream)?;
        let (mut server, _) = listener.accept()?;
        server.write_all("one\r\ntwo\n안녕\nlast".as_bytes())?;
        conn.send("hi\nthere")?;
        // Read what was sent before closing, or the close could become a reset.
        let mut sent = [0u8; 8];
        server.read_exact(&mut sent)?;
        assert_eq!(&sent, b"hithere\n");
        drop(server);
        let timeout = Duration::from_secs(10);
        let mut events = Vec::new();
        loop {
            match rx.recv_timeout(timeout).map_err(io::Error::other)? {
                NetEvent::Line(line) => events.push(line),
                NetEvent::ReadEnd => events.push("(read end)".to_owned()),
                NetEvent::Closed => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        // One write, one read: its lines, then its end. "last" had no LF when the server
        // closed: dropped, not shown in part (and the read that ended it brought no line).
        assert_eq!(events, ["one", "two", "안녕", "(read end)"]);
        assert_eq!(conn.id(), 7);
        Ok(())
    }

    #[test]
    fn lines_longer_than_a_server_can_send_are_dropped_whole() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let (tx, rx) = mpsc::channel();
        let stream = Dialer::plain().connect(&listener.local_addr()?.to_string())?;
        spawn_reader(&stream, move |ev| tx.send(ev).is_ok())?;
        let (mut server, _) = listener.accept()?;
        let longest = "a".repeat(MAX_LINE_BYTES);
        let over = "b".repeat(MAX_LINE_BYTES + 1);
        server.write_all(format!("{longest}\n{over}\nafter\n").as_bytes())?;
        drop(server);
        let mut lines = Vec::new();
        loop {
            match rx
                .recv_timeout(Duration::from_secs(10))
                .map_err(io::Error::other)?
            {
                NetEvent::Line(line) => lines.push(line),
                NetEvent::ReadEnd => {}
                NetEvent::Closed => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(lines, [longest, "after".to_owned()]);
        Ok(())
    }

    #[test]
    fn sent_lines_never_contain_a_line_break() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let mut conn = Connection::new(
            1,
            Dialer::plain().connect(&listener.local_addr()?.to_string())?,
        )?;
        let (mut server, _) = listener.accept()?;
        conn.send("a\nb\r")?;
        // Dropped, the connection's writer still writes what was queued, then closes.
        drop(conn);
        let mut got = String::new();
        server.read_to_string(&mut got)?;
        assert_eq!(got, "ab\n");
        Ok(())
    }

    #[test]
    fn a_server_that_stops_reading_never_blocks_the_sender() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let mut conn = Connection::new(
            1,
            Dialer::plain().connect(&listener.local_addr()?.to_string())?,
        )?;
        let (_server, _) = listener.accept()?;
        // The server reads nothing: the socket buffers fill, the writer thread blocks, the
        // queue fills, and then sending fails at once with "not reading" (a blocking
        // write would have waited out the write timeout and failed as timed out).
        let line = "x".repeat(4000);
        let refused = (0..100_000).find_map(|_| conn.send(&line).err());
        let e = refused.expect("the queue never filled");
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock, "{e}");
        conn.close();
        Ok(())
    }

    #[test]
    fn lines_cross_both_ways_at_once_over_tls() -> io::Result<()> {
        use std::io::BufRead;
        const LINES: usize = 800;
        let dir = tempfile::tempdir()?;
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
            .map_err(io::Error::other)?;
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert, made.cert.pem())?;
        std::fs::write(&key, made.signing_key.serialize_pem())?;
        let certs = chat_tls::Certs::load(&cert, &key).map_err(io::Error::other)?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let filler = "x".repeat(1000);
        let line = move |side: char, i: usize| format!("{side}{i} {filler}");
        let server_line = line.clone();
        // The server (chat-tls, what chat-tcp uses): once the client's first line is in,
        // it writes all its lines from one thread while it reads the client's in another.
        let server = thread::spawn(move || -> io::Result<Vec<String>> {
            let (tcp, _) = listener.accept()?;
            let tls = Arc::new(certs.accept(tcp).map_err(io::Error::other)?);
            let mut lines = io::BufReader::new(&*tls).lines();
            let mut got = vec![lines.next().unwrap_or_else(|| Ok(String::new()))?];
            let writer = Arc::clone(&tls);
            let sending = thread::spawn(move || -> io::Result<()> {
                for i in 0..LINES {
                    (&*writer).write_all(format!("{}\n", server_line('s', i)).as_bytes())?;
                }
                Ok(())
            });
            for next in lines.take(LINES - 1) {
                got.push(next?);
            }
            sending
                .join()
                .map_err(|_| io::Error::other("server writer panicked"))??;
            Ok(got)
        });

        let config = tls::config(Some(&cert)).map_err(io::Error::other)?;
        let stream = Dialer::tls(config).connect(&format!("localhost:{port}"))?;
        let (tx, rx) = mpsc::channel();
        spawn_reader(&stream, move |ev| tx.send(ev).is_ok())?;
        let mut conn = Connection::new(1, stream)?;
        for i in 0..LINES {
            conn.send(&line('c', i))?;
        }
        let mut got = Vec::new();
        while got.len() < LINES {
            match rx
                .recv_timeout(Duration::from_secs(10))
                .map_err(io::Error::other)?
            {
                NetEvent::Line(l) => got.push(l),
                NetEvent::ReadEnd => {}
                other => panic!("unexpected {other:?} after {} lines", got.len()),
            }
        }
        let want = |side| (0..LINES).map(|i| line(side, i)).collect::<Vec<_>>();
        assert!(got == want('s'), "the client's lines came out of order");
        let at_server = server
            .join()
            .map_err(|_| io::Error::other("server panicked"))??;
        assert!(
            at_server == want('c'),
            "the server's lines came out of order"
        );
        conn.close();
        Ok(())
    }

    #[test]
    fn background_connect_reports_failure() -> io::Result<()> {
        // A port that was just free is almost certainly refused.
        let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?.to_string();
        let (tx, rx) = mpsc::channel();
        spawn_connect(Dialer::plain(), addr, move |ev| tx.send(ev).is_ok());
        let ev = rx
            .recv_timeout(Duration::from_secs(20))
            .map_err(io::Error::other)?;
        assert!(matches!(ev, NetEvent::Failed(_)), "{ev:?}");
        Ok(())
    }
}
