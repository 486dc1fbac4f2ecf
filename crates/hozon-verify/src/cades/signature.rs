//! One SignerInfo as a [`SignedObject`]: RFC 5652 §5.3 structure, the CAdES
//! signed attributes (EN 319 122-1 §5.2), the message digest and the
//! signature value over the signed attributes.

use std::cell::Cell;

use hozon_cms::algorithm_protection::{CmsAlgorithmProtection, ID_AA_CMS_ALGORITHM_PROTECT};
use hozon_cms::asn1::cms::content_info::CmsVersion;
use hozon_cms::asn1::cms::signed_data::{SignerIdentifier, SignerInfo};
use hozon_cms::asn1::const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER;
use hozon_cms::asn1::der::asn1::{ObjectIdentifier, OctetString};
use hozon_cms::asn1::der::{Decode, Encode};
use hozon_cms::asn1::x509_cert::attr::Attributes;
use hozon_cms::asn1::x509_cert::ext::pkix::SubjectKeyIdentifier;
use hozon_cms::asn1::x509_cert::time::Time;
use hozon_cms::attributes::{all_values, decode_unique};
use hozon_cms::oid::rfc3161::ID_AA_SIGNATURE_TIME_STAMP_TOKEN;
use hozon_cms::oid::rfc5126::ID_AA_ETS_CONTENT_TIMESTAMP;
use hozon_cms::oid::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
    ID_SIGNING_TIME,
};
use hozon_cms::signing_certificate::{SigningCertificate, SigningCertificateV2};
use hozon_cms::{Cert, DigestAlgorithm, KeyCache, SignatureAlgorithm};
use hozon_pki::UnixTime;

use super::CadesFile;
use crate::codes::Code;
use crate::evidence::Evidence;
use crate::findings::Findings;
use crate::format::{
    Algorithms, DataObjects, ExpectedImprint, SignedObject, SignedProperties,
    SigningCertificateRef, TimeStamp, ValidationPool,
};
use crate::report::{CounterSignatureReport, SubIndication as S};
use crate::timestamp::parse_token;
use crate::vocabulary::{SignatureFormat, TimestampKind};
use crate::Verifier;

/// One SignerInfo of a [`CadesFile`].
pub(crate) struct CadesSignature<'f, 'a> {
    pub(super) file: &'f CadesFile<'a>,
    pub(super) si: &'f SignerInfo,
    index: usize,
    /// CAdES once a signing-certificate attribute was read, else CMS.
    format: Cell<SignatureFormat>,
}

/// A problem already recorded in the findings.
struct Reported;

impl<'f, 'a> CadesSignature<'f, 'a> {
    pub(super) fn new(file: &'f CadesFile<'a>, si: &'f SignerInfo, index: usize) -> Self {
        CadesSignature {
            file,
            si,
            index,
            format: Cell::new(SignatureFormat::Cms),
        }
    }

    fn attrs(&self) -> Option<&'f Attributes> {
        self.si.signed_attrs.as_ref()
    }

    /// The signed attribute `oid` decoded as `T` (`None` when absent). A
    /// malformed or duplicated attribute is recorded as a format failure.
    fn signed_attr<T: for<'b> Decode<'b>>(
        &self,
        oid: ObjectIdentifier,
        f: &mut Findings,
    ) -> Result<Option<T>, Reported> {
        decode_unique::<T>(self.attrs(), oid).map_err(|e| {
            f.fail(
                S::FormatFailure,
                Code::SignedAttributeMalformed,
                e.to_string(),
            );
            Reported
        })
    }

    /// RFC 5652 §5.3: the version MUST be 1 with issuerAndSerialNumber and
    /// 3 with subjectKeyIdentifier. It is not covered by the signature, so
    /// a mismatch means the SignerInfo was edited or mis-made.
    fn check_version(&self, f: &mut Findings) {
        let si = self.si;
        let expected = match si.sid {
            SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
            SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
        };
        if si.version != expected {
            f.fail(
                S::FormatFailure,
                Code::StructureInvalid,
                format!(
                    "SignerInfo version {} does not match its signer identifier (RFC 5652 5.3 requires {})",
                    si.version as u8, expected as u8
                ),
            );
        }
    }

    /// The digest and signature algorithms, or `None` (recorded) when one
    /// is unsupported or malformed.
    fn algorithms(&self, f: &mut Findings) -> Option<Algorithms> {
        let si = self.si;
        let digest = match DigestAlgorithm::from_identifier(&si.digest_alg) {
            Ok(d) => d,
            Err(hozon_cms::Error::UnsupportedAlgorithm { oid, .. }) => {
                f.fail(
                    S::CryptoConstraintsFailure,
                    Code::UnsupportedDigestAlgorithm,
                    format!("unsupported digest algorithm {oid}"),
                );
                return None;
            }
            Err(e) => {
                f.fail(
                    S::FormatFailure,
                    Code::AlgorithmIdentifierMalformed,
                    e.to_string(),
                );
                return None;
            }
        };
        let named = match SignatureAlgorithm::from_identifier(&si.signature_algorithm, digest) {
            Ok(a) => a,
            Err(hozon_cms::Error::UnsupportedAlgorithm { oid, .. }) => {
                f.fail(
                    S::CryptoConstraintsFailure,
                    Code::UnsupportedSignatureAlgorithm,
                    format!("unsupported signature algorithm {oid}"),
                );
                return None;
            }
            Err(e) => {
                f.fail(
                    S::FormatFailure,
                    Code::AlgorithmIdentifierMalformed,
                    e.to_string(),
                );
                return None;
            }
        };
        let signature = super::signature_value::algorithm_candidates(digest, named, f);
        Some(Algorithms { digest, signature })
    }

    /// The mandatory content-type (equal to the eContentType) and
    /// message-digest attributes.
    fn check_mandatory_attributes(&self, f: &mut Findings) {
        let econtent_type = self.file.file.signed_data.encap_content_info.econtent_type;
        match self.signed_attr::<ObjectIdentifier>(ID_CONTENT_TYPE, f) {
            Ok(Some(ct)) if ct != econtent_type => f.fail(
                S::FormatFailure,
                Code::ContentTypeMismatch,
                format!("content-type attribute {ct} differs from eContentType {econtent_type}"),
            ),
            Ok(Some(_)) | Err(Reported) => {}
            Ok(None) => missing(f, "content-type"),
        }
        match self.signed_attr::<OctetString>(ID_MESSAGE_DIGEST, f) {
            Ok(Some(_)) | Err(Reported) => {}
            Ok(None) => missing(f, "message-digest"),
        }
    }

    /// The signed message-digest, when present and readable (problems
    /// were recorded by format checking).
    fn message_digest(&self) -> Option<Vec<u8>> {
        decode_unique::<OctetString>(self.attrs(), ID_MESSAGE_DIGEST)
            .ok()
            .flatten()
            .map(|md| md.as_bytes().to_vec())
    }

    /// Without signed attributes the signature covers the content: verify
    /// it over the content's digest.
    fn verify_over_content(
        &self,
        cert: &Cert,
        alg: SignatureAlgorithm,
        keys: &KeyCache,
        f: &mut Findings,
    ) -> Option<SignatureAlgorithm> {
        let Some(d) = alg.digest() else {
            f.fail(
                S::FormatFailure,
                Code::SignatureFormUnsupported,
                "an Ed25519 signature without signed attributes is not supported",
            );
            return None;
        };
        let hash = match self.file.digests.borrow_mut().get(d) {
            Ok(h) => h,
            Err(e) => {
                f.fail(S::SignedDataNotFound, Code::SignedDataNotFound, e.message());
                return None;
            }
        };
        let verified = keys
            .get(cert)
            .and_then(|k| k.verify_digest(alg, &hash, self.si.signature.as_bytes()));
        match verified {
            Ok(true) => Some(alg),
            Ok(false) => {
                f.fail(
                    S::SigCryptoFailure,
                    Code::SignatureValueInvalid,
                    "the signature value does not verify over the content (altered content or signature)",
                );
                None
            }
            Err(why) => {
                f.fail(
                    S::SigCryptoFailure,
                    Code::SignatureValueInvalid,
                    why.to_string(),
                );
                None
            }
        }
    }

    /// The tokens of the attribute `oid` (signed or unsigned) as stamps of
    /// `kind`, labelled `name` (numbered when there are several).
    fn stamps_in(
        &self,
        attrs: Option<&Attributes>,
        oid: ObjectIdentifier,
        kind: TimestampKind,
        name: &str,
    ) -> Vec<TimeStamp> {
        let ders: Vec<Vec<u8>> = all_values(attrs, oid)
            .map(|v| v.to_der().unwrap_or_default())
            .collect();
        let count = ders.len();
        ders.into_iter()
            .enumerate()
            .map(|(i, der)| {
                let label = if count > 1 {
                    format!("{name} {}", i + 1)
                } else {
                    name.to_owned()
                };
                let token = match kind {
                    // A content time stamp must be a bare token.
                    TimestampKind::Content => hozon_tsp::Token::parse(&der, &label),
                    _ => parse_token(&der, &label),
                };
                TimeStamp {
                    kind,
                    label,
                    attribute: None,
                    der,
                    token,
                    coverage: 0,
                    handle: i,
                }
            })
            .collect()
    }
}

/// Records that a mandatory signed attribute is missing.
fn missing(f: &mut Findings, name: &str) {
    f.fail(
        S::FormatFailure,
        Code::SignedAttributeMissing,
        format!("the {name} signed attribute is missing"),
    );
}

impl SignedObject for CadesSignature<'_, '_> {
    fn index(&self) -> usize {
        self.index
    }

    fn format(&self) -> SignatureFormat {
        self.format.get()
    }

    fn check_format(&self, f: &mut Findings) -> Option<Algorithms> {
        self.check_version(f);
        let algorithms = self.algorithms(f)?;
        if self.attrs().is_some() {
            self.check_mandatory_attributes(f);
        }
        Some(algorithms)
    }

    fn signed_properties(&self, f: &mut Findings) -> SignedProperties {
        let mut properties = SignedProperties::default();
        if self.attrs().is_some() {
            match self.signed_attr::<Time>(ID_SIGNING_TIME, f) {
                Ok(Some(t)) => properties.claimed_signing_time = Some(UnixTime::from_x509(&t)),
                Ok(None) => f.warn(
                    Code::SigningTimeMissing,
                    "no signing-time attribute (CAdES B-B requires one)",
                ),
                Err(Reported) => {}
            }
            if let Ok(Some(sc)) =
                self.signed_attr::<SigningCertificateV2>(ID_AA_SIGNING_CERTIFICATE_V_2, f)
            {
                match sc.signer_reference() {
                    Ok(Some(reference)) => {
                        properties
                            .signing_certificate_refs
                            .push(SigningCertificateRef {
                                property: "signing-certificate-v2".to_owned(),
                                reference,
                            })
                    }
                    Ok(None) => {}
                    Err(e) => f.fail(
                        S::FormatFailure,
                        Code::SigningCertificateReferenceInvalid,
                        format!("signing-certificate-v2: {e}"),
                    ),
                }
            }
            if let Ok(Some(sc)) =
                self.signed_attr::<SigningCertificate>(ID_AA_SIGNING_CERTIFICATE, f)
            {
                if let Some(reference) = sc.signer_reference() {
                    properties
                        .signing_certificate_refs
                        .push(SigningCertificateRef {
                            property: "signing-certificate".to_owned(),
                            reference,
                        });
                }
            }
            if let Ok(Some(p)) =
                self.signed_attr::<CmsAlgorithmProtection>(ID_AA_CMS_ALGORITHM_PROTECT, f)
            {
                super::signature_value::check_algorithm_protection(&p, self.si, f);
            }
        } else {
            f.warn(
                Code::NoSignedAttributes,
                "the SignerInfo has no signed attributes: a plain PKCS#7/CMS signature, not CAdES",
            );
        }
        if !properties.signing_certificate_refs.is_empty() {
            self.format.set(SignatureFormat::Cades);
        }
        super::unsigned::note_unvalidated(self.si, f);
        properties
    }

    fn identifies(&self, cert: &Cert) -> bool {
        identifies(&self.si.sid, cert)
    }

    fn describe_signer(&self) -> String {
        describe_sid(&self.si.sid)
    }

    fn check_data_objects(&self, algorithms: &Algorithms, f: &mut Findings) -> DataObjects {
        if self.attrs().is_none() {
            return DataObjects::CoveredBySignatureValue;
        }
        // Without a readable message-digest: already a format failure.
        let Some(expected) = self.message_digest() else {
            return DataObjects::Failed;
        };
        let digest = algorithms.digest;
        match self.file.digests.borrow_mut().get(digest) {
            Ok(actual) if actual == expected => DataObjects::Intact,
            Ok(_) => {
                f.fail(
                    S::HashFailure,
                    Code::MessageDigestMismatch,
                    format!("the content's {digest} digest differs from the signed message-digest: the content was altered"),
                );
                DataObjects::Failed
            }
            Err(e) => {
                f.fail(S::SignedDataNotFound, Code::SignedDataNotFound, e.message());
                DataObjects::Failed
            }
        }
    }

    fn verify_signature_value(
        &self,
        cert: &Cert,
        algorithms: &Algorithms,
        keys: &KeyCache,
        f: &mut Findings,
    ) -> Option<SignatureAlgorithm> {
        match self.attrs() {
            None => self.verify_over_content(cert, algorithms.signature[0], keys, f),
            Some(attrs) => super::signature_value::verify_signed_attrs(
                keys,
                cert,
                &algorithms.signature,
                attrs,
                self.si.signature.as_bytes(),
                f,
            ),
        }
    }

    fn time_stamps(&self, f: &mut Findings) -> Vec<TimeStamp> {
        let mut stamps = self.archive_stamps(f);
        stamps.extend(self.stamps_in(
            self.attrs(),
            ID_AA_ETS_CONTENT_TIMESTAMP,
            TimestampKind::Content,
            "content time stamp",
        ));
        stamps.extend(self.stamps_in(
            self.si.unsigned_attrs.as_ref(),
            ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
            TimestampKind::Signature,
            "signature time stamp",
        ));
        stamps
    }

    fn expected_imprint(&self, stamp: &TimeStamp, f: &mut Findings) -> Option<ExpectedImprint> {
        match stamp.kind {
            TimestampKind::Signature => Some(ExpectedImprint::Bytes(
                self.si.signature.as_bytes().to_vec(),
            )),
            TimestampKind::Content => {
                let alg = stamp.token.as_ref().ok()?.imprint().0;
                match self.file.digests.borrow_mut().get(alg) {
                    Ok(d) => Some(ExpectedImprint::ContentDigest(alg, d)),
                    Err(e) => {
                        f.fail(
                            S::SignedDataNotFound,
                            Code::SignedDataNotFound,
                            format!("{}: {}", stamp.label, e.message()),
                        );
                        None
                    }
                }
            }
            TimestampKind::Archive => self.archive_imprint(stamp, f),
            TimestampKind::Document => None,
        }
    }

    fn check_validation_data_references(&self, used: &Evidence, f: &mut Findings) {
        match self.file.es_xl.get(self.index) {
            Some(Err(e)) => {
                crate::findings::unreadable(f, "ES-XL validation data", e);
            }
            Some(Ok(xl)) => super::es_xl::check_references(xl, &self.file.available, used, f),
            None => {}
        }
    }

    fn counter_signatures(
        &self,
        verifier: &Verifier,
        pool: ValidationPool<'_>,
    ) -> Vec<CounterSignatureReport> {
        verifier.counter_signatures(self.si, pool, 0)
    }
}

/// Whether `cert` is the one `sid` names (RFC 5652 §5.3).
pub(crate) fn identifies(sid: &SignerIdentifier, c: &Cert) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            let tbs = &c.parsed().tbs_certificate;
            tbs.serial_number == is.serial_number
                && hozon_cms::names::names_match(&tbs.issuer, &is.issuer)
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => c
            .parsed()
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .filter(|e| e.extn_id == ID_CE_SUBJECT_KEY_IDENTIFIER)
            .any(|e| {
                SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).is_ok_and(|k| k == *ski)
            }),
    }
}

/// The certificate among `certs` that `sid` names.
pub(crate) fn find_signer(sid: &SignerIdentifier, certs: &[Cert]) -> Option<Cert> {
    certs.iter().find(|c| identifies(sid, c)).cloned()
}

fn describe_sid(sid: &SignerIdentifier) -> String {
    let hex = |b: &[u8]| -> String { b.iter().map(|b| format!("{b:02X}")).collect() };
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            format!(
                "issuer {}, serial {}",
                is.issuer,
                hex(is.serial_number.as_bytes())
            )
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            format!("subject key identifier {}", hex(ski.0.as_bytes()))
        }
    }
}
