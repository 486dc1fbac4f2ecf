//! Trust: is this certificate part of a valid path to an anchor we were told
//! to trust, at the time that matters, and was none of it revoked then?
//!
//! * Path building and RFC 5280 path validation are OpenSSL's
//!   (`X509_verify_cert`), run at an explicit time ([`path`]). We never
//!   hand-roll them.
//! * Revocation **at a given time** is ours ([`crl`]): OpenSSL's CRL check
//!   rejects a CRL issued after the time of interest and ignores revocation
//!   dates, both wrong for validating old signatures (ETSI EN 319 102-1
//!   §5.6.2). We parse CRLs with `x509-cert`, verify their signatures with
//!   OpenSSL, and compare revocation dates with the time being checked.
//! * OCSP responses ([`ocsp`]) are judged with the same time semantics;
//!   OpenSSL verifies their signature and responder authorisation at
//!   producedAt.
//! * Missing revocation data is fetched over HTTP ([`fetch`]) once per URL
//!   (and OCSP CertID) per run, when a [`Fetcher`] is given.
//! * A batch validates the same few chains thousands of times;
//!   [`ChainValidator`] caches results per (certificate, intermediates, CRLs,
//!   time).
//!
//! # Example
//!
//! Validate a signer's certificate path, with revocation from CRL files, at a given time:
//!
//! ```
//! use std::path::Path;
//! use std::sync::Arc;
//!
//! use hozon_cms::Cert;
//! use hozon_pki::{ChainValidator, Crl, CrlSet, RevocationPolicy, TrustAnchors, UnixTime};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pki = Path::new("/etc/hozon/pki");
//! # let pki = &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/pki");
//! let mut anchors = TrustAnchors::new();
//! anchors.add_file(&pki.join("trust.pem"))?;
//! let mut crls = CrlSet::new();
//! for crl in Crl::read_file(&pki.join("crls.pem"))? {
//!     crls.add(Arc::new(crl));
//! }
//! let leaf = Cert::read_bundle(&std::fs::read(pki.join("signer-doctor.crt"))?)?.remove(0);
//! let intermediates = Cert::read_bundle(&std::fs::read(pki.join("chain.pem"))?)?;
//!
//! let now = UnixTime::now();
//! let validator = ChainValidator::new(anchors, crls, RevocationPolicy::Require, now);
//! let report = validator.validate(&leaf, &intermediates, &CrlSet::new(), now);
//! let path = report.path.as_ref().map_err(|e| e.to_string())?;
//! println!("path of {} certificates, {:?}", path.len(), report.revocation);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]
#![forbid(unsafe_code)]

pub mod crl;
mod error;
pub mod fetch;
pub mod ocsp;
pub mod path;
mod revocation;
mod signer_check;
mod trust;
mod validator;

pub use crl::{Crl, CrlSet, RevocationEvidence};
pub use error::{Error, PathError};
pub use fetch::{FetchConfig, Fetcher};
pub use hozon_cms::UnixTime;
pub use ocsp::OcspResponse;
pub use revocation::{RevocationPolicy, RevocationStatus, UnknownRevocationPolicy};
pub use signer_check::{anchors_from_chain, check_signer, SignerStatus};
pub use trust::TrustAnchors;
pub use validator::{CertStatus, ChainReport, ChainValidator};

/// Largest CRL file read (`--crl`; a PEM bundle may hold several CRLs of
/// up to [`crl::MAX_CRL_SIZE`] each).
pub const MAX_CRL_FILE_SIZE: u64 = 256 << 20;
/// Largest trust-anchor or certificate bundle file read.
pub const MAX_CERT_FILE_SIZE: u64 = 16 << 20;

/// Reads `path` whole unless it is larger than `limit` bytes: a file named
/// by the operator can still be anything, and nothing here should read
/// gigabytes into memory to find that out.
pub fn read_limited(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let io = |error| Error::Io {
        path: path.to_path_buf(),
        error,
    };
    let too_large = |size: u64| {
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{size} bytes is over the {limit}-byte limit for this kind of file"),
        ))
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(too_large(read));
    }
    Ok(bytes)
}
