//! Keeping signatures verifiable for decades: the augmentation pipeline
//! B-T → B-LT → B-LTA (ETSI EN 319 122-1 §5.3–5.5; CAdES-T/XL/A, JIS X 5092
//! ES-T/ES-XL/ES-A) for any signature format, and the signer's revocation
//! pre-check that precedes every signature.
//!
//! * [`Augmenter`] — the pipeline: the order (signature time stamp, then
//!   validation data, then the archive time stamp), the TSA requests and
//!   the rules ("refuse unless TOTAL_PASSED", never break an
//!   archive-time-stamp v2). `hozon sign --level`, `hozon extend` and the
//!   archive's ingest and renewal all call it.
//! * [`Augmentable`] — what a format implements so that the pipeline can
//!   raise it; [`CadesSignature`] is the CAdES implementation. XAdES and
//!   PAdES implement it in their crates.
//! * [`SignerCheck`] — is the signer revoked now? (before the first
//!   signature of a job).
//! * The CAdES steps on their own, for tools and tests:
//!   [`add_signature_timestamps`] (B-T), [`add_validation_data`] (B-LT in
//!   the SignedData fields), [`add_validation_data_jis`] (ES-XL attributes),
//!   [`add_archive_timestamp`] (archive-time-stamp-v3),
//!   [`add_archive_timestamp_v2`] (the older ES-A of JIS X 5092:2008).
//!
//! Augmentation only ever adds unsigned data: the signed content, the
//! signed attributes and the signature value are carried over unchanged.
//!
//! # Example
//!
//! Raise a detached CAdES signature to B-LTA (the validation data comes
//! from validating it now; see `examples/sign_extend_verify.rs` for the
//! whole round from signing to verifying):
//!
//! ```no_run
//! use hozon_ltv::{Augmenter, Profile, Target};
//! use hozon_tsp::{TsaClient, TsaConfig};
//! use hozon_verify::VerifierSetup;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let tsa = TsaClient::new(TsaConfig::new(vec!["https://tsa.example.jp/tsa".into()]))?;
//! let verifier = VerifierSetup {
//!     trust: vec!["roots.pem".into()],
//!     ..VerifierSetup::default()
//! }
//! .build()?;
//! let augmenter = Augmenter::new(Target::Lta, Profile::Etsi, Some(tsa), Some(verifier))?;
//! let signature = std::fs::read("discharge-summary.xml.p7s")?;
//! let document = std::path::Path::new("discharge-summary.xml");
//! let b_lta = augmenter.apply("discharge-summary.xml.p7s", &signature, Some(document))?;
//! // Replace the file atomically (hozon-io), never in place.
//! # let _ = b_lta;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod archive_timestamp;
mod archive_timestamp_v2;
mod augmentable;
mod augmenter;
mod cades;
mod error;
mod es_xl;
mod restamp;
mod signature_timestamp;
mod signer_check;
mod validation_data;

pub use archive_timestamp::add_archive_timestamp;
pub use archive_timestamp_v2::{add_archive_timestamp_v2, has_archive_timestamp_v1_or_v2};
pub use augmentable::{Augmentable, Profile};
pub use augmenter::{Augmenter, Target};
pub use cades::{newest_archive_stamp, CadesSignature};
pub use error::Error;
pub use es_xl::{add_validation_data_jis, WithEsXlData};
pub use restamp::RestampRule;
pub use signature_timestamp::{
    add_signature_timestamps, put_signature_timestamps, signature_timestamp_inputs, Augmented,
};
pub use signer_check::{Cleared, RefusalKind, Refused, SignerCheck, UnknownStatus};
pub use validation_data::{add_validation_data, WithValidationData};
