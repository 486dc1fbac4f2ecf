//! The `pkcs11 list` inventory: slots, tokens and their keys and
//! certificates, never key material.

use std::path::Path;

use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::Session;
use cryptoki::slot::{Limit, TokenInfo};
use openssl::pkey::Id;

use hozon_cms::Cert;

use super::token::{find_token, load_module, login, short};
use crate::{Error, SecretSource};

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
