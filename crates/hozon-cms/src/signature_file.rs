//! Reading a CMS signature file in whatever encoding another system wrote it.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfo};
use der::{Decode, Encode, Tagged};
use x509_cert::crl::CertificateList;

use crate::oid::ID_SIGNED_DATA;
use crate::Cert;
use crate::Error;

/// The largest signature file hozon reads (enveloping `.p7m` files included).
/// Larger inputs are refused before any parsing, so that a hostile length
/// field cannot make us allocate without bound.
pub const MAX_SIGNATURE_FILE_SIZE: u64 = 1 << 30;

/// How the signature was encoded on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Distinguished Encoding Rules: what hozon writes.
    Der,
    /// Basic Encoding Rules (indefinite lengths, constructed strings); read by
    /// re-encoding as DER through OpenSSL.
    Ber,
    /// Base64 PEM armour (`-----BEGIN CMS-----` or `PKCS7`) around DER.
    PemDer,
    /// PEM armour around BER.
    PemBer,
}

/// A parsed CMS SignedData, with its DER bytes.
#[derive(Clone, Debug)]
pub struct SignatureFile {
    /// The encoding found on input.
    pub encoding: Encoding,
    /// DER encoding of the ContentInfo: the input bytes themselves when the
    /// input was DER, otherwise OpenSSL's DER re-encoding of the BER input.
    pub der: Vec<u8>,
    /// The decoded SignedData.
    pub signed_data: SignedData,
}

impl SignatureFile {
    /// Parses a signature from DER, BER or PEM.
    pub fn parse(input: &[u8]) -> Result<SignatureFile, Error> {
        if input.is_empty() {
            return Err(Error::Empty);
        }
        let size = u64::try_from(input.len()).unwrap_or(u64::MAX);
        if size > MAX_SIGNATURE_FILE_SIZE {
            return Err(Error::TooLarge {
                size,
                limit: MAX_SIGNATURE_FILE_SIZE,
            });
        }
        let (binary, pem) = match pem_body(input)? {
            Some(body) => (body, true),
            None => (input.to_vec(), false),
        };
        let (der, ber) = match ContentInfo::from_der(&binary) {
            Ok(_) => (binary, false),
            Err(der_error) => {
                // Our own walk first: it bounds the nesting depth and the
                // lengths before OpenSSL's BER parser sees the bytes, and
                // OpenSSL stops at the end of the structure and ignores
                // what follows; we do not.
                match ber_tlv_len(&binary, 0) {
                    Some(len) if len == binary.len() => {}
                    Some(len) => {
                        return Err(Error::TrailingData {
                            extra: binary.len() - len,
                        })
                    }
                    None => {
                        return Err(Error::Asn1 {
                            what: "ContentInfo",
                            error: der_error,
                        })
                    }
                }
                match ber_to_der(&binary) {
                    Some(der) => (der, true),
                    None => {
                        return Err(Error::Asn1 {
                            what: "ContentInfo",
                            error: der_error,
                        })
                    }
                }
            }
        };
        let content_info = ContentInfo::from_der(&der).map_err(Error::asn1("ContentInfo"))?;
        if content_info.content_type != ID_SIGNED_DATA {
            return Err(Error::NotSignedData(content_info.content_type));
        }
        let signed_data = content_info
            .content
            .decode_as::<SignedData>()
            .map_err(Error::asn1("SignedData"))?;
        let encoding = match (pem, ber) {
            (false, false) => Encoding::Der,
            (false, true) => Encoding::Ber,
            (true, false) => Encoding::PemDer,
            (true, true) => Encoding::PemBer,
        };
        Ok(SignatureFile {
            encoding,
            der,
            signed_data,
        })
    }

    /// The encapsulated content, for an enveloping (attached) signature.
    pub fn econtent(&self) -> Result<Option<&[u8]>, Error> {
        match &self.signed_data.encap_content_info.econtent {
            None => Ok(None),
            Some(any) if any.tag() == der::Tag::OctetString => Ok(Some(any.value())),
            Some(_) => Err(Error::EContentNotOctetString),
        }
    }

    /// The X.509 certificates in the SignedData `certificates` field, in
    /// file order, each with its exact encoding from the file. Other
    /// certificate formats are skipped.
    ///
    /// A batch reads the same few certificates (a CA chain, a TSA) from
    /// every file: they are shared through [`Cert::intern`], so each is
    /// decoded, named and handed to OpenSSL once per run.
    pub fn certificates(&self) -> Vec<Cert> {
        if let Some(fields) = raw_fields(&self.der) {
            let certs: Option<Vec<Cert>> = fields
                .certificates
                .iter()
                .map(|raw| Cert::intern(raw).ok())
                .collect();
            if let Some(certs) = certs {
                return certs;
            }
        }
        self.signed_data
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|choice| match choice {
                cms::cert::CertificateChoices::Certificate(c) => {
                    c.to_der().ok().map(|der| Cert::from_parts(c.clone(), der))
                }
                // Attribute certificates and other formats are no path
                // material; their bytes stay in `der` for every hash.
                _ => None,
            })
            .collect()
    }

    /// The CRLs in the SignedData `crls` field, DER-encoded (the file's own
    /// bytes).
    pub fn crls(&self) -> Vec<Vec<u8>> {
        if let Some(fields) = raw_fields(&self.der) {
            return fields.crls.iter().map(|raw| raw.to_vec()).collect();
        }
        self.signed_data
            .crls
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|choice| match choice {
                cms::revocation::RevocationInfoChoice::Crl(crl) => {
                    CertificateList::to_der(crl).ok()
                }
                cms::revocation::RevocationInfoChoice::Other(_) => None,
            })
            .collect()
    }

    /// The OCSP responses in the SignedData `crls` field (RFC 5940 §4.3
    /// id-ri-ocsp-response: `other` choices whose value is an
    /// OCSPResponse), DER-encoded.
    pub fn ocsp_responses(&self) -> Vec<Vec<u8>> {
        self.signed_data
            .crls
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|choice| match choice {
                cms::revocation::RevocationInfoChoice::Other(other)
                    if other.other_format == crate::oid::rfc5940::ID_RI_OCSP_RESPONSE =>
                {
                    other.other.to_der().ok()
                }
                _ => None,
            })
            .collect()
    }

    /// The SignerInfos, in the order they are encoded.
    pub fn signer_infos(&self) -> &[SignerInfo] {
        self.signed_data.signer_infos.0.as_slice()
    }

    /// Re-encodes `signed_data` (after it was changed, e.g. by adding an
    /// unsigned attribute) as a DER ContentInfo.
    pub fn encode_signed_data(signed_data: &SignedData) -> Result<Vec<u8>, Error> {
        let content = der::Any::encode_from(signed_data).map_err(Error::Encode)?;
        ContentInfo {
            content_type: ID_SIGNED_DATA,
            content,
        }
        .to_der()
        .map_err(Error::Encode)
    }
}

/// The base64-decoded body when `input` is PEM armour, `None` when it is not.
fn pem_body(input: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    for label in ["CMS", "PKCS7"] {
        match crate::pem::blocks(input, label)? {
            None => return Ok(None),
            Some(mut blocks) if !blocks.is_empty() => return Ok(Some(blocks.swap_remove(0))),
            Some(_) => {}
        }
    }
    Err(Error::NotCms(
        "PEM armour without a CMS or PKCS7 block".into(),
    ))
}

/// Nesting depth of indefinite-length encodings accepted in BER input.
const MAX_BER_DEPTH: u32 = 64;

/// The length of the BER TLV at the start of `input`, following
/// indefinite lengths to their end-of-contents octets; `None` when it is
/// malformed or runs past the end of `input`.
fn ber_tlv_len(input: &[u8], depth: u32) -> Option<usize> {
    if depth > MAX_BER_DEPTH {
        return None;
    }
    let first = *input.first()?;
    let mut pos = 1;
    if first & 0x1f == 0x1f {
        // High tag number: base-128 digits, the last without bit 8.
        loop {
            let b = *input.get(pos)?;
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
            if pos > 6 {
                return None;
            }
        }
    }
    let constructed = first & 0x20 != 0;
    let l = *input.get(pos)?;
    pos += 1;
    if l == 0x80 {
        if !constructed {
            return None;
        }
        loop {
            if input.get(pos..pos + 2)? == [0u8, 0].as_slice() {
                return Some(pos + 2);
            }
            pos += ber_tlv_len(input.get(pos..)?, depth + 1)?;
        }
    }
    let len = if l & 0x80 == 0 {
        usize::from(l)
    } else {
        let n = usize::from(l & 0x7f);
        if n == 0 || n > 8 {
            return None;
        }
        let mut len = 0usize;
        for _ in 0..n {
            len = len
                .checked_mul(256)?
                .checked_add(usize::from(*input.get(pos)?))?;
            pos += 1;
        }
        len
    };
    pos.checked_add(len).filter(|end| *end <= input.len())
}

/// Re-encodes BER as DER with OpenSSL's CMS parser, which accepts
/// indefinite lengths and constructed strings. `None` when OpenSSL cannot
/// read it either.
fn ber_to_der(input: &[u8]) -> Option<Vec<u8>> {
    let cms = openssl::cms::CmsContentInfo::from_der(input).ok()?;
    cms.to_der().ok()
}

/// The encodings of the elements of SignedData `certificates` (X.509
/// choices only) and `crls` (CertificateList choices only), sliced from a
/// DER ContentInfo without decoding them: the file's own bytes, in file
/// order. `None` when the structure is not as expected (the caller falls
/// back to the decoded form).
struct RawFields<'a> {
    certificates: Vec<&'a [u8]>,
    crls: Vec<&'a [u8]>,
}

fn raw_fields(der: &[u8]) -> Option<RawFields<'_>> {
    const SEQUENCE: u8 = 0x30;
    const SET: u8 = 0x31;
    const INTEGER: u8 = 0x02;
    const OID: u8 = 0x06;
    const CONTEXT_0: u8 = 0xa0;
    const CONTEXT_1: u8 = 0xa1;
    let (tag, content_info, _) = tlv(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, _, rest) = tlv(content_info)?;
    if tag != OID {
        return None;
    }
    let (tag, explicit, _) = tlv(rest)?;
    if tag != CONTEXT_0 {
        return None;
    }
    let (tag, signed_data, _) = tlv(explicit)?;
    if tag != SEQUENCE {
        return None;
    }
    let mut rest = signed_data;
    for expected in [INTEGER, SET, SEQUENCE] {
        let (tag, _, after) = tlv(rest)?;
        if tag != expected {
            return None;
        }
        rest = after;
    }
    let mut fields = RawFields {
        certificates: Vec::new(),
        crls: Vec::new(),
    };
    for (field, list) in [
        (CONTEXT_0, &mut fields.certificates),
        (CONTEXT_1, &mut fields.crls),
    ] {
        if let Some((tag, content, after)) = tlv(rest) {
            if tag == field {
                let mut inner = content;
                while !inner.is_empty() {
                    let (tag, _, after_element) = tlv(inner)?;
                    let whole = inner.get(..inner.len() - after_element.len())?;
                    if tag == SEQUENCE {
                        list.push(whole);
                    }
                    inner = after_element;
                }
                rest = after;
            }
        }
    }
    Some(fields)
}

/// One DER TLV at the start of `input`: its tag byte, its contents and what
/// follows it. Single-byte tags and definite lengths only (DER).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, after_tag) = input.split_first()?;
    let (&first, mut after) = after_tag.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || after.len() < n {
            return None;
        }
        let (bytes, tail) = after.split_at(n);
        after = tail;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    if after.len() < len || tag & 0x1f == 0x1f {
        return None;
    }
    let (content, rest) = after.split_at(len);
    Some((tag, content, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pki(name: &str) -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/pki/").to_owned() + name)
            .unwrap()
    }

    /// An OpenSSL-made detached CMS signature carrying signer-doctor, the
    /// chain, and the test CRLs.
    fn openssl_signature() -> Vec<u8> {
        use openssl::cms::{CMSOptions, CmsContentInfo};
        use openssl::pkey::PKey;
        use openssl::x509::X509;
        let cert = X509::from_pem(&pki("signer-doctor.crt")).unwrap();
        let key = PKey::private_key_from_pem(&pki("signer-doctor.key")).unwrap();
        let mut chain = openssl::stack::Stack::new().unwrap();
        for c in X509::stack_from_pem(&pki("chain.pem")).unwrap() {
            chain.push(c).unwrap();
        }
        let cms = CmsContentInfo::sign(
            Some(&cert),
            Some(&key),
            Some(&chain),
            Some(b"record"),
            CMSOptions::DETACHED | CMSOptions::BINARY,
        )
        .unwrap();
        cms.to_der().unwrap()
    }

    /// The certificates come out with the file's own bytes, in file order,
    /// the same as the decoded form re-encoded (for DER input), and shared
    /// between files.
    #[test]
    fn certificates_are_the_file_s_bytes_and_shared() {
        let der = openssl_signature();
        let file = SignatureFile::parse(&der).unwrap();
        let raw = raw_fields(&file.der).unwrap();
        let certs = file.certificates();
        assert_eq!(certs.len(), raw.certificates.len());
        assert!(certs.len() >= 2, "signer and chain");
        for (cert, raw) in certs.iter().zip(&raw.certificates) {
            assert_eq!(cert.der(), *raw);
            assert!(
                der.windows(raw.len()).any(|w| w == *raw),
                "not the file's bytes"
            );
        }
        let mut decoded: Vec<Vec<u8>> = file
            .signed_data
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|c| match c {
                cms::cert::CertificateChoices::Certificate(c) => c.to_der().ok(),
                _ => None,
            })
            .collect();
        let mut ours: Vec<Vec<u8>> = certs.iter().map(|c| c.der().to_vec()).collect();
        decoded.sort();
        ours.sort();
        assert_eq!(ours, decoded);
        // A second file with the same certificates shares them.
        let again = SignatureFile::parse(&der).unwrap().certificates();
        assert!(again
            .iter()
            .zip(&certs)
            .all(|(a, b)| std::ptr::eq(a.parsed(), b.parsed())));
    }

    #[test]
    fn raw_fields_refuse_what_is_not_der_signed_data() {
        let der = openssl_signature();
        // Every truncation is refused or yields a prefix, never a panic.
        for cut in 0..der.len() {
            let _ = raw_fields(&der[..cut]);
        }
        assert!(raw_fields(b"").is_none());
        assert!(
            raw_fields(&[0x30, 0x80, 0, 0]).is_none(),
            "indefinite length"
        );
        assert!(tlv(&[0x1f, 0x81, 0x01, 0x00]).is_none(), "multi-byte tag");
        assert!(tlv(&[0x04, 0x85, 1, 1, 1, 1, 1]).is_none(), "5-byte length");
        assert!(tlv(&[0x04, 0x03, 1]).is_none(), "short contents");
        assert_eq!(
            tlv(&[0x04, 0x01, 7, 9]),
            Some((0x04, &[7u8][..], &[9u8][..]))
        );
    }

    #[test]
    fn empty_input() {
        assert_eq!(SignatureFile::parse(b"").unwrap_err(), Error::Empty);
    }

    #[test]
    fn one_byte_and_random_bytes_are_not_cms() {
        for input in [&b"\x30"[..], b"\x00", b"hello, world", &[0xffu8; 64]] {
            let err = SignatureFile::parse(input).unwrap_err();
            assert!(matches!(err, Error::Asn1 { .. }), "{err:?}");
        }
    }

    #[test]
    fn huge_length_field_is_not_an_allocation() {
        // SEQUENCE with a 4 GiB length and 3 bytes of content.
        let input = [0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x06, 0x01, 0x00];
        assert!(SignatureFile::parse(&input).is_err());
    }

    #[test]
    fn ber_lengths() {
        // Definite, indefinite and nested indefinite lengths.
        assert_eq!(ber_tlv_len(&[0x04, 0x02, 1, 2], 0), Some(4));
        assert_eq!(ber_tlv_len(&[0x30, 0x80, 0x04, 0x01, 9, 0, 0], 0), Some(7));
        assert_eq!(
            ber_tlv_len(&[0x30, 0x80, 0x30, 0x80, 0x05, 0x00, 0, 0, 0, 0, 0xff], 0),
            Some(10)
        );
        // Primitive with indefinite length, truncated, runaway lengths.
        assert_eq!(ber_tlv_len(&[0x04, 0x80, 0, 0], 0), None);
        assert_eq!(ber_tlv_len(&[0x30, 0x80, 0x04, 0x01], 0), None);
        assert_eq!(
            ber_tlv_len(&[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0),
            None
        );
        assert_eq!(ber_tlv_len(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff], 0), None);
        // Nesting deeper than the limit.
        let mut deep = Vec::new();
        for _ in 0..100 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        deep.extend(std::iter::repeat_n(0u8, 200));
        assert_eq!(ber_tlv_len(&deep, 0), None);
    }

    #[test]
    fn pem_with_bad_base64() {
        let input = b"-----BEGIN CMS-----\n!!!!\n-----END CMS-----\n";
        assert_eq!(SignatureFile::parse(input).unwrap_err(), Error::BadPem);
    }

    #[test]
    fn pem_of_another_kind() {
        let input = b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            SignatureFile::parse(input).unwrap_err(),
            Error::NotCms(_)
        ));
    }

    #[test]
    fn pem_without_end_line() {
        let input = b"-----BEGIN CMS-----\nMAA=\n";
        assert_eq!(SignatureFile::parse(input).unwrap_err(), Error::BadPem);
    }
}
