//! The key and its certificate on the token: finding the private key by
//! label or id, the token's certificates and their chain, and the check that
//! the certificate's public key is the key's.

use std::path::Path;

use cryptoki::error::Error as CkError;
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::Session;
use der::asn1::OctetString;
use openssl::bn::BigNum;
use openssl::pkey::{Id, PKey, Public};

use hozon_cms::Cert;

use super::token::short;
use crate::Error;

/// One object's label and id, as text.
pub(super) fn label_and_id(session: &Session, object: ObjectHandle) -> (String, Vec<u8>) {
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

pub(super) fn describe(label: &str, id: &[u8]) -> String {
    format!("label '{label}' id {}", hex::encode(id))
}

/// The private key named by label or id (or the only one).
pub(super) fn find_key(
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
pub(super) fn token_certificates(session: &Session) -> Vec<(Cert, String, Vec<u8>)> {
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
pub(super) fn chain_from(cert: &Cert, pool: &[Cert]) -> Vec<Cert> {
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

pub(super) fn read_certs(path: &Path) -> Result<Vec<Cert>, Error> {
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
pub(super) fn key_matches_certificate(
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
