//! Errors of signature creation.

use std::path::PathBuf;

/// Why a key could not be loaded or a signature not made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key, certificate or password file could not be read.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The content could not be read while signing.
    #[error("reading the content: {0}")]
    ReadContent(std::io::Error),
    /// The key file holds no usable private key.
    #[error("{}: not a usable private key: {reason}", path.display())]
    BadKey {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Decryption of the key store failed: almost always a wrong password.
    #[error("{}: cannot decrypt: wrong password (or a damaged file)", path.display())]
    WrongPassword {
        /// The encrypted key or PKCS#12 file.
        path: PathBuf,
    },
    /// The certificate file holds no usable certificate.
    #[error("{}: not a usable certificate: {reason}", path.display())]
    BadCertificate {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The private key does not belong to the certificate.
    #[error("the private key does not match the certificate {subject}")]
    KeyCertificateMismatch {
        /// Subject of the certificate.
        subject: String,
    },
    /// The signing certificate must not be used to sign now.
    #[error("refusing to sign with {subject}: {reason}")]
    CertificateNotUsable {
        /// Subject of the certificate.
        subject: String,
        /// Why.
        reason: String,
    },
    /// A password or PIN could not be obtained.
    #[error("{0}")]
    Password(String),
    /// The key or option combination is not supported.
    #[error("{0}")]
    Unsupported(String),
    /// The cryptographic operation failed.
    #[error("signing failed: {0}")]
    Crypto(String),
    /// The PKCS#11 module could not be loaded or initialised.
    #[error("PKCS#11 module {}: {reason}", path.display())]
    Pkcs11Module {
        /// The module file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No token (or more than one) matches what was asked for.
    #[error("PKCS#11 token {wanted} not found; {available}")]
    Pkcs11TokenNotFound {
        /// The label or serial asked for.
        wanted: String,
        /// The tokens that are present.
        available: String,
    },
    /// The token refused the PIN. Never retried: cards lock.
    #[error("token {token}: wrong PIN (CKR_PIN_INCORRECT); not retried, because the card locks after a few wrong PINs")]
    Pkcs11WrongPin {
        /// The token.
        token: String,
    },
    /// The token's user PIN is locked.
    #[error("token {token}: the user PIN is locked (CKR_PIN_LOCKED); unlock it with the card issuer's or HSM vendor's tool")]
    Pkcs11PinLocked {
        /// The token.
        token: String,
    },
    /// No private key (or more than one) matches what was asked for.
    #[error("token {token}: private key {wanted} not found; {available}")]
    Pkcs11KeyNotFound {
        /// The token.
        token: String,
        /// The label or id asked for.
        wanted: String,
        /// The keys that are present.
        available: String,
    },
    /// The key's CKA_SIGN is false.
    #[error("token {token}: key {key} is not allowed to sign (CKA_SIGN is false)")]
    Pkcs11KeyCannotSign {
        /// The token.
        token: String,
        /// The key.
        key: String,
    },
    /// The token was removed or its sessions lost; nothing was signed.
    #[error("token {token} was removed or stopped answering ({reason}); not signed")]
    Pkcs11TokenLost {
        /// The token.
        token: String,
        /// The PKCS#11 return value.
        reason: String,
    },
    /// Another PKCS#11 failure.
    #[error("token {token}: {reason}")]
    Pkcs11 {
        /// The token.
        token: String,
        /// What failed, with the PKCS#11 return value.
        reason: String,
    },
    /// Building the CMS structure failed.
    #[error(transparent)]
    Cms(#[from] hozon_cms::Error),
}

impl From<openssl::error::ErrorStack> for Error {
    fn from(e: openssl::error::ErrorStack) -> Self {
        Error::Crypto(e.to_string())
    }
}
