//! A certificate kept both decoded (for structure) and as its DER bytes (for
//! hashing and for OpenSSL).

use std::sync::{Arc, OnceLock};

use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::Error;

/// Certificates [`Cert::intern`] remembers before it starts again.
pub const INTERN_LIMIT: usize = 10_000;

/// An X.509 certificate with its exact DER encoding.
///
/// Cloning is cheap: the contents are shared.
#[derive(Clone, Debug)]
pub struct Cert(Arc<Inner>);

/// Certificates are equal when their DER encodings are.
impl PartialEq for Cert {
    fn eq(&self, other: &Cert) -> bool {
        self.0.sha256 == other.0.sha256 && self.0.der == other.0.der
    }
}

impl Eq for Cert {}

#[derive(Debug)]
struct Inner {
    parsed: Certificate,
    der: Vec<u8>,
    sha256: [u8; 32],
    /// RFC 4514 strings, made on first use (formatting looks OIDs up by name
    /// and showed in batch profiles).
    subject: OnceLock<String>,
    issuer: OnceLock<String>,
    /// The OpenSSL form, decoded on first use and shared (reference
    /// counted) by every caller after that.
    openssl: OnceLock<openssl::x509::X509>,
}

impl Cert {
    /// Decodes one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Cert, Error> {
        let parsed = Certificate::from_der(der).map_err(Error::asn1("Certificate"))?;
        Cert::from_parsed(parsed)
    }

    /// Wraps a decoded certificate, encoding it to DER.
    pub fn from_parsed(parsed: Certificate) -> Result<Cert, Error> {
        let der = parsed.to_der().map_err(Error::Encode)?;
        Ok(Cert::from_parts(parsed, der))
    }

    /// Wraps a decoded certificate and its DER encoding (the caller
    /// guarantees they belong together).
    pub(crate) fn from_parts(parsed: Certificate, der: Vec<u8>) -> Cert {
        let sha256 = openssl::sha::sha256(&der);
        Cert(Arc::new(Inner {
            parsed,
            der,
            sha256,
            subject: OnceLock::new(),
            issuer: OnceLock::new(),
            openssl: OnceLock::new(),
        }))
    }

    /// The certificate with encoding `der`, shared with every other caller
    /// that asked for the same bytes during this run (decoded once; its
    /// names and OpenSSL form are then made once too). The memory holds at
    /// most `INTERN_LIMIT` certificates and is emptied when full.
    pub fn intern(der: &[u8]) -> Result<Cert, Error> {
        use std::collections::HashMap;
        use std::sync::Mutex;
        // Keyed by the encoding itself: looking a certificate up costs a
        // SipHash of its bytes, not a SHA-256 (OpenSSL 3's one-shot SHA256()
        // fetches the algorithm from the provider each call).
        static INTERNED: OnceLock<Mutex<HashMap<Box<[u8]>, Cert>>> = OnceLock::new();
        let memo = INTERNED.get_or_init(|| Mutex::new(HashMap::new()));
        let lock = || memo.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cert) = lock().get(der) {
            return Ok(cert.clone());
        }
        let parsed = Certificate::from_der(der).map_err(Error::asn1("Certificate"))?;
        let cert = Cert::from_parts(parsed, der.to_vec());
        let mut memo = lock();
        if memo.len() >= INTERN_LIMIT {
            memo.clear();
        }
        memo.insert(der.into(), cert.clone());
        Ok(cert)
    }

    /// Reads every certificate of a PEM bundle (or one DER certificate).
    pub fn read_bundle(bytes: &[u8]) -> Result<Vec<Cert>, Error> {
        if bytes
            .windows(27)
            .any(|w| w == b"-----BEGIN CERTIFICATE-----")
        {
            let stack = openssl::x509::X509::stack_from_pem(bytes)
                .map_err(|e| Error::NotCms(format!("bad PEM certificate bundle: {e}")))?;
            stack
                .iter()
                .map(|x| {
                    let der = x.to_der().map_err(|e| Error::NotCms(e.to_string()))?;
                    Cert::from_der(&der)
                })
                .collect()
        } else {
            Ok(vec![Cert::from_der(bytes)?])
        }
    }

    /// The decoded certificate.
    pub fn parsed(&self) -> &Certificate {
        &self.0.parsed
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    /// SHA-256 of the DER encoding: the identity used in caches.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.0.sha256
    }

    /// The subject as an RFC 4514 string (UTF-8 kept as is).
    pub fn subject(&self) -> String {
        self.0
            .subject
            .get_or_init(|| self.0.parsed.tbs_certificate.subject.to_string())
            .clone()
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer(&self) -> String {
        self.0
            .issuer
            .get_or_init(|| self.0.parsed.tbs_certificate.issuer.to_string())
            .clone()
    }

    /// The serial number in upper-case hex.
    pub fn serial_hex(&self) -> String {
        hex_upper(self.0.parsed.tbs_certificate.serial_number.as_bytes())
    }

    /// The validity period as seconds since the Unix epoch (notBefore, notAfter).
    pub fn validity_unix(&self) -> (u64, u64) {
        let v = &self.0.parsed.tbs_certificate.validity;
        (
            v.not_before.to_unix_duration().as_secs(),
            v.not_after.to_unix_duration().as_secs(),
        )
    }

    /// The certificate as OpenSSL's `X509` (decoded once, then shared).
    pub fn to_openssl(&self) -> Result<openssl::x509::X509, openssl::error::ErrorStack> {
        if let Some(x509) = self.0.openssl.get() {
            return Ok(x509.clone());
        }
        let x509 = openssl::x509::X509::from_der(&self.0.der)?;
        Ok(self.0.openssl.get_or_init(|| x509).clone())
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02X}");
            s
        })
}
