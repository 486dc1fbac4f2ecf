//! Obtaining a time stamp over a hash-tree root: the [`Stamper`] trait that
//! the evidence batches call and the tools' TSA clients implement, and why a
//! stamp could not be had ([`StampError`]).

use hozon_cms::DigestAlgorithm;
use hozon_tsp::{Stamp, TsaClient};

use crate::tools_error::ToolsError;

/// Obtains time stamps over digests made with a given algorithm (the
/// tree's: SHA-256, or the stronger one of a hash-tree renewal).
pub trait Stamper: Sync {
    /// A checked time stamp over `digest`, a hash made with `alg`.
    fn stamp(&self, alg: DigestAlgorithm, digest: &[u8]) -> std::result::Result<Stamp, StampError>;
}

/// Why a [`Stamper`] gave no time stamp.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StampError {
    /// The TSA client hashes with another algorithm than the tree's.
    #[error("the TSA client sends {} imprints, the hash tree is {}", client.name(), tree.name())]
    DigestMismatch {
        /// The client's imprint algorithm.
        client: DigestAlgorithm,
        /// The hash tree's.
        tree: DigestAlgorithm,
    },
    /// No TSA client could be made for the algorithm (`hozon.toml`).
    #[error(transparent)]
    Client(Box<ToolsError>),
    /// The TSA did not stamp (unreachable, refused, a bad token).
    #[error(transparent)]
    Tsa(#[from] hozon_tsp::Error),
}

impl Stamper for TsaClient {
    fn stamp(&self, alg: DigestAlgorithm, digest: &[u8]) -> std::result::Result<Stamp, StampError> {
        if self.digest() != alg {
            return Err(StampError::DigestMismatch {
                client: self.digest(),
                tree: alg,
            });
        }
        Ok(self.stamp_digest(digest)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_of_another_digest_is_refused_before_any_request() {
        // The URL is never contacted: the mismatch is found first.
        let client = TsaClient::new(hozon_tsp::TsaConfig::new(
            vec!["http://127.0.0.1:9/".into()],
        ))
        .unwrap();
        let e = Stamper::stamp(&client, DigestAlgorithm::Sha384, &[0; 48]).unwrap_err();
        assert!(
            matches!(
                e,
                StampError::DigestMismatch {
                    client: DigestAlgorithm::Sha256,
                    tree: DigestAlgorithm::Sha384
                }
            ),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "the TSA client sends SHA-256 imprints, the hash tree is SHA-384"
        );
    }
}
