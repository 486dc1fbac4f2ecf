//! Time-stamp tokens (RFC 3161 §2.4.2): parsing, what they cover, and the
//! checks that make one acceptable — without the certificate path, which
//! the caller validates at the token's genTime (`hozon-pki`).

use cms::cert::CertificateChoices;
use cms::revocation::RevocationInfoChoice;
use cms::signed_data::SignerIdentifier;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode, Tagged};
use hozon_cms::asn1::const_oid::db::rfc5280::{
    ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE, ID_KP_TIME_STAMPING,
};
use hozon_cms::attributes::decode_unique;
use hozon_cms::oid::rfc3161::ID_CT_TST_INFO;
use hozon_cms::oid::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
    ID_SIGNED_DATA,
};
use hozon_cms::signing_certificate::{CertReference, SigningCertificate, SigningCertificateV2};
use hozon_cms::{Cert, DigestAlgorithm, KeyCache, SignatureAlgorithm, SignatureFile, UnixTime};
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};

use crate::asn1::{ContentInfoRef, TokenSignedData, TstInfo};
use crate::{Error, TokenFault};

/// A parsed time-stamp token.
#[derive(Clone, Debug)]
pub struct Token {
    der: Vec<u8>,
    econtent: Vec<u8>,
    signed_data: TokenSignedData,
    info: TstInfo,
    imprint_digest: DigestAlgorithm,
    certs: Vec<Cert>,
    origin: String,
}

impl Token {
    /// Parses a token (a CMS ContentInfo with SignedData over a TSTInfo;
    /// DER, BER or PEM). `origin` names it in errors.
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Token, Error> {
        let malformed = |reason: String| Error::Malformed {
            origin: origin.to_owned(),
            reason,
        };
        // DER, the form every TSA sends, is read directly; anything else
        // goes through SignatureFile (PEM armour, BER re-encoded as DER by
        // OpenSSL, and its errors), then the same way.
        let (der, signed_data) = match decode_der(bytes) {
            Some(signed_data) => (bytes.to_vec(), signed_data),
            None => {
                let file = SignatureFile::parse(bytes).map_err(|e| malformed(e.to_string()))?;
                let signed_data = ContentInfoRef::from_der(&file.der)
                    .and_then(|ci| ci.content.decode_as::<TokenSignedData>())
                    .map_err(|e| malformed(format!("SignedData: {e}")))?;
                (file.der, signed_data)
            }
        };
        let encap = &signed_data.encap_content_info;
        if encap.econtent_type != ID_CT_TST_INFO {
            return Err(malformed(format!(
                "the token's content type is {}, not id-ct-TSTInfo",
                encap.econtent_type
            )));
        }
        let econtent = match &encap.econtent {
            Some(any) if any.tag() == der::Tag::OctetString => any.value().to_vec(),
            Some(_) => {
                return Err(malformed(
                    "the encapsulated content is not an OCTET STRING".into(),
                ))
            }
            None => return Err(malformed("the token has no TSTInfo".into())),
        };
        let info = TstInfo::from_der(&econtent).map_err(|e| malformed(format!("TSTInfo: {e}")))?;
        // RFC 3161 §2.4.2: the token MUST contain only the TSA's signature.
        let signers = signed_data.signer_infos.0.len();
        if signers != 1 {
            return Err(malformed(format!(
                "the token has {signers} signers; RFC 3161 allows exactly one (the TSA)"
            )));
        }
        let imprint_digest = DigestAlgorithm::from_identifier(&info.message_imprint.hash_algorithm)
            .map_err(|e| malformed(format!("messageImprint: {e}")))?;
        let certs = certificates(&signed_data).map_err(malformed)?;
        Ok(Token {
            der,
            econtent,
            signed_data,
            info,
            imprint_digest,
            certs,
            origin: origin.to_owned(),
        })
    }

    /// The token's DER encoding (ContentInfo).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The TSTInfo.
    pub fn info(&self) -> &TstInfo {
        &self.info
    }

    /// genTime, in whole seconds.
    pub fn gen_time(&self) -> UnixTime {
        UnixTime(self.info.gen_time.unix)
    }

    /// The imprint's digest algorithm and value.
    pub fn imprint(&self) -> (DigestAlgorithm, &[u8]) {
        (
            self.imprint_digest,
            self.info.message_imprint.hashed_message.as_bytes(),
        )
    }

    /// Whether the token stamps `data` (its digest equals the imprint).
    pub fn covers(&self, data: &[u8]) -> bool {
        self.imprint_digest
            .digest(data)
            .is_ok_and(|d| d == self.info.message_imprint.hashed_message.as_bytes())
    }

    /// The unsigned attributes of the TSA's SignerInfo (where an archive
    /// time stamp carries its ats-hash-index-v3).
    pub fn signer_unsigned_attrs(&self) -> Option<&x509_cert::attr::Attributes> {
        self.signed_data
            .signer_infos
            .0
            .get(0)?
            .unsigned_attrs
            .as_ref()
    }

    /// The certificates embedded in the token.
    pub fn certificates(&self) -> &[Cert] {
        &self.certs
    }

    /// The TSA's certificate, found by the SignerInfo's identifier among
    /// the token's certificates and `extra`.
    pub fn tsa_certificate(&self, extra: &[Cert]) -> Option<Cert> {
        let si = self.signed_data.signer_infos.0.get(0)?;
        self.certs
            .iter()
            .chain(extra)
            .find(|c| identifies(&si.sid, c))
            .cloned()
    }

    /// Checks everything about the token except the TSA's certificate path:
    /// the TSA certificate is present (here or in `extra`), is a TSA
    /// certificate (RFC 3161 §2.3: critical extendedKeyUsage with
    /// id-kp-timeStamping only), is bound by an ESS signing-certificate(-v2)
    /// attribute, and the signature over the TSTInfo verifies. `keys` keeps
    /// decoded TSA keys across a batch.
    /// Returns the TSA certificate.
    pub fn verify(&self, extra: &[Cert], keys: &KeyCache) -> Result<Cert, Error> {
        let fault = |fault: TokenFault| {
            move |reason: String| Error::BadToken {
                origin: self.origin.clone(),
                reason,
                fault,
            }
        };
        let bad = fault(TokenFault::Format);
        let unbound = fault(TokenFault::Binding);
        let si = self
            .signed_data
            .signer_infos
            .0
            .get(0)
            .ok_or_else(|| bad("no SignerInfo".into()))?;
        let tsa = self.tsa_certificate(extra).ok_or_else(|| {
            fault(TokenFault::MissingCertificate)(
                "the TSA's certificate is neither in the token nor given (--certs)".into(),
            )
        })?;
        check_tsa_certificate(&tsa)
            .map_err(|e| fault(TokenFault::NotTsaCertificate)(e.to_string()))?;

        // RFC 3161 §2.4.1 requires the ESS signing-certificate attribute.
        let attrs = si.signed_attrs.as_ref();
        let v2 = decode_unique::<SigningCertificateV2>(attrs, ID_AA_SIGNING_CERTIFICATE_V_2)
            .map_err(|e| bad(e.to_string()))?;
        let v1 = decode_unique::<SigningCertificate>(attrs, ID_AA_SIGNING_CERTIFICATE)
            .map_err(|e| bad(e.to_string()))?;
        let mut refs: Vec<CertReference> = Vec::new();
        if let Some(v2) = v2 {
            refs.extend(v2.signer_reference().map_err(|e| bad(e.to_string()))?);
        }
        if let Some(v1) = v1 {
            refs.extend(v1.signer_reference());
        }
        if refs.is_empty() {
            return Err(unbound(
                "no ESS signing-certificate attribute binds the TSA certificate".into(),
            ));
        }
        for r in &refs {
            if !r.matches(&tsa).unwrap_or(false) {
                return Err(unbound(format!(
                    "the ESS signing-certificate attribute does not reference the TSA certificate {}",
                    tsa.subject()
                )));
            }
        }

        // Content type and message digest of the TSTInfo, then the
        // signature over the signed attributes (RFC 5652 §5.4, §5.6).
        let attrs = attrs.ok_or_else(|| bad("the token has no signed attributes".into()))?;
        match decode_unique::<ObjectIdentifier>(Some(attrs), ID_CONTENT_TYPE) {
            Ok(Some(ct)) if ct == ID_CT_TST_INFO => {}
            Ok(_) => {
                return Err(bad(
                    "the content-type attribute is missing or not id-ct-TSTInfo".into(),
                ))
            }
            Err(e) => return Err(bad(e.to_string())),
        }
        let digest_alg =
            DigestAlgorithm::from_identifier(&si.digest_alg).map_err(|e| bad(e.to_string()))?;
        let md = decode_unique::<OctetString>(Some(attrs), ID_MESSAGE_DIGEST)
            .map_err(|e| bad(e.to_string()))?
            .ok_or_else(|| bad("the message-digest attribute is missing".into()))?;
        let actual = digest_alg
            .digest(&self.econtent)
            .map_err(|e| bad(e.to_string()))?;
        if md.as_bytes() != actual.as_slice() {
            return Err(fault(TokenFault::Digest)(
                "its message-digest does not match the TSTInfo: the token was altered".into(),
            ));
        }
        let sig_alg = SignatureAlgorithm::from_identifier(&si.signature_algorithm, digest_alg)
            .map_err(|e| bad(e.to_string()))?;
        let tbs = attrs.to_der().map_err(|e| bad(e.to_string()))?;
        let verified = keys
            .get(&tsa)
            .and_then(|k| k.verify(sig_alg, &tbs, si.signature.as_bytes()))
            .map_err(|e| fault(TokenFault::Signature)(e.to_string()))?;
        if !verified {
            return Err(fault(TokenFault::Signature)(format!(
                "the TSA's signature does not verify with the key of {}",
                tsa.subject()
            )));
        }
        Ok(tsa)
    }
}

/// The SignedData of a DER ContentInfo, if `bytes` is one.
fn decode_der(bytes: &[u8]) -> Option<TokenSignedData> {
    let content_info = ContentInfoRef::from_der(bytes).ok()?;
    if content_info.content_type != ID_SIGNED_DATA {
        return None;
    }
    content_info.content.decode_as::<TokenSignedData>().ok()
}

/// The X.509 certificates of the token, interned (decoded the first time
/// the run sees each). Other certificate formats are checked and skipped;
/// a certificate that does not decode makes the token malformed, as it
/// would in a full decode of the SignedData, and so do the CRLs.
fn certificates(signed_data: &TokenSignedData) -> Result<Vec<Cert>, String> {
    let mut certs = Vec::new();
    for element in signed_data.certificates.iter().flat_map(|set| set.iter()) {
        let der = element.to_der().map_err(|e| format!("certificates: {e}"))?;
        if element.tag() == der::Tag::Sequence {
            certs.push(Cert::intern(&der).map_err(|e| format!("certificates: {e}"))?);
        } else {
            CertificateChoices::from_der(&der).map_err(|e| format!("certificates: {e}"))?;
        }
    }
    for element in signed_data.crls.iter().flat_map(|set| set.iter()) {
        let der = element.to_der().map_err(|e| format!("crls: {e}"))?;
        RevocationInfoChoice::from_der(&der).map_err(|e| format!("crls: {e}"))?;
    }
    Ok(certs)
}

fn identifies(sid: &SignerIdentifier, cert: &Cert) -> bool {
    let tbs = &cert.parsed().tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            tbs.issuer == is.issuer && tbs.serial_number == is.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
            .extensions
            .iter()
            .flatten()
            .filter(|e| {
                e.extn_id == hozon_cms::asn1::const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER
            })
            .any(|e| {
                x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(e.extn_value.as_bytes())
                    .is_ok_and(|k| k == *ski)
            }),
    }
}

/// Why a certificate cannot be a TSA's (RFC 3161 §2.3).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotTsaCertificate {
    /// Not exactly one extendedKeyUsage extension.
    #[error(
        "{subject} is not a TSA certificate: it has {count} extendedKeyUsage extensions; RFC 3161 requires exactly one, with id-kp-timeStamping"
    )]
    ExtendedKeyUsageCount {
        /// The certificate's subject.
        subject: String,
        /// How many it has.
        count: usize,
    },
    /// The extendedKeyUsage extension is not critical.
    #[error("{subject}: its extendedKeyUsage is not critical (RFC 3161 §2.3)")]
    ExtendedKeyUsageNotCritical {
        /// The certificate's subject.
        subject: String,
    },
    /// The extendedKeyUsage extension does not decode.
    #[error("{subject}: malformed extendedKeyUsage: {reason}")]
    MalformedExtendedKeyUsage {
        /// The certificate's subject.
        subject: String,
        /// The decoder's reason.
        reason: String,
    },
    /// The extendedKeyUsage is not id-kp-timeStamping alone.
    #[error("{subject}: its extendedKeyUsage must be id-kp-timeStamping only (RFC 3161 §2.3)")]
    NotTimeStampingOnly {
        /// The certificate's subject.
        subject: String,
    },
    /// A keyUsage extension does not decode.
    #[error("{subject}: malformed keyUsage: {reason}")]
    MalformedKeyUsage {
        /// The certificate's subject.
        subject: String,
        /// The decoder's reason.
        reason: String,
    },
    /// The keyUsage allows neither digitalSignature nor nonRepudiation.
    #[error("{subject}: its keyUsage does not allow signatures")]
    KeyUsageForbidsSignatures {
        /// The certificate's subject.
        subject: String,
    },
}

/// RFC 3161 §2.3: "The corresponding certificate MUST contain only one
/// instance of the extended key usage field extension ... with KeyPurposeID
/// having value id-kp-timeStamping. This extension MUST be critical."
pub fn check_tsa_certificate(cert: &Cert) -> Result<(), NotTsaCertificate> {
    let subject = || cert.subject();
    let exts: Vec<_> = cert
        .parsed()
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .collect();
    let ekus: Vec<_> = exts
        .iter()
        .filter(|e| e.extn_id == ID_CE_EXT_KEY_USAGE)
        .collect();
    let [eku] = ekus.as_slice() else {
        return Err(NotTsaCertificate::ExtendedKeyUsageCount {
            subject: subject(),
            count: ekus.len(),
        });
    };
    if !eku.critical {
        return Err(NotTsaCertificate::ExtendedKeyUsageNotCritical { subject: subject() });
    }
    let purposes = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes()).map_err(|e| {
        NotTsaCertificate::MalformedExtendedKeyUsage {
            subject: subject(),
            reason: e.to_string(),
        }
    })?;
    if purposes.0 != [ID_KP_TIME_STAMPING] {
        return Err(NotTsaCertificate::NotTimeStampingOnly { subject: subject() });
    }
    for ku in exts.iter().filter(|e| e.extn_id == ID_CE_KEY_USAGE) {
        let ku = KeyUsage::from_der(ku.extn_value.as_bytes()).map_err(|e| {
            NotTsaCertificate::MalformedKeyUsage {
                subject: subject(),
                reason: e.to_string(),
            }
        })?;
        if !ku.digital_signature() && !ku.non_repudiation() {
            return Err(NotTsaCertificate::KeyUsageForbidsSignatures { subject: subject() });
        }
    }
    Ok(())
}

impl Token {
    /// Re-encodes (for callers that embed the token as an attribute value).
    pub fn to_any(&self) -> Result<der::Any, Error> {
        der::Any::from_der(&self.der).map_err(|e| Error::Malformed {
            origin: self.origin.clone(),
            reason: e.to_string(),
        })
    }

    /// The token's serial number, hex.
    pub fn serial_hex(&self) -> String {
        self.info
            .serial_number
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    /// The policy OID.
    pub fn policy(&self) -> String {
        self.info.policy.to_string()
    }

    /// The DER of the TSTInfo (for reports and debugging).
    pub fn tst_info_der(&self) -> Result<Vec<u8>, Error> {
        self.info.to_der().map_err(|e| Error::Malformed {
            origin: self.origin.clone(),
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TimeStampResp from `openssl ts -reply` (the adversarial corpus's
    /// control case).
    const CONTROL: &[u8] =
        include_bytes!("../../../testdata/adversarial/cases/137-tsr-control.txt.tsr");

    fn token_der() -> Vec<u8> {
        crate::asn1::TimeStampResp::from_der(CONTROL)
            .unwrap()
            .time_stamp_token
            .unwrap()
            .to_der()
            .unwrap()
    }

    fn sorted_certificates(certs: &[Cert]) -> Vec<Vec<u8>> {
        let mut ders: Vec<Vec<u8>> = certs.iter().map(|c| c.der().to_vec()).collect();
        ders.sort();
        ders
    }

    /// Where the first embedded certificate starts in `der`.
    fn first_certificate_at(der: &[u8]) -> usize {
        let token = Token::parse(der, "t").unwrap();
        let cert = token.certificates()[0].der().to_vec();
        der.windows(cert.len()).position(|w| w == cert).unwrap()
    }

    #[test]
    fn der_tokens_agree_with_a_full_decode_of_the_signed_data() {
        let der = token_der();
        let token = Token::parse(&der, "t").unwrap();
        let full = SignatureFile::parse(&der).unwrap();
        assert_eq!(token.der(), der.as_slice());
        let certs = sorted_certificates(token.certificates());
        assert!(!certs.is_empty());
        assert_eq!(certs, sorted_certificates(&full.certificates()));
        assert_eq!(
            token.signed_data.signer_infos,
            full.signed_data.signer_infos
        );
        let tsa = token.verify(&[], &KeyCache::default()).unwrap();
        assert!(certs.contains(&tsa.der().to_vec()));
    }

    #[test]
    fn pem_and_ber_tokens_are_read_through_the_signature_file_reader() {
        let der = token_der();
        let reference = Token::parse(&der, "t").unwrap();

        let pem = format!(
            "-----BEGIN CMS-----\n{}\n-----END CMS-----\n",
            openssl::base64::encode_block(&der)
        );
        let token = Token::parse(pem.as_bytes(), "t").unwrap();
        assert_eq!(token.der(), der.as_slice());

        // The outer ContentInfo with an indefinite length.
        let header = 2 + usize::from(der[1] & 0x7f);
        let mut ber = vec![0x30, 0x80];
        ber.extend_from_slice(&der[header..]);
        ber.extend_from_slice(&[0, 0]);
        let token = Token::parse(&ber, "t").unwrap();
        assert_eq!(token.info(), reference.info());
        assert_eq!(
            sorted_certificates(token.certificates()),
            sorted_certificates(reference.certificates())
        );
        token.verify(&[], &KeyCache::default()).unwrap();
    }

    #[test]
    fn a_certificate_that_does_not_decode_makes_the_token_malformed() {
        let mut der = token_der();
        let at = first_certificate_at(&der);
        // Certificate { TBSCertificate { [0] { INTEGER 2 } ... } }: the
        // version INTEGER becomes an OCTET STRING. Every length still
        // holds, so only decoding the certificate itself finds it.
        let version = der[at..]
            .windows(5)
            .position(|w| w == [0xa0, 0x03, 0x02, 0x01, 0x02])
            .unwrap();
        der[at + version + 2] = 0x04;
        match Token::parse(&der, "t") {
            Err(Error::Malformed { reason, .. }) => {
                assert!(reason.contains("certificates"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        assert!(SignatureFile::parse(&der).is_err());
    }

    #[test]
    fn attribute_certificates_are_read_but_not_used_as_certificates() {
        let before = Token::parse(&token_der(), "t")
            .unwrap()
            .certificates()
            .len();
        let mut der = token_der();
        let at = first_certificate_at(&der);
        // The certificate's SEQUENCE tag becomes [1]: an attribute
        // certificate v1 (RFC 5652 CertificateChoices), valid in a token's
        // certificate set (issue 15), and no path material.
        der[at] = 0xa1;
        let token = Token::parse(&der, "t").expect("v1AttrCert is a CertificateChoices");
        assert_eq!(token.certificates().len(), before - 1);
    }

    #[test]
    fn a_response_yields_its_token_bytes_unchanged() {
        let token = crate::parse_response(CONTROL, "t").unwrap();
        assert_eq!(token.der(), token_der().as_slice());
        assert!(CONTROL.ends_with(token.der()));
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut der = token_der();
        der.push(0);
        assert!(Token::parse(&der, "t").is_err());
        assert!(decode_der(&der).is_none());
    }
}
