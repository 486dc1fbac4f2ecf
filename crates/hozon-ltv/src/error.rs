//! Errors of augmentation.

/// Why a signature could not be augmented.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not a usable CMS signature.
    #[error("not a CMS signature: {0}")]
    Cms(#[from] hozon_cms::Error),
    /// A time stamp could not be obtained.
    #[error("time stamp: {0}")]
    Tsp(#[from] hozon_tsp::Error),
    /// The signed content could not be read.
    #[error("the signed content: {0}")]
    Content(String),
    /// ES-XL validation data needs a signature time stamp (ES-T) first.
    #[error("SignerInfo {signer_info} has no signature time stamp: ES-XL needs ES-T first (add --tsa URL)")]
    NotTimestamped {
        /// Index of the SignerInfo.
        signer_info: usize,
    },
    /// The result could not be encoded.
    #[error("cannot encode the augmented signature: {0}")]
    Encode(String),
}
