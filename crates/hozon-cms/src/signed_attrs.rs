//! The encoding of signed attributes a signature value covers (RFC 5652
//! §5.4): "the DER encoding of the SignedAttrs value", a SET OF whose DER
//! form orders the attributes by their encodings.
//!
//! The decoder keeps a SET OF in received order (X.690 allows any order in
//! BER). Attributes that arrive out of DER order are verified in their
//! DER-sorted form — the form RFC 5652 signs — and the verifier says so.
//! A signature computed over the attributes as received, in another order,
//! is not a CMS signature (OpenSSL, Bouncy Castle and DSS accept one; hozon
//! does not, see docs/interoperability.md).

use der::Encode;
use x509_cert::attr::Attributes;

use crate::Error;

/// The order the signed attributes arrived in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedAttrsOrder {
    /// DER order: the received bytes are what was signed.
    Der,
    /// Another order: the signature is checked over the DER-sorted form.
    NotDer,
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
            (SignedAttrsOrder::NotDer, sorted)
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
