//! `--tls`: the client configuration (the system's root certificates, or `--ca FILE`), and
//! the handshake with its one-line errors. The connection itself is chat-tls's
//! [`TlsStream`], which the reader and writer threads share.

use std::fmt::Write as _;
use std::io;
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chat_tls::TlsStream;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{AlertDescription, CertificateError, ClientConfig, RootCertStore};

/// The default port of the line protocol over TLS (the server's `--tls-bind`).
pub(crate) const DEFAULT_PORT: u16 = 9993;

/// How long the handshake may take once TCP is connected.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why `--tls` cannot be set up; each is said in one line at start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SetupError {
    /// `--ca FILE` cannot be read or holds no certificate.
    #[error("cannot use --ca {path}: {why}")]
    Ca {
        /// The file as given.
        path: String,
        /// Why.
        why: String,
    },
    /// The system has no root certificate to check a server against.
    #[error(
        "no system root certificates were found ({0}); install Debian's ca-certificates, \
         or give --ca FILE"
    )]
    NoSystemRoots(String),
    /// The `ring` provider offers no protocol version (cannot happen with rustls 0.23).
    #[error("cannot set up TLS: {0}")]
    Provider(rustls::Error),
}

/// The client configuration: TLS 1.2 and 1.3 with the `ring` provider, the server checked
/// against `--ca FILE` (alone) when given, else against the system's root certificates.
pub(crate) fn config(ca: Option<&Path>) -> Result<Arc<ClientConfig>, SetupError> {
    let mut roots = RootCertStore::empty();
    match ca {
        Some(path) => {
            let bad = |why: String| SetupError::Ca {
                path: path.display().to_string(),
                why,
            };
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| bad(e.to_string()))?;
            let (added, _ignored) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(bad("no usable PEM certificate in it".into()));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found
                    .errors
                    .first()
                    .map_or_else(|| "none installed".to_owned(), ToString::to_string);
                return Err(SetupError::NoSystemRoots(why));
            }
        }
    }
    // `ring` is the provider asked for (no aws-lc C build); rustls 0.23.48 marks it
    // deprecated only because it has no post-quantum key exchange.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(SetupError::Provider)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The host part of `host:port` (`[::1]:9993` gives `::1`), the name the certificate must
/// carry.
fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map_or(addr, |(host, _port)| host);
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// Runs the handshake on a connected socket (bounded by [`HANDSHAKE_TIMEOUT`]), checking the
/// server's certificate for the host of `addr`. A failure is one sentence saying which name
/// and why.
pub(crate) fn handshake(
    sock: TcpStream,
    config: Arc<ClientConfig>,
    addr: &str,
) -> io::Result<TlsStream> {
    let host = host_of(addr);
    let name = ServerName::try_from(host.to_owned()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{host:?} is not a name a certificate can carry"),
        )
    })?;
    sock.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    let stream = TlsStream::client(sock, config, name)
        .map_err(|e| io::Error::other(format!("TLS setup failed: {e}")))?;
    stream.complete_handshake().map_err(|e| explain(host, &e))?;
    stream.tcp().set_read_timeout(None)?;
    Ok(stream)
}

/// One sentence for a failed handshake with `host`.
fn explain(host: &str, e: &io::Error) -> io::Error {
    let tls = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    let cert = |why: String| format!("the server's certificate for {host:?} {why}");
    let text = match tls {
        Some(rustls::Error::InvalidCertificate(c)) => cert(match c {
            CertificateError::NotValidForName => "is not for that name".to_owned(),
            CertificateError::NotValidForNameContext { presented, .. } => {
                let mut why = "is not for that name".to_owned();
                if !presented.is_empty() {
                    let mut names: Vec<String> = presented
                        .iter()
                        .take(5)
                        .map(|n| presented_name(n))
                        .collect();
                    if presented.len() > 5 {
                        names.push(format!("{} more", presented.len() - 5));
                    }
                    let _ = write!(why, " (it is for {})", names.join(", "));
                }
                why
            }
            CertificateError::UnknownIssuer => "is not signed by an authority this client \
                                                trusts (--ca FILE trusts a private CA or a \
                                                self-signed certificate)"
                .to_owned(),
            CertificateError::Expired => "has expired".to_owned(),
            CertificateError::ExpiredContext { not_after, .. } => {
                format!("expired on {}", date(*not_after))
            }
            CertificateError::NotValidYet => "is not valid yet".to_owned(),
            CertificateError::NotValidYetContext { not_before, .. } => {
                format!("is not valid before {}", date(*not_before))
            }
            CertificateError::Revoked => "has been revoked".to_owned(),
            CertificateError::BadSignature => "has a bad signature".to_owned(),
            // webpki's error, which rustls passes on only as text.
            other if format!("{other:?}").contains("CaUsedAsEndEntity") => {
                "is a CA's certificate, not a server's (a self-signed certificate must say \
                 CA:FALSE; see chat-cli/README.md)"
                    .to_owned()
            }
            other => format!("was refused ({})", printable(&other.to_string())),
        }),
        Some(rustls::Error::NoCertificatesPresented) => {
            format!("the server at {host:?} sent no certificate")
        }
        Some(rustls::Error::AlertReceived(alert)) => {
            format!(
                "the server refused the TLS handshake ({})",
                alert_name(*alert)
            )
        }
        Some(rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. }) => {
            "the server did not answer in TLS (a plain-TCP port? leave out --tls)".to_owned()
        }
        Some(other) => format!(
            "the TLS handshake failed ({})",
            printable(&other.to_string())
        ),
        None if matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ) =>
        {
            format!(
                "the TLS handshake did not finish within {} s",
                HANDSHAKE_TIMEOUT.as_secs()
            )
        }
        None if e.kind() == io::ErrorKind::UnexpectedEof => {
            "the server closed the connection during the TLS handshake (a plain-TCP port? \
             leave out --tls)"
                .to_owned()
        }
        None => format!("the TLS handshake failed ({e})"),
    };
    io::Error::new(e.kind(), text)
}

/// A date for an error line (`2026-12-05 07:30 UTC`).
fn date(at: UnixTime) -> String {
    let secs = i64::try_from(at.as_secs()).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(secs).map_or_else(
        |_| format!("{secs} (Unix time)"),
        |t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        },
    )
}

/// An alert's name in words (`handshake failure`, `protocol version`).
fn alert_name(alert: AlertDescription) -> String {
    let debug = format!("{alert:?}");
    let mut words = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    words
}

/// A name from the certificate as rustls describes it (`DnsName("chat.example.org")`,
/// `IpAddress(127.0.0.1)`), as the name alone.
fn presented_name(described: &str) -> String {
    let name = described
        .strip_prefix("DnsName(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
        .or_else(|| {
            described
                .strip_prefix("IpAddress(")
                .and_then(|rest| rest.strip_suffix(')'))
        })
        .unwrap_or(described);
    printable(name)
}

/// Text that came from the server (a name in its certificate) without control characters,
/// and at most 200 of them.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_checked_is_the_host_given() {
        assert_eq!(host_of("chat.example.org:9993"), "chat.example.org");
        assert_eq!(host_of("127.0.0.1:9993"), "127.0.0.1");
        assert_eq!(host_of("[::1]:9993"), "::1");
    }

    #[test]
    fn names_from_the_certificate_are_shown_bare_and_printable() {
        assert_eq!(
            presented_name(r#"DnsName("chat.example.org")"#),
            "chat.example.org"
        );
        assert_eq!(presented_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(presented_name("DirectoryName"), "DirectoryName");
        assert_eq!(presented_name("DnsName(\"a\u{1b}[2Jb\")"), "a[2Jb");
        assert_eq!(printable(&"x".repeat(500)).len(), 200);
    }

    #[test]
    fn alerts_read_as_words() {
        assert_eq!(
            alert_name(AlertDescription::HandshakeFailure),
            "handshake failure"
        );
        assert_eq!(
            alert_name(AlertDescription::ProtocolVersion),
            "protocol version"
        );
    }

    #[test]
    fn dates_are_utc_minutes() {
        assert_eq!(
            date(UnixTime::since_unix_epoch(Duration::from_secs(
                1_764_921_600
            ))),
            "2025-12-05 08:00 UTC"
        );
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused_with_its_name() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a certificate\n")?;
        let err = config(Some(&path)).err().map(|e| e.to_string());
        assert_eq!(
            err,
            Some(format!(
                "cannot use --ca {}: no usable PEM certificate in it",
                path.display()
            ))
        );
        let missing = dir.path().join("missing.pem");
        let err = config(Some(&missing)).err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.starts_with(&format!("cannot use --ca {}: ", missing.display()))),
            "{err:?}"
        );
        Ok(())
    }
}
