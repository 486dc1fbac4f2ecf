//! The encoding of signed attributes a signature value covers (RFC 5652
//! §5.4): "the DER encoding of the SignedAttrs value", a SET OF whose DER
//! form orders the attributes by their encodings.
//!
//! The decoder keeps a SET OF in received order (X.690 allows any order in
//! BER). Attributes that arrive out of DER order may have been signed in
//! either form: as received (re-tagged as SET, what OpenSSL, Bouncy Castle
//! and DSS verify) or DER-sorted (what RFC 5652 prescribes). Both encodings
//! are returned; the verifier tries the received one first, then the sorted
//! one, and says which matched (see docs/interoperability.md).

use der::Encode;
use x509_cert::attr::Attributes;

use crate::Error;

/// The order the signed attributes arrived in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedAttrsOrder {
    /// DER order: the received bytes are what was signed.
    Der,
    /// Another order: the signature may cover the received encoding or the
    /// DER-sorted form ([`signed_attrs_encodings`]).
    NotDer,
}

/// The encodings of a SignerInfo's signed attributes a signature value may
/// cover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAttrsEncodings {
    /// The attributes as received, tagged as SET (0x31).
    pub received: Vec<u8>,
    /// The DER encoding (sorted); `None` when `received` already is DER.
    pub der_sorted: Option<Vec<u8>>,
}

/// Both encodings of `attrs` a signature value may have been computed over:
/// as received and, when that is not DER order, DER-sorted.
pub fn signed_attrs_encodings(attrs: &Attributes) -> Result<SignedAttrsEncodings, Error> {
    let received = attrs.to_der().map_err(Error::Encode)?;
    let der_sorted = match signed_attrs_der(attrs)? {
        (SignedAttrsOrder::Der, _) => None,
        (SignedAttrsOrder::NotDer, sorted) => Some(sorted),
    };
    Ok(SignedAttrsEncodings {
        received,
        der_sorted,
    })
}

/// The DER encoding of a SignerInfo's signed attributes (`SET OF
/// Attribute`, tag 0x31) that the signature value is computed over, and
/// whether they arrived in that order.
pub fn signed_attrs_der(attrs: &Attributes) -> Result<(SignedAttrsOrder, Vec<u8>), Error> {
    let received = attrs.to_der().map_err(Error::Encode)?;
    let mut elements: Vec<Vec<u8>> = attrs
        .iter()
        .map(|a| a.to_der())
        .collect::<Result<_, _>>()
        .map_err(Error::Encode)?;
    let in_order = elements.clone();
    // X.690 §11.6: the encodings compared as octet strings, a shorter one
    // padded with zeros; two TLVs never differ only by trailing zeros
    // after a prefix, so byte-wise order is the same.
    elements.sort();
    if elements == in_order {
        return Ok((SignedAttrsOrder::Der, received));
    }
    let header_len = received.len() - in_order.iter().map(Vec::len).sum::<usize>();
    let mut sorted = received[..header_len].to_vec();
    for e in elements {
        sorted.extend(e);
    }
    Ok((SignedAttrsOrder::NotDer, sorted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::single_valued;
    use crate::oid::{ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST};
    use der::asn1::{OctetString, SetOfVec};
    use der::Decode;

    /// Two attributes encoded in the reverse of DER order.
    fn reversed() -> (Vec<u8>, Vec<u8>) {
        let ct = single_valued(ID_CONTENT_TYPE, &ID_DATA).unwrap();
        let md =
            single_valued(ID_MESSAGE_DIGEST, &OctetString::new(vec![7u8; 32]).unwrap()).unwrap();
        let sorted = SetOfVec::try_from(vec![ct.clone(), md.clone()])
            .unwrap()
            .to_der()
            .unwrap();
        let (a, b) = (ct.to_der().unwrap(), md.to_der().unwrap());
        let (first, second) = if sorted[2..].starts_with(&a) {
            (b, a)
        } else {
            (a, b)
        };
        let mut received = vec![0x31, u8::try_from(first.len() + second.len()).unwrap()];
        received.extend(first);
        received.extend(second);
        (received, sorted)
    }

    #[test]
    fn der_order_is_kept() {
        let (_, sorted) = reversed();
        let attrs = Attributes::from_der(&sorted).unwrap();
        assert_eq!(
            signed_attrs_der(&attrs).unwrap(),
            (SignedAttrsOrder::Der, sorted)
        );
    }

    #[test]
    fn received_order_is_kept_and_sorted_for_the_signature() {
        let (received, sorted) = reversed();
        assert_ne!(received, sorted);
        let attrs = Attributes::from_der(&received).unwrap();
        assert_eq!(
            attrs.to_der().unwrap(),
            received,
            "decoded in received order"
        );
        assert_eq!(
            signed_attrs_der(&attrs).unwrap(),
            (SignedAttrsOrder::NotDer, sorted.clone())
        );
        assert_eq!(
            signed_attrs_encodings(&attrs).unwrap(),
            SignedAttrsEncodings {
                received,
                der_sorted: Some(sorted)
            }
        );
    }

    #[test]
    fn der_order_has_one_encoding() {
        let (_, sorted) = reversed();
        let attrs = Attributes::from_der(&sorted).unwrap();
        assert_eq!(
            signed_attrs_encodings(&attrs).unwrap(),
            SignedAttrsEncodings {
                received: sorted,
                der_sorted: None
            }
        );
    }

    #[test]
    fn equal_elements_in_a_set_of_are_read() {
        // X.690 allows equal elements in a SET OF; DER only orders them.
        let ct = single_valued(ID_CONTENT_TYPE, &ID_DATA)
            .unwrap()
            .to_der()
            .unwrap();
        let mut twice = vec![0x31, u8::try_from(2 * ct.len()).unwrap()];
        twice.extend(&ct);
        twice.extend(&ct);
        let attrs = Attributes::from_der(&twice).unwrap();
        assert_eq!(attrs.len(), 2);
        assert_eq!(attrs.to_der().unwrap(), twice, "re-encoded as received");
    }
}
