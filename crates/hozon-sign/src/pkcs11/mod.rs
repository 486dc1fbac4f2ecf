//! Keys that never leave their device: HPKI IC cards and HSMs through PKCS#11.
//!
//! A doctor's HPKI private key lives on an IC card (医師資格証 and the like)
//! and a batch job's key in an HSM; hozon reaches both through the vendor's
//! PKCS#11 module, loaded at run time (`cryptoki`). The token only ever sees
//! what it must sign — the DER of the signed attributes, or their digest —
//! and hands back a signature; everything else (CAdES structure, batches,
//! time stamps) is the same as for a software key, because
//! [`Pkcs11Signer`] is just another [`Signer`].
//!
//! Rules this module keeps, because a card is not a file:
//! * **One login, never retried.** Cards lock after a few wrong PINs, so a
//!   refused PIN (`CKR_PIN_INCORRECT`) or a locked one stops everything at
//!   once with its own error. The PIN is wiped as soon as `C_Login` returns.
//! * **The certificate must match the key** on the token before anything
//!   is signed (modulus and exponent for RSA, the curve point for EC).
//! * **Sessions are pooled.** PKCS#11 login state belongs to the
//!   application, so one login serves every session; each rayon worker
//!   borrows a session, up to the token's `ulMaxSessionCount`. A token that
//!   allows one session is driven serially.
//! * **A token that disappears** (card pulled, HSM gone) fails the file being
//!   signed and every later one with the same clear error; the batch layer
//!   writes nothing for them (writes are atomic).
//! * **Combined mechanisms when the token has them** (`CKM_SHA256_RSA_PKCS`,
//!   `CKM_SHA256_RSA_PKCS_PSS`); otherwise the digest is computed in software
//!   and `CKM_RSA_PKCS` (over a DER DigestInfo), `CKM_RSA_PKCS_PSS` or
//!   `CKM_ECDSA` sign it. ECDSA always hashes in software (SoftHSM, like most
//!   cards, offers only `CKM_ECDSA`), and the raw `r || s` the token returns
//!   is re-encoded as a DER `Ecdsa-Sig-Value`.

mod list;
mod mechanism;
mod objects;
mod pool;
mod token;

use std::path::PathBuf;

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::slot::{Limit, Slot};
use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;

use hozon_cms::{Cert, SignatureAlgorithm};

use crate::software::choose_algorithm;
use crate::{AlgorithmChoice, Error, SecretSource, Signer};

pub use list::{list, ObjectListing, SlotListing, TokenListing};
use mechanism::{bare, combined, digest_info, mechanism_name, Method};
use objects::{
    chain_from, describe, find_key, key_matches_certificate, read_certs, token_certificates,
};
use pool::Pool;
use token::{find_token, is_token_lost, load_module, login, short, token_text};

/// What to open: the module, the token, the key, and how to get the PIN.
#[derive(Clone, Debug)]
pub struct Pkcs11Options {
    /// The vendor's PKCS#11 module (`/usr/lib/softhsm/libsofthsm2.so`).
    pub module: PathBuf,
    /// The token's label or serial number; `None` takes the only token present.
    pub token: Option<String>,
    /// The private key's label or id (hex; `id:` or `label:` forces one
    /// reading); `None` takes the only signing key on the token.
    pub key: Option<String>,
    /// Where the user PIN comes from. Ignored when the token has a PIN pad
    /// (protected authentication path) and the source is a prompt.
    pub pin: SecretSource,
    /// A certificate file that overrides (or supplies) the token's certificate.
    pub cert: Option<PathBuf>,
    /// A chain file that overrides (or supplies) the token's CA certificates.
    pub chain: Option<PathBuf>,
    /// Digest and RSA padding.
    pub choice: AlgorithmChoice,
    /// At most this many sessions (0: one per available core). The token's
    /// own limit caps it further.
    pub max_sessions: usize,
    /// Use a combined hash-and-sign mechanism when the token offers it
    /// (the default); `false` always hashes in software.
    pub hash_on_token: bool,
}

impl Pkcs11Options {
    /// Options for `module` with everything else at its default: the only
    /// token, the only signing key, the PIN from `pin`.
    pub fn new(module: impl Into<PathBuf>, pin: SecretSource) -> Pkcs11Options {
        Pkcs11Options {
            module: module.into(),
            token: None,
            key: None,
            pin,
            cert: None,
            chain: None,
            choice: AlgorithmChoice::default(),
            max_sessions: 0,
            hash_on_token: true,
        }
    }
}

/// A private key on a PKCS#11 token (HPKI card, HSM, SoftHSM).
pub struct Pkcs11Signer {
    context: Pkcs11,
    slot: Slot,
    token: String,
    key: ObjectHandle,
    key_name: String,
    cert: Cert,
    chain: Vec<Cert>,
    algorithm: SignatureAlgorithm,
    method: Method,
    pool: Pool,
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.token)
            .field("key", &self.key_name)
            .field("certificate", &self.cert.subject())
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Loads the module, finds the token, logs in once, finds the key and
    /// its certificate, and checks that they belong together.
    pub fn open(options: &Pkcs11Options) -> Result<Pkcs11Signer, Error> {
        let context = load_module(&options.module)?;
        let (slot, info) = find_token(&context, &options.module, options.token.as_deref())?;
        let token = token_text(&info);
        let ck = |what: &str| {
            let token = token.clone();
            let what = what.to_owned();
            move |e: CkError| {
                if is_token_lost(&e) {
                    Error::Pkcs11TokenLost {
                        token: token.clone(),
                        reason: short(&e),
                    }
                } else {
                    Error::Pkcs11 {
                        token: token.clone(),
                        reason: format!("{what}: {}", short(&e)),
                    }
                }
            }
        };
        let first = context
            .open_ro_session(slot)
            .map_err(ck("cannot open a session"))?;
        login(&first, &info, &options.pin)?;

        let (key, key_label, key_id) = find_key(&first, &token, options.key.as_deref())?;
        let key_name = describe(&key_label, &key_id);
        let flags = first
            .get_attributes(
                key,
                &[AttributeType::Sign, AttributeType::AlwaysAuthenticate],
            )
            .map_err(ck("cannot read the key's attributes"))?;
        for a in flags {
            match a {
                Attribute::Sign(false) => {
                    return Err(Error::Pkcs11KeyCannotSign {
                        token,
                        key: key_name,
                    })
                }
                Attribute::AlwaysAuthenticate(true) => {
                    return Err(Error::Unsupported(format!(
                        "token {token}: key {key_name} asks for the PIN before every signature \
                         (CKA_ALWAYS_AUTHENTICATE); hozon does not keep PINs, so it cannot use this key for batches"
                    )))
                }
                _ => {}
            }
        }

        let on_token = token_certificates(&first);
        let cert = match &options.cert {
            Some(path) => read_certs(path)?.remove(0),
            None => on_token
                .iter()
                .find(|(_, _, id)| !key_id.is_empty() && *id == key_id)
                .or_else(|| on_token.iter().find(|(_, label, _)| !key_label.is_empty() && *label == key_label))
                .map(|(c, _, _)| c.clone())
                .ok_or_else(|| Error::Pkcs11 {
                    token: token.clone(),
                    reason: format!(
                        "no certificate with the id or label of key {key_name} on the token; give it with --cert FILE"
                    ),
                })?,
        };
        let chain = match &options.chain {
            Some(path) => read_certs(path)?,
            None => {
                let pool: Vec<Cert> = on_token.iter().map(|(c, _, _)| c.clone()).collect();
                chain_from(&cert, &pool)
            }
        };
        let chain: Vec<Cert> = chain.into_iter().filter(|c| *c != cert).collect();

        let public = cert.to_openssl()?.public_key()?;
        match key_matches_certificate(&first, key, &key_id, &public)? {
            Some(true) => {}
            Some(false) => {
                return Err(Error::KeyCertificateMismatch {
                    subject: format!("{} (token {token}, key {key_name})", cert.subject()),
                })
            }
            None => {
                return Err(Error::Pkcs11 {
                    token,
                    reason: format!(
                        "cannot confirm that key {key_name} belongs to {}: the token exposes neither its \
                         modulus nor a public key object with its id",
                        cert.subject()
                    ),
                })
            }
        }
        let algorithm = choose_algorithm(&public, options.choice)?;

        let mechanisms = context
            .get_mechanism_list(slot)
            .map_err(ck("cannot list the token's mechanisms"))?;
        let combined_mech = if options.hash_on_token {
            combined(algorithm)?.filter(|m| mechanisms.contains(&m.mechanism_type()))
        } else {
            None
        };
        let method = if combined_mech.is_some() {
            Method::Combined
        } else {
            let m = bare(algorithm)?;
            if !mechanisms.contains(&m.mechanism_type()) {
                return Err(Error::Unsupported(format!(
                    "token {token} offers neither a combined mechanism nor {} for {algorithm}",
                    mechanism_name(&m)
                )));
            }
            Method::SoftwareHash
        };

        let token_cap = match info.max_session_count() {
            Limit::Max(n) => usize::try_from(n).unwrap_or(usize::MAX).max(1),
            Limit::Unavailable | Limit::Infinite => usize::MAX,
        };
        let wanted = if options.max_sessions == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        } else {
            options.max_sessions
        };
        let pool = Pool::new(first, wanted.min(token_cap).max(1));
        Ok(Pkcs11Signer {
            context,
            slot,
            token,
            key,
            key_name,
            cert,
            chain,
            algorithm,
            method,
            pool,
        })
    }

    /// The token, as `'label' (serial …)`.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The key, as `label '…' id …`.
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// The PKCS#11 mechanism used (`CKM_SHA256_RSA_PKCS`, `CKM_ECDSA`, …).
    pub fn mechanism(&self) -> String {
        let m = match self.method {
            Method::Combined => combined(self.algorithm).ok().flatten(),
            Method::SoftwareHash => bare(self.algorithm).ok(),
        };
        m.map(|m| mechanism_name(&m)).unwrap_or_default()
    }

    /// The most sessions this signer will open (1: the token is driven serially).
    pub fn session_cap(&self) -> usize {
        self.pool.cap()
    }

    /// What the token signs, and with which mechanism.
    fn prepare(&self, message: &[u8]) -> Result<(Mechanism<'static>, Vec<u8>), Error> {
        let digest = self.algorithm.digest().ok_or_else(|| {
            Error::Unsupported("Ed25519 keys are not supported on PKCS#11 tokens".into())
        })?;
        match self.method {
            Method::Combined => {
                let m = combined(self.algorithm)?.ok_or_else(|| {
                    Error::Crypto("no combined mechanism for this algorithm".into())
                })?;
                Ok((m, message.to_vec()))
            }
            Method::SoftwareHash => {
                let hash = digest.digest(message)?;
                let data = match self.algorithm {
                    SignatureAlgorithm::RsaPkcs1v15(d) => digest_info(d, &hash)?,
                    _ => hash,
                };
                Ok((bare(self.algorithm)?, data))
            }
        }
    }
}

impl Signer for Pkcs11Signer {
    fn certificate(&self) -> &Cert {
        &self.cert
    }

    fn chain(&self) -> &[Cert] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let (mechanism, data) = self.prepare(message)?;
        let session = self.checkout()?;
        let outcome = session.sign(&mechanism, self.key, &data);
        self.checkin(session, &outcome);
        let raw = match outcome {
            Ok(raw) => raw,
            Err(e) if is_token_lost(&e) => return Err(self.lost(short(&e))),
            Err(CkError::Pkcs11(RvError::KeyFunctionNotPermitted, _)) => {
                return Err(Error::Pkcs11KeyCannotSign {
                    token: self.token.clone(),
                    key: self.key_name.clone(),
                })
            }
            Err(e) => {
                return Err(Error::Pkcs11 {
                    token: self.token.clone(),
                    reason: format!("signing failed: {}", short(&e)),
                })
            }
        };
        match self.algorithm {
            SignatureAlgorithm::Ecdsa(_) => {
                // PKCS#11 returns r || s, each as long as the group order.
                if raw.is_empty() || raw.len() % 2 != 0 {
                    return Err(Error::Pkcs11 {
                        token: self.token.clone(),
                        reason: format!(
                            "the token returned a {}-byte ECDSA signature, not r || s",
                            raw.len()
                        ),
                    });
                }
                let (r, s) = raw.split_at(raw.len() / 2);
                let sig = EcdsaSig::from_private_components(
                    BigNum::from_slice(r)?,
                    BigNum::from_slice(s)?,
                )?;
                Ok(sig.to_der()?)
            }
            _ => Ok(raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_module_names_the_path() {
        let err = Pkcs11Signer::open(&Pkcs11Options::new(
            "/nonexistent/libnothing.so",
            SecretSource::Env("UNUSED".into()),
        ))
        .unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/libnothing.so"),
            "{err}"
        );
    }
}
