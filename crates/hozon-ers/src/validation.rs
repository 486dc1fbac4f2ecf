//! Validation data inside evidence records (RFC 4998 §4.1, §5.2).
//!
//! hozon keeps each archive time stamp's validation data — its TSA's
//! certificate path and the CRLs or OCSP responses that show it unrevoked
//! — in the token's own SignedData `certificates` and `crls` fields. Those
//! fields are outside what the TSA signed, so adding to them leaves the
//! token valid; and they are inside the `timeStamp` whose DER the next
//! time-stamp renewal hashes (and inside the ArchiveTimeStampSequence a
//! hash-tree renewal hashes), so the next stamp covers them, as §5.2 asks
//! of the data needed to verify the previous stamp. The EvidenceRecord's
//! `cryptoInfos` is covered by no stamp at all, which is why hozon does
//! not write there (and reads it all the same: other implementations may).
//!
//! This module replaces the newest token of a record by the same token
//! with more validation data, refusing anything else: the signed parts
//! (`encapContentInfo`, `signerInfos`, `digestAlgorithms`, version) must be
//! identical, so no proof can be swapped under this name.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};

use crate::asn1::EvidenceRecord;
use crate::Error;

fn signed_data(der: &[u8], what: &str) -> Result<SignedData, Error> {
    let ci = ContentInfo::from_der(der)
        .map_err(|e| Error::Malformed(format!("{what}: not a ContentInfo: {e}")))?;
    ci.content
        .decode_as::<SignedData>()
        .map_err(|e| Error::Malformed(format!("{what}: not a SignedData: {e}")))
}

/// Whether `a` and `b` are the same time-stamp token, apart from the
/// unsigned `certificates` and `crls` fields.
pub fn same_signed_token(a: &[u8], b: &[u8]) -> Result<bool, Error> {
    let (a, b) = (signed_data(a, "token")?, signed_data(b, "token")?);
    Ok(a.version == b.version
        && a.digest_algorithms.to_der()? == b.digest_algorithms.to_der()?
        && a.encap_content_info.to_der()? == b.encap_content_info.to_der()?
        && a.signer_infos.to_der()? == b.signer_infos.to_der()?)
}

/// Whether the token `der` carries any revocation data (a CRL or an OCSP
/// response in its SignedData `crls`).
pub fn token_has_revocation_data(der: &[u8]) -> Result<bool, Error> {
    Ok(signed_data(der, "token")?
        .crls
        .is_some_and(|c| !c.0.is_empty()))
}

/// The newest ArchiveTimeStamp's token (DER).
pub fn newest_token(er: &EvidenceRecord) -> Result<Vec<u8>, Error> {
    er.archive_time_stamp_sequence
        .last()
        .and_then(|chain| chain.last())
        .ok_or_else(|| Error::Malformed("no archive time stamp".into()))?
        .time_stamp_der()
}

/// `er` with its newest token replaced by `completed`: the same token with
/// validation data added. Refuses a different token.
pub fn with_completed_newest_token(
    er: &EvidenceRecord,
    completed: &[u8],
) -> Result<EvidenceRecord, Error> {
    let current = newest_token(er)?;
    if !same_signed_token(&current, completed)? {
        return Err(Error::Build(
            "the completed time stamp is not the record's newest token (its signed content or signer information differs)".into(),
        ));
    }
    let mut out = er.clone();
    let ats = out
        .archive_time_stamp_sequence
        .last_mut()
        .and_then(|chain| chain.last_mut())
        .ok_or_else(|| Error::Malformed("no archive time stamp".into()))?;
    ats.time_stamp = ContentInfo::from_der(completed)
        .map_err(|e| Error::Malformed(format!("completed token: {e}")))?;
    out.check_limits()?;
    Ok(out)
}
