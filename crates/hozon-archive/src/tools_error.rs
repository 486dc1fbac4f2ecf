//! Why the tools of `hozon.toml` (signer, TSA clients, verifier, scan
//! policy, augmentation pipeline) could not be made: [`ToolsError`], named
//! by the tools that make them and by the [`crate::stamper`] that uses them.

use std::path::PathBuf;

use hozon_sign::LoadError;
use hozon_verify::BuildError;

/// Why the tools of `hozon.toml` could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolsError {
    /// `[signer]` names an unknown digest.
    #[error("hozon.toml: unknown signer digest {0:?}")]
    UnknownDigest(String),
    /// The signer could not be loaded.
    #[error("{reason}{}", password_from.as_ref().map(|p| format!(" (the signer's password came from {p})")).unwrap_or_default())]
    Signer {
        /// Why.
        reason: Box<LoadError>,
        /// Where the password came from (named in the archive's messages).
        password_from: Option<String>,
    },
    /// The verifier's files could not be read.
    #[error(transparent)]
    Verifier(#[from] BuildError),
    /// The TSA client could not be made.
    #[error(transparent)]
    Tsa(#[from] hozon_tsp::Error),
    /// `--tsa-policy` (or `policy` in `[tsa]`) is not an OID.
    #[error("--tsa-policy {policy:?} is not an OID: {reason}")]
    TsaPolicy {
        /// The text given.
        policy: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A TSA credential or CA file could not be read.
    #[error("{}: {reason}", path.display())]
    TsaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// A TSA password could not be read.
    #[error("{}{reason}", context.as_ref().map(|c| format!("{}: password: ", c.display())).unwrap_or_default())]
    TsaSecret {
        /// The client certificate the password is for (`None`: HTTP Basic).
        context: Option<PathBuf>,
        /// Why.
        reason: Box<hozon_sign::Error>,
    },
    /// No TSA is configured although the job needs one.
    #[error("no TSA configured")]
    NoTsa,
    /// The scan policy could not be read.
    #[error(transparent)]
    ScanPolicy(#[from] hozon_scan::PolicyError),
    /// The augmentation pipeline could not be set up.
    #[error(transparent)]
    Augmenter(#[from] hozon_ltv::Error),
}
