//! The CAdES archive-time-stamp-v3 (ETSI EN 319 122-1 §5.5.3) and its
//! ats-hash-index-v3 (§5.5.2): what an archive time stamp covers, computed
//! the same way by the side that requests one and the side that checks it.
//!
//! The time stamp's message imprint is the hash of the concatenation of, in
//! this order and in their encoded form:
//! 1. `SignedData.encapContentInfo.eContentType`;
//! 2. the hash of the signed content (eContent or the detached document);
//! 3. the SignerInfo fields `version`, `sid`, `digestAlgorithm`,
//!    `signedAttrs`, `signatureAlgorithm` and `signature`;
//! 4. the ats-hash-index-v3 value, which lists a hash of every certificate,
//!    every revocation value and every unsigned attribute value present when
//!    the stamp was made (so later additions do not break it, and removals
//!    or alterations of covered ones do).
//!
//! The index is an unsigned attribute of the time-stamp token's own
//! SignerInfo, added by the requester after the TSA answered.

use cms::signed_data::{SignedData, SignerInfo};
use der::asn1::OctetString;
use der::{
    Any, Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Tag, Writer,
};
use spki::AlgorithmIdentifierOwned;

use crate::{DigestAlgorithm, Error};

/// The `ATSHashIndexV3` type is defined in [ETSI EN 319 122-1 §5.5.2].
///
/// ```text
/// ATSHashIndexV3 ::= SEQUENCE {
///     hashIndAlgorithm             AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certificatesHashIndex        SEQUENCE OF OCTET STRING,
///     crlsHashIndex                SEQUENCE OF OCTET STRING,
///     unsignedAttrValuesHashIndex  SEQUENCE OF OCTET STRING }
/// ```
///
/// `hash_ind_algorithm` is `None` for the SHA-256 default. The first field
/// and the second are both SEQUENCEs, so a derived decoder cannot tell an
/// omitted algorithm from a present one; the element count does (four
/// with the algorithm, three without), as the encoding rules imply.
///
/// [ETSI EN 319 122-1 §5.5.2]: https://www.etsi.org/deliver/etsi_en/319100_319199/31912201/
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AtsHashIndexV3 {
    /// Digest algorithm of every entry; `None` means SHA-256.
    pub hash_ind_algorithm: Option<AlgorithmIdentifierOwned>,
    /// One hash per CertificateChoices of SignedData.certificates.
    pub certificates_hash_index: Vec<OctetString>,
    /// One hash per RevocationInfoChoice of SignedData.crls.
    pub crls_hash_index: Vec<OctetString>,
    /// One hash per unsigned attribute value of the SignerInfo (its
    /// attrType encoding followed by the value's encoding).
    pub unsigned_attr_values_hash_index: Vec<OctetString>,
}

impl FixedTag for AtsHashIndexV3 {
    const TAG: Tag = Tag::Sequence;
}

impl EncodeValue for AtsHashIndexV3 {
    fn value_len(&self) -> der::Result<Length> {
        let mut len = Length::ZERO;
        if let Some(alg) = &self.hash_ind_algorithm {
            len = (len + alg.encoded_len()?)?;
        }
        len = (len + self.certificates_hash_index.encoded_len()?)?;
        len = (len + self.crls_hash_index.encoded_len()?)?;
        len + self.unsigned_attr_values_hash_index.encoded_len()?
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        if let Some(alg) = &self.hash_ind_algorithm {
            alg.encode(writer)?;
        }
        self.certificates_hash_index.encode(writer)?;
        self.crls_hash_index.encode(writer)?;
        self.unsigned_attr_values_hash_index.encode(writer)
    }
}

impl<'a> DecodeValue<'a> for AtsHashIndexV3 {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        reader.read_nested(header.length, |r| {
            let mut parts: Vec<Any> = Vec::new();
            while !r.is_finished() {
                parts.push(Any::decode(r)?);
            }
            let (alg, lists) = match parts.len() {
                4 => (
                    Some(parts[0].decode_as::<AlgorithmIdentifierOwned>()?),
                    &parts[1..],
                ),
                3 => (None, &parts[..]),
                _ => return Err(Tag::Sequence.value_error()),
            };
            let list = |any: &Any| any.decode_as::<Vec<OctetString>>();
            Ok(AtsHashIndexV3 {
                hash_ind_algorithm: alg,
                certificates_hash_index: list(&lists[0])?,
                crls_hash_index: list(&lists[1])?,
                unsigned_attr_values_hash_index: list(&lists[2])?,
            })
        })
    }
}

/// Which of the two published forms an archive time stamp's hash index
/// takes. Both have the same ASN.1 structure; they differ in what an
/// unsignedAttrs entry hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashIndexForm {
    /// `ats-hash-index-v3` (0.4.0.19122.1.5, EN 319 122-1 §5.5.2): one hash
    /// per attribute **value**, over its attrType's encoding followed by the
    /// value's.
    V3,
    /// `ats-hash-index` (0.4.0.1733.2.5, ETSI TS 101 733 V2.2.1 §6.4.2,
    /// common in plugtests files and older DSS output): one hash per
    /// unsigned **Attribute**, over its whole encoding.
    Ts101733,
}

impl HashIndexForm {
    /// The attribute type of the index in this form.
    pub fn oid(self) -> der::asn1::ObjectIdentifier {
        use crate::oid::etsi_en_319_122::{ID_AA_ATS_HASH_INDEX, ID_AA_ATS_HASH_INDEX_V3};
        match self {
            HashIndexForm::V3 => ID_AA_ATS_HASH_INDEX_V3,
            HashIndexForm::Ts101733 => ID_AA_ATS_HASH_INDEX,
        }
    }
}

/// The hash index among a time-stamp token's unsigned attributes `attrs`:
/// `ats-hash-index-v3`, else the TS 101 733 `ats-hash-index`. `Ok(None)`
/// when there is neither; an error when one is malformed or duplicated.
pub fn read_hash_index(
    attrs: &x509_cert::attr::Attributes,
) -> Result<Option<(HashIndexForm, AtsHashIndexV3)>, Error> {
    for form in [HashIndexForm::V3, HashIndexForm::Ts101733] {
        if let Some(index) =
            crate::attributes::decode_unique::<AtsHashIndexV3>(Some(attrs), form.oid())?
        {
            return Ok(Some((form, index)));
        }
    }
    Ok(None)
}

/// The hashes of everything an archive time stamp over `signer` of
/// `signed_data` covers, as they are now.
pub fn current_hashes(
    signed_data: &SignedData,
    signer: &SignerInfo,
    digest: DigestAlgorithm,
) -> Result<AtsHashIndexV3, Error> {
    current_hashes_in(signed_data, signer, digest, HashIndexForm::V3)
}

/// [`current_hashes`] in the given index form.
pub fn current_hashes_in(
    signed_data: &SignedData,
    signer: &SignerInfo,
    digest: DigestAlgorithm,
    form: HashIndexForm,
) -> Result<AtsHashIndexV3, Error> {
    let hash = |bytes: &[u8]| -> Result<OctetString, Error> {
        let d = digest
            .digest(bytes)
            .map_err(|e| Error::NotCms(e.to_string()))?;
        OctetString::new(d).map_err(Error::Encode)
    };
    let mut certificates_hash_index = Vec::new();
    for choice in signed_data.certificates.iter().flat_map(|s| s.0.iter()) {
        certificates_hash_index.push(hash(&choice.to_der().map_err(Error::Encode)?)?);
    }
    let mut crls_hash_index = Vec::new();
    for choice in signed_data.crls.iter().flat_map(|s| s.0.iter()) {
        crls_hash_index.push(hash(&choice.to_der().map_err(Error::Encode)?)?);
    }
    let mut unsigned_attr_values_hash_index = Vec::new();
    for attr in signer.unsigned_attrs.iter().flat_map(|a| a.iter()) {
        if form == HashIndexForm::Ts101733 {
            unsigned_attr_values_hash_index.push(hash(&attr.to_der().map_err(Error::Encode)?)?);
            continue;
        }
        let oid = attr.oid.to_der().map_err(Error::Encode)?;
        for value in attr.values.iter() {
            let mut input = oid.clone();
            input.extend(value.to_der().map_err(Error::Encode)?);
            unsigned_attr_values_hash_index.push(hash(&input)?);
        }
    }
    Ok(AtsHashIndexV3 {
        hash_ind_algorithm: (digest != DigestAlgorithm::Sha256).then(|| digest.identifier()),
        certificates_hash_index,
        crls_hash_index,
        unsigned_attr_values_hash_index,
    })
}

impl AtsHashIndexV3 {
    /// The digest algorithm of the entries.
    pub fn digest(&self) -> Result<DigestAlgorithm, Error> {
        match &self.hash_ind_algorithm {
            None => Ok(DigestAlgorithm::Sha256),
            Some(alg) => DigestAlgorithm::from_identifier(alg),
        }
    }

    /// The entries of `self` that are not among `now`'s: covered elements
    /// that have been removed or altered since the stamp. Elements added
    /// since are not listed (the stamp does not cover them).
    pub fn missing_from(&self, now: &AtsHashIndexV3) -> Vec<&'static str> {
        let mut missing = Vec::new();
        let lists = [
            (
                &self.certificates_hash_index,
                &now.certificates_hash_index,
                "a certificate",
            ),
            (
                &self.crls_hash_index,
                &now.crls_hash_index,
                "a CRL or OCSP response",
            ),
            (
                &self.unsigned_attr_values_hash_index,
                &now.unsigned_attr_values_hash_index,
                "an unsigned attribute value",
            ),
        ];
        for (then, current, what) in lists {
            let mut pool: Vec<&OctetString> = current.iter().collect();
            for entry in then {
                match pool.iter().position(|c| *c == entry) {
                    Some(i) => {
                        pool.swap_remove(i);
                    }
                    None => missing.push(what),
                }
            }
        }
        missing
    }
}

/// The input to the archive time stamp's message imprint (see the module
/// documentation): `content_digest` is the hash of the signed content made
/// with the time stamp's digest algorithm.
pub fn imprint_input(
    signed_data: &SignedData,
    signer: &SignerInfo,
    content_digest: &[u8],
    index: &AtsHashIndexV3,
) -> Result<Vec<u8>, Error> {
    let enc = Error::Encode;
    let mut out = signed_data
        .encap_content_info
        .econtent_type
        .to_der()
        .map_err(enc)?;
    out.extend_from_slice(content_digest);
    out.extend(signer.version.to_der().map_err(enc)?);
    out.extend(signer.sid.to_der().map_err(enc)?);
    out.extend(signer.digest_alg.to_der().map_err(enc)?);
    if let Some(attrs) = &signer.signed_attrs {
        // [0] IMPLICIT SET OF Attribute, as it appears in the SignerInfo.
        let mut set = attrs.to_der().map_err(enc)?;
        if let Some(tag) = set.first_mut() {
            *tag = 0xa0;
        }
        out.extend(set);
    }
    out.extend(signer.signature_algorithm.to_der().map_err(enc)?);
    out.extend(signer.signature.to_der().map_err(enc)?);
    out.extend(index.to_der().map_err(enc)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(b: u8) -> OctetString {
        OctetString::new(vec![b; 4]).unwrap()
    }

    #[test]
    fn removed_or_altered_entries_are_missing_added_ones_are_not() {
        let then = AtsHashIndexV3 {
            hash_ind_algorithm: None,
            certificates_hash_index: vec![os(1), os(2)],
            crls_hash_index: vec![os(3)],
            unsigned_attr_values_hash_index: vec![os(4)],
        };
        let mut now = then.clone();
        now.certificates_hash_index.push(os(9));
        assert!(then.missing_from(&now).is_empty());
        now.crls_hash_index = vec![os(5)];
        assert_eq!(then.missing_from(&now), vec!["a CRL or OCSP response"]);
    }

    /// An OpenSSL-made SignedData by the test doctor.
    fn openssl_signed_data() -> SignedData {
        use openssl::cms::{CMSOptions, CmsContentInfo};
        let pki = |name: &str| {
            std::fs::read(format!(
                "{}/../../testdata/pki/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        let cert = openssl::x509::X509::from_pem(&pki("signer-doctor.crt")).unwrap();
        let key = openssl::pkey::PKey::private_key_from_pem(&pki("signer-doctor.key")).unwrap();
        let cms = CmsContentInfo::sign(
            Some(&cert),
            Some(&key),
            None,
            Some(b"record"),
            CMSOptions::DETACHED | CMSOptions::BINARY,
        )
        .unwrap();
        crate::SignatureFile::parse(&cms.to_der().unwrap())
            .unwrap()
            .signed_data
    }

    #[test]
    fn ts_101_733_form_hashes_whole_attributes() {
        use crate::attributes::single_valued;
        use crate::oid::{ID_CONTENT_TYPE, ID_DATA};
        use der::asn1::SetOfVec;
        let attr = single_valued(ID_CONTENT_TYPE, &ID_DATA).unwrap();
        let sd = openssl_signed_data();
        let mut si = sd.signer_infos.0.as_slice()[0].clone();
        si.unsigned_attrs = Some(SetOfVec::try_from(vec![attr.clone()]).unwrap());
        let d = DigestAlgorithm::Sha256;
        let old = current_hashes_in(&sd, &si, d, HashIndexForm::Ts101733).unwrap();
        let v3 = current_hashes_in(&sd, &si, d, HashIndexForm::V3).unwrap();
        assert_eq!(
            old.unsigned_attr_values_hash_index,
            vec![OctetString::new(d.digest(&attr.to_der().unwrap()).unwrap()).unwrap()]
        );
        let mut value_input = attr.oid.to_der().unwrap();
        value_input.extend(attr.values.get(0).unwrap().to_der().unwrap());
        assert_eq!(
            v3.unsigned_attr_values_hash_index,
            vec![OctetString::new(d.digest(&value_input).unwrap()).unwrap()]
        );
    }

    #[test]
    fn decodes_with_and_without_the_algorithm() {
        let mut index = AtsHashIndexV3 {
            hash_ind_algorithm: None,
            certificates_hash_index: vec![os(1)],
            crls_hash_index: vec![],
            unsigned_attr_values_hash_index: vec![os(2), os(3)],
        };
        let der = index.to_der().unwrap();
        assert_eq!(AtsHashIndexV3::from_der(&der).unwrap(), index);
        index.hash_ind_algorithm = Some(DigestAlgorithm::Sha512.identifier());
        let der = index.to_der().unwrap();
        let back = AtsHashIndexV3::from_der(&der).unwrap();
        assert_eq!(back, index);
        assert_eq!(back.digest().unwrap(), DigestAlgorithm::Sha512);
        assert!(AtsHashIndexV3::from_der(&[0x30, 2, 0x30, 0]).is_err());
    }

    #[test]
    fn default_algorithm_is_omitted() {
        let index = AtsHashIndexV3 {
            hash_ind_algorithm: None,
            certificates_hash_index: vec![],
            crls_hash_index: vec![],
            unsigned_attr_values_hash_index: vec![],
        };
        assert_eq!(
            index.to_der().unwrap(),
            vec![0x30, 6, 0x30, 0, 0x30, 0, 0x30, 0]
        );
        assert_eq!(index.digest().unwrap(), DigestAlgorithm::Sha256);
    }
}
