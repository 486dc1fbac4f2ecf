//! XML signatures (XAdES / XML-DSig): parsing with DTDs and entities
//! refused, the ds:Signature structure, the qualifying properties, reference
//! processing and canonicalisation, through the validation engine against
//! the test PKI, offline. Whatever the bytes, verification must return a
//! report, never panic or hang, and never touch the file system or the
//! network (no base directory: detached references are refused).
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
    let input = hozon_xades::XmlInput {
        label: "fuzz.xml",
        bytes: data,
        base_dir: None,
    };
    let reports = hozon_xades::verify(verifier(), input);
    assert!(!reports.is_empty());
});
