//! Reading and writing CMS attributes (RFC 5652 §5.3, §11).
//!
//! CAdES forbids duplicates of the attributes it defines, and each must have
//! exactly one value; [`unique`] enforces both, so that a signature carrying
//! two message-digest attributes is a format error instead of a choice.

use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Decode, Encode};
use x509_cert::attr::{Attribute, Attributes};

use crate::Error;

/// Builds a single-valued attribute.
pub fn single_valued(oid: ObjectIdentifier, value: &impl Encode) -> Result<Attribute, Error> {
    let der = value.to_der().map_err(Error::Encode)?;
    let any = Any::from_der(&der).map_err(Error::Encode)?;
    let values = SetOfVec::try_from(vec![any]).map_err(Error::Encode)?;
    Ok(Attribute { oid, values })
}

/// The single value of attribute `oid` in `attrs`, or `None` when absent.
/// More than one attribute with that OID, or a value count other than one,
/// is an error.
pub fn unique(attrs: Option<&Attributes>, oid: ObjectIdentifier) -> Result<Option<&Any>, Error> {
    let Some(attrs) = attrs else { return Ok(None) };
    let mut found = attrs.iter().filter(|a| a.oid == oid);
    let Some(attr) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(Error::DuplicateAttribute(oid));
    }
    if attr.values.len() != 1 {
        return Err(Error::AttributeValueCount {
            oid,
            count: attr.values.len(),
        });
    }
    Ok(attr.values.get(0))
}

/// Decodes the single value of attribute `oid` as `T`.
pub fn decode_unique<T: for<'a> Decode<'a>>(
    attrs: Option<&Attributes>,
    oid: ObjectIdentifier,
) -> Result<Option<T>, Error> {
    let Some(any) = unique(attrs, oid)? else {
        return Ok(None);
    };
    let der = any.to_der().map_err(Error::Encode)?;
    T::from_der(&der)
        .map(Some)
        .map_err(|error| Error::BadAttribute { oid, error })
}

/// Every value of every attribute `oid` (for repeatable unsigned attributes
/// such as time stamps), in order of appearance.
pub fn all_values(attrs: Option<&Attributes>, oid: ObjectIdentifier) -> impl Iterator<Item = &Any> {
    attrs
        .into_iter()
        .flat_map(|a| a.iter())
        .filter(move |a| a.oid == oid)
        .flat_map(|a| a.values.iter())
}

/// Adds an unsigned attribute (a value of `oid`) to `attrs`, creating the
/// set when needed.
pub fn push(
    attrs: &mut Option<Attributes>,
    oid: ObjectIdentifier,
    value: Any,
) -> Result<(), Error> {
    let mut list = attrs.take().map(SetOfVec::into_vec).unwrap_or_default();
    let values = SetOfVec::try_from(vec![value]).map_err(Error::Encode)?;
    list.push(Attribute { oid, values });
    *attrs = Some(SetOfVec::try_from(list).map_err(Error::Encode)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oid::{ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST};
    use der::asn1::OctetString;

    fn attrs(list: Vec<Attribute>) -> Attributes {
        SetOfVec::try_from(list).unwrap()
    }

    #[test]
    fn duplicates_are_rejected() {
        let md = OctetString::new(vec![1u8; 32]).unwrap();
        let md2 = OctetString::new(vec![2u8; 32]).unwrap();
        let a = attrs(vec![
            single_valued(ID_MESSAGE_DIGEST, &md).unwrap(),
            single_valued(ID_MESSAGE_DIGEST, &md2).unwrap(),
        ]);
        assert_eq!(
            unique(Some(&a), ID_MESSAGE_DIGEST),
            Err(Error::DuplicateAttribute(ID_MESSAGE_DIGEST))
        );
    }

    #[test]
    fn multiple_values_are_rejected() {
        let v1 = Any::encode_from(&ID_DATA).unwrap();
        let v2 = Any::encode_from(&ID_MESSAGE_DIGEST).unwrap();
        let a = attrs(vec![Attribute {
            oid: ID_CONTENT_TYPE,
            values: SetOfVec::try_from(vec![v1, v2]).unwrap(),
        }]);
        assert_eq!(
            unique(Some(&a), ID_CONTENT_TYPE),
            Err(Error::AttributeValueCount {
                oid: ID_CONTENT_TYPE,
                count: 2
            })
        );
    }

    #[test]
    fn absent_and_present() {
        let a = attrs(vec![single_valued(ID_CONTENT_TYPE, &ID_DATA).unwrap()]);
        assert!(unique(Some(&a), ID_MESSAGE_DIGEST).unwrap().is_none());
        let ct: ObjectIdentifier = decode_unique(Some(&a), ID_CONTENT_TYPE).unwrap().unwrap();
        assert_eq!(ct, ID_DATA);
        assert!(unique(None, ID_CONTENT_TYPE).unwrap().is_none());
    }

    #[test]
    fn wrong_type_is_a_bad_attribute() {
        let a = attrs(vec![single_valued(ID_CONTENT_TYPE, &ID_DATA).unwrap()]);
        let r: Result<Option<OctetString>, _> = decode_unique(Some(&a), ID_CONTENT_TYPE);
        assert!(matches!(r, Err(Error::BadAttribute { .. })));
    }
}
