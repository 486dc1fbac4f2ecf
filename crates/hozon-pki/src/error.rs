//! Errors of the trust layer.

use std::path::PathBuf;

use crate::UnixTime;

/// Why no valid certification path exists at the validation time.
///
/// Each variant maps to one ETSI EN 319 102-1 sub-indication in
/// `hozon-verify`; the mapping lives there, the facts live here.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// No path to a configured trust anchor could be built.
    #[error("no certification path to a trusted anchor: {reason} (at {subject}); pass the right root with --trust")]
    NoPath {
        /// OpenSSL's reason.
        reason: String,
        /// The certificate where building stopped.
        subject: String,
    },
    /// A certificate of the path had expired at the validation time.
    #[error("{subject} expired at {not_after}, before the validation time {at}")]
    Expired {
        /// The expired certificate.
        subject: String,
        /// Its notAfter.
        not_after: UnixTime,
        /// The validation time.
        at: UnixTime,
        /// 0 for the end entity, 1 for its issuer, ...
        depth: u32,
    },
    /// A certificate of the path was not yet valid at the validation time.
    #[error("{subject} is not valid before {not_before}, after the validation time {at}")]
    NotYetValid {
        /// The certificate.
        subject: String,
        /// Its notBefore.
        not_before: UnixTime,
        /// The validation time.
        at: UnixTime,
        /// 0 for the end entity.
        depth: u32,
    },
    /// A certificate's signature does not verify with its issuer's key.
    #[error("the signature on {subject} does not verify: {reason}")]
    BadSignature {
        /// The certificate.
        subject: String,
        /// OpenSSL's reason.
        reason: String,
    },
    /// RFC 5280 constraints fail (basicConstraints, path length, name
    /// constraints, unknown critical extension, ...).
    #[error("{subject}: {reason}")]
    Constraints {
        /// The certificate at fault.
        subject: String,
        /// OpenSSL's reason.
        reason: String,
    },
    /// OpenSSL itself failed (out of memory, ...).
    #[error("path validation failed internally: {0}")]
    Internal(String),
}

/// Configuration and input errors of the trust layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A trust anchor or CRL file could not be read.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A trust anchor file holds no usable certificate.
    #[error("{}: {reason}", path.display())]
    BadAnchor {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A CRL could not be decoded.
    #[error("{origin}: not a CRL: {reason}")]
    BadCrl {
        /// Where it came from (a file name, or "embedded").
        origin: String,
        /// Why.
        reason: String,
    },
    /// An OCSP response could not be decoded.
    #[error("{origin}: not an OCSP response: {reason}")]
    BadOcsp {
        /// Where it came from (a file name, a URL, or "embedded").
        origin: String,
        /// Why.
        reason: String,
    },
    /// Revocation data could not be fetched.
    #[error("{url}: {reason}")]
    Fetch {
        /// The URL asked.
        url: String,
        /// Why it failed.
        reason: String,
    },
}
