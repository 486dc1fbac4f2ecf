//! Signature validation in the manner of ETSI EN 319 102-1.
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
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod chain;
mod content;
mod content_timestamp;
mod countersignature;
mod engine;
mod ers;
mod es_xl;
mod findings;
pub use findings::Evidence;
pub mod hc_role;

pub mod policy;
pub mod report;
mod signature_value;
mod timestamp;
mod unsigned;

pub use engine::{Verifier, VerifierConfig};
pub use policy::AlgorithmPolicy;
pub use report::{
    CounterSignatureReport, EvidenceRecordReport, FileError, Indication, Report, SignatureReport,
    SignerReport, SubIndication, Summary,
};
