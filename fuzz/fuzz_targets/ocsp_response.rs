//! OCSP responses (DER): decode, then read the status of a test certificate
//! as the verifier would (responder authorisation, signature, times).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use hozon_cms::Cert;
use hozon_pki::{OcspResponse, UnixTime};
use libfuzzer_sys::fuzz_target;

fn certs() -> &'static (Cert, Cert) {
    static C: OnceLock<(Cert, Cert)> = OnceLock::new();
    C.get_or_init(|| {
        let pki = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/pki");
        let read = |n: &str| {
            Cert::read_bundle(&std::fs::read(pki.join(n)).expect("cert"))
                .expect("cert")
                .remove(0)
        };
        (read("signer-doctor.crt"), read("signing-ca.crt"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(resp) = OcspResponse::from_der(data, "fuzz.ocsp") else {
        return;
    };
    let (cert, issuer) = certs();
    let _ = (
        resp.is_successful(),
        resp.response_status(),
        resp.produced_at(),
    );
    let _ = (resp.serials(), resp.basic_der(), resp.covers(cert, issuer));
    let _ = resp.delegated_responder(issuer);
    let now = UnixTime::now();
    let _ = resp.status(cert, issuer, now, now);
});
