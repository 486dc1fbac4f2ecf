//! What an archive-time-stamp (v2, id-aa-48 = 1.2.840.113549.1.9.16.2.48)
//! covers: the ES-A form of ETSI TS 101 733 V1.7.4–V1.8.x §6.4.1, RFC 5126
//! §6.4.1 and JIS X 5092:2008, which Japanese hospital systems still write.
//!
//! Its message imprint is the hash of the concatenation of:
//! 1. the `encapContentInfo` element of SignedData (its whole encoding, the
//!    eContent included when the signature is enveloping);
//! 2. the external content itself (raw bytes, not a hash) when eContent is
//!    absent;
//! 3. the `certificates` (\[0\]) and `crls` (\[1\]) elements of SignedData, each
//!    whole, when present;
//! 4. every element of the SignerInfo, each whole: version, sid,
//!    digestAlgorithm, signedAttrs (\[0\]), signatureAlgorithm, signature,
//!    and the unsignedAttrs (\[1\]) that existed when the stamp was made.
//!
//! Unlike archive-time-stamp-v3, which hashes each element separately and
//! lists the hashes, v2 hashes **the encodings as they are in the file**,
//! so this module slices the original DER instead of re-encoding what was
//! parsed: `der` sorts SET OF elements on decode, and a signature whose
//! certificates or unsigned attributes another tool wrote in another order
//! would otherwise never match.
//!
//! Two readings of item 4 exist for the unsigned attributes. The normative
//! text (and TS 101 733 V2.2.1 Annex K) hashes the `[1]` element with its
//! tag and length; V1.8.3 Annex K listed the attributes without them. V2.2.1
//! Annex K note 3 recommends checking both; [`UnsignedAttrsForm`] selects
//! one. Both cover exactly the same data.
//!
//! Which unsigned attributes were present when a stamp was made is not
//! recorded in v2. The caller says which to leave out ([`imprint_input`]'s
//! `excluded`): the stamp's own attribute and the archive time stamps made
//! after it (as other validators do; DER sorting of the SET means position
//! is no evidence of age).
//!
//! The v1 archiveTimestamp (id-aa-27) of TS 101 733 before V1.5.1 hashed a
//! different input and is not computed here.

use std::path::PathBuf;

use der::{Decode, Header, Length, Reader, SliceReader, Tag};
use x509_cert::attr::Attribute;

use crate::algorithm::{DigestAlgorithm, Digester};
use crate::{Error, SignatureFile};

/// Why an archive-time-stamp-v2 imprint could not be computed: the detached
/// content could not be fed into it, or the digester failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContentError {
    /// The content is not available, and why (a detached signature
    /// validated without its document).
    #[error("{0}")]
    Absent(String),
    /// The content could not be read.
    #[error("cannot read the content {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A byte range of the content goes past the end of its file.
    #[error("cannot read the content {}: the range {offset}+{length} goes past its end", path.display())]
    PastEnd {
        /// The file.
        path: PathBuf,
        /// Where the range starts.
        offset: u64,
        /// Its length.
        length: u64,
    },
    /// The digester failed.
    #[error("digest: {0}")]
    Digest(#[from] openssl::error::ErrorStack),
}

/// How the covered unsigned attributes are put into the hash input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsignedAttrsForm {
    /// The `[1] IMPLICIT SET OF Attribute` element with its tag and length
    /// (RFC 5126 §6.4.1, TS 101 733 V2.2.1 Annex K): what hozon writes.
    Tagged,
    /// The attributes alone, without the `[1]` tag and length (TS 101 733
    /// V1.8.3 Annex K, which some tools followed).
    Untagged,
}

/// The hash input of an archive-time-stamp-v2, in two parts around the
/// detached content (which is streamed, never held in memory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImprintInput {
    /// The encapContentInfo encoding.
    pub before_content: Vec<u8>,
    /// Whether the detached content goes between the two parts (eContent
    /// is absent).
    pub detached: bool,
    /// certificates, crls and the SignerInfo elements.
    pub after_content: Vec<u8>,
}

impl ImprintInput {
    /// The message imprint under `alg`. `detached_content` feeds the
    /// external content into the digester; it is called only for a detached
    /// signature.
    pub fn digest(
        &self,
        alg: DigestAlgorithm,
        detached_content: &mut dyn FnMut(&mut Digester) -> Result<(), ContentError>,
    ) -> Result<Vec<u8>, ContentError> {
        let mut d = Digester::new(alg)?;
        d.update(&self.before_content)?;
        if self.detached {
            detached_content(&mut d)?;
        }
        d.update(&self.after_content)?;
        Ok(d.finish()?)
    }
}

/// One TLV of the original encoding.
#[derive(Clone, Copy)]
struct Tlv<'a> {
    tag: Tag,
    /// The whole element: tag, length and value.
    whole: &'a [u8],
    /// The value octets.
    value: &'a [u8],
}

fn malformed(what: &str) -> Error {
    Error::NotCms(format!("archive-time-stamp-v2 input: malformed {what}"))
}

/// The first TLV of `input` and what follows it.
fn next_tlv<'a>(input: &'a [u8], what: &str) -> Result<(Tlv<'a>, &'a [u8]), Error> {
    let mut reader = SliceReader::new(input).map_err(|_| malformed(what))?;
    let header = Header::decode(&mut reader).map_err(|_| malformed(what))?;
    let header_len = usize::try_from(reader.position()).map_err(|_| malformed(what))?;
    let value_len = usize::try_from(header.length).map_err(|_| malformed(what))?;
    let end = header_len
        .checked_add(value_len)
        .filter(|end| *end <= input.len())
        .ok_or_else(|| malformed(what))?;
    let (whole, rest) = input.split_at(end);
    Ok((
        Tlv {
            tag: header.tag,
            whole,
            value: &whole[header_len..],
        },
        rest,
    ))
}

/// The elements inside a constructed value.
fn children<'a>(mut value: &'a [u8], what: &str) -> Result<Vec<Tlv<'a>>, Error> {
    let mut out = Vec::new();
    while !value.is_empty() {
        let (tlv, rest) = next_tlv(value, what)?;
        out.push(tlv);
        value = rest;
    }
    Ok(out)
}

fn context(number: u8) -> Tag {
    Tag::ContextSpecific {
        constructed: true,
        number: der::TagNumber::new(number),
    }
}

/// The original elements of the signature this module needs.
struct Elements<'a> {
    encap_content_info: Tlv<'a>,
    certificates: Option<Tlv<'a>>,
    crls: Option<Tlv<'a>>,
    /// Every element of the SignerInfo, unsigned attributes excluded.
    signer_fields: Vec<Tlv<'a>>,
    /// The unsigned attributes, in file order.
    unsigned_attrs: Vec<Tlv<'a>>,
}

/// Finds `signer` (by sid and signature value) in the original encoding.
fn elements<'a>(
    file: &'a SignatureFile,
    signer: &cms::signed_data::SignerInfo,
) -> Result<Elements<'a>, Error> {
    use der::Encode;
    let (content_info, _) = next_tlv(&file.der, "ContentInfo")?;
    let ci = children(content_info.value, "ContentInfo")?;
    let explicit = ci
        .get(1)
        .filter(|t| t.tag == context(0))
        .ok_or_else(|| malformed("ContentInfo content"))?;
    let (signed_data, _) = next_tlv(explicit.value, "SignedData")?;
    let sd = children(signed_data.value, "SignedData")?;
    let mut fields = sd.iter().skip(2).peekable();
    let encap_content_info = *fields
        .next()
        .filter(|t| t.tag == Tag::Sequence)
        .ok_or_else(|| malformed("encapContentInfo"))?;
    let certificates = fields.next_if(|t| t.tag == context(0)).copied();
    let crls = fields.next_if(|t| t.tag == context(1)).copied();
    let signer_infos = fields
        .next()
        .filter(|t| t.tag == Tag::Set)
        .ok_or_else(|| malformed("signerInfos"))?;
    let sid = signer.sid.to_der().map_err(Error::Encode)?;
    let signature = signer.signature.to_der().map_err(Error::Encode)?;
    for info in children(signer_infos.value, "signerInfos")? {
        let mut si = children(info.value, "SignerInfo")?;
        let unsigned = match si.last() {
            Some(last) if last.tag == context(1) => {
                let attrs = children(last.value, "unsignedAttrs")?;
                si.pop();
                attrs
            }
            _ => Vec::new(),
        };
        let same_sid = si.get(1).is_some_and(|t| t.whole == sid.as_slice());
        let same_signature = si.last().is_some_and(|t| t.whole == signature.as_slice());
        if same_sid && same_signature {
            return Ok(Elements {
                encap_content_info,
                certificates,
                crls,
                signer_fields: si,
                unsigned_attrs: unsigned,
            });
        }
    }
    Err(Error::NotCms(
        "archive-time-stamp-v2 input: the SignerInfo is not in the signature file".into(),
    ))
}

/// The unsigned attributes of `signer` as they are in the file (in file
/// order, which decoding into a SET does not keep), each with its
/// original encoding.
pub fn unsigned_attributes(
    file: &SignatureFile,
    signer: &cms::signed_data::SignerInfo,
) -> Result<Vec<(Attribute, Vec<u8>)>, Error> {
    elements(file, signer)?
        .unsigned_attrs
        .iter()
        .map(|tlv| {
            Attribute::from_der(tlv.whole)
                .map(|a| (a, tlv.whole.to_vec()))
                .map_err(Error::asn1("unsigned attribute"))
        })
        .collect()
}

/// The hash input of an archive-time-stamp-v2 over `signer` (see the module
/// documentation). `excluded` lists the positions (in file order, as
/// [`unsigned_attributes`] returns them) of the unsigned attributes the
/// stamp does not cover: its own, and those added after it.
pub fn imprint_input(
    file: &SignatureFile,
    signer: &cms::signed_data::SignerInfo,
    excluded: &[usize],
    form: UnsignedAttrsForm,
) -> Result<ImprintInput, Error> {
    let el = elements(file, signer)?;
    let before_content = el.encap_content_info.whole.to_vec();
    // eContentType alone: the content is external.
    let detached = children(el.encap_content_info.value, "encapContentInfo")?.len() == 1;
    let mut after = Vec::new();
    for tlv in el.certificates.iter().chain(el.crls.iter()) {
        after.extend_from_slice(tlv.whole);
    }
    for tlv in &el.signer_fields {
        after.extend_from_slice(tlv.whole);
    }
    let covered: Vec<u8> = el
        .unsigned_attrs
        .iter()
        .enumerate()
        .filter(|(i, _)| !excluded.contains(i))
        .flat_map(|(_, tlv)| tlv.whole.iter().copied())
        .collect();
    // An element absent when the stamp was made is not hashed at all.
    if !covered.is_empty() {
        if form == UnsignedAttrsForm::Tagged {
            let len = Length::try_from(covered.len()).map_err(Error::Encode)?;
            let header = Header::new(context(1), len).map_err(Error::Encode)?;
            let mut buf = vec![0u8; 16];
            let mut writer = der::SliceWriter::new(&mut buf);
            der::Encode::encode(&header, &mut writer).map_err(Error::Encode)?;
            after.extend_from_slice(writer.finish().map_err(Error::Encode)?);
        }
        after.extend(covered);
    }
    Ok(ImprintInput {
        before_content,
        detached,
        after_content: after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    // Hand-made SignedData (not signed: only the structure matters here),
    // built from the pieces below, with certificates and crls stand-ins and
    // two unsigned attributes deliberately out of DER order. The expected
    // hash inputs are assembled from the same pieces, independently of the
    // parser. encapContentInfo { id-data, [0] { OCTET STRING "A" } }:
    const ECI: &[u8] = &[
        0x30, 0x10, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x03,
        0x04, 0x01, 0x41,
    ];
    // Each holds one "other" format choice { 1.2.3.4, NULL } (in the
    // explicit form the `cms` crate reads).
    const CERTS: &[u8] = &[
        0xa0, 0x0b, 0xa3, 0x09, 0x30, 0x07, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x05, 0x00,
    ];
    const CRLS: &[u8] = &[
        0xa1, 0x0b, 0xa1, 0x09, 0x30, 0x07, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x05, 0x00,
    ];
    const SI_VERSION: &[u8] = &[0x02, 0x01, 0x03];
    const SID: &[u8] = &[0x80, 0x02, 0x01, 0x02];
    const DIGEST_ALG: &[u8] = &[
        0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    ];
    // [0] { content-type = id-data }
    const SIGNED_ATTRS: &[u8] = &[
        0xa0, 0x18, 0x30, 0x16, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03,
        0x31, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
    ];
    const SIG_ALG: &[u8] = &[
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
    ];
    const SIGNATURE: &[u8] = &[0x04, 0x02, 0xbe, 0xef];
    // Attribute { 1.2.3.4, SET { INTEGER 5 } } and { 1.2.3.3, SET { NULL } }:
    // the second sorts first in DER.
    const ATTR_A: &[u8] = &[
        0x30, 0x0a, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x31, 0x03, 0x02, 0x01, 0x05,
    ];
    const ATTR_B: &[u8] = &[
        0x30, 0x09, 0x06, 0x03, 0x2a, 0x03, 0x03, 0x31, 0x02, 0x05, 0x00,
    ];

    fn wrap(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let body: Vec<u8> = parts.concat();
        let mut out = vec![tag];
        if body.len() < 128 {
            out.push(body.len() as u8);
        } else {
            out.push(0x81);
            out.push(body.len() as u8);
        }
        out.extend(body);
        out
    }

    fn signature(unsigned: &[&[u8]], certs: bool) -> Vec<u8> {
        signature_with(ECI, unsigned, certs)
    }

    fn signature_with(eci: &[u8], unsigned: &[&[u8]], certs: bool) -> Vec<u8> {
        let mut si_parts: Vec<&[u8]> = vec![
            SI_VERSION,
            SID,
            DIGEST_ALG,
            SIGNED_ATTRS,
            SIG_ALG,
            SIGNATURE,
        ];
        let ua = wrap(0xa1, unsigned);
        if !unsigned.is_empty() {
            si_parts.push(&ua);
        }
        let si = wrap(0x30, &si_parts);
        let sis = wrap(0x31, &[&si]);
        let mut sd_parts: Vec<&[u8]> = vec![&[0x02, 0x01, 0x03], &[0x31, 0x00], eci];
        if certs {
            sd_parts.push(CERTS);
            sd_parts.push(CRLS);
        }
        sd_parts.push(&sis);
        let sd = wrap(0x30, &sd_parts);
        let explicit = wrap(0xa0, &[&sd]);
        wrap(
            0x30,
            &[
                &[
                    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
                ],
                &explicit,
            ],
        )
    }

    /// The file `der` with the decoded SignedData of `decodable` (the
    /// same signer): the module reads only the original bytes, and the
    /// stand-in certificates are opaque to it but not to the `cms` decoder.
    fn parsed_as(der: &[u8], decodable: &[u8]) -> (SignatureFile, cms::signed_data::SignerInfo) {
        let file = SignatureFile {
            encoding: crate::Encoding::Der,
            der: der.to_vec(),
            signed_data: cms::content_info::ContentInfo::from_der(decodable)
                .unwrap()
                .content
                .decode_as()
                .unwrap(),
        };
        let si = file.signed_data.signer_infos.0.as_slice()[0].clone();
        (file, si)
    }

    fn parsed(der: &[u8]) -> (SignatureFile, cms::signed_data::SignerInfo) {
        parsed_as(der, der)
    }

    fn sha256(b: &[u8]) -> Vec<u8> {
        openssl::sha::sha256(b).to_vec()
    }

    #[test]
    fn covers_the_original_encodings_in_file_order() {
        let der = signature(&[ATTR_A, ATTR_B], true);
        let (file, si) = parsed_as(&der, &signature(&[ATTR_A, ATTR_B], false));
        // The decoder keeps the received order (the vendored der reads a
        // SET OF as written): A first.
        let decoded = si.unsigned_attrs.as_ref().unwrap();
        assert_eq!(decoded.as_slice()[0].to_der().unwrap(), ATTR_A);
        let attrs = unsigned_attributes(&file, &si).unwrap();
        assert_eq!(attrs[0].1, ATTR_A);
        assert_eq!(attrs[1].1, ATTR_B);

        let input = imprint_input(&file, &si, &[], UnsignedAttrsForm::Tagged).unwrap();
        assert!(!input.detached);
        assert_eq!(input.before_content, ECI);
        let expected_after = [
            CERTS,
            CRLS,
            SI_VERSION,
            SID,
            DIGEST_ALG,
            SIGNED_ATTRS,
            SIG_ALG,
            SIGNATURE,
            &[0xa1, 0x17],
            ATTR_A,
            ATTR_B,
        ]
        .concat();
        assert_eq!(input.after_content, expected_after);
        let digest = input
            .digest(DigestAlgorithm::Sha256, &mut |_| panic!("not detached"))
            .unwrap();
        assert_eq!(digest, sha256(&[ECI, &expected_after].concat()));
    }

    #[test]
    fn excluded_attributes_and_the_untagged_form() {
        let der = signature(&[ATTR_A, ATTR_B], false);
        let (file, si) = parsed(&der);
        let input = imprint_input(&file, &si, &[0], UnsignedAttrsForm::Untagged).unwrap();
        let expected = [
            SI_VERSION,
            SID,
            DIGEST_ALG,
            SIGNED_ATTRS,
            SIG_ALG,
            SIGNATURE,
            ATTR_B,
        ]
        .concat();
        assert_eq!(input.after_content, expected);
        let tagged = imprint_input(&file, &si, &[0], UnsignedAttrsForm::Tagged).unwrap();
        assert_eq!(
            tagged.after_content,
            [
                &expected[..expected.len() - ATTR_B.len()],
                &[0xa1, 0x0b],
                ATTR_B
            ]
            .concat()
        );
        // Everything excluded: the element did not exist, nothing is hashed.
        let none = imprint_input(&file, &si, &[0, 1], UnsignedAttrsForm::Tagged).unwrap();
        assert_eq!(
            none.after_content,
            expected[..expected.len() - ATTR_B.len()]
        );
    }

    #[test]
    fn detached_content_is_hashed_raw_between_the_parts() {
        // encapContentInfo without eContent.
        let eci: &[u8] = &[
            0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
        ];
        let der = signature_with(eci, &[ATTR_A], false);
        let (file, si) = parsed(&der);
        let input = imprint_input(&file, &si, &[], UnsignedAttrsForm::Tagged).unwrap();
        assert!(input.detached);
        assert_eq!(input.before_content, eci);
        let digest = input
            .digest(DigestAlgorithm::Sha256, &mut |d| {
                d.update(b"hello").map_err(ContentError::from)
            })
            .unwrap();
        let expected = sha256(&[eci, b"hello", &input.after_content].concat());
        assert_eq!(digest, expected);
        let gone = input
            .digest(DigestAlgorithm::Sha256, &mut |_| {
                Err(ContentError::Absent("gone".into()))
            })
            .unwrap_err();
        assert!(
            matches!(&gone, ContentError::Absent(why) if why == "gone"),
            "{gone}"
        );
    }

    #[test]
    fn a_foreign_signer_is_not_found() {
        let der = signature(&[ATTR_A], false);
        let (file, mut si) = parsed(&der);
        si.signature = der::asn1::OctetString::new(vec![0xbe, 0xee]).unwrap();
        assert!(imprint_input(&file, &si, &[], UnsignedAttrsForm::Tagged).is_err());
    }
}
