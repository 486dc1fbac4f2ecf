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
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]
#![forbid(unsafe_code)]

pub mod crl;
mod error;
pub mod fetch;
pub mod ocsp;
pub mod path;
mod revocation;
mod trust;
mod validator;

pub use crl::{Crl, CrlSet, RevocationEvidence};
pub use error::{Error, PathError};
pub use fetch::{FetchConfig, Fetcher};
pub use hozon_cms::UnixTime;
pub use ocsp::OcspResponse;
pub use revocation::{RevocationPolicy, RevocationStatus};
pub use trust::TrustAnchors;
pub use validator::{CertStatus, ChainReport, ChainValidator};
