//! The CAdES data model of hozon.
//!
//! This crate is the bottom of the hozon stack: it knows the shape of a CAdES
//! signature (a CMS `SignedData`, RFC 5652, with the signed attributes that ETSI
//! EN 319 122-1 requires) and nothing about trust, time or policy. Higher
//! crates sign ([`hozon-sign`]), validate ([`hozon-verify`]) and augment
//! signatures on top of it.
//!
//! Why it exists rather than using `cms` directly:
//! * Signatures arrive from other systems as DER, **BER** (indefinite lengths,
//!   as `openssl cms -sign -stream` and many Java tools write) or PEM. The
//!   RustCrypto `der` crate reads DER only, so [`SignatureFile::parse`]
//!   normalises BER through OpenSSL first and records which encoding it saw.
//! * The ESS signing-certificate attributes (RFC 2634, RFC 5035) have no Rust
//!   type anywhere; [`signing_certificate`] defines them.
//! * Algorithm identifiers are mapped once, in [`algorithm`], to the closed set
//!   of algorithms hozon implements, so that an unknown or malformed identifier
//!   is an error at one place instead of a surprise in every caller.
//!
//! [`hozon-sign`]: ../hozon_sign/index.html
//! [`hozon-verify`]: ../hozon_verify/index.html
//!
//! # Example
//!
//! Read a signature file in whatever encoding it came, and look inside:
//!
//! ```no_run
//! use hozon_cms::SignatureFile;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bytes = std::fs::read("referral-letter.txt.p7s")?;
//! let signature = SignatureFile::parse(&bytes)?; // DER, BER or PEM
//! println!("{:?}, {} SignerInfo(s)", signature.encoding, signature.signer_infos().len());
//! for cert in signature.certificates() {
//!     println!("certificate: {}", cert.subject());
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod algorithm;
pub mod algorithm_protection;
pub mod archive_timestamp;
pub mod archive_timestamp_v2;
pub mod attributes;
mod cert;
mod error;
pub mod es_c;
#[cfg(test)]
mod foreign_encodings_tests;
mod key_cache;
pub mod names;
pub mod oid;
pub mod pem;
pub mod pkcs12;
mod signature_file;
pub mod signed_attrs;
pub mod signing_certificate;
mod time;

pub use algorithm::{DigestAlgorithm, Digester, SignatureAlgorithm};
pub use cert::Cert;
pub use error::Error;
pub use key_cache::{KeyCache, KeyEntry, KeyError};
pub use signature_file::{Encoding, SignatureFile, MAX_SIGNATURE_FILE_SIZE};
pub use time::{NotRfc3339, UnixTime};

/// Re-exported ASN.1 crates, so that callers use exactly the versions this
/// crate was built with (the `der` 0.7 line; see `shared/notes/crates.md`).
pub mod asn1 {
    pub use cms;
    pub use const_oid;
    pub use der;
    pub use spki;
    pub use x509_cert;
    pub use x509_ocsp;
}
