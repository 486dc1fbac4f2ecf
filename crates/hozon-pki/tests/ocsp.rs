//! OCSP responses made by the `openssl ocsp` CLI, judged at given times:
//! the negative cases first (a wrong Good is the worst bug).

use std::path::{Path, PathBuf};
use std::process::Command;

use hozon_cms::asn1::der::{Decode, Encode};
use hozon_cms::Cert;
use std::sync::Arc;

use hozon_pki::{Crl, CrlSet, OcspResponse, RevocationEvidence, RevocationStatus, UnixTime};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/pki")).join(name)
}

fn cert(name: &str) -> Cert {
    Cert::read_bundle(&std::fs::read(pki(name)).unwrap())
        .unwrap()
        .remove(0)
}

fn now() -> UnixTime {
    UnixTime::now()
}

fn days(n: i64) -> UnixTime {
    UnixTime(now().0 + n * 86_400)
}

/// One index line (openssl ca database) for `cert_name`.
fn index_line(cert_name: &str, revoked: Option<&str>) -> String {
    let c = cert(cert_name);
    let serial = c.serial_hex().to_uppercase().replace(':', "");
    match revoked {
        Some(date) => {
            format!("R\t20600101000000Z\t{date},keyCompromise\t{serial}\tunknown\t/CN=x\n")
        }
        None => format!("V\t20600101000000Z\t\t{serial}\tunknown\t/CN=x\n"),
    }
}

struct Responder<'a> {
    index: String,
    rsigner: &'a str,
    rkey: &'a str,
    ndays: Option<&'a str>,
    nmin: Option<&'a str>,
    digest: &'a str,
}

impl Default for Responder<'_> {
    fn default() -> Self {
        Responder {
            index: index_line("signer-doctor.crt", None),
            rsigner: "ocsp.crt",
            rkey: "ocsp.key",
            ndays: Some("1"),
            nmin: None,
            digest: "-sha1",
        }
    }
}

/// Runs `openssl ocsp` as a local responder for `cert_name` (issued by
/// signing-ca) and returns the DER OCSPResponse.
fn respond(dir: &Path, r: &Responder, cert_name: &str) -> Vec<u8> {
    let index = dir.join("index.txt");
    std::fs::write(&index, &r.index).unwrap();
    std::fs::write(dir.join("index.txt.attr"), "unique_subject = no\n").unwrap();
    let out = dir.join("resp.der");
    let mut cmd = Command::new("openssl");
    cmd.arg("ocsp")
        .arg("-index")
        .arg(&index)
        .arg("-CA")
        .arg(pki("signing-ca.crt"))
        .arg("-rsigner")
        .arg(pki(r.rsigner))
        .arg("-rkey")
        .arg(pki(r.rkey))
        .arg(r.digest)
        .arg("-issuer")
        .arg(pki("signing-ca.crt"))
        .arg("-cert")
        .arg(pki(cert_name))
        .arg("-respout")
        .arg(&out);
    if let Some(d) = r.ndays {
        cmd.arg("-ndays").arg(d);
    }
    if let Some(m) = r.nmin {
        cmd.arg("-nmin").arg(m);
    }
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "openssl ocsp: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read(out).unwrap()
}

fn status_of(der: &[u8], cert_name: &str, at: UnixTime, now: UnixTime) -> RevocationStatus {
    let resp = OcspResponse::from_der(der, "test.ocsp").unwrap();
    resp.status(&cert(cert_name), &cert("signing-ca.crt"), at, now)
}

fn assert_unknown(s: &RevocationStatus, needle: &str) {
    match s {
        RevocationStatus::Unknown { reason } => {
            assert!(reason.contains(needle), "{needle:?} not in {reason:?}")
        }
        other => panic!("expected Unknown ({needle}), got {other:?}"),
    }
}

#[test]
fn responder_without_ocsp_signing_eku_is_not_authorised() {
    let dir = tempfile::tempdir().unwrap();
    let r = Responder {
        rsigner: "signer-doctor.crt",
        rkey: "signer-doctor.key",
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-doctor.crt");
    let s = status_of(&der, "signer-doctor.crt", now(), now());
    assert_unknown(&s, "not signed by a responder authorised by");
}

#[test]
fn responder_issued_by_another_ca_is_not_authorised() {
    let dir = tempfile::tempdir().unwrap();
    // tsa.crt is issued by root-ca, not by signing-ca.
    let r = Responder {
        rsigner: "tsa.crt",
        rkey: "tsa.key",
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-doctor.crt");
    let s = status_of(&der, "signer-doctor.crt", now(), now());
    assert_unknown(&s, "not signed by a responder authorised by");
}

#[test]
fn response_for_another_certificate_does_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let r = Responder {
        index: index_line("signer-ec.crt", None),
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-ec.crt");
    assert_unknown(
        &status_of(&der, "signer-doctor.crt", now(), now()),
        "does not cover",
    );
    // The same response is fine for the certificate it names.
    assert!(matches!(
        status_of(&der, "signer-ec.crt", now(), now()),
        RevocationStatus::Good {
            revoked_later: None,
            ..
        }
    ));
}

#[test]
fn tampered_response_fails() {
    let dir = tempfile::tempdir().unwrap();
    let der = respond(dir.path(), &Responder::default(), "signer-doctor.crt");
    // Flip a bit in the last byte (inside the signature) and, separately,
    // in the producedAt/thisUpdate area near the middle.
    for pos in [der.len() - 1, der.len() / 3] {
        let mut bad = der.clone();
        bad[pos] ^= 0x01;
        match OcspResponse::from_der(&bad, "tampered") {
            Err(_) => {}
            Ok(resp) => {
                let s = resp.status(
                    &cert("signer-doctor.crt"),
                    &cert("signing-ca.crt"),
                    now(),
                    now(),
                );
                assert!(
                    matches!(s, RevocationStatus::Unknown { .. }),
                    "tampered at {pos}: {s:?}"
                );
            }
        }
    }
}

#[test]
fn non_successful_response_status_is_unknown() {
    // OCSPResponse { responseStatus tryLater (3) }.
    let der = [0x30, 0x03, 0x0a, 0x01, 0x03];
    let resp = OcspResponse::from_der(&der, "try-later").unwrap();
    assert!(!resp.is_successful());
    assert_eq!(resp.response_status(), "tryLater");
    assert_unknown(
        &status_of(&der, "signer-doctor.crt", now(), now()),
        "responseStatus is tryLater",
    );
}

#[test]
fn garbage_is_rejected_naming_the_origin() {
    let err = OcspResponse::from_der(b"not ocsp", "x/resp.der").unwrap_err();
    assert!(err.to_string().contains("x/resp.der"), "{err}");
}

#[test]
fn this_update_in_the_future_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let der = respond(dir.path(), &Responder::default(), "signer-doctor.crt");
    // "now" one day before the response was made.
    let s = status_of(&der, "signer-doctor.crt", days(-2), days(-1));
    assert_unknown(&s, "is in the future");
}

#[test]
fn next_update_before_the_validation_time_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let r = Responder {
        ndays: None,
        nmin: Some("1"),
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-doctor.crt");
    let s = status_of(&der, "signer-doctor.crt", days(1), days(1));
    assert_unknown(&s, "nextUpdate");
    // A validation time before thisUpdate is covered.
    assert!(matches!(
        status_of(&der, "signer-doctor.crt", days(-100), now()),
        RevocationStatus::Good { .. }
    ));
}

#[test]
fn revoked_before_the_validation_time_is_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let r = Responder {
        index: index_line("signer-doctor.crt", Some("250601000000Z")),
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-doctor.crt");
    match status_of(&der, "signer-doctor.crt", now(), now()) {
        RevocationStatus::Revoked {
            revoked_at, reason, ..
        } => {
            assert_eq!(
                revoked_at,
                UnixTime::parse_rfc3339("2025-06-01T00:00:00Z").unwrap()
            );
            assert_eq!(reason.as_deref(), Some("keyCompromise"));
        }
        other => panic!("{other:?}"),
    }
    // Revoked exactly at the validation time counts as revoked.
    let exact = UnixTime::parse_rfc3339("2025-06-01T00:00:00Z").unwrap();
    assert!(matches!(
        status_of(&der, "signer-doctor.crt", exact, now()),
        RevocationStatus::Revoked { .. }
    ));
}

#[test]
fn revoked_after_the_validation_time_is_good_revoked_later() {
    let dir = tempfile::tempdir().unwrap();
    let r = Responder {
        index: index_line("signer-doctor.crt", Some("250601000000Z")),
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-doctor.crt");
    let at = UnixTime::parse_rfc3339("2025-05-01T00:00:00Z").unwrap();
    match status_of(&der, "signer-doctor.crt", at, now()) {
        RevocationStatus::Good {
            revoked_later: Some(t),
            ..
        } => assert_eq!(t, UnixTime::parse_rfc3339("2025-06-01T00:00:00Z").unwrap()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn status_unknown_from_the_responder_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let r = Responder {
        index: index_line("signer-ec.crt", None),
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-doctor.crt");
    assert_unknown(
        &status_of(&der, "signer-doctor.crt", now(), now()),
        "status is unknown",
    );
}

#[test]
fn wrong_issuer_certificate_does_not_match() {
    let dir = tempfile::tempdir().unwrap();
    let der = respond(dir.path(), &Responder::default(), "signer-doctor.crt");
    let resp = OcspResponse::from_der(&der, "x").unwrap();
    let s = resp.status(
        &cert("signer-doctor.crt"),
        &cert("root-ca.crt"),
        now(),
        now(),
    );
    assert!(matches!(s, RevocationStatus::Unknown { .. }), "{s:?}");
}

#[test]
fn delegated_responder_good() {
    let dir = tempfile::tempdir().unwrap();
    let der = respond(dir.path(), &Responder::default(), "signer-doctor.crt");
    let s = status_of(&der, "signer-doctor.crt", now(), now());
    assert!(
        matches!(
            s,
            RevocationStatus::Good {
                revoked_later: None,
                ..
            }
        ),
        "{s:?}"
    );
}

#[test]
fn issuer_as_responder_with_sha256_cert_id_good() {
    let dir = tempfile::tempdir().unwrap();
    let r = Responder {
        rsigner: "signing-ca.crt",
        rkey: "signing-ca.key",
        digest: "-sha256",
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-doctor.crt");
    let s = status_of(&der, "signer-doctor.crt", now(), now());
    assert!(matches!(s, RevocationStatus::Good { .. }), "{s:?}");
}

#[test]
fn bare_basic_response_is_accepted_and_wrapped() {
    let dir = tempfile::tempdir().unwrap();
    let der = respond(dir.path(), &Responder::default(), "signer-doctor.crt");
    let full = x509_ocsp::OcspResponse::from_der(&der).unwrap();
    let basic = full.response_bytes.unwrap().response.as_bytes().to_vec();
    let resp = OcspResponse::from_der(&basic, "bare").unwrap();
    assert_eq!(
        resp.der(),
        der.as_slice(),
        "wrapped back to the OCSPResponse"
    );
    let s = resp.status(
        &cert("signer-doctor.crt"),
        &cert("signing-ca.crt"),
        now(),
        now(),
    );
    assert!(matches!(s, RevocationStatus::Good { .. }), "{s:?}");
    // Re-encoding a decoded bare response round-trips (sanity for the test).
    assert_eq!(
        x509_ocsp::BasicOcspResponse::from_der(&basic)
            .unwrap()
            .to_der()
            .unwrap(),
        basic
    );
}

fn set_with(der: &[u8], embedded: bool) -> CrlSet {
    let mut set = CrlSet::new();
    for crl in Crl::read_file(&pki("crls.pem")).unwrap() {
        set.add(Arc::new(crl));
    }
    let resp = OcspResponse::from_der(der, "test.ocsp").unwrap();
    set.add_ocsp(Arc::new(if embedded { resp.embedded() } else { resp }));
    set
}

#[test]
fn a_revocation_from_any_source_wins_over_good_from_another() {
    let dir = tempfile::tempdir().unwrap();
    // The CRL (crls.pem) says signer-doctor is good; OCSP says revoked.
    let r = Responder {
        index: index_line("signer-doctor.crt", Some("250601000000Z")),
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-doctor.crt");
    let set = set_with(&der, false);
    let (s, ev) = set.status_with_evidence(
        &cert("signer-doctor.crt"),
        &cert("signing-ca.crt"),
        now(),
        now(),
    );
    assert!(matches!(s, RevocationStatus::Revoked { .. }), "{s:?}");
    assert!(matches!(ev, Some(RevocationEvidence::Ocsp(_))));
}

#[test]
fn good_prefers_embedded_data_and_unknown_lists_every_reason() {
    let dir = tempfile::tempdir().unwrap();
    let der = respond(dir.path(), &Responder::default(), "signer-doctor.crt");
    let set = set_with(&der, true);
    let (s, ev) = set.status_with_evidence(
        &cert("signer-doctor.crt"),
        &cert("signing-ca.crt"),
        now(),
        now(),
    );
    assert!(matches!(s, RevocationStatus::Good { .. }), "{s:?}");
    assert!(matches!(ev, Some(RevocationEvidence::Ocsp(ref o)) if o.is_embedded()));
    // A stale OCSP response and no CRL: Unknown, naming both.
    let stale = respond(
        dir.path(),
        &Responder {
            ndays: None,
            nmin: Some("1"),
            ..Responder::default()
        },
        "signer-doctor.crt",
    );
    let mut only = CrlSet::new();
    only.add_ocsp(Arc::new(
        OcspResponse::from_der(&stale, "stale.ocsp").unwrap(),
    ));
    let (s, ev) = only.status_with_evidence(
        &cert("signer-doctor.crt"),
        &cert("signing-ca.crt"),
        days(1),
        days(1),
    );
    assert!(ev.is_none());
    assert_unknown(&s, "no CRL from");
    assert_unknown(&s, "stale.ocsp");
}

/// A delegated responder certificate (OCSPSigning) for `ocsp.key`, issued
/// by signing-ca, valid between the two times.
fn responder_cert(not_before: &str, not_after: &str) -> openssl::x509::X509 {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage};
    use openssl::x509::{X509Name, X509};
    let key = PKey::private_key_from_pem(&std::fs::read(pki("ocsp.key")).unwrap()).unwrap();
    let ca = X509::from_pem(&std::fs::read(pki("signing-ca.crt")).unwrap()).unwrap();
    let ca_key =
        PKey::private_key_from_pem(&std::fs::read(pki("signing-ca.key")).unwrap()).unwrap();
    let mut name = X509Name::builder().unwrap();
    name.append_entry_by_text("CN", "Past OCSP responder")
        .unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    let serial = BigNum::from_u32(0x0c5f).unwrap();
    b.set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(ca.subject_name()).unwrap();
    b.set_pubkey(&key).unwrap();
    let t = |s: &str| Asn1Time::from_unix(UnixTime::parse_rfc3339(s).unwrap().0).unwrap();
    b.set_not_before(&t(not_before)).unwrap();
    b.set_not_after(&t(not_after)).unwrap();
    b.append_extension(BasicConstraints::new().critical().build().unwrap())
        .unwrap();
    b.append_extension(
        ExtendedKeyUsage::new()
            .critical()
            .other("OCSPSigning")
            .build()
            .unwrap(),
    )
    .unwrap();
    b.sign(&ca_key, MessageDigest::sha256()).unwrap();
    b.build()
}

/// A BasicOCSPResponse saying signer-doctor is good, produced at
/// `produced_at` (thisUpdate the same, nextUpdate a week later), signed by
/// `ocsp.key` (RSA-SHA256, by OpenSSL) and carrying `responder`.
fn past_response(produced_at: &str, responder: &openssl::x509::X509) -> Vec<u8> {
    use hozon_cms::asn1::der::asn1::{BitString, GeneralizedTime, Null, OctetString};
    use hozon_cms::asn1::spki::AlgorithmIdentifierOwned;
    use hozon_cms::asn1::x509_cert::Certificate;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use x509_ocsp::{
        BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, ResponderId, ResponseData,
        SingleResponse, Version,
    };
    let gt = |s: &str| {
        OcspGeneralizedTime(
            GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(
                UnixTime::parse_rfc3339(s).unwrap().0 as u64,
            ))
            .unwrap(),
        )
    };
    let doctor = cert("signer-doctor.crt");
    let ca = cert("signing-ca.crt");
    let sha1 = |d: &[u8]| {
        openssl::hash::hash(MessageDigest::sha1(), d)
            .unwrap()
            .to_vec()
    };
    let ca_tbs = &ca.parsed().tbs_certificate;
    let cert_id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: hozon_cms::asn1::const_oid::db::rfc5912::ID_SHA_1,
            parameters: Some(Null.into()),
        },
        issuer_name_hash: OctetString::new(sha1(&ca_tbs.subject.to_der().unwrap())).unwrap(),
        issuer_key_hash: OctetString::new(sha1(
            ca_tbs
                .subject_public_key_info
                .subject_public_key
                .raw_bytes(),
        ))
        .unwrap(),
        serial_number: doctor.parsed().tbs_certificate.serial_number.clone(),
    };
    let week_later = UnixTime(UnixTime::parse_rfc3339(produced_at).unwrap().0 + 7 * 86_400);
    let responder_parsed = Certificate::from_der(&responder.to_der().unwrap()).unwrap();
    let tbs = ResponseData {
        version: Version::V1,
        responder_id: ResponderId::ByName(responder_parsed.tbs_certificate.subject.clone()),
        produced_at: gt(produced_at),
        responses: vec![SingleResponse {
            cert_id,
            cert_status: CertStatus::good(),
            this_update: gt(produced_at),
            next_update: Some(gt(&week_later.rfc3339())),
            single_extensions: None,
        }],
        response_extensions: None,
    };
    let key = PKey::private_key_from_pem(&std::fs::read(pki("ocsp.key")).unwrap()).unwrap();
    let mut signer = openssl::sign::Signer::new(MessageDigest::sha256(), &key).unwrap();
    let signature = signer.sign_oneshot_to_vec(&tbs.to_der().unwrap()).unwrap();
    BasicOcspResponse {
        tbs_response_data: tbs,
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: hozon_cms::asn1::const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            parameters: Some(Null.into()),
        },
        signature: BitString::from_bytes(&signature).unwrap(),
        certs: Some(vec![responder_parsed]),
    }
    .to_der()
    .unwrap()
}

#[test]
fn a_response_stays_valid_after_its_responder_certificate_expired() {
    // The responder was valid in 2025 only; the response was produced then
    // and is judged now (2026 or later), for a time in 2025.
    let responder = responder_cert("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z");
    let der = past_response("2025-06-01T00:00:00Z", &responder);
    let resp = OcspResponse::from_der(&der, "past").unwrap();
    let at = UnixTime::parse_rfc3339("2025-06-02T00:00:00Z").unwrap();
    let s = resp.status(
        &cert("signer-doctor.crt"),
        &cert("signing-ca.crt"),
        at,
        now(),
    );
    assert!(matches!(s, RevocationStatus::Good { .. }), "{s:?}");
}

#[test]
fn a_responder_not_valid_at_produced_at_is_not_authorised() {
    // Not yet valid when the response claims to have been produced.
    let responder = responder_cert("2025-07-01T00:00:00Z", "2030-01-01T00:00:00Z");
    let der = past_response("2025-06-01T00:00:00Z", &responder);
    let resp = OcspResponse::from_der(&der, "past").unwrap();
    let at = UnixTime::parse_rfc3339("2025-06-02T00:00:00Z").unwrap();
    let s = resp.status(
        &cert("signer-doctor.crt"),
        &cert("signing-ca.crt"),
        at,
        now(),
    );
    assert_unknown(&s, "not signed by a responder authorised by");
    // Expired before producedAt: the same.
    let responder = responder_cert("2025-01-01T00:00:00Z", "2025-05-01T00:00:00Z");
    let der = past_response("2025-06-01T00:00:00Z", &responder);
    let resp = OcspResponse::from_der(&der, "past").unwrap();
    let s = resp.status(
        &cert("signer-doctor.crt"),
        &cert("signing-ca.crt"),
        at,
        now(),
    );
    assert_unknown(&s, "not signed by a responder authorised by");
}

/// RFC 6960 §4.2.2.2.1: a delegated responder without id-pkix-ocsp-nocheck
/// must itself be checked for revocation. With no CRL of its issuer the
/// response is not relied on; with one that does not list it, it is.
#[test]
fn a_delegated_responder_without_nocheck_needs_its_own_revocation_status() {
    let responder = responder_cert("2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z");
    let der = past_response("2025-06-01T00:00:00Z", &responder);
    let at = UnixTime::parse_rfc3339("2025-06-02T00:00:00Z").unwrap();
    let doctor = cert("signer-doctor.crt");
    let ca = cert("signing-ca.crt");
    let resp = Arc::new(OcspResponse::from_der(&der, "past").unwrap());
    let (delegated, nocheck) = resp.delegated_responder(&ca).unwrap();
    assert_eq!(delegated.subject(), "CN=Past OCSP responder");
    assert!(!nocheck);

    let mut only = CrlSet::new();
    only.add_ocsp(resp.clone());
    let (s, ev) = only.status_with_evidence(&doctor, &ca, at, now());
    assert_unknown(&s, "lacks id-pkix-ocsp-nocheck");
    assert!(ev.is_none(), "{ev:?}");

    // signing-ca's CRL (issued later, so it covers producedAt) does not
    // list the responder: the response counts.
    let mut with_crl = CrlSet::new();
    for crl in Crl::read_file(&pki("signing-ca.crl")).unwrap() {
        with_crl.add(Arc::new(crl));
    }
    with_crl.add_ocsp(resp);
    let (s, ev) = with_crl.status_with_evidence(&doctor, &ca, at, now());
    assert!(matches!(s, RevocationStatus::Good { .. }), "{s:?}");
    assert!(ev.is_some());

    // The test PKI's own responder carries nocheck: nothing more is asked.
    let dir = tempfile::tempdir().unwrap();
    let der = respond(dir.path(), &Responder::default(), "signer-doctor.crt");
    let resp = OcspResponse::from_der(&der, "ocsp.crt").unwrap();
    let (_, nocheck) = resp.delegated_responder(&ca).unwrap();
    assert!(nocheck);
    // A response signed by the CA itself has no delegated responder.
    let r = Responder {
        rsigner: "signing-ca.crt",
        rkey: "signing-ca.key",
        ..Responder::default()
    };
    let der = respond(dir.path(), &r, "signer-doctor.crt");
    let resp = OcspResponse::from_der(&der, "ca").unwrap();
    assert!(resp.delegated_responder(&ca).is_none());
}
