//! ES-A of JIS X 5092:2008 / ETSI TS 101 733 V1.7.4 §6.4.1: the
//! archive-time-stamp (v2, id-aa-48), which Japanese hospital systems
//! made before archive-time-stamp-v3 existed. hozon writes it for the JIS
//! profile and so that tests can make signatures the way those tools do.
//!
//! The stamp covers the encodings of the content, SignedData certificates
//! and crls, and every SignerInfo element including the unsigned attributes
//! present now (see [`hozon_cms::archive_timestamp_v2`]). Because it hashes
//! those fields whole, **anything added to certificates or crls afterwards
//! breaks it**: the validation data for its TSA must be in the signature
//! before it is made.

use cms::signed_data::SignerInfos;
use hozon_cms::archive_timestamp_v2::{imprint_input, ContentError, UnsignedAttrsForm};
use hozon_cms::attributes::push;
use hozon_cms::oid::rfc5126::ID_AA_ETS_ARCHIVE_TIMESTAMP_V2;
use hozon_cms::{Digester, SignatureFile};
use hozon_tsp::{Stamp, TsaClient};

use crate::Error;

/// Whether any SignerInfo of `signature` carries an archive time stamp that
/// hashes the SignedData certificates and crls and the unsigned attributes
/// whole (v2, id-aa-48, or the older v1, id-aa-27): adding validation data
/// to such a signature would invalidate that stamp.
pub fn has_archive_timestamp_v1_or_v2(signature: &[u8]) -> Result<bool, Error> {
    use hozon_cms::oid::rfc5126::ID_AA_ETS_ARCHIVE_TIMESTAMP_V1;
    let file = SignatureFile::parse(signature)?;
    Ok(file
        .signer_infos()
        .iter()
        .flat_map(|si| si.unsigned_attrs.iter().flat_map(|a| a.iter()))
        .any(|a| {
            a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V2 || a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V1
        }))
}

/// Adds one archive-time-stamp (v2) to every SignerInfo of `signature`.
/// `detached_content` feeds the signed document into a digester when the
/// signature is detached (it is not called for an enveloping one; its
/// error is reported as [`Error::Content`]). Returns the new signature
/// (DER) and the stamps.
pub fn add_archive_timestamp_v2(
    signature: &[u8],
    tsa: &TsaClient,
    detached_content: &mut dyn FnMut(&mut Digester) -> Result<(), ContentError>,
) -> Result<(Vec<u8>, Vec<Stamp>), Error> {
    let encode = |e: der::Error| Error::Encode(e.to_string());
    let parsed = SignatureFile::parse(signature)?;
    // The stamp hashes the file's encodings, and the output is re-encoded
    // as DER (sorted SETs): compute over that re-encoding, so that what is
    // written is what was stamped.
    let normalized = SignatureFile::encode_signed_data(&parsed.signed_data)?;
    let file = SignatureFile::parse(&normalized)?;
    let mut stamps = Vec::new();
    let mut infos = file.signed_data.signer_infos.0.clone().into_vec();
    for si in &mut infos {
        let input = imprint_input(&file, si, &[], UnsignedAttrsForm::Tagged)?;
        let digest = input
            .digest(tsa.digest(), detached_content)
            .map_err(|e| Error::Content(e.to_string()))?;
        let stamp = tsa.stamp_digest(&digest)?;
        push(
            &mut si.unsigned_attrs,
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V2,
            stamp.token.to_any()?,
        )?;
        stamps.push(stamp);
    }
    let mut signed_data = file.signed_data;
    signed_data.signer_infos = SignerInfos::try_from(infos).map_err(encode)?;
    Ok((SignatureFile::encode_signed_data(&signed_data)?, stamps))
}
