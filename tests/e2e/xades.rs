//! `hozon verify` on XAdES: recognised by content in `.xml` files (given or
//! found in a directory walk), the same report and exit codes as CAdES.
//! hozon's XAdES carries the signer's certificate only (KeyInfo), so the
//! intermediate CA comes from `--certs`.

use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm, UnixTime};
use hozon_xades::sign::{sign_enveloped, SignError, SignInput};

use crate::util::{testdata, Env, CHAIN, CRLS};

/// `testdata/xml/prescription.xml` signed by `signer` (in process, with
/// hozon-xades), written to `rel`.
fn signed_prescription(env: &Env, signer: &str, rel: &str) {
    let cert = Cert::read_bundle(&env.read(&format!("pki/{signer}.crt")))
        .unwrap()
        .remove(0);
    let key =
        openssl::pkey::PKey::private_key_from_pem(&env.read(&format!("pki/{signer}.key"))).unwrap();
    let sign = |m: &[u8]| -> Result<Vec<u8>, SignError> {
        let mut s = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &key)
            .map_err(|e| SignError::Signer(e.to_string()))?;
        s.sign_oneshot_to_vec(m)
            .map_err(|e| SignError::Signer(e.to_string()))
    };
    let doc = std::fs::read(testdata().join("xml/prescription.xml")).unwrap();
    let signed = sign_enveloped(&SignInput {
        document: &doc,
        certificate: &cert,
        chain: &[],
        algorithm: SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
        signing_time: UnixTime::now(),
        sign: &sign,
    })
    .unwrap();
    env.write(rel, signed);
}

#[test]
fn a_xades_prescription_verifies_by_content() {
    let env = Env::new();
    signed_prescription(&env, "signer-doctor", "rx.xml");
    let v = env.verify(&["rx.xml"], &["--crl", CRLS, "--certs", CHAIN]);
    let s = v.expect(0, "rx.xml", "TOTAL_PASSED", None);
    assert_eq!(s.format, "XAdES");
    assert_eq!(s.level.as_deref(), Some("B-B"));
}

#[test]
fn a_directory_walk_finds_xades_and_skips_other_xml() {
    let env = Env::new();
    signed_prescription(&env, "signer-doctor", "records/rx.xml");
    std::fs::copy(
        testdata().join("xml/cda.xml"),
        env.path("records/unsigned-cda.xml"),
    )
    .unwrap();
    let v = env.verify(&["records"], &["--crl", CRLS, "--certs", CHAIN]);
    v.expect(0, "records/rx.xml", "TOTAL_PASSED", None);
}

#[test]
fn a_tampered_prescription_fails_with_exit_1() {
    let env = Env::new();
    signed_prescription(&env, "signer-doctor", "rx.xml");
    let text = String::from_utf8(env.read("rx.xml")).unwrap();
    env.write("rx.xml", text.replace("<Days>28</Days>", "<Days>90</Days>"));
    let v = env.verify(&["rx.xml"], &["--crl", CRLS, "--certs", CHAIN]);
    v.expect(1, "rx.xml", "TOTAL_FAILED", Some("HASH_FAILURE"));
    // Each error also appears in `findings`, with its code.
    let s = &v.json["signatures"][0];
    let errors: Vec<_> = s["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            assert_eq!(f["code"], "MESSAGE_DIGEST_MISMATCH", "{}", v.stdout);
            f["message"].clone()
        })
        .collect();
    assert_eq!(s["errors"].as_array().unwrap(), &errors, "{}", v.stdout);
}

#[test]
fn a_xades_file_with_a_doctype_is_a_format_failure() {
    let env = Env::new();
    signed_prescription(&env, "signer-doctor", "rx.xml");
    let text = String::from_utf8(env.read("rx.xml")).unwrap();
    let hostile = text.replacen(
        "<PrescriptionDocument ",
        "<!DOCTYPE PrescriptionDocument [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<PrescriptionDocument ",
        1,
    );
    env.write("rx.xml", hostile);
    let v = env.verify(&["rx.xml"], &["--crl", CRLS, "--certs", CHAIN]);
    let s = v.expect(1, "rx.xml", "TOTAL_FAILED", Some("FORMAT_FAILURE"));
    assert!(s.errors[0].contains("document type declaration"), "{s:?}");
}

fn sign_xades(env: &Env, file: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "sign",
        file,
        "--format",
        "xades",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        CHAIN,
        "--crl",
        CRLS,
    ];
    args.extend_from_slice(extra);
    env.hozon(&args)
}

#[test]
fn sign_format_xades_writes_a_signed_copy_that_verifies() {
    let env = Env::new();
    let original = std::fs::read(testdata().join("xml/prescription.xml")).unwrap();
    env.write("rx.xml", &original);
    let out = sign_xades(&env, "rx.xml", &[]);
    assert_eq!(
        crate::util::code(&out),
        0,
        "{}",
        crate::util::describe(&out)
    );
    assert_eq!(env.read("rx.xml"), original, "the original was changed");
    let v = env.verify(&["rx.signed.xml"], &["--crl", CRLS, "--certs", CHAIN]);
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert_eq!(
        (s.format.as_str(), s.level.as_deref()),
        ("XAdES", Some("B-B"))
    );
    // A signed copy is never signed again: skipped, with why, nothing written.
    let again = sign_xades(&env, "rx.signed.xml", &[]);
    assert!(
        crate::util::stderr(&again).contains("already holds a XAdES signature"),
        "{}",
        crate::util::describe(&again)
    );
    assert!(!env.exists("rx.signed.signed.xml"));
}

#[test]
fn sign_format_xades_level_t_adds_a_signature_time_stamp() {
    let env = Env::new();
    let pki = hozon_testkit::Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = hozon_testkit::TsaServer::start(&pki, hozon_testkit::TsaMode::Normal).unwrap();
    env.write(
        "rx.xml",
        std::fs::read(testdata().join("xml/prescription.xml")).unwrap(),
    );
    let url = tsa.url();
    let out = sign_xades(&env, "rx.xml", &["--level", "t", "--tsa", &url]);
    assert_eq!(
        crate::util::code(&out),
        0,
        "{}",
        crate::util::describe(&out)
    );
    let v = env.verify(&["rx.signed.xml"], &["--crl", CRLS, "--certs", CHAIN]);
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-T"));
    assert_eq!(s.timestamps.len(), 1, "{s:?}");
    assert_eq!(s.timestamps[0]["kind"], "signature");
    assert_eq!(s.timestamps[0]["indication"], "PASSED");
}
