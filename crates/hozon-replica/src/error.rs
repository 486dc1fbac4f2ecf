//! Replica errors: each names the replica (endpoint, bucket or directory),
//! the key or file, and the reason, so that an operator can act on it.

use std::io;
use std::path::{Path, PathBuf};

/// Result of replica operations.
pub type Result<T> = std::result::Result<T, ReplicaError>;

/// What went wrong with a replica.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplicaError {
    /// The server refused the access key or the signature (403
    /// InvalidAccessKeyId, SignatureDoesNotMatch, …).
    #[error("credentials rejected by {endpoint}: {detail}")]
    CredentialsRejected {
        /// The endpoint URL.
        endpoint: String,
        /// The server's code and message.
        detail: String,
    },
    /// No credentials could be found, or the credentials file is unreadable.
    #[error("no usable S3 credentials: {0}")]
    Credentials(String),
    /// The endpoint could not be reached (connection refused, DNS, timeout).
    #[error("cannot reach {endpoint}: {detail}")]
    Unreachable {
        /// The endpoint URL.
        endpoint: String,
        /// Why.
        detail: String,
    },
    /// The bucket does not exist.
    #[error("bucket {bucket} does not exist at {endpoint}")]
    BucketMissing {
        /// The bucket.
        bucket: String,
        /// The endpoint URL.
        endpoint: String,
    },
    /// The bucket does not report Object Lock `Enabled`: hozon refuses to
    /// use it as a write-once replica.
    #[error("bucket {bucket} at {endpoint} has no Object Lock enabled ({detail}); hozon replicates only to buckets created with Object Lock")]
    LockNotEnabled {
        /// The bucket.
        bucket: String,
        /// The endpoint URL.
        endpoint: String,
        /// What the server answered.
        detail: String,
    },
    /// The object read back after an upload does not carry the lock asked
    /// for (the server ignored or altered the lock headers).
    #[error("{replica}: {key}: retention read back is {got}, asked for {wanted}: the server did not apply the lock")]
    RetentionMismatch {
        /// The replica.
        replica: String,
        /// The key.
        key: String,
        /// What was asked.
        wanted: String,
        /// What was read back.
        got: String,
    },
    /// Size or SHA-256 differs between what was asked and what is there
    /// (local file changed, transfer corrupted, replica object altered).
    #[error("{place}: {reason}")]
    Mismatch {
        /// The file or replica object.
        place: String,
        /// What differs.
        reason: String,
    },
    /// The key is absent from the replica.
    #[error("{replica}: {key}: no such object")]
    NotFound {
        /// The replica.
        replica: String,
        /// The key.
        key: String,
    },
    /// The key is not a valid relative name.
    #[error("invalid replica key {key:?}: {reason}")]
    InvalidKey {
        /// The key.
        key: String,
        /// Why.
        reason: String,
    },
    /// The replica's configuration is not usable.
    #[error("invalid replica configuration: {0}")]
    Config(String),
    /// A local file operation failed.
    #[error("{}: {what}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        what: String,
        /// The system error.
        source: io::Error,
    },
    /// Any other answer of the S3 server.
    #[error("{replica}: {operation} {key}: {detail}")]
    S3 {
        /// The replica.
        replica: String,
        /// The S3 operation.
        operation: &'static str,
        /// The key (or bucket).
        key: String,
        /// Status, code and message.
        detail: String,
    },
}

impl ReplicaError {
    pub(crate) fn io(path: &Path, what: &str, source: io::Error) -> ReplicaError {
        ReplicaError::Io {
            path: path.to_path_buf(),
            what: what.to_string(),
            source,
        }
    }
}
