//! The engine's building blocks driven through a toy format adapter (no
//! CMS at all): each negative case asserts the exact sub-indication and
//! code.

use std::path::PathBuf;
use std::sync::Arc;

use hozon_cms::signing_certificate::CertReference;
use hozon_cms::{Cert, DigestAlgorithm, KeyCache, SignatureAlgorithm};
use hozon_pki::{ChainValidator, Crl, CrlSet, RevocationPolicy, TrustAnchors, UnixTime};

use crate::codes::Code;
use crate::evidence::Evidence;
use crate::findings::Findings;
use crate::format::*;
use crate::report::{Indication, Severity, SignatureReport, SubIndication};
use crate::{AlgorithmPolicy, Verifier, VerifierConfig};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/pki")
        .join(name)
}

fn cert(name: &str) -> Cert {
    let pem = std::fs::read(pki(name)).expect("test certificate");
    Cert::read_bundle(&pem).expect("PEM").remove(0)
}

fn verifier() -> Verifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_file(&pki("root-ca.crt")).expect("anchor");
    let mut crls = CrlSet::new();
    for crl in Crl::read_file(&pki("crls.pem")).expect("CRLs") {
        crls.add(Arc::new(crl));
    }
    let now = UnixTime::now();
    let chains = ChainValidator::new(anchors, crls, RevocationPolicy::BestEffort, now);
    Verifier::new(
        chains,
        VerifierConfig {
            validation_time: now,
            algorithms: AlgorithmPolicy::default(),
            accept_expired_tsa: false,
            extra_certs: cert_bundle("chain.pem"),
        },
    )
}

fn cert_bundle(name: &str) -> Vec<Cert> {
    Cert::read_bundle(&std::fs::read(pki(name)).expect("bundle")).expect("PEM")
}

/// A format whose every answer the test chooses.
struct Toy {
    signer: Cert,
    identifies: bool,
    algorithms: Option<Algorithms>,
    properties: SignedProperties,
    data: DataObjects,
    value_ok: bool,
    stamps: Vec<TimeStamp>,
}

impl Toy {
    /// A signature the engine can fault only for what a test changes.
    fn new() -> Toy {
        let signer = cert("signer-doctor.crt");
        let reference = CertReference {
            digest: DigestAlgorithm::Sha256,
            cert_hash: signer.sha256().to_vec(),
            issuer_serial: None,
            v2: true,
        };
        Toy {
            identifies: true,
            algorithms: Some(Algorithms {
                digest: DigestAlgorithm::Sha256,
                signature: vec![SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256)],
            }),
            properties: SignedProperties {
                claimed_signing_time: None,
                signing_certificate_refs: vec![SigningCertificateRef {
                    property: "signing-certificate-v2".into(),
                    reference,
                }],
            },
            data: DataObjects::Intact,
            value_ok: true,
            stamps: Vec::new(),
            signer,
        }
    }
}

impl SignedObject for Toy {
    fn index(&self) -> usize {
        0
    }
    fn format(&self) -> SignatureFormat {
        SignatureFormat::Xades
    }
    fn check_format(&self, f: &mut Findings) -> Option<Algorithms> {
        if self.algorithms.is_none() {
            f.fail(
                SubIndication::CryptoConstraintsFailure,
                Code::UnsupportedDigestAlgorithm,
                "unsupported digest algorithm",
            );
        }
        self.algorithms.clone()
    }
    fn signed_properties(&self, _f: &mut Findings) -> SignedProperties {
        self.properties.clone()
    }
    fn identifies(&self, cert: &Cert) -> bool {
        self.identifies && *cert == self.signer
    }
    fn describe_signer(&self) -> String {
        "the toy's signer".into()
    }
    fn check_data_objects(&self, _: &Algorithms, f: &mut Findings) -> DataObjects {
        if self.data == DataObjects::Failed {
            f.fail(
                SubIndication::HashFailure,
                Code::MessageDigestMismatch,
                "altered",
            );
        }
        self.data
    }
    fn verify_signature_value(
        &self,
        _cert: &Cert,
        algorithms: &Algorithms,
        _keys: &KeyCache,
        f: &mut Findings,
    ) -> Option<SignatureAlgorithm> {
        if self.value_ok {
            return Some(algorithms.signature[0]);
        }
        f.fail(
            SubIndication::SigCryptoFailure,
            Code::SignatureValueInvalid,
            "does not verify",
        );
        None
    }
    fn time_stamps(&self, _f: &mut Findings) -> Vec<TimeStamp> {
        self.stamps.clone()
    }
    fn expected_imprint(&self, _: &TimeStamp, _: &mut Findings) -> Option<ExpectedImprint> {
        Some(ExpectedImprint::Bytes(b"signature value".to_vec()))
    }
}

struct ToyFile {
    signature: Toy,
}

impl SignatureContainer for ToyFile {
    fn label(&self) -> &str {
        "toy.xml"
    }
    fn content_name(&self) -> Option<String> {
        None
    }
    fn findings(&self) -> Findings {
        Findings::default()
    }
    fn validation_data(&self) -> EmbeddedValidationData {
        EmbeddedValidationData {
            certs: vec![self.signature.signer.clone()],
            ..EmbeddedValidationData::default()
        }
    }
    fn signatures(&self) -> Vec<Box<dyn SignedObject + '_>> {
        vec![Box::new(ToyRef(&self.signature))]
    }
}

/// Lets the container hand out its toy by reference.
struct ToyRef<'a>(&'a Toy);

impl SignedObject for ToyRef<'_> {
    fn index(&self) -> usize {
        self.0.index()
    }
    fn format(&self) -> SignatureFormat {
        self.0.format()
    }
    fn check_format(&self, f: &mut Findings) -> Option<Algorithms> {
        self.0.check_format(f)
    }
    fn signed_properties(&self, f: &mut Findings) -> SignedProperties {
        self.0.signed_properties(f)
    }
    fn identifies(&self, cert: &Cert) -> bool {
        self.0.identifies(cert)
    }
    fn describe_signer(&self) -> String {
        self.0.describe_signer()
    }
    fn check_data_objects(&self, a: &Algorithms, f: &mut Findings) -> DataObjects {
        self.0.check_data_objects(a, f)
    }
    fn verify_signature_value(
        &self,
        cert: &Cert,
        a: &Algorithms,
        keys: &KeyCache,
        f: &mut Findings,
    ) -> Option<SignatureAlgorithm> {
        self.0.verify_signature_value(cert, a, keys, f)
    }
    fn time_stamps(&self, f: &mut Findings) -> Vec<TimeStamp> {
        self.0.time_stamps(f)
    }
    fn expected_imprint(&self, s: &TimeStamp, f: &mut Findings) -> Option<ExpectedImprint> {
        self.0.expected_imprint(s, f)
    }
}

fn run(toy: Toy, poe: Option<UnixTime>) -> SignatureReport {
    let mut evidence = Evidence::default();
    let mut reports = verifier().verify_container(&ToyFile { signature: toy }, poe, &mut evidence);
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

fn has(report: &SignatureReport, severity: Severity, code: Code) -> bool {
    report
        .findings
        .iter()
        .any(|f| f.severity == severity && f.code == code)
}

#[track_caller]
fn assert_verdict(report: &SignatureReport, sub: SubIndication, code: Code) {
    assert_eq!(report.sub_indication, Some(sub), "{:#?}", report.findings);
    assert_eq!(report.indication, sub.indication());
    assert!(has(report, Severity::Error, code), "{:#?}", report.findings);
}

#[test]
fn format_checking_stops_at_an_unsupported_algorithm() {
    let mut toy = Toy::new();
    toy.algorithms = None;
    let r = run(toy, None);
    assert_verdict(
        &r,
        SubIndication::CryptoConstraintsFailure,
        Code::UnsupportedDigestAlgorithm,
    );
    assert!(r.signer.is_none(), "no later building block ran");
}

#[test]
fn a_signer_the_signature_does_not_name_is_not_found() {
    let mut toy = Toy::new();
    toy.identifies = false;
    let r = run(toy, None);
    assert_verdict(
        &r,
        SubIndication::NoSigningCertificateFound,
        Code::SigningCertificateNotFound,
    );
    assert!(r.errors[0].contains("the toy's signer"), "{:?}", r.errors);
}

#[test]
fn a_signature_without_signing_certificate_reference_is_not_bound() {
    let mut toy = Toy::new();
    toy.properties.signing_certificate_refs.clear();
    let r = run(toy, None);
    assert_verdict(
        &r,
        SubIndication::NoSigningCertificateFound,
        Code::SigningCertificateNotBound,
    );
}

#[test]
fn a_reference_to_another_certificate_is_a_digest_mismatch() {
    let mut toy = Toy::new();
    let other = cert("signer-ec.crt");
    toy.properties.signing_certificate_refs[0]
        .reference
        .cert_hash = other.sha256().to_vec();
    let r = run(toy, None);
    assert_verdict(
        &r,
        SubIndication::NoSigningCertificateFound,
        Code::SigningCertificateDigestMismatch,
    );
    assert!(r.errors[0].contains("certificate substitution"));
}

#[test]
fn altered_data_objects_are_a_hash_failure() {
    let mut toy = Toy::new();
    toy.data = DataObjects::Failed;
    let r = run(toy, None);
    assert_verdict(&r, SubIndication::HashFailure, Code::MessageDigestMismatch);
    assert_eq!(r.indication, Indication::TotalFailed);
}

#[test]
fn a_signature_value_that_does_not_verify_is_sig_crypto_failure() {
    let mut toy = Toy::new();
    toy.value_ok = false;
    let r = run(toy, None);
    assert_verdict(
        &r,
        SubIndication::SigCryptoFailure,
        Code::SignatureValueInvalid,
    );
}

#[test]
fn content_covered_by_the_value_fails_with_it() {
    let mut toy = Toy::new();
    toy.data = DataObjects::CoveredBySignatureValue;
    toy.value_ok = false;
    let r = run(toy, None);
    assert_verdict(
        &r,
        SubIndication::SigCryptoFailure,
        Code::SignatureValueInvalid,
    );
}

#[test]
fn claimed_signing_times_in_the_future_and_outside_validity_are_warnings() {
    let mut toy = Toy::new();
    let (_, not_after) = toy.signer.validity_unix();
    let after_expiry = UnixTime(i64::try_from(not_after).expect("time") + 86_400);
    toy.properties.claimed_signing_time = Some(after_expiry);
    let r = run(toy, None);
    assert!(
        has(&r, Severity::Warning, Code::SigningTimeOutsideValidity),
        "{:#?}",
        r.findings
    );
    assert!(
        has(&r, Severity::Warning, Code::SigningTimeInFuture),
        "{:#?}",
        r.findings
    );
    assert!(!has(&r, Severity::Error, Code::SigningTimeOutsideValidity));
}

#[test]
fn a_claimed_signing_time_after_an_external_proof_of_existence_is_impossible() {
    let mut toy = Toy::new();
    let now = UnixTime::now();
    toy.properties.claimed_signing_time = Some(UnixTime(now.0 - 60));
    let r = run(toy, Some(UnixTime(now.0 - 86_400)));
    assert!(
        has(&r, Severity::Error, Code::TimestampOrder),
        "{:#?}",
        r.findings
    );
    assert!(has(&r, Severity::Warning, Code::ExternalProofOfExistence));
    assert_eq!(r.sub_indication, Some(SubIndication::TimestampOrderFailure));
}

fn unreadable_stamp(kind: TimestampKind) -> TimeStamp {
    TimeStamp {
        kind,
        label: format!("{kind} time stamp"),
        attribute: None,
        der: vec![0x30, 0x00],
        token: Err(hozon_tsp::Error::Malformed {
            origin: "test".into(),
            reason: "not a token".into(),
        }),
        coverage: 0,
        handle: 0,
    }
}

#[test]
fn an_unreadable_signature_time_stamp_is_ignored_with_a_warning() {
    let mut toy = Toy::new();
    toy.stamps = vec![unreadable_stamp(TimestampKind::Signature)];
    let r = run(toy, None);
    assert!(
        has(&r, Severity::Warning, Code::UnsignedAttributeUnreadable),
        "{:#?}",
        r.findings
    );
    assert!(r.timestamps.is_empty());
    assert_eq!(r.level, Some(crate::Level::BB), "no B-T without a stamp");
}

#[test]
fn an_unreadable_content_time_stamp_is_a_format_failure() {
    let mut toy = Toy::new();
    toy.stamps = vec![unreadable_stamp(TimestampKind::Content)];
    let r = run(toy, None);
    assert_verdict(&r, SubIndication::FormatFailure, Code::TimestampUnreadable);
}

#[test]
fn findings_mirror_errors_and_warnings() {
    let mut toy = Toy::new();
    toy.data = DataObjects::Failed;
    toy.stamps = vec![unreadable_stamp(TimestampKind::Signature)];
    let r = run(toy, None);
    let errors: Vec<&String> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| &f.message)
        .collect();
    let warnings: Vec<&String> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| &f.message)
        .collect();
    assert_eq!(errors, r.errors.iter().collect::<Vec<_>>());
    assert_eq!(warnings, r.warnings.iter().collect::<Vec<_>>());
    let json = serde_json::to_value(&r).expect("JSON");
    assert_eq!(json["findings"][0]["severity"], "error");
    assert_eq!(json["findings"][0]["code"], "MESSAGE_DIGEST_MISMATCH");
}
