//! XAdES for hozon: XML signatures as Japanese e-prescriptions (電子処方箋)
//! and HL7 CDA documents carry them (ETSI EN 319 132-1, TS 101 903
//! 1.3.2/1.4.1 — the forms JIS X 5093 profiles).
//!
//! - [`xml`]: parsing XML from others safely (no DTD, no entity, no network,
//!   no recovery) into libxml2's tree;
//! - [`c14n`]: Canonical XML 1.0/1.1 and Exclusive C14N on XML-DSig node
//!   sets, by libxml2 (the canonicaliser xmlsec1 and lxml use), through a thin FFI
//!   to the system library;
//! - [`dsig`], [`reference`], [`core`]: XML-DSig core validation — every
//!   Reference (same-document, or a detached file under the signature's
//!   directory; never the network; XSLT never run), SignedInfo and the
//!   SignatureValue with OpenSSL (RSA PKCS#1 v1.5, RSA-PSS, ECDSA `r || s`);
//! - [`properties`], [`validate`]: the XAdES qualifying properties and the
//!   checks that bind them (the SignedProperties reference and its Type,
//!   SigningCertificate(V2) with names compared per RFC 5280);
//! - [`report`]: the adapter that hands a signature to hozon's validation
//!   engine (X.509 path, revocation, time stamps) and produces the same
//!   report as for CAdES, with format `XAdES`.
//!
//! # Example
//!
//! ```
//! use hozon_xades::validate::{looks_like_xades, verify_document, Inputs};
//!
//! let keys = hozon_cms::KeyCache::default();
//! let inputs = Inputs { base_dir: None, extra_certs: &[], keys: &keys };
//! let xml = b"<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>";
//! assert!(!looks_like_xades(xml));
//! // A DTD is refused before anything is parsed.
//! assert!(verify_document(xml, &inputs).is_err());
//! ```
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod c14n;
pub mod core;
pub mod dsig;
pub mod error;
mod ffi;
pub mod properties;
pub mod reference;
pub mod report;
pub mod sign;
pub mod validate;
pub mod xml;

pub use error::{DsigError, XmlError};
