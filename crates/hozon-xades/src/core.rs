//! XML-DSig core validation (XML Signature 1.1 §3.2): reference validation
//! of every Reference, then signature validation of the canonicalised
//! SignedInfo with the signer's key (OpenSSL, through hozon's key cache).

use hozon_cms::{Cert, KeyCache, SignatureAlgorithm};
use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;

use crate::c14n::{canonicalize, NodeSet};
use crate::dsig::{signature_from_uri, Signature};
use crate::reference::{ReferenceProblem, Resolver, Target};

/// Why the signature value does not verify (or could not be checked).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureValueProblem {
    /// The SignatureMethod is not one hozon verifies.
    #[error("unsupported SignatureMethod {0}")]
    UnsupportedAlgorithm(String),
    /// SignedInfo could not be canonicalised.
    #[error("SignedInfo cannot be canonicalised: {0}")]
    C14n(String),
    /// The value is malformed for the algorithm (an ECDSA value of odd
    /// length).
    #[error("malformed SignatureValue: {0}")]
    Malformed(String),
    /// The key does not verify the value.
    #[error("the SignatureValue does not verify over SignedInfo with the key of {0} (altered SignedInfo or signature, or another signer)")]
    Invalid(String),
    /// The key could not be used (wrong type for the algorithm, ...).
    #[error("{0}")]
    Key(String),
}

/// The result of one Reference.
#[derive(Clone, Debug)]
pub struct ReferenceResult<'d> {
    /// Its URI.
    pub uri: Option<String>,
    /// Its Type.
    pub type_: Option<String>,
    /// Its Id.
    pub id: Option<String>,
    /// What it covers when it passed, or why not.
    pub outcome: Result<Target<'d>, ReferenceProblem>,
}

/// Reference validation of every Reference of `sig`, in order.
pub fn check_references<'d>(
    sig: &Signature<'d>,
    resolver: &Resolver<'_, 'd>,
) -> Vec<ReferenceResult<'d>> {
    sig.signed_info
        .references
        .iter()
        .map(|r| ReferenceResult {
            uri: r.uri.clone(),
            type_: r.type_.clone(),
            id: r.id.clone(),
            outcome: resolver.check(r),
        })
        .collect()
}

/// The canonical form of SignedInfo: what the signature value signs.
pub fn signed_info_octets(
    doc: &crate::xml::Document,
    sig: &Signature<'_>,
) -> Result<Vec<u8>, SignatureValueProblem> {
    let set = NodeSet {
        apex: Some(sig.signed_info.element),
        exclude: None,
        comments: true,
    };
    canonicalize(doc, &set, &sig.signed_info.c14n)
        .map_err(|e| SignatureValueProblem::C14n(e.to_string()))
}

/// An XML-DSig ECDSA value (`r || s`, RFC 4050 / RFC 6931 §3.4.1) as the
/// DER `Ecdsa-Sig-Value` OpenSSL verifies.
pub fn ecdsa_to_der(value: &[u8]) -> Result<Vec<u8>, SignatureValueProblem> {
    if value.is_empty() || !value.len().is_multiple_of(2) {
        return Err(SignatureValueProblem::Malformed(format!(
            "an ECDSA value must be r || s of equal lengths, not {} bytes",
            value.len()
        )));
    }
    let (r, s) = value.split_at(value.len() / 2);
    let malformed = |e: openssl::error::ErrorStack| SignatureValueProblem::Malformed(e.to_string());
    let sig = EcdsaSig::from_private_components(
        BigNum::from_slice(r).map_err(malformed)?,
        BigNum::from_slice(s).map_err(malformed)?,
    )
    .map_err(malformed)?;
    sig.to_der().map_err(malformed)
}

/// A DER `Ecdsa-Sig-Value` as XML-DSig's `r || s`, each `field_len` bytes.
pub fn ecdsa_from_der(der: &[u8], field_len: usize) -> Result<Vec<u8>, openssl::error::ErrorStack> {
    let sig = EcdsaSig::from_der(der)?;
    let mut out = sig
        .r()
        .to_vec_padded(i32::try_from(field_len).unwrap_or(i32::MAX))?;
    out.extend(
        sig.s()
            .to_vec_padded(i32::try_from(field_len).unwrap_or(i32::MAX))?,
    );
    Ok(out)
}

/// The signature algorithm of `sig`.
pub fn signature_algorithm(
    sig: &Signature<'_>,
) -> Result<SignatureAlgorithm, SignatureValueProblem> {
    signature_from_uri(&sig.signed_info.signature_method).ok_or_else(|| {
        SignatureValueProblem::UnsupportedAlgorithm(sig.signed_info.signature_method.clone())
    })
}

/// Signature validation: the SignatureValue over the canonical SignedInfo
/// with the key of `cert`.
pub fn check_signature_value(
    doc: &crate::xml::Document,
    sig: &Signature<'_>,
    cert: &Cert,
    keys: &KeyCache,
) -> Result<SignatureAlgorithm, SignatureValueProblem> {
    let alg = signature_algorithm(sig)?;
    let message = signed_info_octets(doc, sig)?;
    let value = match alg {
        SignatureAlgorithm::Ecdsa(_) => ecdsa_to_der(&sig.signature_value)?,
        _ => sig.signature_value.clone(),
    };
    let key = keys
        .get(cert)
        .map_err(|e| SignatureValueProblem::Key(e.to_string()))?;
    match key.verify(alg, &message, &value) {
        Ok(true) => Ok(alg),
        Ok(false) => Err(SignatureValueProblem::Invalid(cert.subject())),
        Err(e) => Err(SignatureValueProblem::Key(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_values_convert_both_ways() {
        let rs: Vec<u8> = (1..=64).collect();
        let der = ecdsa_to_der(&rs).unwrap();
        assert_eq!(ecdsa_from_der(&der, 32).unwrap(), rs);
        assert!(matches!(
            ecdsa_to_der(&rs[..63]),
            Err(SignatureValueProblem::Malformed(_))
        ));
        assert!(ecdsa_to_der(&[]).is_err());
    }
}
