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

/// What each SignerInfo's signature time stamp covers, in the file's
/// order: the octets of its `signature` value, or `None` for a SignerInfo
/// that carries a signature time stamp already.
pub fn signature_timestamp_inputs(signature: &[u8]) -> Result<Vec<Option<Vec<u8>>>, Error> {
    let file = SignatureFile::parse(signature)?;
    Ok(file
        .signer_infos()
        .iter()
        .map(|si| {
            let stamped = all_values(si.unsigned_attrs.as_ref(), ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
                .next()
                .is_some();
            (!stamped).then(|| si.signature.as_bytes().to_vec())
        })
        .collect())
}

/// Adds `stamps[i]` as the signature time stamp of the i-th SignerInfo (in
/// the order of [`signature_timestamp_inputs`]; `None` leaves it alone).
/// When no stamp is given, the input is returned unchanged.
pub fn put_signature_timestamps(
    signature: &[u8],
    stamps: &[Option<&Stamp>],
) -> Result<Vec<u8>, Error> {
    let file = SignatureFile::parse(signature)?;
    if stamps.iter().all(Option::is_none) {
        return Ok(file.der);
    }
    let mut signed_data = file.signed_data;
    let mut infos = signed_data.signer_infos.0.into_vec();
    if infos.len() != stamps.len() {
        return Err(Error::Encode(format!(
            "{} signature time stamp(s) for {} SignerInfo(s)",
            stamps.len(),
            infos.len()
        )));
    }
    for (si, stamp) in infos.iter_mut().zip(stamps) {
        if let Some(stamp) = stamp {
            push(
                &mut si.unsigned_attrs,
                ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
                stamp.token.to_any()?,
            )?;
        }
    }
    // SignerInfos is a SET OF: re-sorting is fine, nothing refers to indexes.
    signed_data.signer_infos =
        SignerInfos::try_from(infos).map_err(|e| Error::Encode(e.to_string()))?;
    Ok(SignatureFile::encode_signed_data(&signed_data)?)
}

/// Adds a signature time stamp to every SignerInfo of `signature` that has
/// none (one TSA request each). When all have one, the input is returned
/// unchanged (`stamps` empty).
pub fn add_signature_timestamps(signature: &[u8], tsa: &TsaClient) -> Result<Augmented, Error> {
    let inputs = signature_timestamp_inputs(signature)?;
    let already = inputs.iter().filter(|i| i.is_none()).count();
    let mut made = Vec::with_capacity(inputs.len());
    for input in &inputs {
        made.push(match input {
            Some(bytes) => Some(tsa.stamp_data(bytes)?),
            None => None,
        });
    }
    let der = put_signature_timestamps(
        signature,
        &made.iter().map(Option::as_ref).collect::<Vec<_>>(),
    )?;
    Ok(Augmented {
        der,
        stamps: made.into_iter().flatten().collect(),
        already,
    })
}
