//! A load client's connection: plain TCP, or TLS (`--tls`) through chat-tls's stream, which
//! the client's reader and writer threads share as they share a socket.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chat_tls::TlsStream;
use rustls::ClientConfig;
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};

use super::LoadError;

/// One client's connection; clones share it.
#[derive(Debug)]
pub enum Conn {
    /// The line protocol over TCP.
    Tcp(TcpStream),
    /// The line protocol over TLS.
    Tls(Arc<TlsStream>),
}

impl Conn {
    /// Connects to `addr` within `timeout`, over TLS with `tls` (checking the server's
    /// certificate against it for the address itself, as chat-cli does for an IP).
    pub fn connect(
        addr: SocketAddr,
        timeout: Duration,
        tls: Option<&Arc<ClientConfig>>,
    ) -> io::Result<Conn> {
        let tcp = TcpStream::connect_timeout(&addr, timeout)?;
        match tls {
            None => Ok(Conn::Tcp(tcp)),
            Some(config) => {
                let name = ServerName::IpAddress(addr.ip().into());
                TlsStream::client(tcp, Arc::clone(config), name)
                    .map(|s| Conn::Tls(Arc::new(s)))
                    .map_err(io::Error::other)
            }
        }
    }

    /// The socket underneath.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Tcp(tcp) => tcp,
            Conn::Tls(tls) => tls.tcp(),
        }
    }

    /// Another handle on the same connection (for the writer thread).
    pub fn try_clone(&self) -> io::Result<Conn> {
        match self {
            Conn::Tcp(tcp) => tcp.try_clone().map(Conn::Tcp),
            Conn::Tls(tls) => Ok(Conn::Tls(Arc::clone(tls))),
        }
    }

    /// As [`TcpStream::set_read_timeout`].
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp().set_read_timeout(timeout)
    }

    /// As [`TcpStream::set_write_timeout`].
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp().set_write_timeout(timeout)
    }

    /// As [`TcpStream::shutdown`].
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.tcp().shutdown(how)
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(tcp) => tcp.read(buf),
            Conn::Tls(tls) => (&**tls).read(buf),
        }
    }
}

impl Write for &Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(tcp) => (&*tcp).write(buf),
            Conn::Tls(tls) => (&**tls).write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Tcp(_) => Ok(()),
            Conn::Tls(tls) => tls.flush_tls(),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self).flush()
    }
}

/// The TLS settings of `--tls`: trust the certificates in `ca` (PEM) only.
pub fn tls_config(ca: &Path) -> Result<Arc<ClientConfig>, LoadError> {
    let bad = |why: String| LoadError::InvalidOption(format!("--ca {}: {why}", ca.display()));
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| bad(e.to_string()))? {
        let cert = cert.map_err(|e| bad(e.to_string()))?;
        roots.add(cert).map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no certificate in it".to_owned()));
    }
    // ring, as the server: no C toolchain; deprecated by rustls only for lacking
    // post-quantum key exchange.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
