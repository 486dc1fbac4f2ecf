//! XAdES for hozon: XML signatures as Japanese e-prescriptions (電子処方箋)
//! and HL7 CDA documents carry them (ETSI EN 319 132-1, TS 101 903
//! 1.3.2/1.4.1 — the forms JIS X 5093 profiles).
//!
//! - [`xml`]: parsing XML from others safely (no DTD, no entity, no network,
//!   no recovery) into libxml2's tree;
//! - [`c14n`]: Canonical XML 1.0/1.1 and Exclusive C14N on XML-DSig node
//!   sets, by libxml2 (the canonicaliser xmlsec1 and lxml use), through a thin FFI
//!   to the system library;
//! - [`dsig`], [`reference`](mod@reference), [`core`](mod@core): XML-DSig core validation — every
//!   Reference (same-document, or a detached file under the signature's
//!   directory; never the network; XSLT never run), SignedInfo and the
//!   SignatureValue with OpenSSL (RSA PKCS#1 v1.5, RSA-PSS, ECDSA `r || s`);
//! - [`properties`]: the XAdES qualifying properties read into types;
//! - [`verify`] (and [`verify_with_evidence`]): the adapter that hands each
//!   signature to hozon's format-independent validation engine
//!   ([`hozon_verify::Verifier::verify_container`]) — XML-DSig core
//!   validation, the XAdES form, SigningCertificate(V2), SigningTime, the
//!   time stamps and what each covers, the embedded validation data — so
//!   that the report, indications and exit codes are those of CAdES, with
//!   format `XAdES`;
//! - [`augment`]: B-T, B-LT and B-LTA for XAdES through hozon-ltv's
//!   augmentation pipeline ([`hozon_ltv::Augmentable`]);
//! - [`sign`]: making an enveloped or detached XAdES B-B signature.
//!
//! # Example
//!
//! ```
//! use hozon_pki::{ChainValidator, CrlSet, RevocationPolicy, TrustAnchors, UnixTime};
//! use hozon_verify::{AlgorithmPolicy, Indication, SubIndication, Verifier, VerifierConfig};
//! use hozon_xades::{looks_like_xades, verify, XmlInput};
//!
//! let now = UnixTime::now();
//! let chains = ChainValidator::new(TrustAnchors::new(), CrlSet::new(), RevocationPolicy::Require, now);
//! let verifier = Verifier::new(chains, VerifierConfig {
//!     validation_time: now,
//!     algorithms: AlgorithmPolicy::default(),
//!     accept_expired_tsa: false,
//!     extra_certs: Vec::new(),
//! });
//! let xml = b"<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>";
//! assert!(!looks_like_xades(xml));
//! // A DTD is refused before anything is parsed.
//! let input = XmlInput { label: "r.xml", bytes: xml, base_dir: None };
//! let report = &verify(&verifier, input)[0];
//! assert_eq!(report.indication, Indication::TotalFailed);
//! assert_eq!(report.sub_indication, Some(SubIndication::FormatFailure));
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
pub mod sign;
pub mod spans;
pub mod xml;

mod adapter;
pub mod augment;

pub use adapter::{looks_like_xades, verify, verify_with_evidence, XmlInput};
pub use error::{DsigError, XmlError};
