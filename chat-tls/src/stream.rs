//! A TLS connection that a reader thread and a writer thread share.

use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};
use socket2::SockRef;

/// Bytes taken from the socket by one read.
const READ_BUF: usize = 4096;

/// A TLS session over a TCP socket (the server's side, or a client's: chat-cli's `--tls` and
/// the load generator),
/// usable through `&TlsStream` from two threads: one reads (`Read for &TlsStream`), one writes
/// (`Write for &TlsStream`).
///
/// The session is behind one lock, held only to put bytes in or take bytes out: the socket
/// read blocks outside it, so a reader waiting for the peer never holds up a writer. Sealed
/// records queue inside the session in the order they were made and leave through
/// [`TlsStream::flush_tls`] alone, which takes them and writes them under a second lock, so
/// records from the reader (handshake messages, alerts, key updates) and from the writer
/// (lines) reach the socket in sequence order. Bytes a timed-out socket write left behind
/// stay queued for the next flush, so a timeout never cuts a record. The reader never
/// blocks on a write: its flush sends what the socket takes at once, or gives way to a
/// flush under way. A writer that closes early can wait for the handshake the reader
/// drives ([`TlsStream::wait_handshake`]), so what it wrote before is sent, not cut off.
#[derive(Debug)]
pub struct TlsStream {
    tcp: TcpStream,
    session: Mutex<Connection>,
    /// Sealed records taken from the session and not yet written; held while writing.
    out: Mutex<Vec<u8>>,
    /// What the reader read from the socket and the session has not taken yet.
    inbox: Mutex<Inbox>,
    /// Set once the handshake is over (see [`TlsStream::wait_handshake`]), with its waiters.
    handshake_over: (Mutex<bool>, Condvar),
    /// Whether any byte has come from the peer.
    heard: AtomicBool,
}

impl TlsStream {
    /// Starts a server session on `tcp` with `config`; the handshake runs as the stream is
    /// read (the reader answers the client's messages) and application data written before
    /// it ends waits in the session (bounded, see [`Write for &TlsStream`](#impl-Write-for-%26TlsStream)).
    pub fn new(tcp: TcpStream, config: Arc<ServerConfig>) -> Result<TlsStream, rustls::Error> {
        let session = ServerConnection::new(config)?;
        Ok(TlsStream::with(tcp, session.into()))
    }

    /// Starts a client session to `name` on `tcp`: the ClientHello is sent here, and the
    /// rest of the handshake runs as the stream is read.
    pub fn client(
        tcp: TcpStream,
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
    ) -> Result<TlsStream, rustls::Error> {
        let session = ClientConnection::new(config, name)?;
        let stream = TlsStream::with(tcp, session.into());
        // The ClientHello goes out now; a write before the handshake ends waits in the session.
        stream
            .flush_tls()
            .map_err(|e| rustls::Error::General(e.to_string()))?;
        Ok(stream)
    }

    fn with(tcp: TcpStream, session: Connection) -> TlsStream {
        TlsStream {
            tcp,
            session: Mutex::new(session),
            out: Mutex::new(Vec::new()),
            inbox: Mutex::new(Inbox {
                buf: Box::new([0; READ_BUF]),
                start: 0,
                end: 0,
            }),
            handshake_over: (Mutex::new(false), Condvar::new()),
            heard: AtomicBool::new(false),
        }
    }

    /// The socket underneath (for timeouts and socket options; reading or writing it
    /// directly would break the session).
    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// Whether the handshake is still under way.
    pub fn is_handshaking(&self) -> bool {
        self.session.lock().is_handshaking()
    }

    /// Waits until the handshake is over (established, failed, or cut short: the socket
    /// ended or failed under the reader, or [`TlsStream::shutdown`] was called), `deadline`
    /// passes, or `silent` passes with no byte yet from the peer; whether it was
    /// established. Wakes as the reader ends the handshake or at those times, never polls.
    /// For a writer about to close a session whose handshake is under way: lines written
    /// before it wait in the session until the handshake ends, and `close_notify` sent now
    /// would leave them unread.
    pub fn wait_handshake(&self, silent: Instant, deadline: Instant) -> bool {
        let (over, changed) = &self.handshake_over;
        let mut over = over.lock();
        while !*over {
            // Until the peer's first byte, the wait ends at `silent`.
            let until = if self.peer_spoke() {
                deadline
            } else {
                silent.min(deadline)
            };
            if Instant::now() >= until {
                break;
            }
            changed.wait_until(&mut over, until);
        }
        drop(over);
        !self.is_handshaking()
    }

    /// Whether a byte has come from the peer: read by the reader, or waiting in the socket
    /// for a reader that has not run yet (a busy machine). Never blocks.
    fn peer_spoke(&self) -> bool {
        let mut first = [MaybeUninit::uninit(); 1];
        let flags = libc::MSG_PEEK | libc::MSG_DONTWAIT;
        self.heard.load(Ordering::Relaxed)
            || matches!(
                SockRef::from(&self.tcp).recv_with_flags(&mut first, flags),
                Ok(1)
            )
    }

    /// Marks the handshake over and wakes [`TlsStream::wait_handshake`].
    fn end_handshake(&self) {
        let (over, changed) = &self.handshake_over;
        let mut over = over.lock();
        if !*over {
            *over = true;
            changed.notify_all();
        }
    }

    /// Runs the handshake to its end before anything else is read, so a client learns at
    /// once whether the server's certificate was accepted: reads the socket (each read
    /// bounded by its read timeout) and answers until the session is established, then
    /// sends what is left of its side. Plaintext that came with the last flight waits for
    /// `read`. Meant to be called once, before a reader thread starts.
    ///
    /// # Errors
    /// `InvalidData` wrapping the [`rustls::Error`] when the session failed (a refused
    /// certificate, the peer's alert, bytes that are not TLS; the alert that says why was
    /// sent), `UnexpectedEof` when the peer closed first, the socket's own error otherwise
    /// (`WouldBlock` or `TimedOut` at its read timeout).
    pub fn complete_handshake(&self) -> io::Result<()> {
        let mut inbox = self.inbox.lock();
        while self.is_handshaking() {
            if self.fill(&mut inbox)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the peer closed the connection during the TLS handshake",
                ));
            }
            self.feed(&mut inbox)?;
        }
        drop(inbox);
        self.flush_tls()
    }

    /// Reads the socket into `inbox` when it is empty; how many bytes wait in it (0 at the
    /// socket's end).
    fn fill(&self, inbox: &mut Inbox) -> io::Result<usize> {
        if inbox.start == inbox.end {
            let n = loop {
                match (&self.tcp).read(&mut inbox.buf[..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Ok(n) if n > 0 => {
                        self.heard.store(true, Ordering::Relaxed);
                        break n;
                    }
                    other => {
                        // No handshake can end on a socket that ended or failed.
                        self.end_handshake();
                        break other?;
                    }
                }
            };
            (inbox.start, inbox.end) = (0, n);
        }
        Ok(inbox.end - inbox.start)
    }

    /// Hands what waits in `inbox` to the session (see [`TlsStream::take_in`]).
    fn feed(&self, inbox: &mut Inbox) -> io::Result<()> {
        let Inbox {
            buf: raw,
            start,
            end,
        } = inbox;
        *start += self.take_in(&raw[*start..*end])?;
        Ok(())
    }

    /// Shuts the socket down (no TLS alert: for tearing down; see
    /// [`TlsStream::close_notify`] for a clean close) and ends a wait for the handshake.
    /// Never blocks.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.end_handshake();
        self.tcp.shutdown(how)
    }

    /// Sends the `close_notify` alert (best effort, bounded by the socket's write timeout);
    /// nothing written after it reaches the peer.
    pub fn close_notify(&self) {
        self.session.lock().send_close_notify();
        let _ = self.flush_tls();
    }

    /// Writes every record the session has sealed, in order (blocking up to the socket's
    /// write timeout; what a failed write leaves is written by the next call).
    pub fn flush_tls(&self) -> io::Result<()> {
        loop {
            self.write_sealed(&mut self.out.lock(), 0)?;
            // Records a reader sealed while `out` was held here: its `try_flush` gave way.
            if !self.session.lock().wants_write() {
                return Ok(());
            }
        }
    }

    /// The reader's flush (handshake replies, alerts): never waits. If a flush is under way
    /// it gives way (that flush looks again before it returns); else it sends what the
    /// socket takes now and leaves the rest for the next flush. A reader that blocked on a
    /// write could stop reading a peer that is itself blocked writing to us.
    fn try_flush(&self) {
        if let Some(mut sealed) = self.out.try_lock() {
            let _ = self.write_sealed(&mut sealed, libc::MSG_DONTWAIT);
        }
    }

    /// Takes what the session sealed (once `sealed` is written: the session's own buffer
    /// limit then bounds what waits for a peer that does not read) and sends it with `flags`.
    fn write_sealed(&self, sealed: &mut Vec<u8>, flags: i32) -> io::Result<()> {
        let sock = SockRef::from(&self.tcp);
        loop {
            if sealed.is_empty() {
                let mut s = self.session.lock();
                while s.wants_write() {
                    s.write_tls(&mut *sealed)?;
                }
            }
            if sealed.is_empty() {
                return Ok(());
            }
            let mut done = 0;
            let written = loop {
                match sock.send_with_flags(&sealed[done..], flags | libc::MSG_NOSIGNAL) {
                    Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => done += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
                if done == sealed.len() {
                    break Ok(());
                }
            };
            sealed.drain(..done);
            written?;
        }
    }

    /// Feeds `raw` (read from the socket; empty at its end) to the session until it has
    /// plaintext to give, and sends what the session has to say back (handshake messages,
    /// alerts); how many bytes of `raw` it took. The rest waits for the next call: rustls
    /// refuses more input while 16 KiB of plaintext wait, so the plaintext is read first.
    fn take_in(&self, raw: &[u8]) -> io::Result<usize> {
        let mut rest = raw;
        let mut s = self.session.lock();
        let result = loop {
            match s.read_tls(&mut rest) {
                // After the peer's close_notify nothing more is read: the rest is dropped.
                Ok(0) if !rest.is_empty() => break Ok(raw.len()),
                Ok(_) => {}
                Err(e) => break Err(e),
            }
            match s.process_new_packets() {
                Ok(state) if state.plaintext_bytes_to_read() > 0 || rest.is_empty() => {
                    break Ok(raw.len() - rest.len());
                }
                Ok(_) => {}
                // rustls queued an alert saying why; it goes out below.
                Err(e) => break Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        };
        let reply = s.wants_write();
        let over = result.is_err() || !s.is_handshaking();
        drop(s);
        if over {
            self.end_handshake();
        }
        if reply {
            // Handshake replies and alerts go now, without waiting: what the socket does
            // not take goes with the next flush, and a dead socket shows on the next read.
            self.try_flush();
        }
        result
    }
}

/// Bytes read from the socket and not yet taken by the session (the reader's alone).
#[derive(Debug)]
struct Inbox {
    buf: Box<[u8; READ_BUF]>,
    start: usize,
    end: usize,
}

impl Read for &TlsStream {
    /// Plaintext from the peer: `Ok(0)` at its `close_notify` or at the socket's end;
    /// `InvalidData` when the peer broke the protocol (its alert was sent).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut inbox = self.inbox.lock();
        loop {
            match self.session.lock().reader().read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // The socket ended without close_notify: an end like any other here (the
                // line protocol frames its own messages, so no truncation goes unnoticed).
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                done => return done,
            }
            self.fill(&mut inbox)?;
            self.feed(&mut inbox)?;
        }
    }
}

impl Write for &TlsStream {
    /// Seals a prefix of `buf` and writes the records (blocking up to the socket's write
    /// timeout; records a timeout leaves go with the next write or flush). Before the
    /// handshake ends the plaintext waits in the session. The session holds at most 64 KiB
    /// of either; a full one is a `WouldBlock` error.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            let sealed = self.session.lock().writer().write(buf);
            // Flushed even when the session refused the bytes: a session broken by the peer
            // holds the alert that says why, and the caller is about to close the socket.
            let flushed = self.flush_tls();
            let n = sealed?;
            match flushed {
                // Sealed and queued: the next write or flush sends it. Saying the write
                // failed would make the caller seal the same bytes twice.
                Err(e) if n > 0 && is_timeout(&e) => {}
                flushed => flushed?,
            }
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The session was full: after the handshake the flush just emptied it (records a
            // reader's flush took but could not send had kept it from being taken), so seal
            // again; before, plaintext waits for the handshake and cannot be flushed.
            if self.session.lock().is_handshaking() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
