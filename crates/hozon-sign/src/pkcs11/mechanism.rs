//! Mechanisms: the combined hash-and-sign mechanism when the token has it,
//! else the bare one over a software digest (a DER DigestInfo for PKCS#1
//! v1.5).

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use der::asn1::OctetString;
use der::{Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use hozon_cms::{DigestAlgorithm, SignatureAlgorithm};

use crate::Error;

/// How the token is asked to sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Method {
    /// The token hashes and signs (`CKM_SHAxxx_RSA_PKCS[_PSS]`).
    Combined,
    /// Software hash; `CKM_RSA_PKCS` over a DigestInfo, `CKM_RSA_PKCS_PSS`
    /// over the digest, or `CKM_ECDSA` over the digest.
    SoftwareHash,
}

/// `DigestInfo` (RFC 8017 §9.2): what `CKM_RSA_PKCS` signs for PKCS#1 v1.5.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct DigestInfo {
    digest_algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

/// The DER DigestInfo of `hash` under `digest`, parameters NULL as RFC 8017
/// §9.2 note 1 and every verifier expect.
pub(super) fn digest_info(digest: DigestAlgorithm, hash: &[u8]) -> Result<Vec<u8>, Error> {
    let info = DigestInfo {
        digest_algorithm: AlgorithmIdentifierOwned {
            oid: digest.oid(),
            parameters: Some(der::Any::null()),
        },
        digest: OctetString::new(hash).map_err(|e| Error::Crypto(e.to_string()))?,
    };
    info.to_der().map_err(|e| Error::Crypto(e.to_string()))
}

pub(super) fn hash_mechanism(d: DigestAlgorithm) -> Result<(MechanismType, PkcsMgfType), Error> {
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

pub(super) fn pss_params(
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
pub(super) fn combined(algorithm: SignatureAlgorithm) -> Result<Option<Mechanism<'static>>, Error> {
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
pub(super) fn bare(algorithm: SignatureAlgorithm) -> Result<Mechanism<'static>, Error> {
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

pub(super) fn mechanism_name(m: &Mechanism<'_>) -> String {
    m.mechanism_type().to_string()
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
}
