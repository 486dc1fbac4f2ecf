//! Fetching revocation data from the loopback CRL and OCSP servers on the
//! ports the test certificates name (18080, 18081).

use std::path::PathBuf;
use std::sync::Arc;

use hozon_cms::Cert;
use hozon_pki::{
    ChainValidator, CrlSet, FetchConfig, Fetcher, RevocationEvidence, RevocationPolicy,
    RevocationStatus, TrustAnchors, UnixTime,
};
use hozon_testkit::{fixed_ports, CrlServer, OcspServer, Pki, CRL_PORT, OCSP_PORT};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/pki")).join(name)
}

fn cert(name: &str) -> Cert {
    Cert::read_bundle(&std::fs::read(pki(name)).unwrap())
        .unwrap()
        .remove(0)
}

fn validator(fetch: bool) -> ChainValidator {
    let mut a = TrustAnchors::new();
    a.add_file(&pki("root-ca.crt")).unwrap();
    let v = ChainValidator::new(a, CrlSet::new(), RevocationPolicy::Require, UnixTime::now());
    if fetch {
        v.with_fetcher(Arc::new(Fetcher::new(FetchConfig::default()).unwrap()))
    } else {
        v
    }
}

/// The servers, and the directory of their PKI copy (kept while they run).
fn servers() -> (CrlServer, OcspServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::copy_to(dir.path()).unwrap();
    (
        CrlServer::start_on(&pki, CRL_PORT).unwrap(),
        OcspServer::start_on(&pki, OCSP_PORT).unwrap(),
        dir,
    )
}

#[test]
fn fetches_ocsp_for_the_signer_and_the_crl_for_its_ca_once() {
    let _ports = fixed_ports();
    let (crl, ocsp, _dir) = servers();
    let v = Arc::new(validator(true));
    let signers = ["signer-doctor.crt", "signer-ec.crt", "signer-ec384.crt"];
    std::thread::scope(|s| {
        for i in 0..12 {
            let v = v.clone();
            s.spawn(move || {
                let r = v.validate(
                    &cert(signers[i % signers.len()]),
                    &[cert("signing-ca.crt")],
                    &CrlSet::new(),
                    UnixTime::now(),
                );
                assert!(r.path.is_ok(), "{:?}", r.path);
                assert_eq!(r.revocation.len(), 2);
                let leaf = &r.revocation[0];
                assert!(
                    matches!(leaf.status, RevocationStatus::Good { .. }),
                    "{:?}",
                    leaf.status
                );
                assert!(matches!(leaf.evidence, Some(RevocationEvidence::Ocsp(_))));
                let ca = &r.revocation[1];
                assert!(
                    matches!(ca.status, RevocationStatus::Good { .. }),
                    "{:?}",
                    ca.status
                );
                assert!(matches!(ca.evidence, Some(RevocationEvidence::Crl(_))));
            });
        }
    });
    assert_eq!(
        ocsp.requests(),
        signers.len(),
        "one OCSP request per certificate"
    );
    assert_eq!(crl.requests(), 1, "one request for root-ca.crl");
}

#[test]
fn a_signer_revoked_is_found_through_ocsp_alone() {
    let _ports = fixed_ports();
    let (_crl, ocsp, _dir) = servers();
    let v = validator(true);
    let r = v.validate(
        &cert("signer-revoked.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        UnixTime::now(),
    );
    match &r.revocation[0].status {
        RevocationStatus::Revoked { reason, source, .. } => {
            assert_eq!(reason.as_deref(), Some("keyCompromise"));
            assert!(source.contains("OCSP"), "{source}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ocsp.requests(), 1);
}

#[test]
fn servers_down_give_unknown_naming_the_urls() {
    let _ports = fixed_ports();
    let v = validator(true);
    let r = v.validate(
        &cert("signer-doctor.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        UnixTime::now(),
    );
    match &r.revocation[0].status {
        RevocationStatus::Unknown { reason } => {
            assert!(reason.contains("http://127.0.0.1:18081/"), "{reason}");
            assert!(
                reason.contains("http://127.0.0.1:18080/crl/signing-ca.crl"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_a_fetcher_nothing_is_fetched() {
    let _ports = fixed_ports();
    let (crl, ocsp, _dir) = servers();
    let v = validator(false);
    let r = v.validate(
        &cert("signer-doctor.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        UnixTime::now(),
    );
    assert!(matches!(
        r.revocation[0].status,
        RevocationStatus::Unknown { .. }
    ));
    assert_eq!(crl.requests() + ocsp.requests(), 0);
}

#[test]
fn one_request_per_url_even_when_it_fails_and_callers_race() {
    let _ports = fixed_ports();
    let (crl, _ocsp, _dir) = servers();
    let f = Fetcher::new(FetchConfig::default()).unwrap();
    let good = format!("{}/crl/signing-ca.crl", crl.url());
    let missing = format!("{}/crl/nothing.crl", crl.url());
    std::thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| {
                assert!(f.crl(&good).is_ok());
                let err = f.crl(&missing).unwrap_err().to_string();
                assert!(err.contains(&missing) && err.contains("404"), "{err}");
            });
        }
    });
    assert_eq!(crl.requests(), 2);
}

#[test]
fn oversized_answers_and_other_schemes_are_refused() {
    let _ports = fixed_ports();
    let (crl, _ocsp, _dir) = servers();
    let f = Fetcher::new(FetchConfig {
        max_crl_size: 100,
        ..FetchConfig::default()
    })
    .unwrap();
    let err = f
        .crl(&format!("{}/crl/signing-ca.crl", crl.url()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("100-byte limit"), "{err}");
    let err = f.crl("file:///etc/passwd").unwrap_err().to_string();
    assert!(err.contains("only http and https"), "{err}");
    let err = f.crl("ldap://127.0.0.1/x").unwrap_err().to_string();
    assert!(err.contains("only http and https"), "{err}");
}
