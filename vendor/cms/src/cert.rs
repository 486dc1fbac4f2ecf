//! Certificate-related types

pub use x509_cert as x509;

use core::cmp::Ordering;
use der::{asn1::ObjectIdentifier, Any, Choice, Sequence, ValueOrd};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

/// The `CertificateChoices` type is defined in [RFC 5652 Section 10.2.2]. Attribute certificate
/// support is not presently implemented.
///
/// ```text
///   CertificateChoices ::= CHOICE {
///       certificate Certificate,
///       extendedCertificate [0] IMPLICIT ExtendedCertificate,
///            -- Obsolete
///       ...,
///       -- [[3: v1AttrCert [1] IMPLICIT AttributeCertificateV1]],
///            -- Obsolete
///       -- [[4: v2AttrCert [2] IMPLICIT AttributeCertificateV2]],
///       [[5: other      [3] IMPLICIT OtherCertificateFormat]] }
/// ```
///
/// [RFC 5652 Section 10.2.2]: https://www.rfc-editor.org/rfc/rfc5652#section-10.2.2
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
#[allow(missing_docs)]
#[allow(clippy::large_enum_variant)]
pub enum CertificateChoices {
    Certificate(Certificate),
    /// hozon patch: `v1AttrCert [1] IMPLICIT AttributeCertificateV1`, kept as
    /// its encoded contents (0.2.3 could not decode a SignedData carrying one).
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    V1AttrCert(RawSequence),
    /// hozon patch: `v2AttrCert [2] IMPLICIT AttributeCertificateV2`, kept as
    /// its encoded contents.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", constructed = "true")]
    V2AttrCert(RawSequence),
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", constructed = "true")]
    Other(OtherCertificateFormat),
}

/// hozon patch: a SEQUENCE kept as its encoded contents octets, for the
/// certificate choices hozon does not interpret (attribute certificates):
/// decoding and re-encoding give back the same bytes.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct RawSequence(pub alloc::vec::Vec<u8>);

impl<'a> der::DecodeValue<'a> for RawSequence {
    fn decode_value<R: der::Reader<'a>>(reader: &mut R, header: der::Header) -> der::Result<Self> {
        Ok(RawSequence(reader.read_vec(header.length)?))
    }
}

impl der::EncodeValue for RawSequence {
    fn value_len(&self) -> der::Result<der::Length> {
        der::Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl der::Writer) -> der::Result<()> {
        writer.write(&self.0)
    }
}

impl der::FixedTag for RawSequence {
    const TAG: der::Tag = der::Tag::Sequence;
}

// TODO DEFER ValueOrd is not supported for CHOICE types (see new_enum in value_ord.rs)
impl ValueOrd for CertificateChoices {
    fn value_cmp(&self, other: &Self) -> der::Result<Ordering> {
        use der::DerOrd;
        use der::Encode;
        self.to_der()?.der_cmp(&other.to_der()?)
    }
}

// TODO DEFER implement support for attribute certs if desired
//   AttributeCertificateV2 ::= AttributeCertificate

/// The `OtherCertificateFormat` type is defined in [RFC 5652 Section 10.2.2].
///
/// ```text
///   OtherCertificateFormat ::= SEQUENCE {
///       otherCertFormat OTHER-CERT-FMT.
///               &id({SupportedCertFormats}),
///       otherCert       OTHER-CERT-FMT.
///               &Type({SupportedCertFormats}{@otherCertFormat})}
/// ```
///
/// [RFC 5652 Section 10.2.2]: https://www.rfc-editor.org/rfc/rfc5652#section-10.2.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
#[allow(missing_docs)]
pub struct OtherCertificateFormat {
    pub other_cert_format: ObjectIdentifier,
    pub other_cert: Any,
}

/// IssuerAndSerialNumber structure as defined in [RFC 5652 Section 10.2.4].
///
/// ```text
/// IssuerAndSerialNumber ::= SEQUENCE {
///   issuer Name,
///   serialNumber CertificateSerialNumber }
/// ```
///
/// [RFC 5652 Section 10.2.4]: https://datatracker.ietf.org/doc/html/rfc5652#section-10.2.4
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
#[allow(missing_docs)]
pub struct IssuerAndSerialNumber {
    pub issuer: Name,
    pub serial_number: SerialNumber,
}
