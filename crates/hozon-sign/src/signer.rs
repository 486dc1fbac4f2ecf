//! The signing-key abstraction.

use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};

use crate::Error;

/// A private key with its certificate: the only thing that can make a
/// signature. Implemented by software keys and by PKCS#11 tokens.
pub trait Signer: Send + Sync {
    /// The signing certificate.
    fn certificate(&self) -> &Cert;
    /// The rest of the chain (intermediates, optionally the root), to embed.
    fn chain(&self) -> &[Cert];
    /// The signature algorithm this signer uses.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// Signs `message` (hashing it as the algorithm requires).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;
}

/// How the user asked to sign: the digest (default: SHA-256, or SHA-384 for
/// P-384 keys) and, for RSA keys, PSS instead of PKCS#1 v1.5.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlgorithmChoice {
    /// The digest; `None` picks the default for the key.
    pub digest: Option<DigestAlgorithm>,
    /// Use RSASSA-PSS for RSA keys.
    pub rsa_pss: bool,
}
