//! A TLS line client for the tests (rustls, trusting the test CA only), reading exactly
//! what a TLS `nc` would see, with bounded waits.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

const WAIT: Duration = Duration::from_secs(10);

/// A line client over TLS.
pub struct TlsClient {
    reader: BufReader<StreamOwned<ClientConnection, TcpStream>>,
}

/// The first certificate in a PEM file.
pub fn first_cert(path: &Path) -> CertificateDer<'static> {
    CertificateDer::pem_file_iter(path)
        .expect("read PEM")
        .next()
        .expect("a certificate")
        .expect("valid PEM")
}

impl TlsClient {
    /// Connects to `addr`, trusting only the CA in `ca`, for the name `localhost`; the
    /// handshake runs with the first read.
    pub fn connect(addr: SocketAddr, ca: &Path) -> TlsClient {
        let mut roots = RootCertStore::empty();
        roots.add(first_cert(ca)).expect("root");
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = "localhost".try_into().expect("server name");
        let conn = ClientConnection::new(Arc::new(config), name).expect("client session");
        let tcp = TcpStream::connect(addr).expect("connect");
        tcp.set_read_timeout(Some(WAIT)).expect("timeout");
        tcp.set_nodelay(true).expect("nodelay");
        TlsClient {
            reader: BufReader::new(StreamOwned::new(conn, tcp)),
        }
    }

    /// Connects and reads the nickname prompt.
    pub fn joining(addr: SocketAddr, ca: &Path) -> TlsClient {
        let mut c = TlsClient::connect(addr, ca);
        let prompt = c.line();
        assert!(
            prompt.starts_with("[Server]: Welcome to the open chat"),
            "{prompt}"
        );
        c
    }

    /// The server's certificate (DER), once the handshake is done.
    pub fn server_cert(&self) -> Vec<u8> {
        let conn = &self.reader.get_ref().conn;
        conn.peer_certificates().expect("handshake done")[0].to_vec()
    }

    /// Sends `text` plus a newline.
    pub fn send(&mut self, text: &str) {
        let stream = self.reader.get_mut();
        stream
            .write_all(format!("{text}\n").as_bytes())
            .expect("send");
        stream.flush().expect("flush");
    }

    /// The next line without its `\n`; panics at the end of the stream or after the wait.
    pub fn line(&mut self) -> String {
        self.try_line()
            .expect("connection closed while a line was expected")
    }

    /// The next line, or `None` at the end of the stream.
    pub fn try_line(&mut self) -> Option<String> {
        let mut buf = Vec::new();
        match self.reader.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                assert_eq!(buf.pop(), Some(b'\n'), "line without newline: {buf:?}");
                Some(String::from_utf8(buf).expect("UTF-8"))
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => None,
            Err(e) => panic!("no line within {WAIT:?}: {e}"),
        }
    }

    /// Asserts the next lines are exactly `expected`.
    pub fn expect(&mut self, expected: &[&str]) {
        for want in expected {
            assert_eq!(&self.line(), want);
        }
    }

    /// Reads until the server closes; the lines read on the way.
    pub fn expect_closed(&mut self) -> Vec<String> {
        let mut rest = Vec::new();
        while let Some(l) = self.try_line() {
            rest.push(l);
        }
        rest
    }

    /// Everything left, raw, until the end.
    pub fn read_rest(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        let _ = self.reader.read_to_end(&mut rest);
        rest
    }
}
