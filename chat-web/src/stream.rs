//! The socket under a web connection: plain TCP, or a TLS session (https and wss) when the
//! listener has a certificate. Both are used through `&Stream` from the reader and the
//! writer thread.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};

use chat_tls::TlsStream;

/// A web connection's byte stream.
#[derive(Debug)]
pub(crate) enum Stream {
    /// http and ws.
    Plain(TcpStream),
    /// https and wss; the handshake runs with the first read of the request head.
    Tls(Box<TlsStream>),
}

impl Stream {
    /// The socket, for timeouts and options.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.tcp(),
        }
    }

    /// Shuts the socket down; never blocks.
    pub(crate) fn shutdown(&self, how: Shutdown) {
        let _ = self.tcp().shutdown(how);
    }

    /// The end of what this side sends: TLS's `close_notify` (best effort), then a FIN.
    pub(crate) fn finish(&self) {
        if let Stream::Tls(tls) = self {
            tls.close_notify();
        }
        self.shutdown(Shutdown::Write);
    }
}

impl Read for &Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => (&*tcp).read(buf),
            Stream::Tls(tls) => (&**tls).read(buf),
        }
    }
}

impl Write for &Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => (&*tcp).write(buf),
            Stream::Tls(tls) => (&**tls).write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
