//! A TLS server connection that a reader thread and a writer thread share.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;

use parking_lot::Mutex;
use rustls::{ServerConfig, ServerConnection};

/// Bytes taken from the socket by one read.
const READ_BUF: usize = 4096;

/// A TLS server session over a TCP socket, usable through `&TlsStream` from two threads: one
/// reads (`Read for &TlsStream`), one writes (`Write for &TlsStream`).
///
/// The session is behind one lock, held only to put bytes in or take bytes out: the socket
/// read blocks outside it, so a reader waiting for the peer never holds up a writer. Sealed
/// records queue inside the session in the order they were made and leave through
/// [`TlsStream::flush_tls`] alone, which takes them and writes them under a second lock, so
/// records from the reader (handshake messages, alerts, key updates) and from the writer
/// (lines) reach the socket in sequence order.
#[derive(Debug)]
pub struct TlsStream {
    tcp: TcpStream,
    session: Mutex<ServerConnection>,
    /// Held while sealed records are taken from the session and written to the socket.
    out: Mutex<()>,
}

impl TlsStream {
    /// Starts a server session on `tcp` with `config`; the handshake runs as the stream is
    /// read (the reader answers the client's messages) and application data written before
    /// it ends waits in the session (bounded, see [`Write for &TlsStream`](#impl-Write-for-%26TlsStream)).
    pub fn new(tcp: TcpStream, config: Arc<ServerConfig>) -> Result<TlsStream, rustls::Error> {
        Ok(TlsStream {
            tcp,
            session: Mutex::new(ServerConnection::new(config)?),
            out: Mutex::new(()),
        })
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

    /// Shuts the socket down (no TLS alert: for tearing down; see
    /// [`TlsStream::close_notify`] for a clean close). Never blocks.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.tcp.shutdown(how)
    }

    /// Sends the `close_notify` alert (best effort, bounded by the socket's write timeout);
    /// nothing written after it reaches the peer.
    pub fn close_notify(&self) {
        self.session.lock().send_close_notify();
        let _ = self.flush_tls();
    }

    /// Writes every record the session has sealed, in order.
    pub fn flush_tls(&self) -> io::Result<()> {
        let _order = self.out.lock();
        let mut sealed = Vec::new();
        loop {
            {
                let mut s = self.session.lock();
                while s.wants_write() {
                    s.write_tls(&mut sealed)?;
                }
            }
            if sealed.is_empty() {
                return Ok(());
            }
            (&self.tcp).write_all(&sealed)?;
            sealed.clear();
        }
    }

    /// Feeds `raw` (read from the socket; empty at its end) to the session, and sends what
    /// the session has to say back (handshake messages, alerts).
    fn take_in(&self, raw: &[u8]) -> io::Result<()> {
        let mut rest = raw;
        let mut s = self.session.lock();
        let result = loop {
            match s.read_tls(&mut rest) {
                Ok(0) if !rest.is_empty() => break Ok(()), // after close_notify: ignored
                Ok(_) => {}
                Err(e) => break Err(e),
            }
            if let Err(e) = s.process_new_packets() {
                // rustls queued an alert saying why; it goes out below.
                break Err(io::Error::new(io::ErrorKind::InvalidData, e));
            }
            if rest.is_empty() {
                break Ok(());
            }
        };
        let reply = s.wants_write();
        drop(s);
        if !reply {
            return result;
        }
        // A peer that does not read its handshake replies meets the socket's write timeout.
        let flushed = self.flush_tls();
        result.and(flushed)
    }
}

impl Read for &TlsStream {
    /// Plaintext from the peer: `Ok(0)` at its `close_notify` or at the socket's end;
    /// `InvalidData` when the peer broke the protocol (its alert was sent).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut raw = [0u8; READ_BUF];
        loop {
            match self.session.lock().reader().read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // The socket ended without close_notify: an end like any other here (the
                // line protocol frames its own messages, so no truncation goes unnoticed).
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                done => return done,
            }
            let n = loop {
                match (&self.tcp).read(&mut raw) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
            self.take_in(&raw[..n])?;
        }
    }
}

impl Write for &TlsStream {
    /// Seals a prefix of `buf` and writes the records (blocking up to the socket's write
    /// timeout). Before the handshake ends the plaintext waits in the session, which takes
    /// at most 64 KiB; a full session is a `WouldBlock` error.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.session.lock().writer().write(buf)?;
        self.flush_tls()?;
        if n == 0 && !buf.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()
    }
}
