//! Certificates made in the test with rcgen: a private CA and server certificates it signs
//! for `localhost` and `127.0.0.1`, written as PEM files. Shared by the TLS tests of every
//! crate (`#[path]`-included).
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, PublicKeyData,
};

/// A test CA; [`TestCa::issue`] signs server certificates with it.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A server certificate and its key, as written to disk.
pub struct Issued {
    /// The PEM certificate chain (the server's certificate, then the CA's).
    pub cert: PathBuf,
    /// The PEM private key (PKCS#8).
    pub key: PathBuf,
    /// The certificate's common name, to tell two certificates apart.
    pub name: String,
    /// The base64 SHA-256 of the key's SubjectPublicKeyInfo, as chromium's
    /// `--ignore-certificate-errors-spki-list` takes it.
    pub spki_sha256: String,
}

impl TestCa {
    /// A new CA, whose certificate is written to `dir/ca.pem`.
    pub fn new(dir: &Path) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "chat test CA");
        let key = KeyPair::generate().expect("CA key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("CA certificate");
        std::fs::write(dir.join("ca.pem"), issuer.pem()).expect("write ca.pem");
        TestCa { issuer }
    }

    /// A certificate named `name` for localhost and 127.0.0.1, signed by this CA, written
    /// to `dir/name.crt` and `dir/name.key`.
    pub fn issue(&self, dir: &Path, name: &str) -> Issued {
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .expect("params");
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer).expect("sign");
        let (cert_path, key_path) = (
            dir.join(format!("{name}.crt")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&cert_path, format!("{}{}", cert.pem(), self.issuer.pem()))
            .expect("write cert");
        std::fs::write(&key_path, key.serialize_pem()).expect("write key");
        Issued {
            cert: cert_path,
            key: key_path,
            name: name.to_owned(),
            spki_sha256: spki_sha256(&key.subject_public_key_info()),
        }
    }

    /// The CA's certificate file (written by [`TestCa::new`]).
    pub fn pem_path(dir: &Path) -> PathBuf {
        dir.join("ca.pem")
    }
}

/// Base64 of the SHA-256 of `spki`.
fn spki_sha256(spki: &[u8]) -> String {
    use base64::Engine;
    let digest = ring::digest::digest(&ring::digest::SHA256, spki);
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}
