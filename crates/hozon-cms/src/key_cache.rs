//! Public keys of certificates, decoded once per run, with reusable
//! verification contexts.
//!
//! Under OpenSSL 3.0, decoding a certificate's key and setting up a
//! verification both fetch algorithm implementations, which takes global
//! locks; with two threads verifying thousands of small signatures, lock
//! contention cost more than the RSA operations. A batch sees few distinct
//! signers, so each key is decoded once and its initialised contexts are
//! pooled.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::{Cert, Digester, SignatureAlgorithm};
use openssl::pkey::{Id, PKey, Public};
use openssl::pkey_ctx::PkeyCtx;

/// Why a signature could not be checked with a certificate's key (as
/// opposed to a signature that does not verify, which is `Ok(false)`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The certificate's public key could not be decoded.
    #[error("the public key of {subject} is unreadable: {source}")]
    Unreadable {
        /// The certificate's subject.
        subject: String,
        /// OpenSSL's error.
        #[source]
        source: openssl::error::ErrorStack,
    },
    /// The algorithm is not one the key's type can verify.
    #[error("{alg} does not fit a {key_type:?} key")]
    Unfit {
        /// The signature algorithm.
        alg: SignatureAlgorithm,
        /// The key's type.
        key_type: Id,
    },
    /// [`KeyEntry::verify_digest`] with an algorithm that does not fit the
    /// key or signs messages rather than digests (Ed25519, Ed448).
    #[error("{alg} does not fit a {key_type:?} key or cannot verify a digest")]
    UnfitForDigest {
        /// The signature algorithm.
        alg: SignatureAlgorithm,
        /// The key's type.
        key_type: Id,
    },
    /// OpenSSL could not set up or run the verification.
    #[error(transparent)]
    OpenSsl(#[from] openssl::error::ErrorStack),
}

/// Entries kept before the cache is emptied.
const CACHE_LIMIT: usize = 10_000;

/// A certificate's public key and its pooled verification contexts.
pub struct KeyEntry {
    key: PKey<Public>,
    contexts: Mutex<HashMap<SignatureAlgorithm, Vec<PkeyCtx<Public>>>>,
}

/// Public keys of certificates by certificate (SHA-256 of the DER), shared
/// by everything that verifies signatures in a batch.
#[derive(Default)]
pub struct KeyCache {
    map: Mutex<HashMap<[u8; 32], Arc<KeyEntry>>>,
}

impl KeyCache {
    /// The key of `cert`, decoded on first use.
    pub fn get(&self, cert: &Cert) -> Result<Arc<KeyEntry>, KeyError> {
        if let Some(hit) = self
            .map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(cert.sha256())
        {
            return Ok(hit.clone());
        }
        let key = cert
            .to_openssl()
            .and_then(|x| x.public_key())
            .map_err(|source| KeyError::Unreadable {
                subject: cert.subject(),
                source,
            })?;
        let entry = Arc::new(KeyEntry {
            key,
            contexts: Mutex::new(HashMap::new()),
        });
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= CACHE_LIMIT {
            map.clear();
        }
        map.insert(*cert.sha256(), entry.clone());
        Ok(entry)
    }
}

impl KeyEntry {
    /// The public key.
    pub fn key(&self) -> &PKey<Public> {
        &self.key
    }

    /// Whether the key's type fits `alg`.
    pub fn fits(&self, alg: SignatureAlgorithm) -> bool {
        matches!(
            (self.key.id(), alg),
            (Id::RSA, SignatureAlgorithm::RsaPkcs1v15(_))
                | (Id::RSA | Id::RSA_PSS, SignatureAlgorithm::RsaPss { .. })
                | (Id::EC, SignatureAlgorithm::Ecdsa(_))
                | (Id::ED25519, SignatureAlgorithm::Ed25519)
                | (Id::ED448, SignatureAlgorithm::Ed448)
        )
    }

    /// Verifies `signature` over `message` under `alg`. `Ok(false)` means the
    /// signature is wrong; `Err` that verification could not be attempted.
    pub fn verify(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, KeyError> {
        if !self.fits(alg) {
            return Err(KeyError::Unfit {
                alg,
                key_type: self.key.id(),
            });
        }
        let Some(digest) = alg.digest() else {
            // Ed25519 verifies the message itself; nothing to pool.
            let mut v = openssl::sign::Verifier::new_without_digest(&self.key)?;
            return Ok(v.verify_oneshot(signature, message).unwrap_or(false));
        };
        let hash = Digester::new(digest)
            .and_then(|mut d| d.update(message).map(|()| d))
            .and_then(Digester::finish)?;
        self.verify_digest(alg, &hash, signature)
    }

    /// Verifies `signature` over a precomputed digest `hash` of the message
    /// (made with `alg`'s digest). Not for Ed25519, which signs messages.
    pub fn verify_digest(
        &self,
        alg: SignatureAlgorithm,
        hash: &[u8],
        signature: &[u8],
    ) -> Result<bool, KeyError> {
        if !self.fits(alg) || alg.digest().is_none() {
            return Err(KeyError::UnfitForDigest {
                alg,
                key_type: self.key.id(),
            });
        }
        let pooled = self
            .contexts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&alg)
            .and_then(Vec::pop);
        let mut ctx = match pooled {
            Some(ctx) => ctx,
            None => self.context(alg)?,
        };
        // OpenSSL reports a malformed signature as an error, a wrong one as
        // false; both mean "does not verify".
        let ok = ctx.verify(hash, signature).unwrap_or(false);
        self.contexts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(alg)
            .or_default()
            .push(ctx);
        Ok(ok)
    }

    fn context(
        &self,
        alg: SignatureAlgorithm,
    ) -> Result<PkeyCtx<Public>, openssl::error::ErrorStack> {
        let mut ctx = PkeyCtx::new(&self.key)?;
        ctx.verify_init()?;
        alg.configure(&mut ctx)?;
        Ok(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DigestAlgorithm;

    fn cert(name: &str) -> Cert {
        let pem = std::fs::read(format!(
            "{}/../../testdata/pki/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        Cert::read_bundle(&pem).unwrap().remove(0)
    }

    #[test]
    fn an_algorithm_that_does_not_fit_the_key_is_named() {
        let keys = KeyCache::default();
        let rsa = keys.get(&cert("signer-doctor.crt")).unwrap();
        let e = rsa
            .verify(
                SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256),
                b"m",
                b"s",
            )
            .unwrap_err();
        assert!(
            matches!(
                e,
                KeyError::Unfit {
                    key_type: Id::RSA,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("does not fit a"), "{e}");
    }

    #[test]
    fn a_message_algorithm_cannot_verify_a_digest() {
        let keys = KeyCache::default();
        let rsa = keys.get(&cert("signer-doctor.crt")).unwrap();
        let e = rsa
            .verify_digest(SignatureAlgorithm::Ed25519, &[0; 32], b"s")
            .unwrap_err();
        assert!(matches!(e, KeyError::UnfitForDigest { .. }), "{e}");
    }

    #[test]
    fn a_wrong_signature_is_false_not_an_error() {
        let keys = KeyCache::default();
        let rsa = keys.get(&cert("signer-doctor.crt")).unwrap();
        let alg = SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256);
        assert!(!rsa.verify(alg, b"message", &[0u8; 256]).unwrap());
    }
}
