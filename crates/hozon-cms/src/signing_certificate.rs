//! ESS signing-certificate attributes: the signed reference from a signature
//! to the certificate it was made with, which stops an attacker from
//! substituting another certificate with the same key (certificate
//! substitution). CAdES requires one of them (ETSI EN 319 122-1 §5.2.2.2).

use der::asn1::OctetString;
use der::Sequence;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

use crate::algorithm::DigestAlgorithm;
use crate::{Cert, Error};

/// The `IssuerSerial` type is defined in [RFC 5035 Section 4].
///
/// ```text
/// IssuerSerial ::= SEQUENCE {
///     issuer                   GeneralNames,
///     serialNumber             CertificateSerialNumber
/// }
/// ```
///
/// [RFC 5035 Section 4]: https://datatracker.ietf.org/doc/html/rfc5035#section-4
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// The certificate's issuer, as a directory name.
    pub issuer: GeneralNames,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}

impl IssuerSerial {
    /// The issuer and serial of `cert`.
    pub fn of(cert: &Certificate) -> IssuerSerial {
        IssuerSerial {
            issuer: vec![GeneralName::DirectoryName(
                cert.tbs_certificate.issuer.clone(),
            )],
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }
    }

    /// Whether this names `cert`: its serial number and one directory name
    /// that is the certificate's issuer (compared as RFC 5280 §7.1 says,
    /// [`crate::names::names_match`]).
    pub fn matches(&self, cert: &Certificate) -> bool {
        self.serial_number == cert.tbs_certificate.serial_number
            && self.issuer.iter().any(|name| {
                matches!(name, GeneralName::DirectoryName(n)
                    if crate::names::names_match(n, &cert.tbs_certificate.issuer))
            })
    }
}

/// The `ESSCertIDv2` type is defined in [RFC 5035 Section 4].
///
/// ```text
/// ESSCertIDv2 ::=  SEQUENCE {
///     hashAlgorithm           AlgorithmIdentifier
///                             DEFAULT {algorithm id-sha256},
///     certHash                 Hash,
///     issuerSerial             IssuerSerial OPTIONAL
/// }
/// Hash ::= OCTET STRING
/// ```
///
/// `hash_algorithm` is `None` when the DEFAULT (SHA-256) applies; DER forbids
/// encoding the default value.
///
/// [RFC 5035 Section 4]: https://datatracker.ietf.org/doc/html/rfc5035#section-4
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Digest algorithm of `cert_hash`; `None` means SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Digest of the whole DER certificate.
    pub cert_hash: OctetString,
    /// The certificate's issuer and serial number.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// The `SigningCertificateV2` type is defined in [RFC 5035 Section 3].
///
/// ```text
/// SigningCertificateV2 ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertIDv2,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL
/// }
/// ```
///
/// [RFC 5035 Section 3]: https://datatracker.ietf.org/doc/html/rfc5035#section-3
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// The signing certificate first, then optionally others of its chain.
    pub certs: Vec<EssCertIdV2>,
    /// Policies (not used by CAdES; kept for round trips).
    #[asn1(optional = "true")]
    pub policies: Option<Vec<PolicyInformation>>,
}

/// The `ESSCertID` type is defined in [RFC 2634 Section 5.4.1].
///
/// ```text
/// ESSCertID ::=  SEQUENCE {
///      certHash                 Hash,   -- SHA-1 hash of entire certificate
///      issuerSerial             IssuerSerial OPTIONAL
/// }
/// ```
///
/// [RFC 2634 Section 5.4.1]: https://datatracker.ietf.org/doc/html/rfc2634#section-5.4.1
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertId {
    /// SHA-1 digest of the whole DER certificate.
    pub cert_hash: OctetString,
    /// The certificate's issuer and serial number.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// The `SigningCertificate` type is defined in [RFC 2634 Section 5.4].
///
/// ```text
/// SigningCertificate ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertID,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL
/// }
/// ```
///
/// [RFC 2634 Section 5.4]: https://datatracker.ietf.org/doc/html/rfc2634#section-5.4
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificate {
    /// The signing certificate first.
    pub certs: Vec<EssCertId>,
    /// Policies (not used by CAdES).
    #[asn1(optional = "true")]
    pub policies: Option<Vec<PolicyInformation>>,
}

/// A version-independent view of the first ESSCertID(v2): what a verifier
/// needs to bind the signing certificate.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct CertReference {
    /// Digest algorithm of `cert_hash`.
    pub digest: DigestAlgorithm,
    /// Digest of the DER certificate.
    pub cert_hash: Vec<u8>,
    /// Issuer and serial, when present.
    pub issuer_serial: Option<IssuerSerial>,
    /// `true` for signing-certificate-v2, `false` for v1.
    pub v2: bool,
}

impl CertReference {
    /// Whether `cert` is the referenced certificate: the hash matches and,
    /// when present, so does issuerSerial. (A SHA-256 reference uses the
    /// hash the certificate already carries.)
    pub fn matches(&self, cert: &Cert) -> Result<bool, openssl::error::ErrorStack> {
        let hash_ok = if self.digest == DigestAlgorithm::Sha256 {
            cert.sha256().as_slice() == self.cert_hash.as_slice()
        } else {
            self.digest.digest(cert.der())? == self.cert_hash
        };
        let serial_ok = self
            .issuer_serial
            .as_ref()
            .is_none_or(|is| is.matches(cert.parsed()));
        Ok(hash_ok && serial_ok)
    }
}

impl SigningCertificateV2 {
    /// The attribute value for `cert` (DER `cert_der`): one ESSCertIDv2 with
    /// its hash and issuerSerial. `hash_algorithm` is omitted for SHA-256.
    pub fn for_certificate(
        cert: &Certificate,
        cert_der: &[u8],
        digest: DigestAlgorithm,
    ) -> Result<SigningCertificateV2, Error> {
        let hash = openssl::hash::hash(digest.message_digest(), cert_der)
            .map_err(|e| Error::NotCms(e.to_string()))?;
        Ok(SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: (digest != DigestAlgorithm::Sha256).then(|| digest.identifier()),
                cert_hash: OctetString::new(hash.to_vec()).map_err(Error::Encode)?,
                issuer_serial: Some(IssuerSerial::of(cert)),
            }],
            policies: None,
        })
    }

    /// The reference to the signing certificate (the first ESSCertIDv2).
    pub fn signer_reference(&self) -> Result<Option<CertReference>, Error> {
        let Some(first) = self.certs.first() else {
            return Ok(None);
        };
        let digest = match &first.hash_algorithm {
            None => DigestAlgorithm::Sha256,
            Some(alg) => DigestAlgorithm::from_identifier(alg)?,
        };
        Ok(Some(CertReference {
            digest,
            cert_hash: first.cert_hash.as_bytes().to_vec(),
            issuer_serial: first.issuer_serial.clone(),
            v2: true,
        }))
    }
}

impl SigningCertificate {
    /// The reference to the signing certificate (the first ESSCertID).
    pub fn signer_reference(&self) -> Option<CertReference> {
        self.certs.first().map(|first| CertReference {
            digest: DigestAlgorithm::Sha1,
            cert_hash: first.cert_hash.as_bytes().to_vec(),
            issuer_serial: first.issuer_serial.clone(),
            v2: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn default_hash_algorithm_is_omitted_and_decodes_back() {
        let id = EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(vec![7u8; 32]).unwrap(),
            issuer_serial: None,
        };
        let sc = SigningCertificateV2 {
            certs: vec![id],
            policies: None,
        };
        let der = sc.to_der().unwrap();
        // SEQUENCE { SEQUENCE { SEQUENCE { OCTET STRING (32) } } }
        assert_eq!(&der[..6], &[0x30, 0x26, 0x30, 0x24, 0x30, 0x22]);
        let back = SigningCertificateV2::from_der(&der).unwrap();
        let r = back.signer_reference().unwrap().unwrap();
        assert_eq!(r.digest, DigestAlgorithm::Sha256);
        assert_eq!(r.cert_hash, vec![7u8; 32]);
    }

    #[test]
    fn empty_cert_list_has_no_reference() {
        let sc = SigningCertificateV2 {
            certs: vec![],
            policies: None,
        };
        assert_eq!(sc.signer_reference().unwrap(), None);
    }
}
