//! Errors of augmentation.

use std::path::PathBuf;

use hozon_verify::{Indication, SubIndication};

/// Why a signature could not be augmented.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not a usable CMS signature.
    #[error("not a CMS signature: {0}")]
    Cms(#[from] hozon_cms::Error),
    /// A time stamp could not be obtained. "No TSA left" is given in the
    /// words a batch stops with, so that it is reported once.
    #[error("{}", tsp_message(.0))]
    Tsp(#[from] hozon_tsp::Error),
    /// The signed content could not be read.
    #[error("the signed content: {0}")]
    Content(String),
    /// A detached signature's document is not known.
    #[error("the signed content: a detached signature needs its document beside it")]
    NoContent,
    /// The detached document could not be read.
    #[error("the signed content: {}: {reason}", path.display())]
    ContentIo {
        /// The document.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// ES-XL validation data needs a signature time stamp (ES-T) first.
    #[error("SignerInfo {signer_info} has no signature time stamp: ES-XL needs ES-T first (add --tsa URL)")]
    NotTimestamped {
        /// Index of the SignerInfo.
        signer_info: usize,
    },
    /// B-LT: a signature does not validate, so there is no validation
    /// data to embed ("refuse unless TOTAL_PASSED").
    #[error("it does not validate ({indication}{}), so there is no validation data to embed: {reason}", sub_indication.map(|s| format!("/{s}")).unwrap_or_default())]
    NotValid {
        /// The signature's indication.
        indication: Indication,
        /// Its sub-indication.
        sub_indication: Option<SubIndication>,
        /// The first error the validation gave (empty when none).
        reason: String,
    },
    /// B-LT: a signature has no signature time stamp to protect the
    /// validation data's time.
    #[error("B-LT needs a signature time stamp first: add --tsa URL")]
    NeedsSignatureTimestamp,
    /// B-LT: an archive-time-stamp v2 (or v1) covers the validation data
    /// whole; adding more would invalidate it.
    #[error("it carries an archive-time-stamp v2 (JIS X 5092:2008 / TS 101 733 ES-A) that covers its certificates, CRLs and unsigned attributes as they are now, and validation data is missing (for the time stamps' TSAs, or revocation data); adding it would invalidate that archive stamp, so the file was left unchanged")]
    SealedByArchiveTimestamp,
    /// B-LT and B-LTA validate before they embed: an augmenter to those
    /// levels needs a verifier.
    #[error("B-LT and B-LTA need a verifier (trust anchors) to validate each signature before its validation data is embedded")]
    NoVerifier,
    /// The format cannot do this augmentation step.
    #[error("{format}: {step} is not supported")]
    Unsupported {
        /// The signature format.
        format: &'static str,
        /// The augmentation step.
        step: &'static str,
    },
    /// A format-specific step failed: a file the format cannot read or
    /// augment (an XML document without a readable XAdES signature, a PDF
    /// that cannot be read, written or updated), in the format's words.
    #[error("{format}: {reason}")]
    Format {
        /// The signature format.
        format: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The result could not be encoded.
    #[error("cannot encode the augmented signature: {0}")]
    Encode(String),
}

fn tsp_message(e: &hozon_tsp::Error) -> String {
    match e {
        hozon_tsp::Error::NoTsaLeft(_) => e.to_string(),
        other => format!("time stamp: {other}"),
    }
}
