//! RFC 4998 evidence records: decode, check the structure against a data
//! object, and validate every archive time stamp, as `hozon verify X.ers`
//! does. Whatever the bytes, the verifier must return a report, never panic,
//! hang or allocate from a length field.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use hozon_ers::{check_structure, DataObject, DigestAlgorithm, EvidenceRecord};
use hozon_pki::{ChainValidator, Crl, CrlSet, RevocationPolicy, TrustAnchors, UnixTime};
use hozon_verify::{AlgorithmPolicy, Verifier, VerifierConfig};
use libfuzzer_sys::fuzz_target;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let pki = testdata().join("pki");
        let mut anchors = TrustAnchors::new();
        anchors.add_file(&pki.join("trust.pem")).expect("trust.pem");
        let mut crls = CrlSet::new();
        for crl in Crl::read_file(&pki.join("crls.pem")).expect("crls.pem") {
            crls.add(Arc::new(crl));
        }
        let now = UnixTime::now();
        Verifier::new(
            ChainValidator::new(anchors, crls, RevocationPolicy::Require, now),
            VerifierConfig {
                validation_time: now,
                algorithms: AlgorithmPolicy::default(),
                accept_expired_tsa: false,
                extra_certs: Vec::new(),
            },
        )
    })
}

fuzz_target!(|data: &[u8]| {
    // The library's structural check on its own (every algorithm a record
    // may name), then the whole validation through the verifier.
    if let Ok(record) = EvidenceRecord::parse(data) {
        let algs = [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ];
        if let Ok(object) = DataObject::from_bytes(b"fuzz", &algs) {
            let _ = check_structure(&record, &[object]);
        }
    }
    let content = testdata().join("adversarial/content/doc.txt");
    let report = verifier().verify_evidence_record("fuzz.ers", data, &[content.as_path()]);
    std::hint::black_box(report);
});
