//! B-LTA (CAdES-A): archive-time-stamp-v3, ETSI EN 319 122-1 §5.5.3.
//!
//! An archive time stamp covers the signature, its time stamps and the
//! validation data present when it is made (see
//! [`hozon_cms::archive_timestamp`]); renewing it before the last one's TSA
//! certificate or algorithms expire keeps the whole chain of proof alive.
//! The caller embeds the validation data of every earlier time stamp first
//! (B-LT), so that the new stamp covers it.

use std::path::Path;

use cms::signed_data::SignerInfos;
use der::asn1::SetOfVec;
use der::{Any, Decode};
use hozon_cms::archive_timestamp::{current_hashes, imprint_input};
use hozon_cms::attributes::{push, single_valued};
use hozon_cms::oid::etsi_en_319_122::{ID_AA_ATS_HASH_INDEX_V3, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3};
use hozon_cms::{DigestAlgorithm, SignatureFile};
use hozon_tsp::{Stamp, TsaClient};

use crate::Error;

/// Adds one archive-time-stamp-v3 to every SignerInfo of `signature`.
/// `detached` is the signed document of a detached signature (read to
/// digest it; an enveloping signature's own content is used instead, and
/// a detached signature without it fails with [`Error::NoContent`]).
pub fn add_archive_timestamp(
    signature: &[u8],
    tsa: &TsaClient,
    detached: Option<&Path>,
) -> Result<(Vec<u8>, Vec<Stamp>), Error> {
    let encode = |e: der::Error| Error::Encode(e.to_string());
    let file = SignatureFile::parse(signature)?;
    let digest = tsa.digest();
    let content = match file.econtent()? {
        Some(embedded) => digest
            .digest(embedded)
            .map_err(|e| Error::Encode(e.to_string()))?,
        None => detached_digest(detached, digest)?,
    };
    let mut signed_data = file.signed_data;
    let mut infos = signed_data.signer_infos.0.clone().into_vec();
    let mut stamps = Vec::new();
    for si in &mut infos {
        let index = current_hashes(&signed_data, si, digest)?;
        let input = imprint_input(&signed_data, si, &content, &index)?;
        let stamp = tsa.stamp_data(&input)?;
        // The index goes into the token's own unsigned attributes.
        let token = SignatureFile::parse(stamp.token.der())?;
        let mut token_sd = token.signed_data;
        let mut token_infos = token_sd.signer_infos.0.into_vec();
        let Some(tsa_info) = token_infos.first_mut() else {
            return Err(Error::Encode(
                "the time-stamp token has no SignerInfo".into(),
            ));
        };
        let index_attr = single_valued(ID_AA_ATS_HASH_INDEX_V3, &index)?;
        let mut attrs = tsa_info
            .unsigned_attrs
            .take()
            .map(SetOfVec::into_vec)
            .unwrap_or_default();
        attrs.push(index_attr);
        tsa_info.unsigned_attrs = Some(SetOfVec::try_from(attrs).map_err(encode)?);
        token_sd.signer_infos = SignerInfos::try_from(token_infos).map_err(encode)?;
        let token_der = SignatureFile::encode_signed_data(&token_sd)?;
        push(
            &mut si.unsigned_attrs,
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
            Any::from_der(&token_der).map_err(encode)?,
        )?;
        stamps.push(stamp);
    }
    signed_data.signer_infos = SignerInfos::try_from(infos).map_err(encode)?;
    Ok((SignatureFile::encode_signed_data(&signed_data)?, stamps))
}

/// The digest of the detached document at `path`.
fn detached_digest(path: Option<&Path>, digest: DigestAlgorithm) -> Result<Vec<u8>, Error> {
    let path = path.ok_or(Error::NoContent)?;
    std::fs::File::open(path)
        .and_then(|f| digest.digest_reader(f))
        .map_err(|e| Error::ContentIo {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}
