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
    pub fn get(&self, cert: &Cert) -> Result<Arc<KeyEntry>, String> {
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
            .map_err(|e| format!("the public key of {} is unreadable: {e}", cert.subject()))?;
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
    ) -> Result<bool, String> {
        if !self.fits(alg) {
            return Err(format!("{alg} does not fit a {:?} key", self.key.id()));
        }
        let Some(digest) = alg.digest() else {
            // Ed25519 verifies the message itself; nothing to pool.
            let mut v = openssl::sign::Verifier::new_without_digest(&self.key)
                .map_err(|e| e.to_string())?;
            return Ok(v.verify_oneshot(signature, message).unwrap_or(false));
        };
        let hash = Digester::new(digest)
            .and_then(|mut d| d.update(message).map(|()| d))
            .and_then(Digester::finish)
            .map_err(|e| e.to_string())?;
        self.verify_digest(alg, &hash, signature)
    }

    /// Verifies `signature` over a precomputed digest `hash` of the message
    /// (made with `alg`'s digest). Not for Ed25519, which signs messages.
    pub fn verify_digest(
        &self,
        alg: SignatureAlgorithm,
        hash: &[u8],
        signature: &[u8],
    ) -> Result<bool, String> {
        if !self.fits(alg) || alg.digest().is_none() {
            return Err(format!(
                "{alg} does not fit a {:?} key or cannot verify a digest",
                self.key.id()
            ));
        }
        let pooled = self
            .contexts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&alg)
            .and_then(Vec::pop);
        let mut ctx = match pooled {
            Some(ctx) => ctx,
            None => self.context(alg).map_err(|e| e.to_string())?,
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
