//! Path validation and revocation at given times, on the committed test PKI.

use std::path::PathBuf;
use std::sync::Arc;

use hozon_cms::Cert;
use hozon_pki::{
    ChainValidator, Crl, CrlSet, PathError, RevocationPolicy, RevocationStatus, TrustAnchors,
    UnixTime,
};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/pki")).join(name)
}

fn cert(name: &str) -> Cert {
    Cert::read_bundle(&std::fs::read(pki(name)).unwrap())
        .unwrap()
        .remove(0)
}

fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).unwrap()
}

fn anchors() -> TrustAnchors {
    let mut a = TrustAnchors::new();
    a.add_file(&pki("root-ca.crt")).unwrap();
    a
}

fn crls() -> CrlSet {
    let mut set = CrlSet::new();
    for crl in Crl::read_file(&pki("crls.pem")).unwrap() {
        set.add(Arc::new(crl));
    }
    set
}

fn validator(crls: CrlSet) -> ChainValidator {
    ChainValidator::new(anchors(), crls, RevocationPolicy::Require, UnixTime::now())
}

/// A time after the test PKI was generated (its CRLs are dated then).
fn later() -> UnixTime {
    UnixTime::now()
}

#[test]
fn doctor_chain_is_valid_and_not_revoked() {
    let v = validator(crls());
    let r = v.validate(
        &cert("signer-doctor.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        later(),
    );
    let path = r.path.as_ref().unwrap();
    assert_eq!(path.len(), 3);
    assert_eq!(path[2], cert("root-ca.crt"));
    assert_eq!(
        r.revocation.len(),
        2,
        "end entity and intermediate are checked, the anchor is not"
    );
    for s in &r.revocation {
        assert!(
            matches!(
                s.status,
                RevocationStatus::Good {
                    revoked_later: None,
                    ..
                }
            ),
            "{s:?}"
        );
    }
}

#[test]
fn results_are_cached() {
    let v = validator(crls());
    let a = v.validate(
        &cert("signer-doctor.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        later(),
    );
    let b = v.validate(
        &cert("signer-doctor.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        later(),
    );
    assert!(Arc::ptr_eq(&a, &b));
}

#[test]
fn revoked_signer_is_revoked_after_its_revocation_date_only() {
    let v = validator(crls());
    let r = v.validate(
        &cert("signer-revoked.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        later(),
    );
    match &r.revocation[0].status {
        RevocationStatus::Revoked { reason, .. } => {
            assert_eq!(reason.as_deref(), Some("keyCompromise"))
        }
        other => panic!("{other:?}"),
    }
    // Before the revocation date the same CRL proves it was still good.
    let r = v.validate(
        &cert("signer-revoked.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        at("2025-06-01T00:00:00Z"),
    );
    assert!(
        matches!(
            r.revocation[0].status,
            RevocationStatus::Good {
                revoked_later: Some(_),
                ..
            }
        ),
        "{:?}",
        r.revocation[0]
    );
}

#[test]
fn expired_signer_fails_now_and_passes_while_valid() {
    let v = ChainValidator::new(
        anchors(),
        crls(),
        RevocationPolicy::Require,
        UnixTime::now(),
    );
    let r = v.validate(
        &cert("signer-expired.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        later(),
    );
    assert!(
        matches!(r.path, Err(PathError::Expired { depth: 0, .. })),
        "{:?}",
        r.path
    );
    let r = v.validate(
        &cert("signer-expired.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        at("2024-12-01T00:00:00Z"),
    );
    assert!(r.path.is_ok(), "{:?}", r.path);
}

/// A path found valid at one time is reused at other times only inside
/// its certificates' validity periods: valid first, then the same leaf at
/// times after its notAfter and before its notBefore must still fail.
#[test]
fn a_remembered_path_is_not_reused_outside_its_validity() {
    let v = validator(crls());
    let leaf = cert("signer-expired.crt");
    let chain = [cert("signing-ca.crt")];
    for (time, valid) in [
        ("2024-12-01T00:00:00Z", true),
        ("2024-12-02T00:00:00Z", true),
        ("2025-01-01T00:00:01Z", false),
        ("2024-06-30T23:59:59Z", false),
        ("2024-07-01T00:00:00Z", true),
        // OpenSSL's boundaries: notBefore is valid, notAfter is expired.
        ("2024-12-31T23:59:59Z", true),
        ("2025-01-01T00:00:00Z", false),
    ] {
        let r = v.validate(&leaf, &chain, &CrlSet::new(), at(time));
        assert_eq!(r.path.is_ok(), valid, "{time}: {:?}", r.path);
        let fresh = validator(crls()).validate(&leaf, &chain, &CrlSet::new(), at(time));
        assert_eq!(
            fresh.path.is_ok(),
            valid,
            "{time} (not remembered): {:?}",
            fresh.path
        );
        if !valid {
            assert!(
                matches!(
                    r.path,
                    Err(PathError::Expired { depth: 0, .. }
                        | PathError::NotYetValid { depth: 0, .. })
                ),
                "{time}: {:?}",
                r.path
            );
        }
    }
}

#[test]
fn not_yet_valid_signer() {
    let v = validator(crls());
    let r = v.validate(
        &cert("signer-notyet.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        later(),
    );
    assert!(
        matches!(r.path, Err(PathError::NotYetValid { depth: 0, .. })),
        "{:?}",
        r.path
    );
}

#[test]
fn untrusted_root_has_no_path() {
    let v = validator(crls());
    let r = v.validate(
        &cert("signer-untrusted.crt"),
        &[cert("untrusted-root.crt")],
        &CrlSet::new(),
        later(),
    );
    assert!(
        matches!(r.path, Err(PathError::NoPath { .. })),
        "{:?}",
        r.path
    );
    // Without the intermediate there is no path either.
    let r = v.validate(&cert("signer-doctor.crt"), &[], &CrlSet::new(), later());
    assert!(
        matches!(r.path, Err(PathError::NoPath { .. })),
        "{:?}",
        r.path
    );
}

#[test]
fn an_intermediate_can_be_the_anchor() {
    let mut a = TrustAnchors::new();
    a.add_file(&pki("signing-ca.crt")).unwrap();
    let v = ChainValidator::new(a, crls(), RevocationPolicy::Require, UnixTime::now());
    let r = v.validate(&cert("signer-doctor.crt"), &[], &CrlSet::new(), later());
    assert_eq!(r.path.as_ref().unwrap().len(), 2);
}

#[test]
fn no_crl_means_unknown() {
    let v = validator(CrlSet::new());
    let r = v.validate(
        &cert("signer-doctor.crt"),
        &[cert("signing-ca.crt")],
        &CrlSet::new(),
        later(),
    );
    assert!(matches!(
        r.revocation[0].status,
        RevocationStatus::Unknown { .. }
    ));
    // Embedded CRLs (passed per signature) are used.
    let r = v.validate(
        &cert("signer-doctor.crt"),
        &[cert("signing-ca.crt")],
        &crls(),
        later(),
    );
    assert!(matches!(
        r.revocation[0].status,
        RevocationStatus::Good { .. }
    ));
}

#[test]
fn crl_that_does_not_verify_with_the_issuer_key_is_not_used() {
    // Ask for the doctor's status pretending the root issued it: the
    // signing CA's CRL is found by name but its signature does not verify.
    let status = crls().status(
        &cert("signer-doctor.crt"),
        &cert("root-ca.crt"),
        later(),
        UnixTime::now(),
    );
    match status {
        RevocationStatus::Unknown { reason } => {
            assert!(reason.contains("signature does not verify"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn stale_crl_does_not_cover_a_later_time() {
    // The test CRLs' nextUpdate is 2059-01-01.
    let t = at("2059-06-01T00:00:00Z");
    let status = crls().status(&cert("signer-doctor.crt"), &cert("signing-ca.crt"), t, t);
    match status {
        RevocationStatus::Unknown { reason } => assert!(reason.contains("nextUpdate"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn crl_from_the_future_is_not_used() {
    // If "now" were before the CRL was issued, the CRL cannot be genuine.
    let now = at("2025-06-01T00:00:00Z");
    let status = crls().status(
        &cert("signer-doctor.crt"),
        &cert("signing-ca.crt"),
        now,
        now,
    );
    match status {
        RevocationStatus::Unknown { reason } => assert!(reason.contains("future"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn garbage_crl_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.crl");
    std::fs::write(&p, b"\x30\x03\x02\x01\x01").unwrap();
    let err = Crl::read_file(&p).unwrap_err();
    assert!(err.to_string().contains("bad.crl"), "{err}");
    std::fs::write(
        &p,
        b"-----BEGIN X509 CRL-----\n!!\n-----END X509 CRL-----\n",
    )
    .unwrap();
    assert!(Crl::read_file(&p).is_err());
    let err = TrustAnchors::new()
        .add_file(&dir.path().join("missing.pem"))
        .unwrap_err();
    assert!(err.to_string().contains("missing.pem"), "{err}");
}

/// signer-doctor's name and key re-issued by signing-ca as an X.509 v1
/// certificate that still carries extensions (`version` 1 or 3).
fn reissued(version: i32) -> Cert {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::x509::extension::KeyUsage;
    use openssl::x509::{X509Builder, X509};
    let doctor = X509::from_pem(&std::fs::read(pki("signer-doctor.crt")).unwrap()).unwrap();
    let ca = X509::from_pem(&std::fs::read(pki("signing-ca.crt")).unwrap()).unwrap();
    let ca_key =
        PKey::private_key_from_pem(&std::fs::read(pki("signing-ca.key")).unwrap()).unwrap();
    let mut b = X509Builder::new().unwrap();
    b.set_version(version - 1).unwrap();
    let serial = BigNum::from_u32(0x7b000 + version as u32).unwrap();
    b.set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    b.set_subject_name(doctor.subject_name()).unwrap();
    b.set_issuer_name(ca.subject_name()).unwrap();
    b.set_not_before(&Asn1Time::from_str("20250101000000Z").unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::from_str("20600101000000Z").unwrap())
        .unwrap();
    b.set_pubkey(&doctor.public_key().unwrap()).unwrap();
    b.append_extension(
        KeyUsage::new()
            .critical()
            .non_repudiation()
            .build()
            .unwrap(),
    )
    .unwrap();
    b.sign(&ca_key, MessageDigest::sha256()).unwrap();
    Cert::from_der(&b.build().to_der().unwrap()).unwrap()
}

/// Regression (adversarial corpus, cert-signer-v1): OpenSSL validates a v1
/// certificate carrying extensions unless in X509_STRICT mode; RFC 5280
/// 4.1.2.9 allows extensions only in v3, so such a path is refused.
#[test]
fn v1_certificate_with_extensions_is_refused() {
    let v3 = reissued(3);
    let r = validator(crls()).validate(&v3, &[cert("signing-ca.crt")], &CrlSet::new(), later());
    assert!(
        r.path.is_ok(),
        "control: the v3 re-issue validates: {:?}",
        r.path
    );
    let v1 = reissued(1);
    assert_eq!(
        v1.parsed().tbs_certificate.version,
        hozon_cms::asn1::x509_cert::certificate::Version::V1
    );
    let r = validator(crls()).validate(&v1, &[cert("signing-ca.crt")], &CrlSet::new(), later());
    match &r.path {
        Err(PathError::Constraints { reason, .. }) => {
            assert!(reason.contains("4.1.2.9"), "{reason}")
        }
        other => panic!("expected a constraints failure, got {other:?}"),
    }
}

/// Limits: option files (`--crl`, `--ocsp`, `--trust`) over their size
/// limit are refused from their size, naming the file, without being read
/// (the files are sparse: nothing is written).
#[test]
fn oversized_files_are_refused_from_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let sparse = |name: &str, len: u64| {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().set_len(len).unwrap();
        p
    };
    let p = sparse("huge.crl", hozon_pki::MAX_CRL_FILE_SIZE + 1);
    let e = Crl::read_file(&p).unwrap_err().to_string();
    assert!(e.contains("huge.crl") && e.contains("limit"), "{e}");
    let p = sparse("huge.ocsp", hozon_pki::ocsp::MAX_OCSP_SIZE as u64 + 1);
    let e = hozon_pki::OcspResponse::read_file(&p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("huge.ocsp") && e.contains("limit"), "{e}");
    let p = sparse("huge.pem", hozon_pki::MAX_CERT_FILE_SIZE + 1);
    let e = TrustAnchors::new().add_file(&p).unwrap_err().to_string();
    assert!(e.contains("huge.pem") && e.contains("limit"), "{e}");
}
