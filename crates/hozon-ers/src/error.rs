//! Errors of evidence-record building and structural verification.
//!
//! The kinds matter to the verifier: a malformed record is a format
//! failure, data that the record does not cover (or a tree that does not
//! reach the token's imprint) is a hash failure.

/// An evidence-record error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The encoding is not a (supported) EvidenceRecord, or breaks a limit.
    #[error("malformed evidence record: {0}")]
    Malformed(String),
    /// The record does not cover the data it is presented with, or its hash
    /// tree does not lead to what its time stamp covers.
    #[error("{0}")]
    NotCovered(String),
    /// The record, a chain or a token uses a digest algorithm inconsistently.
    #[error("hash algorithm mismatch: {0}")]
    AlgorithmMismatch(String),
    /// A caller error while building or renewing (empty batch, wrong hash
    /// length, a token over another root, ...).
    #[error("{0}")]
    Build(String),
    /// A digest computation failed in OpenSSL.
    #[error("digest: {0}")]
    Digest(#[from] openssl::error::ErrorStack),
    /// DER encoding failed.
    #[error("DER: {0}")]
    Der(#[from] der::Error),
}
