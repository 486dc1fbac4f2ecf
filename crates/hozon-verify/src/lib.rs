//! Signature validation in the manner of ETSI EN 319 102-1.
//!
//! One format-independent engine: a signature format implements the traits
//! of [`format`](mod@format) (CAdES/CMS is built in; XAdES and PAdES adapters live in
//! their crates) and [`Verifier::verify_container`] validates it. Every
//! error and warning carries a stable [`codes::Code`].
//!
//! [`Verifier`] runs, for every SignerInfo of a CMS/CAdES signature, the
//! building blocks of the basic signature validation (EN 319 102-1 §5.3):
//! format checking, identification of the signing certificate (with the ESS
//! signing-certificate(-v2) binding), cryptographic verification (message
//! digest, signature value), X.509 certificate validation with revocation at
//! the validation time, and signature acceptance (algorithm policy). Every
//! problem becomes an ETSI sub-indication; the most serious decides the
//! verdict ([`report::SubIndication::rank`]).
//!
//! The verifier is strict by default, and TOTAL_PASSED is only reachable
//! when each of those checks has positively succeeded: a check that could not
//! run is INDETERMINATE, never silently skipped.
//!
//! # Example
//!
//! Verify a detached signature offline against one trust anchor and a CRL file:
//!
//! ```
//! use std::path::Path;
//!
//! use hozon_pki::{ChainValidator, Crl, CrlSet, RevocationPolicy, TrustAnchors, UnixTime};
//! use hozon_verify::{AlgorithmPolicy, Indication, Verifier, VerifierConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let (trust, crls) = (Path::new("hpki-roots.pem"), Path::new("crls.pem"));
//! let (signature, content) = (Path::new("a.pdf.p7s"), Path::new("a.pdf"));
//! # let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
//! # let (trust, crls) = (&testdata.join("pki/trust.pem"), &testdata.join("pki/crls.pem"));
//! # let signature = &testdata.join("adversarial/cases/001-control-rsa.p7s");
//! # let content = &testdata.join("adversarial/content/doc.txt");
//! let mut anchors = TrustAnchors::new();
//! anchors.add_file(trust)?;
//! let mut crl_set = CrlSet::new();
//! for crl in Crl::read_file(crls)? {
//!     crl_set.add(std::sync::Arc::new(crl));
//! }
//! let now = UnixTime::now();
//! // No fetcher: offline. `with_fetcher` fetches missing OCSP responses and CRLs.
//! let chains = ChainValidator::new(anchors, crl_set, RevocationPolicy::Require, now);
//! let verifier = Verifier::new(
//!     chains,
//!     VerifierConfig {
//!         validation_time: now,
//!         algorithms: AlgorithmPolicy::default(),
//!         accept_expired_tsa: false,
//!         extra_certs: Vec::new(),
//!     },
//! );
//! let bytes = std::fs::read(signature)?;
//! for report in verifier.verify("a.pdf.p7s", &bytes, Some(content)) {
//!     // One report per SignerInfo, serialisable as the `--json` report's entries.
//!     assert_eq!(report.indication, Indication::TotalPassed, "{:?}", report.errors);
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod access;
pub mod builder;
mod cades;
mod chain;
pub mod codes;
mod content;
pub mod deadline;
mod engine;
mod ers;
mod evidence;
pub use ers::TokenValidationData;
mod findings;
pub use evidence::Evidence;
pub use findings::{Findings, Problem, Warning};
pub use revocation_used::{RevocationKind, RevocationSource, RevocationUsed};
pub mod format;
pub mod hc_role;

pub mod policy;
pub mod report;
mod revocation_used;
mod timestamp;
mod verdict;
mod verifier;
pub mod vocabulary;

pub use builder::{BuildError, VerifierSetup};
pub use codes::Code;
pub use content::{digest_ranges, DetachedContent, ValidationData};
pub use policy::AlgorithmPolicy;
pub use report::{
    CounterSignatureReport, DocumentChange, EvidenceRecordEntry, EvidenceRecordReport, FileError,
    FindingReport, Indication, Report, Severity, SignatureReport, SignerReport, SubIndication,
    Summary,
};
pub use verifier::{Verifier, VerifierConfig};
pub use vocabulary::{Level, SignatureFormat, TimestampIndication, TimestampKind};
