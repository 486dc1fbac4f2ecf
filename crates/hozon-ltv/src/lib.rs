//! Augmenting CAdES signatures so that they stay verifiable for decades
//! (ETSI EN 319 122-1 §5.3–5.5, CAdES-T/XL/A).
//!
//! Augmentation only ever adds unsigned attributes: the signed content, the
//! signed attributes and the signature value are carried over unchanged, so
//! the signature stays exactly what the signer signed.
//!
//! * [`add_signature_timestamps`] — B-T: an RFC 3161 time stamp over each
//!   SignerInfo's signature value (id-aa-signatureTimeStampToken).
//! * [`add_validation_data`] — B-LT: the certificates and CRLs that
//!   validation needs, inside the signature.
//! * [`add_validation_data_jis`] — the same data as the ES-XL unsigned
//!   attributes of RFC 5126 / JIS X 5092 (`--profile jis`).
//! * [`add_archive_timestamp`] — B-LTA: an archive-time-stamp-v3 over all
//!   of it, renewable.
//! * [`add_archive_timestamp_v2`] — ES-A of JIS X 5092:2008 / TS 101 733:
//!   the older archive-time-stamp (id-aa-48).
//!
//! # Example
//!
//! Add a signature time stamp to an existing CAdES signature (B-B to B-T):
//!
//! ```no_run
//! use hozon_tsp::{TsaClient, TsaConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let tsa = TsaClient::new(TsaConfig::new(vec!["https://tsa.example.jp/tsa".into()]))?;
//! let signature = std::fs::read("discharge-summary.xml.p7s")?;
//! let augmented = hozon_ltv::add_signature_timestamps(&signature, &tsa)?;
//! println!("{} stamp(s) added, {} SignerInfo(s) already stamped", augmented.stamps.len(), augmented.already);
//! // Replace the file atomically (hozon-io), never in place.
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod archive_timestamp;
mod archive_timestamp_v2;
mod error;
mod es_xl;
mod signature_timestamp;
mod validation_data;

pub use archive_timestamp::add_archive_timestamp;
pub use archive_timestamp_v2::{add_archive_timestamp_v2, has_archive_timestamp_v1_or_v2};
pub use error::Error;
pub use es_xl::{add_validation_data_jis, WithEsXlData};
pub use signature_timestamp::{add_signature_timestamps, Augmented};
pub use validation_data::{add_validation_data, WithValidationData};
