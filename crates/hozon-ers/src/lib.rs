//! RFC 4998 Evidence Record Syntax (ERS) for batches of archive records.
//!
//! An archive keeps thousands to millions of signed clinical records, and
//! the MHLW guideline (Q&A 企Q-47) wants each one verifiable on its own. A
//! time stamp per record would cost one TSA request per record at every
//! renewal; RFC 4998 instead stamps the root of a Merkle hash tree once per
//! batch and gives every record its own [`EvidenceRecord`]: the reduced hash
//! tree from the record's hashes up to the root, plus the one token.
//!
//! * [`tree`] builds the hash tree (§4.2) and the reduced trees (§4.3) in
//!   flat arrays, linear in the number of records.
//! * [`build`] turns a batch of data groups into the digest to stamp and,
//!   with the token, into per-record evidence records.
//! * [`renew`] renews evidence records (§5.2): time-stamp renewal (a new
//!   ArchiveTimeStamp over the previous token, in the same chain) and
//!   hash-tree renewal (a new chain under a stronger digest).
//! * [`verify`] checks the structure of an evidence record against the data
//!   it is presented with (§5.3) and says which tokens the caller must
//!   validate cryptographically, and until when; the PKI work is
//!   `hozon-verify`'s.
//! * [`validation`] keeps each token's validation data (TSA path, CRLs,
//!   OCSP responses) in its SignedData, where the next renewal covers it.
//!
//! # Example
//!
//! One batch of three archive records (each a document and its signature), one time stamp over the
//! root, and one evidence record per record, which `hozon verify X.ers` checks on its own:
//!
//! ```
//! use hozon_ers::{DigestAlgorithm, EvidenceBatch};
//! use hozon_tsp::{TsaClient, TsaConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::path::Path::new("/srv/outbox");
//! let tsa_url = "https://tsa.example.jp/tsa".to_string();
//! # let tmp = tempfile::tempdir()?;
//! # let dir = tmp.path();
//! # let pki = hozon_testkit::Pki::copy_to(&dir.join("pki"))?;
//! # let server = hozon_testkit::TsaServer::start(&pki, hozon_testkit::TsaMode::Normal)?;
//! # let tsa_url = server.url();
//! # for name in ["a.xml", "a.xml.p7s", "b.pdf", "b.pdf.p7s", "c.txt", "c.txt.p7s"] {
//! #     std::fs::write(dir.join(name), name)?;
//! # }
//! let records = [("a.xml", "a.xml.p7s"), ("b.pdf", "b.pdf.p7s"), ("c.txt", "c.txt.p7s")];
//! let sha256 = |name: &str| -> Result<Vec<u8>, Box<dyn std::error::Error>> {
//!     Ok(DigestAlgorithm::Sha256.digest(&std::fs::read(dir.join(name))?)?)
//! };
//! let mut groups = Vec::new();
//! for (document, signature) in records {
//!     groups.push(vec![sha256(document)?, sha256(signature)?]);
//! }
//! let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups)?;
//!
//! let tsa = TsaClient::new(TsaConfig::new(vec![tsa_url]))?;
//! let stamp = tsa.stamp_digest(batch.root())?; // one TSA request for the whole batch
//! let stamped = batch.finish(stamp.token.der())?;
//! for (i, (document, _)) in records.iter().enumerate() {
//!     std::fs::write(dir.join(format!("{document}.ers")), stamped.record_der(i)?)?;
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod asn1;
pub mod build;
mod error;
pub mod renew;
pub mod tree;
pub mod validation;
pub mod verify;

pub use asn1::{
    ArchiveTimeStamp, ArchiveTimeStampChain, ArchiveTimeStampSequence, CryptoInfos, EncryptionInfo,
    EvidenceRecord, PartialHashtree,
};
pub use build::{EvidenceBatch, StampedBatch};
pub use error::Error;
pub use hozon_cms::DigestAlgorithm;
pub use renew::{HashTreeRenewal, StampedRenewal, TimestampRenewal};
pub use tree::HashTree;
pub use verify::{check_structure, DataObject, StructureCheck, TokenCheck};
