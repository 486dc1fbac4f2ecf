//! CRLs (DER): decode, then ask for a status as the verifier would, which
//! checks the signature against the test signing CA and reads the entries.
#![no_main]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use hozon_cms::Cert;
use hozon_pki::{Crl, CrlSet, UnixTime};
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
        (read("signer-revoked.crt"), read("signing-ca.crt"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(crl) = Crl::from_der(data, "fuzz.crl") else {
        return;
    };
    let _ = (crl.this_update(), crl.next_update(), crl.issuer());
    let mut set = CrlSet::new();
    set.add(Arc::new(crl));
    let (cert, issuer) = certs();
    let now = UnixTime::now();
    let _ = set.status(cert, issuer, now, now);
});
