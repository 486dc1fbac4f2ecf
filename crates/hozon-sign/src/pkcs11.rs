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

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::{Limit, Slot, TokenInfo};
use cryptoki::types::AuthPin;
use der::asn1::OctetString;
use der::{Encode, Sequence};
use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl::pkey::{Id, PKey, Public};
use spki::AlgorithmIdentifierOwned;

use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};

use crate::software::choose_algorithm;
use crate::{AlgorithmChoice, Error, SecretSource, Signer};

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

/// How the token is asked to sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    /// The token hashes and signs (`CKM_SHAxxx_RSA_PKCS[_PSS]`).
    Combined,
    /// Software hash; `CKM_RSA_PKCS` over a DigestInfo, `CKM_RSA_PKCS_PSS`
    /// over the digest, or `CKM_ECDSA` over the digest.
    SoftwareHash,
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

/// Logged-in sessions to lend out, at most `cap` open at once.
struct Pool {
    state: Mutex<PoolState>,
    returned: Condvar,
    cap: usize,
}

struct PoolState {
    idle: Vec<Session>,
    open: usize,
    /// Set once the token is gone: every later signature fails with it.
    lost: Option<String>,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Loads and initialises a PKCS#11 module.
fn load_module(module: &Path) -> Result<Pkcs11, Error> {
    let context = Pkcs11::new(module).map_err(|e| Error::Pkcs11Module {
        path: module.to_path_buf(),
        reason: match e {
            CkError::LibraryLoading(e) => format!("cannot load the module ({e})"),
            other => other.to_string(),
        },
    })?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(context),
        Err(e) => Err(Error::Pkcs11Module {
            path: module.to_path_buf(),
            reason: format!("C_Initialize failed: {}", short(&e)),
        }),
    }
}

/// The PKCS#11 return value's name (`CKR_PIN_INCORRECT`-style) and function,
/// without the specification's paragraph that cryptoki's Display adds.
fn short(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, function) => format!("{function} returned {}", rv_name(*rv)),
        other => other.to_string(),
    }
}

fn rv_name(rv: RvError) -> String {
    // RvError's Debug is its CamelCase name; CKR_SNAKE_CASE is what vendor
    // documentation and pkcs11-tool print.
    let camel = format!("{rv:?}");
    let mut out = String::from("CKR");
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// Whether `e` means the token (or its sessions) went away. A key handle
/// that was valid when the signer was opened and is not any more means the
/// token was taken away or replaced (SoftHSM reports a deleted token so).
fn is_token_lost(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::TokenNotRecognized
                | RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::DeviceError
                | RvError::UserNotLoggedIn
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid,
            _
        )
    )
}

fn token_text(info: &TokenInfo) -> String {
    format!("'{}' (serial {})", info.label(), info.serial_number())
}

/// Finds the slot holding the token named by label or serial.
fn find_token(
    context: &Pkcs11,
    module: &Path,
    wanted: Option<&str>,
) -> Result<(Slot, TokenInfo), Error> {
    let slots = context
        .get_slots_with_token()
        .map_err(|e| Error::Pkcs11Module {
            path: module.to_path_buf(),
            reason: format!("cannot list slots: {}", short(&e)),
        })?;
    let mut tokens = Vec::new();
    for slot in slots {
        if let Ok(info) = context.get_token_info(slot) {
            if info.token_initialized() {
                tokens.push((slot, info));
            }
        }
    }
    let available = || {
        if tokens.is_empty() {
            "no initialised token is present".to_owned()
        } else {
            let names: Vec<String> = tokens.iter().map(|(_, i)| token_text(i)).collect();
            format!("present: {}", names.join(", "))
        }
    };
    let matching: Vec<&(Slot, TokenInfo)> = match wanted {
        None => tokens.iter().collect(),
        Some(w) => {
            let by_label: Vec<_> = tokens.iter().filter(|(_, i)| i.label() == w).collect();
            if by_label.is_empty() {
                tokens
                    .iter()
                    .filter(|(_, i)| i.serial_number() == w)
                    .collect()
            } else {
                by_label
            }
        }
    };
    match matching.as_slice() {
        [(slot, info)] => Ok((*slot, info.clone())),
        [] => Err(Error::Pkcs11TokenNotFound {
            wanted: wanted.unwrap_or("any token").to_owned(),
            available: available(),
        }),
        _ => Err(Error::Pkcs11TokenNotFound {
            wanted: format!(
                "{} (more than one token matches; name one by serial with --pkcs11-token)",
                wanted.unwrap_or("a single token")
            ),
            available: available(),
        }),
    }
}

/// Logs the user in once. A refused or locked PIN is final: no retry.
fn login(session: &Session, info: &TokenInfo, pin: &SecretSource) -> Result<(), Error> {
    let token = token_text(info);
    if info.user_pin_locked() {
        return Err(Error::Pkcs11PinLocked { token });
    }
    if !info.login_required() {
        return Ok(());
    }
    let result =
        if info.protected_authentication_path() && matches!(pin, SecretSource::Prompt { .. }) {
            // A reader with its own PIN pad: the PIN never passes through hozon.
            eprintln!("Enter the PIN on the reader's PIN pad for token {token}");
            session.login(UserType::User, None)
        } else {
            let secret = pin.read()?;
            let auth = AuthPin::from(secret.expose().to_owned());
            drop(secret);
            // `auth` is zeroed when it goes out of scope, right after C_Login.
            session.login(UserType::User, Some(&auth))
        };
    match result {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => Err(Error::Pkcs11WrongPin { token }),
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(Error::Pkcs11PinLocked { token }),
        Err(CkError::Pkcs11(RvError::PinExpired, _)) => Err(Error::Pkcs11 {
            token,
            reason: "the PIN has expired and must be changed with the card vendor's tool".into(),
        }),
        Err(e) => Err(Error::Pkcs11 {
            token,
            reason: format!("login failed: {}", short(&e)),
        }),
    }
}

/// One object's label and id, as text.
fn label_and_id(session: &Session, object: ObjectHandle) -> (String, Vec<u8>) {
    let mut label = String::new();
    let mut id = Vec::new();
    if let Ok(attrs) = session.get_attributes(object, &[AttributeType::Label, AttributeType::Id]) {
        for a in attrs {
            match a {
                Attribute::Label(l) => label = String::from_utf8_lossy(&l).into_owned(),
                Attribute::Id(i) => id = i,
                _ => {}
            }
        }
    }
    (label, id)
}

fn describe(label: &str, id: &[u8]) -> String {
    format!("label '{label}' id {}", hex::encode(id))
}

/// The private key named by label or id (or the only one).
fn find_key(
    session: &Session,
    token: &str,
    wanted: Option<&str>,
) -> Result<(ObjectHandle, String, Vec<u8>), Error> {
    let ck = |e: CkError| Error::Pkcs11 {
        token: token.to_owned(),
        reason: format!("cannot search for keys: {}", short(&e)),
    };
    let all = session
        .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
        .map_err(ck)?;
    let keys: Vec<(ObjectHandle, String, Vec<u8>)> = all
        .into_iter()
        .map(|k| {
            let (label, id) = label_and_id(session, k);
            (k, label, id)
        })
        .collect();
    let matching: Vec<&(ObjectHandle, String, Vec<u8>)> = match wanted {
        None => keys.iter().collect(),
        Some(w) => {
            let (by_label, by_id) = match (w.strip_prefix("label:"), w.strip_prefix("id:")) {
                (Some(l), _) => (Some(l), None),
                (None, Some(i)) => (None, Some(i)),
                (None, None) => (Some(w), Some(w)),
            };
            let labelled: Vec<_> = by_label
                .map(|l| keys.iter().filter(|(_, label, _)| label == l).collect())
                .unwrap_or_default();
            if !labelled.is_empty() {
                labelled
            } else {
                let id = by_id.and_then(|i| hex::decode(i.trim_start_matches("0x")).ok());
                match id {
                    Some(id) => keys.iter().filter(|(_, _, kid)| *kid == id).collect(),
                    None => Vec::new(),
                }
            }
        }
    };
    let available = || {
        if keys.is_empty() {
            "the token holds no private key visible after login".to_owned()
        } else {
            let names: Vec<String> = keys.iter().map(|(_, l, i)| describe(l, i)).collect();
            format!("private keys on the token: {}", names.join("; "))
        }
    };
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Error::Pkcs11KeyNotFound {
            token: token.to_owned(),
            wanted: wanted.unwrap_or("a private key").to_owned(),
            available: available(),
        }),
        _ => Err(Error::Pkcs11KeyNotFound {
            token: token.to_owned(),
            wanted: format!(
                "{} (more than one key matches; name one with --pkcs11-key LABEL or id:HEX)",
                wanted.unwrap_or("a single key")
            ),
            available: available(),
        }),
    }
}

/// Every X.509 certificate on the token, with its id and label.
fn token_certificates(session: &Session) -> Vec<(Cert, String, Vec<u8>)> {
    let Ok(handles) = session.find_objects(&[
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
    ]) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for h in handles {
        let Ok(attrs) = session.get_attributes(
            h,
            &[
                AttributeType::Value,
                AttributeType::Label,
                AttributeType::Id,
            ],
        ) else {
            continue;
        };
        let (mut value, mut label, mut id) = (None, String::new(), Vec::new());
        for a in attrs {
            match a {
                Attribute::Value(v) => value = Some(v),
                Attribute::Label(l) => label = String::from_utf8_lossy(&l).into_owned(),
                Attribute::Id(i) => id = i,
                _ => {}
            }
        }
        if let Some(cert) = value.and_then(|v| Cert::from_der(&v).ok()) {
            out.push((cert, label, id));
        }
    }
    out
}

/// The issuer chain of `cert` among `pool`, nearest first, without loops.
fn chain_from(cert: &Cert, pool: &[Cert]) -> Vec<Cert> {
    let mut chain: Vec<Cert> = Vec::new();
    let mut current = cert.clone();
    while current.issuer() != current.subject() {
        let next = pool
            .iter()
            .find(|c| c.subject() == current.issuer() && *c != cert && !chain.contains(c));
        match next {
            Some(next) => {
                chain.push(next.clone());
                current = next.clone();
            }
            None => break,
        }
    }
    chain
}

fn read_certs(path: &Path) -> Result<Vec<Cert>, Error> {
    let bytes = std::fs::read(path).map_err(|error| Error::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let certs = Cert::read_bundle(&bytes).map_err(|e| Error::BadCertificate {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if certs.is_empty() {
        return Err(Error::BadCertificate {
            path: path.to_path_buf(),
            reason: "no certificate found".into(),
        });
    }
    Ok(certs)
}

/// Compares the token key's public half with the certificate's key.
/// `Ok(None)` means the token exposes too little to compare.
fn key_matches_certificate(
    session: &Session,
    key: ObjectHandle,
    key_id: &[u8],
    public: &PKey<Public>,
) -> Result<Option<bool>, Error> {
    let key_type = session
        .get_attributes(key, &[AttributeType::KeyType])
        .unwrap_or_default()
        .into_iter()
        .find_map(|a| match a {
            Attribute::KeyType(t) => Some(t),
            _ => None,
        });
    let expected = match public.id() {
        Id::RSA => Some(KeyType::RSA),
        Id::EC => Some(KeyType::EC),
        _ => None,
    };
    if let (Some(found), Some(expected)) = (key_type, expected) {
        if found != expected {
            return Ok(Some(false));
        }
    }
    match public.id() {
        Id::RSA => {
            let rsa = public.rsa()?;
            let attrs = session
                .get_attributes(key, &[AttributeType::Modulus, AttributeType::PublicExponent])
                .unwrap_or_default();
            let (mut n, mut e) = (None, None);
            for a in attrs {
                match a {
                    Attribute::Modulus(m) => n = Some(m),
                    Attribute::PublicExponent(x) => e = Some(x),
                    _ => {}
                }
            }
            match (n, e) {
                (Some(n), Some(e)) => Ok(Some(
                    BigNum::from_slice(&n)? == *rsa.n() && BigNum::from_slice(&e)? == *rsa.e(),
                )),
                _ => Ok(None),
            }
        }
        Id::EC => {
            // EC private keys carry no point; the public key object with the
            // same id does.
            let ec = public.ec_key()?;
            let mut ctx = openssl::bn::BigNumContext::new()?;
            let point = ec.public_key().to_bytes(
                ec.group(),
                openssl::ec::PointConversionForm::UNCOMPRESSED,
                &mut ctx,
            )?;
            let publics = session
                .find_objects(&[
                    Attribute::Class(ObjectClass::PUBLIC_KEY),
                    Attribute::KeyType(KeyType::EC),
                    Attribute::Id(key_id.to_vec()),
                ])
                .unwrap_or_default();
            let Some(&object) = publics.first() else {
                return Ok(None);
            };
            let attrs = session
                .get_attributes(object, &[AttributeType::EcPoint])
                .unwrap_or_default();
            for a in attrs {
                if let Attribute::EcPoint(p) = a {
                    // CKA_EC_POINT is a DER OCTET STRING; some tokens give the raw point.
                    let raw = der::Decode::from_der(&p)
                        .map(|o: OctetString| o.into_bytes())
                        .unwrap_or(p);
                    return Ok(Some(raw == point));
                }
            }
            Ok(None)
        }
        other => Err(Error::Unsupported(format!(
            "the certificate's key type {other:?} cannot be used through PKCS#11 here (RSA or EC only)"
        ))),
    }
}

/// `DigestInfo` (RFC 8017 §9.2): what `CKM_RSA_PKCS` signs for PKCS#1 v1.5.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct DigestInfo {
    digest_algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

/// The DER DigestInfo of `hash` under `digest`, parameters NULL as RFC 8017
/// §9.2 note 1 and every verifier expect.
fn digest_info(digest: DigestAlgorithm, hash: &[u8]) -> Result<Vec<u8>, Error> {
    let info = DigestInfo {
        digest_algorithm: AlgorithmIdentifierOwned {
            oid: digest.oid(),
            parameters: Some(der::Any::null()),
        },
        digest: OctetString::new(hash).map_err(|e| Error::Crypto(e.to_string()))?,
    };
    info.to_der().map_err(|e| Error::Crypto(e.to_string()))
}

fn hash_mechanism(d: DigestAlgorithm) -> Result<(MechanismType, PkcsMgfType), Error> {
    Ok(match d {
        DigestAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        DigestAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        DigestAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
        other => {
            return Err(Error::Unsupported(format!(
                "{other} is not offered for PKCS#11 signing (SHA-256, SHA-384 or SHA-512)"
            )))
        }
    })
}

fn pss_params(
    digest: DigestAlgorithm,
    mgf1: DigestAlgorithm,
    salt_len: u8,
) -> Result<PkcsPssParams, Error> {
    let (hash_alg, _) = hash_mechanism(digest)?;
    let (_, mgf) = hash_mechanism(mgf1)?;
    Ok(PkcsPssParams {
        hash_alg,
        mgf,
        s_len: u64::from(salt_len).into(),
    })
}

/// The combined mechanism for `algorithm`, if there is one.
fn combined(algorithm: SignatureAlgorithm) -> Result<Option<Mechanism<'static>>, Error> {
    Ok(match algorithm {
        SignatureAlgorithm::RsaPkcs1v15(d) => match d {
            DigestAlgorithm::Sha256 => Some(Mechanism::Sha256RsaPkcs),
            DigestAlgorithm::Sha384 => Some(Mechanism::Sha384RsaPkcs),
            DigestAlgorithm::Sha512 => Some(Mechanism::Sha512RsaPkcs),
            _ => None,
        },
        SignatureAlgorithm::RsaPss {
            digest,
            mgf1_digest,
            salt_len,
        } => {
            let p = pss_params(digest, mgf1_digest, salt_len)?;
            match digest {
                DigestAlgorithm::Sha256 => Some(Mechanism::Sha256RsaPkcsPss(p)),
                DigestAlgorithm::Sha384 => Some(Mechanism::Sha384RsaPkcsPss(p)),
                DigestAlgorithm::Sha512 => Some(Mechanism::Sha512RsaPkcsPss(p)),
                _ => None,
            }
        }
        _ => None,
    })
}

/// The bare mechanism (the software computes the digest).
fn bare(algorithm: SignatureAlgorithm) -> Result<Mechanism<'static>, Error> {
    match algorithm {
        SignatureAlgorithm::RsaPkcs1v15(_) => Ok(Mechanism::RsaPkcs),
        SignatureAlgorithm::RsaPss {
            digest,
            mgf1_digest,
            salt_len,
        } => Ok(Mechanism::RsaPkcsPss(pss_params(
            digest,
            mgf1_digest,
            salt_len,
        )?)),
        SignatureAlgorithm::Ecdsa(_) => Ok(Mechanism::Ecdsa),
        SignatureAlgorithm::Ed25519 | SignatureAlgorithm::Ed448 => Err(Error::Unsupported(
            "Edwards-curve keys are not supported on PKCS#11 tokens".into(),
        )),
    }
}

fn mechanism_name(m: &Mechanism<'_>) -> String {
    m.mechanism_type().to_string()
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
        let pool = Pool {
            state: Mutex::new(PoolState {
                idle: vec![first],
                open: 1,
                lost: None,
            }),
            returned: Condvar::new(),
            cap: wanted.min(token_cap).max(1),
        };
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
        self.pool.cap
    }

    fn lost(&self, reason: String) -> Error {
        Error::Pkcs11TokenLost {
            token: self.token.clone(),
            reason,
        }
    }

    /// Borrows an idle session, opening one if the cap allows, else waits.
    fn checkout(&self) -> Result<Session, Error> {
        let mut state = self.pool.lock();
        loop {
            if let Some(reason) = &state.lost {
                return Err(self.lost(reason.clone()));
            }
            if let Some(session) = state.idle.pop() {
                return Ok(session);
            }
            if state.open < self.pool.cap {
                state.open += 1;
                drop(state);
                return match self.context.open_ro_session(self.slot) {
                    Ok(session) => Ok(session),
                    Err(e) => {
                        let mut state = self.pool.lock();
                        state.open -= 1;
                        if is_token_lost(&e) {
                            state.lost = Some(short(&e));
                        }
                        self.pool.returned.notify_all();
                        Err(if is_token_lost(&e) {
                            self.lost(short(&e))
                        } else {
                            Error::Pkcs11 {
                                token: self.token.clone(),
                                reason: format!("cannot open a session: {}", short(&e)),
                            }
                        })
                    }
                };
            }
            state = self
                .pool
                .returned
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    fn checkin(&self, session: Session, outcome: &Result<Vec<u8>, CkError>) {
        let mut state = self.pool.lock();
        match outcome {
            Err(e) if is_token_lost(e) => {
                state.lost.get_or_insert_with(|| short(e));
                state.open -= 1;
                drop(session);
            }
            _ => state.idle.push(session),
        }
        self.pool.returned.notify_one();
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

/// A slot of a module, with its token if one is present.
#[derive(Clone, Debug)]
pub struct SlotListing {
    /// The slot id.
    pub id: u64,
    /// The slot's description.
    pub description: String,
    /// The token in it, if any.
    pub token: Option<TokenListing>,
}

/// A token: what identifies it, and its objects.
#[derive(Clone, Debug)]
pub struct TokenListing {
    /// CKA label of the token.
    pub label: String,
    /// Serial number.
    pub serial: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// Token flags that matter to a user, by their PKCS#11 names.
    pub flags: Vec<&'static str>,
    /// Most sessions the token allows (`None`: no stated limit).
    pub max_sessions: Option<u64>,
    /// Whether the objects were listed after a login (private keys are
    /// visible only then).
    pub logged_in: bool,
    /// Keys and certificates.
    pub objects: Vec<ObjectListing>,
}

/// A key or certificate on a token. Never key material.
#[derive(Clone, Debug)]
pub struct ObjectListing {
    /// `private-key`, `public-key` or `certificate`.
    pub class: &'static str,
    /// CKA_LABEL.
    pub label: String,
    /// CKA_ID, hex.
    pub id: String,
    /// `RSA`, `EC`, … (keys) or `X.509` (certificates).
    pub kind: String,
    /// Key size in bits (RSA modulus, EC field), when known.
    pub bits: Option<u32>,
    /// CKA_SIGN of private keys.
    pub can_sign: Option<bool>,
    /// A certificate's subject.
    pub subject: Option<String>,
}

fn token_flags(info: &TokenInfo) -> Vec<&'static str> {
    let mut flags = Vec::new();
    let checks: [(bool, &'static str); 9] = [
        (info.login_required(), "CKF_LOGIN_REQUIRED"),
        (info.user_pin_initialized(), "CKF_USER_PIN_INITIALIZED"),
        (
            info.protected_authentication_path(),
            "CKF_PROTECTED_AUTHENTICATION_PATH",
        ),
        (info.write_protected(), "CKF_WRITE_PROTECTED"),
        (info.user_pin_count_low(), "CKF_USER_PIN_COUNT_LOW"),
        (info.user_pin_final_try(), "CKF_USER_PIN_FINAL_TRY"),
        (info.user_pin_locked(), "CKF_USER_PIN_LOCKED"),
        (info.user_pin_to_be_changed(), "CKF_USER_PIN_TO_BE_CHANGED"),
        (info.token_initialized(), "CKF_TOKEN_INITIALIZED"),
    ];
    for (set, name) in checks {
        if set {
            flags.push(name);
        }
    }
    flags
}

fn list_objects(session: &Session) -> Vec<ObjectListing> {
    let mut out = Vec::new();
    for (class, name) in [
        (ObjectClass::PRIVATE_KEY, "private-key"),
        (ObjectClass::PUBLIC_KEY, "public-key"),
        (ObjectClass::CERTIFICATE, "certificate"),
    ] {
        let Ok(handles) = session.find_objects(&[Attribute::Class(class)]) else {
            continue;
        };
        for h in handles {
            let wanted = [
                AttributeType::Label,
                AttributeType::Id,
                AttributeType::KeyType,
                AttributeType::ModulusBits,
                AttributeType::Modulus,
                AttributeType::EcParams,
                AttributeType::Sign,
                AttributeType::Value,
            ];
            let attrs = if class == ObjectClass::PRIVATE_KEY {
                // Never ask a private key for CKA_VALUE.
                session.get_attributes(h, &wanted[..7])
            } else if class == ObjectClass::PUBLIC_KEY {
                session.get_attributes(h, &wanted[..6])
            } else {
                session.get_attributes(
                    h,
                    &[
                        AttributeType::Label,
                        AttributeType::Id,
                        AttributeType::Value,
                    ],
                )
            }
            .unwrap_or_default();
            let mut o = ObjectListing {
                class: name,
                label: String::new(),
                id: String::new(),
                kind: if class == ObjectClass::CERTIFICATE {
                    "X.509".into()
                } else {
                    String::new()
                },
                bits: None,
                can_sign: None,
                subject: None,
            };
            for a in attrs {
                match a {
                    Attribute::Label(l) => o.label = String::from_utf8_lossy(&l).into_owned(),
                    Attribute::Id(i) => o.id = hex::encode(i),
                    Attribute::KeyType(k) => {
                        o.kind = k.to_string().trim_start_matches("CKK_").to_owned()
                    }
                    Attribute::ModulusBits(b) => o.bits = u32::try_from(u64::from(b)).ok(),
                    Attribute::Modulus(m) if o.bits.is_none() => {
                        o.bits = u32::try_from(m.len() * 8).ok()
                    }
                    Attribute::EcParams(p) => o.bits = ec_bits(&p),
                    Attribute::Sign(s) => o.can_sign = Some(s),
                    Attribute::Value(v) if class == ObjectClass::CERTIFICATE => {
                        if let Ok(cert) = Cert::from_der(&v) {
                            o.subject = Some(cert.subject());
                            if let Ok(k) = cert.to_openssl().and_then(|x| x.public_key()) {
                                o.bits = Some(k.bits());
                                o.kind = format!("X.509 ({})", key_kind(k.id()));
                            }
                        }
                    }
                    _ => {}
                }
            }
            out.push(o);
        }
    }
    out
}

fn key_kind(id: Id) -> &'static str {
    match id {
        Id::RSA => "RSA",
        Id::EC => "EC",
        Id::ED25519 => "Ed25519",
        _ => "other",
    }
}

/// The field size of a named curve given as CKA_EC_PARAMS.
fn ec_bits(params: &[u8]) -> Option<u32> {
    let oid: der::asn1::ObjectIdentifier = der::Decode::from_der(params).ok()?;
    match oid.to_string().as_str() {
        "1.2.840.10045.3.1.7" => Some(256),
        "1.3.132.0.34" => Some(384),
        "1.3.132.0.35" => Some(521),
        _ => None,
    }
}

/// Lists the module's slots and tokens, and each token's keys and
/// certificates. With `pin`, the one token named by `login_token` (label or
/// serial; or the only token present) is logged in to, so that its private
/// keys show; a PIN is never tried on any other token. Nothing secret is read.
pub fn list(
    module: &Path,
    pin: Option<&SecretSource>,
    login_token: Option<&str>,
) -> Result<Vec<SlotListing>, Error> {
    let context = load_module(module)?;
    let login_slot = match pin {
        Some(_) => Some(find_token(&context, module, login_token)?.0),
        None => None,
    };
    let slots = context.get_all_slots().map_err(|e| Error::Pkcs11Module {
        path: module.to_path_buf(),
        reason: format!("cannot list slots: {}", short(&e)),
    })?;
    let mut out = Vec::new();
    for slot in slots {
        let description = context
            .get_slot_info(slot)
            .map(|s| s.slot_description().to_owned())
            .unwrap_or_default();
        let token = match context.get_token_info(slot) {
            Ok(info) if info.token_initialized() => {
                let mut logged_in = false;
                let objects = match context.open_ro_session(slot) {
                    Ok(session) => {
                        if let (Some(pin), true) = (pin, login_slot == Some(slot)) {
                            login(&session, &info, pin)?;
                            logged_in = true;
                        }
                        list_objects(&session)
                    }
                    Err(_) => Vec::new(),
                };
                Some(TokenListing {
                    label: info.label().to_owned(),
                    serial: info.serial_number().to_owned(),
                    manufacturer: info.manufacturer_id().to_owned(),
                    model: info.model().to_owned(),
                    flags: token_flags(&info),
                    max_sessions: match info.max_session_count() {
                        Limit::Max(n) => Some(n),
                        _ => None,
                    },
                    logged_in,
                    objects,
                })
            }
            _ => None,
        };
        out.push(SlotListing {
            id: slot.id(),
            description,
            token,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_matches_rfc_8017_prefix() {
        // RFC 8017 §9.2 note 1 lists the DER prefix for SHA-256.
        let hash = [0xAB; 32];
        let der = digest_info(DigestAlgorithm::Sha256, &hash).unwrap();
        let prefix = hex::decode("3031300d060960864801650304020105000420").unwrap();
        assert_eq!(&der[..prefix.len()], prefix.as_slice());
        assert_eq!(&der[prefix.len()..], &hash);
    }

    #[test]
    fn digest_info_sha384_prefix() {
        let hash = [0x01; 48];
        let der = digest_info(DigestAlgorithm::Sha384, &hash).unwrap();
        let prefix = hex::decode("3041300d060960864801650304020205000430").unwrap();
        assert_eq!(&der[..prefix.len()], prefix.as_slice());
    }

    #[test]
    fn rv_names_are_pkcs11_constants() {
        assert_eq!(rv_name(RvError::PinIncorrect), "CKR_PIN_INCORRECT");
        assert_eq!(rv_name(RvError::DeviceRemoved), "CKR_DEVICE_REMOVED");
    }

    #[test]
    fn removal_errors_are_recognised() {
        use cryptoki::context::Function;
        assert!(is_token_lost(&CkError::Pkcs11(
            RvError::DeviceRemoved,
            Function::Sign
        )));
        assert!(is_token_lost(&CkError::Pkcs11(
            RvError::SessionHandleInvalid,
            Function::Sign
        )));
        assert!(!is_token_lost(&CkError::Pkcs11(
            RvError::PinIncorrect,
            Function::Login
        )));
    }

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
