//! The few DER operations the fault modes need: reading and rewriting a
//! `TimeStampReq`, wrapping a token in a `TimeStampResp`, and pulling the
//! TSTInfo out of OpenSSL's reply. Only definite lengths and one-byte tags
//! (all that RFC 3161 and CMS use at these levels) are accepted; anything
//! else is reported as malformed, never a panic.
//!
//! ```text
//! TimeStampReq ::= SEQUENCE {
//!    version          INTEGER { v1(1) },
//!    messageImprint   MessageImprint,
//!    reqPolicy        TSAPolicyId               OPTIONAL,
//!    nonce            INTEGER                   OPTIONAL,
//!    certReq          BOOLEAN                   DEFAULT FALSE,
//!    extensions       [0] IMPLICIT Extensions   OPTIONAL }
//! MessageImprint ::= SEQUENCE {
//!    hashAlgorithm    AlgorithmIdentifier,
//!    hashedMessage    OCTET STRING }
//! TimeStampResp ::= SEQUENCE {
//!    status           PKIStatusInfo,
//!    timeStampToken   TimeStampToken            OPTIONAL }
//! PKIStatusInfo ::= SEQUENCE {
//!    status           PKIStatus,
//!    statusString     PKIFreeText               OPTIONAL,
//!    failInfo         PKIFailureInfo            OPTIONAL }
//! ```
//! (RFC 3161 §2.4.1, §2.4.2.)

const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const UTF8_STRING: u8 = 0x0c;
const SEQUENCE: u8 = 0x30;
const EXPLICIT_0: u8 = 0xa0;

/// One DER element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    /// The whole element, tag and length included.
    pub raw: &'a [u8],
}

/// Why a DER input was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Malformed(pub &'static str);

/// Reads one element from the front of `input`; returns it and the rest.
pub(crate) fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), Malformed> {
    let (&tag, after_tag) = input.split_first().ok_or(Malformed("truncated DER"))?;
    if tag & 0x1f == 0x1f {
        return Err(Malformed("multi-byte DER tag"));
    }
    let (&first, mut rest) = after_tag.split_first().ok_or(Malformed("truncated DER"))?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return Err(Malformed("indefinite or oversized DER length"));
        }
        if rest.len() < count {
            return Err(Malformed("truncated DER length"));
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b))
    };
    if rest.len() < len {
        return Err(Malformed("DER length beyond the input"));
    }
    let (content, rest) = rest.split_at(len);
    let header = input.len() - rest.len() - len;
    Ok((
        Tlv {
            tag,
            content,
            raw: &input[..header + len],
        },
        rest,
    ))
}

/// Reads exactly one element of the given tag spanning all of `input`.
pub(crate) fn read_only(input: &[u8], tag: u8) -> Result<Tlv<'_>, Malformed> {
    let (tlv, rest) = read(input)?;
    if tlv.tag != tag {
        return Err(Malformed("unexpected DER tag"));
    }
    if !rest.is_empty() {
        return Err(Malformed("trailing bytes after DER"));
    }
    Ok(tlv)
}

/// Splits the contents of a constructed element into its elements.
pub(crate) fn elements(mut content: &[u8]) -> Result<Vec<Tlv<'_>>, Malformed> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (tlv, rest) = read(content)?;
        out.push(tlv);
        content = rest;
    }
    Ok(out)
}

/// Encodes tag, definite length and content.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    encode(SEQUENCE, &parts.concat())
}

/// A `TimeStampReq`'s top-level elements.
fn request_elements(query: &[u8]) -> Result<Vec<Tlv<'_>>, Malformed> {
    let top = read_only(query, SEQUENCE)?;
    let elems = elements(top.content)?;
    match elems.as_slice() {
        [version, imprint, ..] if version.tag == INTEGER && imprint.tag == SEQUENCE => Ok(elems),
        _ => Err(Malformed("not a TimeStampReq")),
    }
}

/// The same query with every byte of `hashedMessage` inverted: a request
/// for the imprint of some other data, identical in everything else.
pub(crate) fn with_other_imprint(query: &[u8]) -> Result<Vec<u8>, Malformed> {
    let elems = request_elements(query)?;
    let imprint = elements(elems[1].content)?;
    let [algorithm, hash] = imprint.as_slice() else {
        return Err(Malformed("not a MessageImprint"));
    };
    if hash.tag != OCTET_STRING || hash.content.is_empty() {
        return Err(Malformed("not a MessageImprint"));
    }
    let inverted: Vec<u8> = hash.content.iter().map(|b| !b).collect();
    let new_imprint = sequence(&[algorithm.raw, &encode(OCTET_STRING, &inverted)]);
    let mut parts: Vec<&[u8]> = elems.iter().map(|e| e.raw).collect();
    parts[1] = &new_imprint;
    Ok(sequence(&parts))
}

/// The same query with a different nonce: the nonce's lowest bit flipped,
/// or, for a query without a nonce, the nonce `fresh` (8 bytes) added.
pub(crate) fn with_other_nonce(query: &[u8], fresh: [u8; 8]) -> Result<Vec<u8>, Malformed> {
    let elems = request_elements(query)?;
    // After version (0) and messageImprint (1) comes an optional policy OID;
    // the next INTEGER is the nonce.
    let mut at = 2;
    if elems.get(at).is_some_and(|e| e.tag == OID) {
        at += 1;
    }
    let new_nonce;
    let mut parts: Vec<&[u8]> = elems.iter().map(|e| e.raw).collect();
    match elems.get(at) {
        Some(nonce) if nonce.tag == INTEGER => {
            let mut value = nonce.content.to_vec();
            let last = value.last_mut().ok_or(Malformed("empty nonce"))?;
            // Changing bit 0 of the last byte keeps the sign and the
            // minimal encoding.
            *last ^= 1;
            new_nonce = encode(INTEGER, &value);
            parts[at] = &new_nonce;
        }
        _ => {
            let mut value = fresh;
            // Positive and minimally encoded: first byte in 0x01..=0x7f.
            value[0] = (value[0] & 0x7f).max(1);
            new_nonce = encode(INTEGER, &value);
            parts.insert(at, &new_nonce);
        }
    }
    Ok(sequence(&parts))
}

/// A `TimeStampResp` with status rejection (2), the OpenSSL-style text
/// "Message digest algorithm is not supported." and failInfo badAlg (bit 0),
/// without a token.
pub(crate) fn rejection_bad_alg() -> Vec<u8> {
    let status = encode(INTEGER, &[2]);
    let text = sequence(&[&encode(
        UTF8_STRING,
        b"Message digest algorithm is not supported.",
    )]);
    // Named bit list, DER: trailing zero bits dropped, so bit 0 alone is one
    // byte 0x80 with 7 unused bits.
    let fail_info = encode(BIT_STRING, &[7, 0x80]);
    sequence(&[&sequence(&[&status, &text, &fail_info])])
}

/// A `TimeStampResp` with status granted (0) around `token` (a DER
/// ContentInfo).
pub(crate) fn granted(token: &[u8]) -> Vec<u8> {
    sequence(&[&sequence(&[&encode(INTEGER, &[0])]), token])
}

/// The DER TSTInfo inside an (OpenSSL-made, granted) `TimeStampResp`:
/// `TimeStampResp.timeStampToken` → `ContentInfo.content [0]` →
/// `SignedData.encapContentInfo` → `eContent [0]` → OCTET STRING.
pub(crate) fn tst_info(response: &[u8]) -> Result<Vec<u8>, Malformed> {
    let resp = elements(read_only(response, SEQUENCE)?.content)?;
    let token = resp
        .get(1)
        .ok_or(Malformed("TimeStampResp without a token"))?;
    let content_info = elements(token.content)?;
    let explicit = content_info
        .get(1)
        .filter(|e| e.tag == EXPLICIT_0)
        .ok_or(Malformed("ContentInfo without content"))?;
    let signed_data = elements(read_only(explicit.content, SEQUENCE)?.content)?;
    let encap = signed_data
        .get(2)
        .filter(|e| e.tag == SEQUENCE)
        .ok_or(Malformed("SignedData without encapContentInfo"))?;
    let encap = elements(encap.content)?;
    let econtent = encap
        .get(1)
        .filter(|e| e.tag == EXPLICIT_0)
        .ok_or(Malformed("encapContentInfo without eContent"))?;
    Ok(read_only(econtent.content, OCTET_STRING)?.content.to_vec())
}

/// The nonce of a `TimeStampReq`, if any (for tests).
#[cfg(test)]
pub(crate) fn request_nonce(query: &[u8]) -> Option<Vec<u8>> {
    let elems = request_elements(query).ok()?;
    let mut at = 2;
    if elems.get(at).is_some_and(|e| e.tag == OID) {
        at += 1;
    }
    elems
        .get(at)
        .filter(|e| e.tag == INTEGER)
        .map(|e| e.content.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    // openssl ts -query -digest 00…00 (SHA-256) -cert, with and without nonce.
    fn query(nonce: Option<&[u8]>) -> Vec<u8> {
        let alg = sequence(&[
            &encode(OID, &[0x60, 0x86, 0x48, 1, 101, 3, 4, 2, 1]),
            &[5, 0],
        ]);
        let imprint = sequence(&[&alg, &encode(OCTET_STRING, &[0u8; 32])]);
        let mut parts: Vec<Vec<u8>> = vec![encode(INTEGER, &[1]), imprint];
        if let Some(n) = nonce {
            parts.push(encode(INTEGER, n));
        }
        parts.push(vec![0x01, 0x01, 0xff]);
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        sequence(&refs)
    }

    #[test]
    fn encode_read_round_trip_long_lengths() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let content = vec![0x5a; len];
            let der = encode(OCTET_STRING, &content);
            let tlv = read_only(&der, OCTET_STRING).unwrap();
            assert_eq!(tlv.content, content.as_slice());
            assert_eq!(tlv.raw, der.as_slice());
        }
    }

    #[test]
    fn malformed_inputs_are_errors() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x80, 0, 0],
            &[0x30, 0x05, 1],
            &[0x1f, 0x01, 0],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 0x00, 0x00],
        ] {
            assert!(read_only(bad, SEQUENCE).is_err(), "{bad:?}");
            assert!(with_other_imprint(bad).is_err());
            assert!(with_other_nonce(bad, [1; 8]).is_err());
            assert!(tst_info(bad).is_err());
        }
    }

    #[test]
    fn nonce_is_flipped_or_added() {
        let q = query(Some(&[0x00, 0x80, 0x12]));
        let changed = with_other_nonce(&q, [0; 8]).unwrap();
        assert_eq!(request_nonce(&changed).unwrap(), vec![0x00, 0x80, 0x13]);
        assert_eq!(changed.len(), q.len());

        let q = query(None);
        assert_eq!(request_nonce(&q), None);
        let changed = with_other_nonce(&q, [0xff; 8]).unwrap();
        let nonce = request_nonce(&changed).unwrap();
        assert_eq!(nonce.len(), 8);
        assert_eq!(nonce[0], 0x7f);
    }

    #[test]
    fn imprint_is_inverted() {
        let q = query(Some(&[0x42]));
        let changed = with_other_imprint(&q).unwrap();
        assert_eq!(changed.len(), q.len());
        assert_eq!(request_nonce(&changed).unwrap(), vec![0x42]);
        assert!(changed.windows(32).any(|w| w == [0xff; 32]));
    }

    #[test]
    fn rejection_bytes() {
        let der = rejection_bad_alg();
        let resp = elements(read_only(&der, SEQUENCE).unwrap().content).unwrap();
        assert_eq!(resp.len(), 1);
        let info = elements(resp[0].content).unwrap();
        assert_eq!(info[0].raw, [2, 1, 2]);
        assert_eq!(info[2].raw, [3, 2, 7, 0x80]);
    }
}
