//! CAdES-C and CAdES-X Long validation data attributes (RFC 5126 §6.2–6.3,
//! ETSI TS 101 733, JIS X 5092): the unsigned attributes that the JIS
//! profile uses where ETSI EN 319 122-1 B-LT puts certificates and CRLs in
//! the SignedData fields.
//!
//! * complete-certificate-references and complete-revocation-references
//!   (ES-C) say *which* CA certificates and revocation data the validation
//!   used, by hash;
//! * certificate-values and revocation-values (ES-XL) carry the data
//!   itself, so that the signature can be validated without any outside
//!   service decades later.
//!
//! The types follow the ASN.1 module of RFC 5126 Annex A (EXPLICIT TAGS).
//! `IssuerSerial` is the ESS one of [`crate::signing_certificate`]; the OCSP
//! `ResponderID` and `BasicOCSPResponse` come from `x509-ocsp`. OCSP values
//! are kept as raw DER (`Any`) in [`RevocationValues`], so that a response
//! this crate does not model field by field still round-trips untouched.

use der::asn1::{GeneralizedTime, Int, ObjectIdentifier, OctetString, UtcTime};
use der::{Any, Choice, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::crl::CertificateList;
use x509_cert::name::Name;
use x509_cert::time::Time;
use x509_cert::Certificate;
use x509_ocsp::{BasicOcspResponse, ResponderId};

use crate::algorithm::DigestAlgorithm;
use crate::signing_certificate::IssuerSerial;
use crate::Error;

/// `id-ce-cRLNumber` (RFC 5280 §5.2.3).
const ID_CE_CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");

/// The `OtherHash` type is defined in [RFC 5126 Section 5.8.2].
///
/// ```text
/// OtherHash ::= CHOICE {
///     sha1Hash OtherHashValue,  -- This contains a SHA-1 hash
///     otherHash OtherHashAlgAndValue}
/// OtherHashValue ::= OCTET STRING
/// ```
///
/// [RFC 5126 Section 5.8.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-5.8.2
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
pub enum OtherHash {
    /// A SHA-1 hash.
    Sha1Hash(OctetString),
    /// A hash with its algorithm.
    OtherHash(OtherHashAlgAndValue),
}

/// The `OtherHashAlgAndValue` type is defined in [RFC 5126 Section 5.8.2].
///
/// ```text
/// OtherHashAlgAndValue ::= SEQUENCE {
///     hashAlgorithm     AlgorithmIdentifier,
///     hashValue         OtherHashValue }
/// ```
///
/// [RFC 5126 Section 5.8.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-5.8.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OtherHashAlgAndValue {
    /// The digest algorithm.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The digest.
    pub hash_value: OctetString,
}

impl OtherHash {
    /// `otherHash` with SHA-256 over `data` (what hozon writes; SHA-1 is
    /// only read).
    pub fn sha256(data: &[u8]) -> Result<OtherHash, Error> {
        Ok(OtherHash::OtherHash(OtherHashAlgAndValue {
            hash_algorithm: DigestAlgorithm::Sha256.identifier(),
            hash_value: OctetString::new(openssl::sha::sha256(data).to_vec())
                .map_err(Error::Encode)?,
        }))
    }

    /// The digest algorithm of this hash.
    pub fn algorithm(&self) -> Result<DigestAlgorithm, Error> {
        match self {
            OtherHash::Sha1Hash(_) => Ok(DigestAlgorithm::Sha1),
            OtherHash::OtherHash(h) => DigestAlgorithm::from_identifier(&h.hash_algorithm),
        }
    }

    /// The hash value.
    pub fn value(&self) -> &[u8] {
        match self {
            OtherHash::Sha1Hash(v) => v.as_bytes(),
            OtherHash::OtherHash(h) => h.hash_value.as_bytes(),
        }
    }

    /// Whether this is the hash of `data`. An unsupported algorithm is an
    /// error, never a silent match.
    pub fn matches(&self, data: &[u8]) -> Result<bool, Error> {
        let alg = self.algorithm()?;
        let actual = alg.digest(data).map_err(|e| Error::NotCms(e.to_string()))?;
        Ok(actual.as_slice() == self.value())
    }
}

/// The `OtherCertID` type is defined in [RFC 5126 Section 6.2.1].
///
/// ```text
/// OtherCertID ::= SEQUENCE {
///     otherCertHash            OtherHash,
///     issuerSerial             IssuerSerial OPTIONAL }
/// ```
///
/// [RFC 5126 Section 6.2.1]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.1
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OtherCertId {
    /// Hash of the whole DER certificate.
    pub other_cert_hash: OtherHash,
    /// The certificate's issuer and serial number.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

impl OtherCertId {
    /// The reference to `cert` (DER `cert_der`): SHA-256 and issuerSerial.
    pub fn for_certificate(cert: &Certificate, cert_der: &[u8]) -> Result<OtherCertId, Error> {
        Ok(OtherCertId {
            other_cert_hash: OtherHash::sha256(cert_der)?,
            issuer_serial: Some(IssuerSerial::of(cert)),
        })
    }

    /// Whether this references `cert`: the hash matches and, when present,
    /// so does issuerSerial.
    pub fn matches(&self, cert: &Certificate, cert_der: &[u8]) -> Result<bool, Error> {
        let serial_ok = self
            .issuer_serial
            .as_ref()
            .is_none_or(|is| is.matches(cert));
        Ok(serial_ok && self.other_cert_hash.matches(cert_der)?)
    }
}

/// The `CompleteCertificateRefs` type is defined in [RFC 5126 Section 6.2.1]
/// (attribute id-aa-ets-certificateRefs, 1.2.840.113549.1.9.16.2.21).
///
/// ```text
/// CompleteCertificateRefs ::=  SEQUENCE OF OtherCertID
/// ```
///
/// It references every CA certificate used to validate the signature, not
/// the signer's own certificate (which signing-certificate-v2 references).
///
/// [RFC 5126 Section 6.2.1]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.1
pub type CompleteCertificateRefs = Vec<OtherCertId>;

/// The `CompleteRevocationRefs` type is defined in [RFC 5126 Section 6.2.2]
/// (attribute id-aa-ets-revocationRefs, 1.2.840.113549.1.9.16.2.22).
///
/// ```text
/// CompleteRevocationRefs ::=  SEQUENCE OF CrlOcspRef
/// ```
///
/// [RFC 5126 Section 6.2.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.2
pub type CompleteRevocationRefs = Vec<CrlOcspRef>;

/// The `CrlOcspRef` type is defined in [RFC 5126 Section 6.2.2].
///
/// ```text
/// CrlOcspRef ::= SEQUENCE {
///     crlids      [0] CRLListID   OPTIONAL,
///     ocspids     [1] OcspListID  OPTIONAL,
///     otherRev    [2] OtherRevRefs OPTIONAL
/// }
/// ```
///
/// [RFC 5126 Section 6.2.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence, Default)]
pub struct CrlOcspRef {
    /// References to CRLs.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub crlids: Option<CrlListId>,
    /// References to OCSP responses.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub ocspids: Option<OcspListId>,
    /// Other revocation references.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub other_rev: Option<OtherRevRefs>,
}

/// The `OtherRevRefs` type is defined in [RFC 5126 Section 6.2.2].
///
/// ```text
/// OtherRevRefs ::= SEQUENCE {
///     otherRevRefType   OtherRevRefType,
///     otherRevRefs      ANY DEFINED BY otherRevRefType }
/// ```
///
/// [RFC 5126 Section 6.2.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OtherRevRefs {
    /// What `other_rev_refs` is.
    pub other_rev_ref_type: ObjectIdentifier,
    /// The references.
    pub other_rev_refs: Any,
}

/// The `CRLListID` type is defined in [RFC 5126 Section 6.2.2].
///
/// ```text
/// CRLListID ::=  SEQUENCE {
///     crls        SEQUENCE OF CrlValidatedID }
/// ```
///
/// [RFC 5126 Section 6.2.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CrlListId {
    /// One reference per CRL.
    pub crls: Vec<CrlValidatedId>,
}

/// The `CrlValidatedID` type is defined in [RFC 5126 Section 6.2.2].
///
/// ```text
/// CrlValidatedID ::=  SEQUENCE {
///     crlHash                   OtherHash,
///     crlIdentifier             CrlIdentifier OPTIONAL }
/// ```
///
/// [RFC 5126 Section 6.2.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CrlValidatedId {
    /// Hash of the whole DER CRL.
    pub crl_hash: OtherHash,
    /// Issuer, issue time and number of the CRL.
    #[asn1(optional = "true")]
    pub crl_identifier: Option<CrlIdentifier>,
}

impl CrlValidatedId {
    /// The reference to the DER CRL `crl_der`: its SHA-256, and its issuer,
    /// thisUpdate and cRLNumber. The identifier is left out when thisUpdate
    /// cannot be written as the UTCTime the ASN.1 module requires (after
    /// 2049); the hash alone identifies the CRL.
    pub fn for_crl(crl_der: &[u8]) -> Result<CrlValidatedId, Error> {
        let list = CertificateList::from_der(crl_der).map_err(Error::asn1("CertificateList"))?;
        let tbs = &list.tbs_cert_list;
        let issued = match tbs.this_update {
            Time::UtcTime(t) => Some(t),
            Time::GeneralTime(t) => UtcTime::from_date_time(t.to_date_time()).ok(),
        };
        let mut crl_number = None;
        for ext in tbs.crl_extensions.iter().flatten() {
            if ext.extn_id == ID_CE_CRL_NUMBER {
                crl_number = Some(
                    Int::from_der(ext.extn_value.as_bytes()).map_err(Error::asn1("cRLNumber"))?,
                );
            }
        }
        Ok(CrlValidatedId {
            crl_hash: OtherHash::sha256(crl_der)?,
            crl_identifier: issued.map(|crl_issued_time| CrlIdentifier {
                crlissuer: tbs.issuer.clone(),
                crl_issued_time,
                crl_number,
            }),
        })
    }
}

/// The `CrlIdentifier` type is defined in [RFC 5126 Section 6.2.2].
///
/// ```text
/// CrlIdentifier ::= SEQUENCE {
///     crlissuer                 Name,
///     crlIssuedTime             UTCTime,
///     crlNumber                 INTEGER OPTIONAL }
/// ```
///
/// [RFC 5126 Section 6.2.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CrlIdentifier {
    /// The CRL issuer.
    pub crlissuer: Name,
    /// The CRL's thisUpdate.
    pub crl_issued_time: UtcTime,
    /// The CRL's cRLNumber extension, when it has one.
    #[asn1(optional = "true")]
    pub crl_number: Option<Int>,
}

/// The `OcspListID` type is defined in [RFC 5126 Section 6.2.2].
///
/// ```text
/// OcspListID ::=  SEQUENCE {
///     ocspResponses        SEQUENCE OF OcspResponsesID }
/// ```
///
/// [RFC 5126 Section 6.2.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OcspListId {
    /// One reference per OCSP response.
    pub ocsp_responses: Vec<OcspResponsesId>,
}

/// The `OcspResponsesID` type is defined in [RFC 5126 Section 6.2.2].
///
/// ```text
/// OcspResponsesID ::=  SEQUENCE {
///     ocspIdentifier              OcspIdentifier,
///     ocspRepHash                 OtherHash    OPTIONAL
/// }
/// ```
///
/// [RFC 5126 Section 6.2.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OcspResponsesId {
    /// Responder and production time.
    pub ocsp_identifier: OcspIdentifier,
    /// Hash of the DER BasicOCSPResponse.
    #[asn1(optional = "true")]
    pub ocsp_rep_hash: Option<OtherHash>,
}

impl OcspResponsesId {
    /// The reference to the DER BasicOCSPResponse `basic_der`: its
    /// responderID and producedAt, and its SHA-256.
    pub fn for_basic_response(basic_der: &[u8]) -> Result<OcspResponsesId, Error> {
        let basic =
            BasicOcspResponse::from_der(basic_der).map_err(Error::asn1("BasicOCSPResponse"))?;
        Ok(OcspResponsesId {
            ocsp_identifier: OcspIdentifier {
                ocsp_responder_id: basic.tbs_response_data.responder_id,
                produced_at: basic.tbs_response_data.produced_at.0,
            },
            ocsp_rep_hash: Some(OtherHash::sha256(basic_der)?),
        })
    }
}

/// The `OcspIdentifier` type is defined in [RFC 5126 Section 6.2.2].
///
/// ```text
/// OcspIdentifier ::= SEQUENCE {
///    ocspResponderID      ResponderID,
///    -- As in OCSP response data
///    producedAt           GeneralizedTime
///    -- As in OCSP response data
/// }
/// ResponderID ::= CHOICE {            -- RFC 6960
///    byName   [1] Name,
///    byKey    [2] KeyHash }
/// ```
///
/// [RFC 5126 Section 6.2.2]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.2.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OcspIdentifier {
    /// The responder, as in the response.
    pub ocsp_responder_id: ResponderId,
    /// producedAt, as in the response.
    pub produced_at: GeneralizedTime,
}

/// The `CertificateValues` type is defined in [RFC 5126 Section 6.3.3]
/// (attribute id-aa-ets-certValues, 1.2.840.113549.1.9.16.2.23).
///
/// ```text
/// CertificateValues ::=  SEQUENCE OF Certificate
/// ```
///
/// [RFC 5126 Section 6.3.3]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.3.3
pub type CertificateValues = Vec<Certificate>;

/// The `RevocationValues` type is defined in [RFC 5126 Section 6.3.4]
/// (attribute id-aa-ets-revocationValues, 1.2.840.113549.1.9.16.2.24).
///
/// ```text
/// RevocationValues ::=  SEQUENCE {
///     crlVals          [0] SEQUENCE OF CertificateList OPTIONAL,
///     ocspVals         [1] SEQUENCE OF BasicOCSPResponse OPTIONAL,
///     otherRevVals     [2] OtherRevVals OPTIONAL }
/// ```
///
/// `ocsp_vals` holds each BasicOCSPResponse as raw DER (see the module
/// documentation); [`RevocationValues::ocsp_basic_der`] gives the bytes.
///
/// [RFC 5126 Section 6.3.4]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.3.4
#[derive(Clone, Debug, Eq, PartialEq, Sequence, Default)]
pub struct RevocationValues {
    /// CRLs.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub crl_vals: Option<Vec<CertificateList>>,
    /// BasicOCSPResponses (DER).
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub ocsp_vals: Option<Vec<Any>>,
    /// Other revocation values.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub other_rev_vals: Option<OtherRevVals>,
}

/// The `OtherRevVals` type is defined in [RFC 5126 Section 6.3.4].
///
/// ```text
/// OtherRevVals ::= SEQUENCE {
///     otherRevValType   OtherRevValType,
///     otherRevVals      ANY DEFINED BY otherRevValType }
/// ```
///
/// [RFC 5126 Section 6.3.4]: https://datatracker.ietf.org/doc/html/rfc5126#section-6.3.4
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OtherRevVals {
    /// What `other_rev_vals` is.
    pub other_rev_val_type: ObjectIdentifier,
    /// The values.
    pub other_rev_vals: Any,
}

impl RevocationValues {
    /// The DER of each CRL.
    pub fn crl_der(&self) -> Result<Vec<Vec<u8>>, Error> {
        self.crl_vals
            .iter()
            .flatten()
            .map(|c| c.to_der().map_err(Error::Encode))
            .collect()
    }

    /// The DER of each BasicOCSPResponse, each checked to decode as one.
    pub fn ocsp_basic_der(&self) -> Result<Vec<Vec<u8>>, Error> {
        self.ocsp_vals
            .iter()
            .flatten()
            .map(|any| {
                let der = any.to_der().map_err(Error::Encode)?;
                BasicOcspResponse::from_der(&der).map_err(Error::asn1("BasicOCSPResponse"))?;
                Ok(der)
            })
            .collect()
    }

    /// Wraps DER BasicOCSPResponses for `ocsp_vals`; each must decode as one.
    pub fn ocsp_values(basic: &[Vec<u8>]) -> Result<Vec<Any>, Error> {
        basic
            .iter()
            .map(|der| {
                BasicOcspResponse::from_der(der).map_err(Error::asn1("BasicOCSPResponse"))?;
                Any::from_der(der).map_err(Error::asn1("BasicOCSPResponse"))
            })
            .collect()
    }
}

/// The four ES-C / ES-XL unsigned attributes of one SignerInfo, decoded
/// (each `None` when absent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EsXlAttributes {
    /// complete-certificate-references.
    pub certificate_refs: Option<CompleteCertificateRefs>,
    /// complete-revocation-references.
    pub revocation_refs: Option<CompleteRevocationRefs>,
    /// certificate-values.
    pub certificate_values: Option<CertificateValues>,
    /// revocation-values.
    pub revocation_values: Option<RevocationValues>,
}

impl EsXlAttributes {
    /// Reads the attributes from `unsigned_attrs`. A duplicated, multi-valued
    /// or malformed attribute is an error naming its OID.
    pub fn read(
        unsigned_attrs: Option<&x509_cert::attr::Attributes>,
    ) -> Result<EsXlAttributes, Error> {
        use crate::attributes::decode_unique;
        use crate::oid::rfc5126::{
            ID_AA_ETS_CERTIFICATE_REFS, ID_AA_ETS_CERT_VALUES, ID_AA_ETS_REVOCATION_REFS,
            ID_AA_ETS_REVOCATION_VALUES,
        };
        Ok(EsXlAttributes {
            certificate_refs: decode_unique(unsigned_attrs, ID_AA_ETS_CERTIFICATE_REFS)?,
            revocation_refs: decode_unique(unsigned_attrs, ID_AA_ETS_REVOCATION_REFS)?,
            certificate_values: decode_unique(unsigned_attrs, ID_AA_ETS_CERT_VALUES)?,
            revocation_values: decode_unique(unsigned_attrs, ID_AA_ETS_REVOCATION_VALUES)?,
        })
    }

    /// Whether any of the four is present.
    pub fn any(&self) -> bool {
        self.certificate_refs.is_some()
            || self.revocation_refs.is_some()
            || self.certificate_values.is_some()
            || self.revocation_values.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::SetOfVec;
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::RelativeDistinguishedName;

    fn name(cn: &str) -> Name {
        let value = Any::new(der::Tag::Utf8String, cn.as_bytes()).unwrap();
        let atv = AttributeTypeAndValue {
            oid: ObjectIdentifier::new_unwrap("2.5.4.3"),
            value,
        };
        x509_cert::name::RdnSequence(vec![RelativeDistinguishedName(
            SetOfVec::try_from(vec![atv]).unwrap(),
        )])
    }

    fn round_trip<T>(value: &T) -> Vec<u8>
    where
        T: Encode + for<'a> Decode<'a> + PartialEq + std::fmt::Debug,
    {
        let der = value.to_der().unwrap();
        let back = T::from_der(&der).unwrap();
        assert_eq!(&back, value);
        assert_eq!(back.to_der().unwrap(), der);
        der
    }

    #[test]
    fn other_hash_both_choices_round_trip_and_match() {
        let sha256 = OtherHash::sha256(b"abc").unwrap();
        let der = round_trip(&sha256);
        assert_eq!(der[0], 0x30, "otherHash is a SEQUENCE");
        assert!(sha256.matches(b"abc").unwrap());
        assert!(!sha256.matches(b"abd").unwrap());
        let sha1 =
            OtherHash::Sha1Hash(OctetString::new(openssl::sha::sha1(b"abc").to_vec()).unwrap());
        let der = round_trip(&sha1);
        assert_eq!(der[0], 0x04, "sha1Hash is a bare OCTET STRING");
        assert!(sha1.matches(b"abc").unwrap());
        assert_eq!(sha1.algorithm().unwrap(), DigestAlgorithm::Sha1);
    }

    #[test]
    fn unknown_hash_algorithm_is_an_error_not_a_match() {
        let h = OtherHash::OtherHash(OtherHashAlgAndValue {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.2.3.4"),
                parameters: None,
            },
            hash_value: OctetString::new(vec![0u8; 32]).unwrap(),
        });
        assert!(h.matches(b"x").is_err());
    }

    #[test]
    fn crl_ocsp_ref_uses_explicit_tags() {
        let r = CrlOcspRef {
            crlids: Some(CrlListId {
                crls: vec![CrlValidatedId {
                    crl_hash: OtherHash::sha256(b"crl").unwrap(),
                    crl_identifier: Some(CrlIdentifier {
                        crlissuer: name("CA"),
                        crl_issued_time: UtcTime::from_unix_duration(
                            std::time::Duration::from_secs(1_700_000_000),
                        )
                        .unwrap(),
                        crl_number: Some(Int::new(&[0x05]).unwrap()),
                    }),
                }],
            }),
            ocspids: Some(OcspListId {
                ocsp_responses: vec![OcspResponsesId {
                    ocsp_identifier: OcspIdentifier {
                        ocsp_responder_id: ResponderId::ByName(name("OCSP")),
                        produced_at: GeneralizedTime::from_unix_duration(
                            std::time::Duration::from_secs(1_700_000_000),
                        )
                        .unwrap(),
                    },
                    ocsp_rep_hash: None,
                }],
            }),
            other_rev: None,
        };
        let refs: CompleteRevocationRefs = vec![r, CrlOcspRef::default()];
        let der = round_trip(&refs);
        // SEQUENCE OF { SEQUENCE { [0] constructed (EXPLICIT) ... }, SEQUENCE {} }
        let items = Vec::<Any>::from_der(&der).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].value()[0], 0xA0);
        assert!(items[1].value().is_empty());
    }

    #[test]
    fn revocation_values_round_trip_and_reject_bad_ocsp() {
        let empty = RevocationValues::default();
        assert_eq!(round_trip(&empty), vec![0x30, 0x00]);
        // An OCSP value that is not a BasicOCSPResponse is refused on the
        // way in and reported on the way out.
        let junk = vec![0x30, 0x03, 0x02, 0x01, 0x01];
        assert!(RevocationValues::ocsp_values(std::slice::from_ref(&junk)).is_err());
        let rv = RevocationValues {
            ocsp_vals: Some(vec![Any::from_der(&junk).unwrap()]),
            ..Default::default()
        };
        round_trip(&rv);
        assert!(rv.ocsp_basic_der().is_err());
    }

    #[test]
    fn decode_errors() {
        // A CrlOcspRef with an IMPLICIT-looking [0] (not constructed).
        assert!(CompleteRevocationRefs::from_der(&[0x30, 0x04, 0x30, 0x02, 0x80, 0x00]).is_err());
        // Truncated.
        assert!(CompleteCertificateRefs::from_der(&[0x30, 0x05, 0x30]).is_err());
        // An OtherHash that is neither OCTET STRING nor SEQUENCE.
        assert!(OtherHash::from_der(&[0x02, 0x01, 0x00]).is_err());
        // RevocationValues with an unknown tag [3].
        assert!(RevocationValues::from_der(&[0x30, 0x02, 0xA3, 0x00]).is_err());
        // CertificateValues holding something that is not a certificate.
        assert!(CertificateValues::from_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
    }

    #[test]
    fn other_cert_id_round_trips() {
        let id = OtherCertId {
            other_cert_hash: OtherHash::sha256(b"cert").unwrap(),
            issuer_serial: None,
        };
        round_trip(&vec![id]);
    }
}
