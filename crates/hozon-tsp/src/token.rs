//! Time-stamp tokens (RFC 3161 §2.4.2): parsing, what they cover, and the
//! checks that make one acceptable — without the certificate path, which
//! the caller validates at the token's genTime (`hozon-pki`).

use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use hozon_cms::asn1::const_oid::db::rfc5280::{
    ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE, ID_KP_TIME_STAMPING,
};
use hozon_cms::attributes::decode_unique;
use hozon_cms::oid::rfc3161::ID_CT_TST_INFO;
use hozon_cms::oid::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
};
use hozon_cms::signing_certificate::{CertReference, SigningCertificate, SigningCertificateV2};
use hozon_cms::{Cert, DigestAlgorithm, KeyCache, SignatureAlgorithm, SignatureFile, UnixTime};
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};

use crate::asn1::TstInfo;
use crate::{Error, TokenFault};

/// A parsed time-stamp token.
#[derive(Clone, Debug)]
pub struct Token {
    der: Vec<u8>,
    econtent: Vec<u8>,
    signed_data: SignedData,
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
        let file = SignatureFile::parse(bytes).map_err(|e| malformed(e.to_string()))?;
        let encap = &file.signed_data.encap_content_info;
        if encap.econtent_type != ID_CT_TST_INFO {
            return Err(malformed(format!(
                "the token's content type is {}, not id-ct-TSTInfo",
                encap.econtent_type
            )));
        }
        let econtent = file
            .econtent()
            .map_err(|e| malformed(e.to_string()))?
            .ok_or_else(|| malformed("the token has no TSTInfo".into()))?;
        let info = TstInfo::from_der(econtent).map_err(|e| malformed(format!("TSTInfo: {e}")))?;
        // RFC 3161 §2.4.2: the token MUST contain only the TSA's signature.
        if file.signer_infos().len() != 1 {
            return Err(malformed(format!(
                "the token has {} signers; RFC 3161 allows exactly one (the TSA)",
                file.signer_infos().len()
            )));
        }
        let imprint_digest = DigestAlgorithm::from_identifier(&info.message_imprint.hash_algorithm)
            .map_err(|e| malformed(format!("messageImprint: {e}")))?;
        let certs = file.certificates();
        let econtent = econtent.to_vec();
        Ok(Token {
            der: file.der,
            econtent,
            signed_data: file.signed_data,
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
        check_tsa_certificate(&tsa).map_err(fault(TokenFault::NotTsaCertificate))?;

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
            if !r.matches(tsa.parsed(), tsa.der()).unwrap_or(false) {
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
            .map_err(fault(TokenFault::Signature))?;
        if !verified {
            return Err(fault(TokenFault::Signature)(format!(
                "the TSA's signature does not verify with the key of {}",
                tsa.subject()
            )));
        }
        Ok(tsa)
    }
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

/// RFC 3161 §2.3: "The corresponding certificate MUST contain only one
/// instance of the extended key usage field extension ... with KeyPurposeID
/// having value id-kp-timeStamping. This extension MUST be critical."
pub fn check_tsa_certificate(cert: &Cert) -> Result<(), String> {
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
        return Err(format!(
            "{} is not a TSA certificate: it has {} extendedKeyUsage extensions; RFC 3161 requires exactly one, with id-kp-timeStamping",
            cert.subject(),
            ekus.len()
        ));
    };
    if !eku.critical {
        return Err(format!(
            "{}: its extendedKeyUsage is not critical (RFC 3161 §2.3)",
            cert.subject()
        ));
    }
    let purposes = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes())
        .map_err(|e| format!("{}: malformed extendedKeyUsage: {e}", cert.subject()))?;
    if purposes.0 != [ID_KP_TIME_STAMPING] {
        return Err(format!(
            "{}: its extendedKeyUsage must be id-kp-timeStamping only (RFC 3161 §2.3)",
            cert.subject()
        ));
    }
    for ku in exts.iter().filter(|e| e.extn_id == ID_CE_KEY_USAGE) {
        let ku = KeyUsage::from_der(ku.extn_value.as_bytes())
            .map_err(|e| format!("{}: malformed keyUsage: {e}", cert.subject()))?;
        if !ku.digital_signature() && !ku.non_repudiation() {
            return Err(format!(
                "{}: its keyUsage does not allow signatures",
                cert.subject()
            ));
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
