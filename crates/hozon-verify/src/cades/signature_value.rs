//! Cryptographic verification (EN 319 102-1 §5.2.7): the signature value
//! over the encoding of the signed attributes ([`hozon_cms::signed_attrs`]).

use hozon_cms::algorithm_protection::{same_identifier, CmsAlgorithmProtection};
use hozon_cms::asn1::cms::signed_data::SignerInfo;
use hozon_cms::asn1::x509_cert::attr::Attributes;
use hozon_cms::signed_attrs::signed_attrs_encodings;
use hozon_cms::{Cert, DigestAlgorithm, KeyCache, SignatureAlgorithm};

use crate::codes::Code;
use crate::findings::Findings;
use crate::report::SubIndication;

/// Verifies a signature value over `message` with the key of `cert`.
pub(crate) fn verify_value(
    keys: &KeyCache,
    cert: &Cert,
    alg: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let key = keys.get(cert).map_err(|e| e.to_string())?;
    match key
        .verify(alg, message, signature)
        .map_err(|e| e.to_string())?
    {
        true => Ok(()),
        false => Err(format!(
            "{alg} with the key of {} rejects it",
            cert.subject()
        )),
    }
}

/// Verifies `signature` by `cert` over the signed attributes `attrs`
/// with the first of `algs` ([`algorithm_candidates`]) that verifies,
/// and returns it. In DER order their encoding is what was signed. Out
/// of DER order the value is checked over the attributes as received
/// (re-tagged as SET, as OpenSSL, Bouncy Castle and DSS verify: the
/// signer's key signed exactly those bytes), then over their DER-sorted
/// form (RFC 5652 §5.4), with a warning naming the one that matched.
/// Records a failure when none verifies.
pub(crate) fn verify_signed_attrs(
    keys: &KeyCache,
    cert: &Cert,
    algs: &[SignatureAlgorithm],
    attrs: &Attributes,
    signature: &[u8],
    f: &mut Findings,
) -> Option<SignatureAlgorithm> {
    let encodings = match signed_attrs_encodings(attrs) {
        Ok(e) => e,
        Err(e) => {
            f.fail(
                SubIndication::FormatFailure,
                Code::SignedAttributesNotReencodable,
                format!("signed attributes cannot be re-encoded: {e}"),
            );
            return None;
        }
    };
    let mut first_error = None;
    let mut try_all = |message: &[u8]| {
        algs.iter().copied().find(
            |alg| match verify_value(keys, cert, *alg, message, signature) {
                Ok(()) => true,
                Err(why) => {
                    first_error.get_or_insert(why);
                    false
                }
            },
        )
    };
    let received = try_all(&encodings.received);
    let sorted = match (&received, &encodings.der_sorted) {
        (None, Some(sorted)) => try_all(sorted),
        _ => None,
    };
    let why = first_error.unwrap_or_default();
    let matched = match (received, sorted, encodings.der_sorted.is_some()) {
        (Some(alg), _, false) => alg,
        (Some(alg), _, true) => {
            f.warn(
                    Code::SignedAttributesNotDer,
                    "the signed attributes are not in DER order; the signature value verifies over them as received (as OpenSSL, Bouncy Castle and DSS check it), not over their DER encoding (RFC 5652 5.4)",
                );
            alg
        }
        (None, Some(alg), _) => {
            f.warn(
                    Code::SignedAttributesNotDer,
                    "the signed attributes are not in DER order; the signature value verifies over their DER encoding (RFC 5652 5.4), which sorts them",
                );
            alg
        }
        (None, None, false) => {
            f.fail(
                SubIndication::SigCryptoFailure,
                Code::SignatureValueInvalid,
                format!("the signature value does not verify: {why}"),
            );
            return None;
        }
        (None, None, true) => {
            f.fail(
                    SubIndication::SigCryptoFailure,
                    Code::SignatureValueInvalid,
                    format!(
                        "the signature value does not verify, neither over the signed attributes as received (not in DER order) nor over their DER encoding: {why}"
                    ),
                );
            return None;
        }
    };
    if matched != algs[0] {
        f.warn(
                Code::SignatureAlgorithmHashMismatch,
                format!(
                    "the signature value does not verify as {} but as {matched}, the hash its signatureAlgorithm names (RFC 5652 5.3)",
                    algs[0]
                ),
            );
    }
    Some(matched)
}

/// RFC 6211 §2: the signed CMSAlgorithmProtection attribute protects the
/// SignerInfo's digestAlgorithm and signatureAlgorithm against
/// substitution; the copies must be the same identifiers
/// ([`same_identifier`]: OID and parameter encoding, NULL and absent alike),
/// otherwise the signature is not intact (SIG_CRYPTO_FAILURE), as Bouncy
/// Castle and DSS judge it. A SignedData's copy must name the
/// signatureAlgorithm (and no MAC algorithm).
pub(crate) fn check_algorithm_protection(
    p: &CmsAlgorithmProtection,
    si: &SignerInfo,
    f: &mut Findings,
) {
    if !same_identifier(&p.digest_algorithm, &si.digest_alg) {
        f.fail(
            SubIndication::SigCryptoFailure,
            Code::AlgorithmProtectionMismatch,
            format!(
                "the digestAlgorithm ({}) is not the one the signed CMSAlgorithmProtection attribute names ({}): algorithm substitution (RFC 6211)",
                si.digest_alg.oid, p.digest_algorithm.oid
            ),
        );
    }
    match (&p.signature_algorithm, &p.mac_algorithm) {
        (Some(sig), None) => {
            if !same_identifier(sig, &si.signature_algorithm) {
                f.fail(
                    SubIndication::SigCryptoFailure,
                    Code::AlgorithmProtectionMismatch,
                    format!(
                        "the signatureAlgorithm ({}) is not the one the signed CMSAlgorithmProtection attribute names ({}, parameters encoded differently or other): algorithm substitution (RFC 6211)",
                        si.signature_algorithm.oid, sig.oid
                    ),
                );
            }
        }
        _ => f.fail(
            SubIndication::FormatFailure,
            Code::AlgorithmProtectionMalformed,
            "the CMSAlgorithmProtection attribute of a signature must name the signatureAlgorithm and no MAC algorithm (RFC 6211 2)",
        ),
    }
}

/// The algorithms to verify a signature value with, in order, when its
/// signatureAlgorithm names another hash than the SignerInfo's
/// digestAlgorithm (e.g. sha512WithRSAEncryption over a SHA-256 message
/// digest), with a warning. As OpenSSL (`CMS_SignerInfo_verify`) and DSS do,
/// the hash tried first is the digestAlgorithm's: for RSA PKCS#1 v1.5 the
/// DigestInfo inside the value must name it, for ECDSA the value is over
/// that digest. The hash the signatureAlgorithm names comes second (the
/// identifier says what the value is). RSASSA-PSS carries its hash in its
/// own parameters, which stay authoritative. The caller judges the hash
/// that verified with the crypto policy, so a weak digestAlgorithm (or a
/// weak named hash) stays refused.
pub(crate) fn algorithm_candidates(
    digest_alg: DigestAlgorithm,
    named: SignatureAlgorithm,
    f: &mut Findings,
) -> Vec<SignatureAlgorithm> {
    let used = match named {
        SignatureAlgorithm::RsaPkcs1v15(d) if d != digest_alg => {
            SignatureAlgorithm::RsaPkcs1v15(digest_alg)
        }
        SignatureAlgorithm::Ecdsa(d) if d != digest_alg => SignatureAlgorithm::Ecdsa(digest_alg),
        other => other,
    };
    if let Some(d) = named.digest() {
        if d != digest_alg {
            let with = used.digest().unwrap_or(d);
            f.warn(
                Code::SignatureAlgorithmHashMismatch,
                format!(
                    "the signatureAlgorithm ({named}) names another hash than the digestAlgorithm ({digest_alg}): the message digest is checked with {digest_alg}, the signature value as {used} (hash {with}, as OpenSSL and DSS verify it)"
                ),
            );
        }
    }
    if used == named {
        vec![named]
    } else {
        vec![used, named]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs1_and_ecdsa_verify_with_the_digest_algorithms_hash() {
        let mut f = Findings::default();
        assert_eq!(
            algorithm_candidates(
                DigestAlgorithm::Sha256,
                SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha512),
                &mut f
            ),
            vec![
                SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
                SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha512)
            ]
        );
        assert_eq!(
            algorithm_candidates(
                DigestAlgorithm::Sha1,
                SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256),
                &mut f
            ),
            vec![
                SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha1),
                SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256)
            ],
            "a weak digestAlgorithm is what the policy must judge"
        );
        assert_eq!(f.warnings.len(), 2, "{:?}", f.warnings);
        assert!(f.warnings[0].message.contains("names another hash"));
        assert_eq!(f.warnings[0].code, Code::SignatureAlgorithmHashMismatch);
    }

    #[test]
    fn matching_hashes_and_pss_are_kept_without_a_warning_for_matches() {
        let mut f = Findings::default();
        let same = SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256);
        assert_eq!(
            algorithm_candidates(DigestAlgorithm::Sha256, same, &mut f),
            vec![same]
        );
        assert!(f.warnings.is_empty());
        let pss = SignatureAlgorithm::rsa_pss(DigestAlgorithm::Sha512);
        assert_eq!(
            algorithm_candidates(DigestAlgorithm::Sha256, pss, &mut f),
            vec![pss]
        );
        assert_eq!(f.warnings.len(), 1);
    }
}
