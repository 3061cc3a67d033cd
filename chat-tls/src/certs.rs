//! The server's certificate chain and private key: loaded from PEM files at start, reloaded
//! on request (SIGHUP in `chat-tcp`) without touching established connections.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use rustls::ServerConfig;
use rustls::crypto::ring;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::TlsStream;

/// Why a certificate and key could not be put in force.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A path names something else than a regular file (a FIFO, a device, a directory):
    /// reading it could block or never end.
    #[error("{path} is not a regular file ({kind})")]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// A file is larger than any certificate chain or key (1 MiB).
    #[error("{path} is too large for a PEM file (over 1 MiB)")]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// A file is not valid PEM, or holds nothing of the kind asked for.
    #[error("{path}: {what}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        what: String,
    },
    /// rustls refused the pair: the key does not match the certificate, or is of a kind it
    /// cannot sign with.
    #[error("{cert} and {key} are not a usable pair: {source}")]
    Pair {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        source: rustls::Error,
    },
    /// A TLS session could not be started (no protocol version in common with the provider).
    #[error("cannot start a TLS session: {0}")]
    Session(rustls::Error),
}

/// The most bytes read from a certificate or key file: a long chain is a few tens of KiB.
const MAX_PEM_BYTES: u64 = 1024 * 1024;

/// The certificate and key in force, and where they are read from. Cheap to clone: clones
/// share the pair, so a reload is seen by every listener.
#[derive(Clone)]
pub struct Certs {
    inner: Arc<Inner>,
}

struct Inner {
    cert: PathBuf,
    key: PathBuf,
    /// What new sessions are made with; a session keeps the config it was made with.
    current: Mutex<Arc<ServerConfig>>,
}

impl std::fmt::Debug for Certs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certs")
            .field("cert", &self.inner.cert)
            .field("key", &self.inner.key)
            .finish_non_exhaustive()
    }
}

impl Certs {
    /// Reads the PEM certificate chain at `cert` (the server's certificate first) and the
    /// PEM private key at `key` (PKCS#8, PKCS#1 or SEC1), and checks they are a pair.
    pub fn load(cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Result<Certs, Error> {
        let (cert, key) = (cert.into(), key.into());
        let config = server_config(&cert, &key)?;
        Ok(Certs {
            inner: Arc::new(Inner {
                cert,
                key,
                current: Mutex::new(config),
            }),
        })
    }

    /// Reads both files again and puts the new pair in force for new connections. On an
    /// error the pair in force stays.
    pub fn reload(&self) -> Result<(), Error> {
        let config = server_config(&self.inner.cert, &self.inner.key)?;
        *self.inner.current.lock() = config;
        Ok(())
    }

    /// The certificate file's path.
    pub fn cert_path(&self) -> &Path {
        &self.inner.cert
    }

    /// The key file's path.
    pub fn key_path(&self) -> &Path {
        &self.inner.key
    }

    /// The pair in force, as rustls's server configuration.
    pub fn config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.inner.current.lock())
    }

    /// Starts a TLS server session on `tcp` with the pair in force; the handshake happens
    /// as the stream is read.
    pub fn accept(&self, tcp: TcpStream) -> Result<TlsStream, Error> {
        TlsStream::new(tcp, self.config()).map_err(Error::Session)
    }
}

/// rustls's configuration for the pair in these files: `ring`, TLS 1.3 and 1.2, no client
/// certificates.
fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, Error> {
    let chain = CertificateDer::pem_slice_iter(&read(cert)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(cert, e))?;
    if chain.is_empty() {
        return Err(pem_error(cert, pem::Error::NoItemsFound));
    }
    let private = PrivateKeyDer::from_pem_slice(&read(key)?).map_err(|e| pem_error(key, e))?;
    let pair = |source| Error::Pair {
        cert: cert.to_owned(),
        key: key.to_owned(),
        source,
    };
    // ring is the one provider built without a C toolchain (aws-lc needs one); rustls marks
    // it deprecated for lacking post-quantum key exchange, which ring does not offer.
    #[allow(deprecated)]
    let provider = Arc::new(ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(pair)?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(pair)?;
    Ok(Arc::new(config))
}

/// The file at `path`, refused unless it is a regular file of at most `MAX_PEM_BYTES`.
/// Opened without blocking, so a FIFO planted at the path is refused instead of waiting
/// for a writer forever (with the signal thread stuck behind it).
fn read(path: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let io = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io)?;
    let kind = file.metadata().map_err(io)?.file_type();
    if !kind.is_file() {
        let kind = match () {
            () if kind.is_fifo() => "a FIFO",
            () if kind.is_dir() => "a directory",
            () if kind.is_char_device() => "a character device",
            () if kind.is_block_device() => "a block device",
            () if kind.is_socket() => "a socket",
            () => "not a file",
        };
        return Err(Error::NotAFile {
            path: path.to_owned(),
            kind,
        });
    }
    // The size is read, not trusted from the metadata: the file may grow meanwhile.
    let mut bytes = Vec::new();
    file.take(MAX_PEM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        return Err(Error::TooLarge {
            path: path.to_owned(),
        });
    }
    Ok(bytes)
}

fn pem_error(path: &Path, e: pem::Error) -> Error {
    let what = match e {
        pem::Error::NoItemsFound => {
            "no certificate or private key of the expected kind in it".to_owned()
        }
        // pki-types prints these markers as byte lists; an operator needs the line itself.
        pem::Error::MissingSectionEnd { end_marker } => format!(
            "not a valid PEM file (missing the line -----END {}-----)",
            printable(&end_marker)
        ),
        pem::Error::IllegalSectionStart { line } => format!(
            "not a valid PEM file (a malformed line starting a section: {})",
            printable(&line)
        ),
        e => format!("not a valid PEM file ({e})"),
    };
    Error::Pem {
        path: path.to_owned(),
        what,
    }
}

/// Bytes of a file as text for a diagnostic: invalid UTF-8 replaced, control characters
/// escaped, so a hostile file cannot drive the operator's terminal.
fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}
