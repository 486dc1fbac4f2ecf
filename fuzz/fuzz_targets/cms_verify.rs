//! CMS/CAdES signatures (DER, BER, PEM): parse and verify against the test
//! PKI, offline, with the sample document as detached content. Whatever the
//! bytes, the verifier must return a report, never panic or hang.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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
    let content = testdata().join("adversarial/content/doc.txt");
    let reports = verifier().verify("fuzz.p7s", data, Some(&content));
    assert!(!reports.is_empty());
});
