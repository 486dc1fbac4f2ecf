//! XAdES B-LT and B-LTA: `hozon sign --format xades --level lt|lta` and
//! `hozon extend FILE.signed.xml` through the same augmentation pipeline as
//! CAdES, verified offline with nothing but the trust anchor, and later,
//! after the signer's certificate expired (as tests/e2e/lta.rs does for
//! CAdES).

use crate::lta::{extend, issue_short_lived, long_lived_tsa};
use crate::util::{code, describe, testdata, Env, CHAIN, CRLS, TRUST};

/// `hozon sign rx.xml --format xades` by `key`/`cert`, with `extra`.
fn sign(env: &Env, key: &str, cert: &str, extra: &[&str]) {
    env.write(
        "rx.xml",
        std::fs::read(testdata().join("xml/prescription.xml")).unwrap(),
    );
    let mut args = vec![
        "sign",
        "rx.xml",
        "--format",
        "xades",
        "--key",
        key,
        "--cert",
        cert,
        "--chain",
        CHAIN,
        "--crl",
        CRLS,
        "--trust",
        TRUST,
        "--offline",
    ];
    args.extend_from_slice(extra);
    let out = env.hozon(&args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

fn text(env: &Env, rel: &str) -> String {
    String::from_utf8(env.read(rel)).unwrap()
}

fn archive_stamps(s: &crate::report::Signature) -> usize {
    s.timestamps
        .iter()
        .filter(|t| t["kind"] == "archive")
        .count()
}

#[test]
fn sign_xades_level_lt_is_b_lt_offline_without_any_crl() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let url = tsa.url();
    sign(
        &env,
        "pki/signer-doctor.key",
        "pki/signer-doctor.crt",
        &["--level", "lt", "--tsa", &url],
    );
    let xml = text(&env, "rx.signed.xml");
    assert!(xml.contains("<xades:CertificateValues"), "{xml}");
    assert!(xml.contains("<xades:EncapsulatedCRLValue>"), "{xml}");
    // Offline, no --crl, no --certs: only what the document carries.
    let v = env.verify(&["rx.signed.xml"], &[]);
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert_eq!(
        (s.format.as_str(), s.level.as_deref()),
        ("XAdES", Some("B-LT")),
        "{}",
        v.stdout
    );
}

#[test]
fn extend_raises_a_xades_b_b_to_b_lta_and_renews_it() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let url = tsa.url();
    sign(&env, "pki/signer-doctor.key", "pki/signer-doctor.crt", &[]);
    let b_b = env.read("rx.signed.xml");
    extend(&env, "rx.signed.xml", "lta", &url);
    let v = env.verify(&["rx.signed.xml"], &[]);
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
    let kinds: Vec<_> = s
        .timestamps
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2, "{}", v.stdout);
    assert!(
        kinds.contains(&"archive") && kinds.contains(&"signature"),
        "{}",
        v.stdout
    );
    assert!(s.renew_by.is_some(), "{}", v.stdout);
    // The B-B document is a prefix-and-suffix of the extended one: only
    // unsigned properties were inserted.
    let extended = env.read("rx.signed.xml");
    let head = b_b
        .iter()
        .zip(&extended)
        .take_while(|(a, b)| a == b)
        .count();
    let tail = b_b
        .iter()
        .rev()
        .zip(extended.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert!(head + tail >= b_b.len(), "signed bytes changed");

    // Renewal: a second archive time stamp, covering the first.
    extend(&env, "rx.signed.xml", "lta", &url);
    let v = env.verify(&["rx.signed.xml"], &[]);
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert_eq!(archive_stamps(s), 2, "{}", v.stdout);
    assert!(
        s.timestamps.iter().all(|t| t["indication"] == "PASSED"),
        "{}",
        v.stdout
    );
    assert_eq!(
        text(&env, "rx.signed.xml")
            .matches("ArchiveTimeStamp ")
            .count(),
        2
    );
}

#[test]
fn extend_lt_twice_changes_nothing_the_second_time() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let url = tsa.url();
    sign(
        &env,
        "pki/signer-doctor.key",
        "pki/signer-doctor.crt",
        &["--level", "t", "--tsa", &url],
    );
    extend(&env, "rx.signed.xml", "lt", &url);
    let once = env.read("rx.signed.xml");
    extend(&env, "rx.signed.xml", "lt", &url);
    assert_eq!(env.read("rx.signed.xml"), once);
    let v = env.verify(&["rx.signed.xml"], &[]);
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LT"));
}

#[test]
fn b_lta_verifies_offline_with_only_the_root_after_the_signer_expired() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let url = tsa.url();
    issue_short_lived(
        &env,
        "signer-short",
        "signing-ca",
        "/C=JP/O=hozon Test Hospital/CN=Short-lived Doctor",
        "keyUsage=critical,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n",
    );
    sign(
        &env,
        "pki/signer-short.key",
        "pki/signer-short.crt",
        &["--level", "lta", "--tsa", &url],
    );
    let v = env.verify(&["rx.signed.xml"], &[]);
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
    // 2032: the signer's certificate expired in 2030; the archive time
    // stamp proves the signature (and its validation data) existed before.
    let v = crate::lta::verify_at_no_sunset(&env, "rx.signed.xml", "2032-01-01T00:00:00Z");
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("expired") && w.contains("proven")),
        "{:?}",
        s.warnings
    );
    // A B-B signature by the same signer has no such proof.
    env.write(
        "b.xml",
        std::fs::read(testdata().join("xml/cda.xml")).unwrap(),
    );
    let out = env.hozon(&[
        "sign",
        "b.xml",
        "--format",
        "xades",
        "--key",
        "pki/signer-short.key",
        "--cert",
        "pki/signer-short.crt",
        "--chain",
        CHAIN,
        "--crl",
        CRLS,
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = env.verify(
        &["b.signed.xml"],
        &[
            "--crl",
            CRLS,
            "--crypto-policy",
            crate::util::NO_RSA_SUNSET,
            "--at",
            "2032-01-01T00:00:00Z",
        ],
    );
    v.expect(
        3,
        "b.signed.xml",
        "INDETERMINATE",
        Some("OUT_OF_BOUNDS_NO_POE"),
    );
}

#[test]
fn validation_data_removed_after_the_archive_stamp_is_detected() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let url = tsa.url();
    sign(
        &env,
        "pki/signer-doctor.key",
        "pki/signer-doctor.crt",
        &["--level", "lta", "--tsa", &url],
    );
    let xml = text(&env, "rx.signed.xml");
    // One embedded CRL taken out of RevocationValues.
    let open = "<xades:EncapsulatedCRLValue>";
    let close = "</xades:EncapsulatedCRLValue>";
    let i = xml.find(open).unwrap();
    let j = xml[i..].find(close).unwrap() + i + close.len();
    let mut tampered = xml.clone();
    tampered.replace_range(i..j, "");
    env.write("rx.signed.xml", tampered);
    let v = env.verify(&["rx.signed.xml"], &["--crl", CRLS]);
    let s = v.expect(1, "rx.signed.xml", "TOTAL_FAILED", Some("HASH_FAILURE"));
    assert!(
        s.errors.iter().any(|e| e.contains("archive time stamp")),
        "{:?}",
        s.errors
    );
}

#[test]
fn a_tampered_xades_b_lta_fails_on_its_content() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let url = tsa.url();
    sign(
        &env,
        "pki/signer-doctor.key",
        "pki/signer-doctor.crt",
        &["--level", "lta", "--tsa", &url],
    );
    let xml = text(&env, "rx.signed.xml");
    env.write(
        "rx.signed.xml",
        xml.replace("<Days>28</Days>", "<Days>90</Days>"),
    );
    let v = env.verify(&["rx.signed.xml"], &[]);
    v.expect(1, "rx.signed.xml", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn detached_xades_of_a_pdf_verifies_with_the_file_beside_it() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let url = tsa.url();
    env.copy_doc("lab-report.pdf", "a.pdf");
    let original = env.read("a.pdf");
    let out = env.hozon(&[
        "sign",
        "a.pdf",
        "--format",
        "xades",
        "--xades-packaging",
        "detached",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        CHAIN,
        "--crl",
        CRLS,
        "--trust",
        TRUST,
        "--offline",
        "--level",
        "lta",
        "--tsa",
        &url,
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(env.read("a.pdf"), original, "the document was changed");
    let xml = text(&env, "a.pdf.xades.xml");
    assert!(xml.contains("URI=\"a.pdf\""), "{xml}");
    assert!(xml.contains("<xades:MimeType>application/pdf<"), "{xml}");
    let v = env.verify(&["a.pdf.xades.xml"], &[]);
    let s = v.expect(0, "a.pdf.xades.xml", "TOTAL_PASSED", None);
    assert_eq!(
        (s.format.as_str(), s.level.as_deref()),
        ("XAdES", Some("B-LTA")),
        "{}",
        v.stdout
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("signs the detached file a.pdf")),
        "{:?}",
        s.warnings
    );
    // Found in a directory walk too.
    let v = env.verify(&["."], &[]);
    v.expect(0, "./a.pdf.xades.xml", "TOTAL_PASSED", None);
    // The document altered: the reference fails.
    crate::util::flip_byte(&env.path("a.pdf"), 100);
    let v = env.verify(&["a.pdf.xades.xml"], &[]);
    v.expect(1, "a.pdf.xades.xml", "TOTAL_FAILED", Some("HASH_FAILURE"));
    // The document gone: nothing to verify it against.
    std::fs::remove_file(env.path("a.pdf")).unwrap();
    let v = env.verify(&["a.pdf.xades.xml"], &[]);
    v.expect(
        3,
        "a.pdf.xades.xml",
        "INDETERMINATE",
        Some("SIGNED_DATA_NOT_FOUND"),
    );
}

#[test]
fn detached_packaging_refuses_out_dir() {
    let env = Env::new();
    env.copy_doc("lab-report.pdf", "a.pdf");
    let out = env.hozon(&[
        "sign",
        "a.pdf",
        "--format",
        "xades",
        "--xades-packaging",
        "detached",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--crl",
        CRLS,
        "--out-dir",
        "sigs",
    ]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(crate::util::stderr(&out).contains("--out-dir does not apply"));
    assert!(!env.exists("sigs"));
}

#[test]
fn the_e_prescription_layout_signs_the_data_element() {
    let env = Env::new();
    sign(
        &env,
        "pki/signer-doctor.key",
        "pki/signer-doctor.crt",
        &["--xades-data-id", "prescription-data"],
    );
    let xml = text(&env, "rx.signed.xml");
    assert!(xml.contains("URI=\"#prescription-data\""), "{xml}");
    let v = env.verify(&["rx.signed.xml"], &["--crl", CRLS]);
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("signs the element PrescriptionData")),
        "{:?}",
        s.warnings
    );
    // The data element altered: HASH_FAILURE.
    env.write(
        "rx.signed.xml",
        xml.replace("<Days>28</Days>", "<Days>90</Days>"),
    );
    let v = env.verify(&["rx.signed.xml"], &["--crl", CRLS]);
    v.expect(1, "rx.signed.xml", "TOTAL_FAILED", Some("HASH_FAILURE"));
    // An Id that names no element: nothing is written.
    env.write(
        "other.xml",
        std::fs::read(testdata().join("xml/prescription.xml")).unwrap(),
    );
    let out = env.hozon(&[
        "sign",
        "other.xml",
        "--format",
        "xades",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--crl",
        CRLS,
        "--chain",
        CHAIN,
        "--trust",
        TRUST,
        "--xades-data-id",
        "nowhere",
    ]);
    // A file the batch could not sign: exit 4, as for any signing failure.
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        crate::util::stderr(&out).contains("nowhere"),
        "{}",
        describe(&out)
    );
    assert!(!env.exists("other.signed.xml"));
}
