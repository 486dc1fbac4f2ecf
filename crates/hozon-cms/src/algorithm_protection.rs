//! The CMS algorithm identifier protection attribute (RFC 6211,
//! id-aa-cmsAlgorithmProtect, 1.2.840.113549.1.9.52): a signed copy of the
//! SignerInfo's digestAlgorithm and signatureAlgorithm, so that they cannot
//! be substituted. OpenSSL 3 writes one in every CMS signature.

use der::asn1::ObjectIdentifier;
use der::{Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

/// id-aa-cmsAlgorithmProtect (RFC 6211 §2).
pub const ID_AA_CMS_ALGORITHM_PROTECT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.52");

/// ```text
/// CMSAlgorithmProtection ::= SEQUENCE {
///    digestAlgorithm         DigestAlgorithmIdentifier,
///    signatureAlgorithm  [1] SignatureAlgorithmIdentifier OPTIONAL,
///    macAlgorithm        [2] MessageAuthenticationCodeAlgorithm OPTIONAL
/// }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CmsAlgorithmProtection {
    /// The digest algorithm.
    pub digest_algorithm: AlgorithmIdentifierOwned,
    /// The signature algorithm (present for SignedData).
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub signature_algorithm: Option<AlgorithmIdentifierOwned>,
    /// The MAC algorithm (AuthenticatedData only).
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    pub mac_algorithm: Option<AlgorithmIdentifierOwned>,
}

/// Whether two algorithm identifiers are the same, as RFC 6211 compares the
/// protected copy with the SignerInfo's field (as X.509 compares
/// `signature` with `signatureAlgorithm`): the same OID and the same
/// parameter encoding, where absent and NULL parameters are the same (both
/// are in use for SHA-2, RFC 5754 §2).
pub fn same_identifier(a: &AlgorithmIdentifierOwned, b: &AlgorithmIdentifierOwned) -> bool {
    let params = |x: &AlgorithmIdentifierOwned| -> Option<Vec<u8>> {
        x.parameters
            .as_ref()
            .and_then(|p| p.to_der().ok())
            .filter(|d| d.as_slice() != [0x05, 0x00])
    };
    a.oid == b.oid && params(a) == params(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Any, Decode};

    fn alg(der: &[u8]) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned::from_der(der).unwrap()
    }

    /// sha256 with NULL and without parameters.
    const SHA256_NULL: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    ];
    const SHA256: &[u8] = &[
        0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    ];

    #[test]
    fn null_and_absent_parameters_are_the_same() {
        assert!(same_identifier(&alg(SHA256_NULL), &alg(SHA256)));
    }

    #[test]
    fn other_parameters_or_oid_differ() {
        let mut pss_a = alg(SHA256);
        pss_a.oid = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
        let mut pss_b = pss_a.clone();
        // RSASSA-PSS-params with saltLength 32, and the same with the
        // DEFAULT trailerField 1 written out.
        pss_a.parameters =
            Some(Any::from_der(&[0x30, 0x05, 0xa2, 0x03, 0x02, 0x01, 0x20]).unwrap());
        pss_b.parameters = Some(
            Any::from_der(&[
                0x30, 0x0a, 0xa2, 0x03, 0x02, 0x01, 0x20, 0xa3, 0x03, 0x02, 0x01, 0x01,
            ])
            .unwrap(),
        );
        assert!(same_identifier(&pss_a, &pss_a.clone()));
        assert!(!same_identifier(&pss_a, &pss_b));
        assert!(!same_identifier(&alg(SHA256), &pss_a));
    }

    #[test]
    fn the_attribute_is_read() {
        let mut der = vec![0x30, 0x1e];
        der.extend(SHA256_NULL);
        der.extend([0xa1, 0x0d]);
        der.extend(&SHA256_NULL[2..]);
        let p = CmsAlgorithmProtection::from_der(&der).unwrap();
        assert!(same_identifier(&p.digest_algorithm, &alg(SHA256)));
        assert!(p.signature_algorithm.is_some());
        assert!(p.mac_algorithm.is_none());
    }
}
