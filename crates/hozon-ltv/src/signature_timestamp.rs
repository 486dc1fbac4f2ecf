//! B-T (CAdES-T): the signature-time-stamp attribute, ETSI EN 319 122-1
//! §5.3 and RFC 3161 Appendix A.
//!
//! ```text
//! id-aa-signatureTimeStampToken OBJECT IDENTIFIER ::= { iso(1) member-body(2)
//!     us(840) rsadsi(113549) pkcs(1) pkcs-9(9) smime(16) aa(2) 14 }
//! SignatureTimeStampToken ::= TimeStampToken
//! ```
//!
//! The time stamp's message imprint is the digest of the SignerInfo's
//! `signature` field value (the octets of the signature, not their DER
//! encoding).

use cms::signed_data::SignerInfos;
use hozon_cms::attributes::{all_values, push};
use hozon_cms::oid::rfc3161::ID_AA_SIGNATURE_TIME_STAMP_TOKEN;
use hozon_cms::SignatureFile;
use hozon_tsp::{Stamp, TsaClient};

use crate::Error;

/// The result of augmenting one signature file.
#[derive(Debug)]
pub struct Augmented {
    /// The new signature (DER).
    pub der: Vec<u8>,
    /// The stamps added, one per SignerInfo that had none.
    pub stamps: Vec<Stamp>,
    /// SignerInfos left alone because they already carried a signature time stamp.
    pub already: usize,
}

/// Adds a signature time stamp to every SignerInfo of `signature` that has
/// none (one TSA request each). When all have one, the input is returned
/// unchanged (`stamps` empty).
pub fn add_signature_timestamps(signature: &[u8], tsa: &TsaClient) -> Result<Augmented, Error> {
    let file = SignatureFile::parse(signature)?;
    let mut signed_data = file.signed_data;
    let mut infos = signed_data.signer_infos.0.into_vec();
    let mut stamps = Vec::new();
    let mut already = 0;
    for si in &mut infos {
        if all_values(si.unsigned_attrs.as_ref(), ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
            .next()
            .is_some()
        {
            already += 1;
            continue;
        }
        let stamp = tsa.stamp_data(si.signature.as_bytes())?;
        let token = stamp.token.to_any()?;
        push(
            &mut si.unsigned_attrs,
            ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
            token,
        )?;
        stamps.push(stamp);
    }
    if stamps.is_empty() {
        return Ok(Augmented {
            der: file.der,
            stamps,
            already,
        });
    }
    // SignerInfos is a SET OF: re-sorting is fine, nothing refers to indexes.
    signed_data.signer_infos =
        SignerInfos::try_from(infos).map_err(|e| Error::Encode(e.to_string()))?;
    let der = SignatureFile::encode_signed_data(&signed_data)?;
    Ok(Augmented {
        der,
        stamps,
        already,
    })
}
