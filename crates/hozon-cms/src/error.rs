//! Errors of the CAdES data model.

use der::asn1::ObjectIdentifier;

/// Why a byte string is not a usable CMS signature, or why a structure could
/// not be built.
///
/// Every variant carries its context as data, so that a caller can both match
/// on it and print a message that names what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input has no bytes at all.
    #[error("the file is empty (0 bytes), not a CMS signature")]
    Empty,
    /// The input is larger than hozon accepts for a signature file.
    #[error("the file is {size} bytes, more than the {limit}-byte limit for a signature file")]
    TooLarge {
        /// Size of the input.
        size: u64,
        /// The limit that applies.
        limit: u64,
    },
    /// PEM armour was found but its body is not valid base64.
    #[error("PEM armour with an invalid base64 body")]
    BadPem,
    /// The bytes are neither DER nor BER for the expected ASN.1 type.
    #[error("not a CMS structure ({what}): {error}")]
    Asn1 {
        /// The ASN.1 type being decoded.
        what: &'static str,
        /// The decoder's error, with its byte offset.
        error: der::Error,
    },
    /// Bytes follow the end of the CMS structure.
    #[error("{extra} byte(s) of trailing data after the end of the CMS structure")]
    TrailingData {
        /// How many.
        extra: usize,
    },
    /// The bytes are not DER and OpenSSL could not read them as BER either.
    #[error("not a CMS structure: {0}")]
    NotCms(String),
    /// The ContentInfo holds something other than SignedData.
    #[error("the CMS ContentInfo holds {0}, not SignedData (1.2.840.113549.1.7.2)")]
    NotSignedData(ObjectIdentifier),
    /// The encapsulated content is not an OCTET STRING.
    #[error("the encapsulated content (eContent) is not an OCTET STRING")]
    EContentNotOctetString,
    /// An attribute occurs more than once where it must be unique.
    #[error("attribute {0} occurs more than once")]
    DuplicateAttribute(ObjectIdentifier),
    /// An attribute has zero or several values where exactly one is required.
    #[error("attribute {oid} has {count} values; exactly one is required")]
    AttributeValueCount {
        /// The attribute.
        oid: ObjectIdentifier,
        /// How many values it has.
        count: usize,
    },
    /// An attribute value does not decode as its ASN.1 type.
    #[error("attribute {oid} is malformed: {error}")]
    BadAttribute {
        /// The attribute.
        oid: ObjectIdentifier,
        /// The decoder's error.
        error: der::Error,
    },
    /// An algorithm identifier that hozon does not implement.
    #[error("unsupported {kind} algorithm {oid}")]
    UnsupportedAlgorithm {
        /// "digest" or "signature".
        kind: &'static str,
        /// The OID found.
        oid: ObjectIdentifier,
    },
    /// Algorithm parameters that are malformed or inconsistent.
    #[error("malformed parameters for algorithm {oid}: {reason}")]
    BadAlgorithmParameters {
        /// The algorithm.
        oid: ObjectIdentifier,
        /// What is wrong with them.
        reason: String,
    },
    /// Encoding a structure failed (a bug or an impossible size).
    #[error("DER encoding failed: {0}")]
    Encode(der::Error),
}

impl Error {
    pub(crate) fn asn1(what: &'static str) -> impl FnOnce(der::Error) -> Error {
        move |error| Error::Asn1 { what, error }
    }
}
