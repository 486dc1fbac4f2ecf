//! `hozon sign --format xades` with the key on a PKCS#11 token (SoftHSM2,
//! set up as tests/e2e/pkcs11.rs does), RSA and ECDSA: the signed copy
//! verifies TOTAL_PASSED in hozon, xmlsec1 accepts its XML-DSig core and
//! signxml 5.2 its XAdES; a tampered copy is refused by each.
//!
//! signxml insists on the digitalSignature key usage, which the test
//! doctor's RSA certificate (an HPKI signing certificate: nonRepudiation
//! only) lacks; the RSA case therefore signs with a certificate issued here
//! for the doctor's token key with both usages.
//!
//! Without SoftHSM, OpenSC, xmlsec1 or signxml a test says "skipped" when run
//! alone and fails under scripts/test (`HOZON_REQUIRE_TOOLS`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::pkcs11::{Token, MODULE, PIN_VAR};
use crate::util::{code, describe, testdata, Env, CRLS};

/// signxml's python (as crates/hozon-xades/tests/oracles.rs finds it).
fn signxml() -> Option<PathBuf> {
    let python = match std::env::var_os("HOZON_SIGNXML") {
        Some(p) => PathBuf::from(p),
        None => std::env::var_os("HOZON_TOOLS")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/hozon-tools"))
            })?
            .join("signxml-5.2/bin/python"),
    };
    if python.is_file() {
        return Some(python);
    }
    assert!(
        !hozon_testkit::tools_required(),
        "HOZON_REQUIRE_TOOLS is set but signxml 5.2 is missing ({}): run scripts/setup",
        python.display()
    );
    eprintln!("skipped: signxml 5.2 missing ({})", python.display());
    None
}

/// xmlsec1 on `file`: (accepted, its output).
fn xmlsec1(xmlsec1: &Path, env: &Env, file: &str) -> (bool, String) {
    let out = Command::new(xmlsec1)
        .current_dir(env.dir())
        .args([
            "--verify",
            "--trusted-pem",
            "pki/root-ca.crt",
            "--untrusted-pem",
            "pki/signing-ca.crt",
            "--id-attr:Id",
            "SignedProperties",
            "--id-attr:Id",
            "KeyInfo",
            file,
        ])
        .output()
        .unwrap();
    (out.status.success(), describe(&out))
}

/// signxml's XAdES verification of `file`: (accepted, its output).
fn signxml_verify(python: &Path, env: &Env, file: &str) -> (bool, String) {
    let mut ca = env.read("pki/signing-ca.crt");
    ca.extend(env.read("pki/root-ca.crt"));
    env.write("ca.pem", ca);
    let out = Command::new(python)
        .current_dir(env.dir())
        .arg(testdata().join("../tests/oracles/xades-signxml.py"))
        .args(["verify", file, "ca.pem"])
        .output()
        .unwrap();
    (
        out.status.success() && String::from_utf8_lossy(&out.stdout).starts_with("OK"),
        describe(&out),
    )
}

/// Signs `rx.xml` (the sample prescription) with the token key `key`
/// (and `extra`), checks hozon's verdict and both oracles, then a tampered
/// copy.
fn sign_and_check(env: &Env, token: &Token, key: &str, extra: &[&str], signer: &str) {
    let (Some(xmlsec), Some(python)) = (hozon_testkit::tool("xmlsec1", "xmlsec1"), signxml())
    else {
        return;
    };
    env.write(
        "rx.xml",
        std::fs::read(testdata().join("xml/prescription.xml")).unwrap(),
    );
    let mut args = vec![
        "sign",
        "rx.xml",
        "--format",
        "xades",
        "--pkcs11-module",
        MODULE,
        "--pkcs11-key",
        key,
        "--pin-env",
        PIN_VAR,
        "--trust",
        "pki/trust.pem",
        "--crl",
        CRLS,
        "--force",
    ];
    args.extend_from_slice(extra);
    let out = token.hozon(env, &args, &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = env.verify(&["rx.signed.xml"], &["--crl", CRLS]);
    let s = v.expect(0, "rx.signed.xml", "TOTAL_PASSED", None);
    assert_eq!(s.format, "XAdES", "{}", v.stdout);
    let subject = s.signer.as_ref().map(|id| id.subject.as_str());
    assert!(subject.unwrap_or("").contains(signer), "{}", v.stdout);
    let (ok, text) = xmlsec1(&xmlsec, env, "rx.signed.xml");
    assert!(ok, "xmlsec1 rejects the token's XAdES: {text}");
    assert!(
        text.contains("SignedInfo References (ok/all): 3/3"),
        "{text}"
    );
    let (ok, text) = signxml_verify(&python, env, "rx.signed.xml");
    assert!(ok, "signxml rejects the token's XAdES: {text}");
    // Each oracle can say no: one signed character changed.
    let signed = String::from_utf8(env.read("rx.signed.xml")).unwrap();
    env.write("tampered.xml", signed.replacen("山田", "田中", 1));
    assert!(!xmlsec1(&xmlsec, env, "tampered.xml").0);
    assert!(!signxml_verify(&python, env, "tampered.xml").0);
    let v = env.verify(&["tampered.xml"], &["--crl", CRLS]);
    v.expect(1, "tampered.xml", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn ecdsa_on_a_token_signs_xades_that_xmlsec1_and_signxml_accept() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    sign_and_check(&env, &token, "ec-key", &[], "佐藤 花子");
}

#[test]
fn rsa_on_a_token_signs_xades_that_xmlsec1_and_signxml_accept() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    // The doctor's token key, certified with digitalSignature too.
    env.write(
        "pki/doctor-ds.ext",
        "keyUsage = critical, digitalSignature, nonRepudiation\nbasicConstraints = critical, CA:FALSE\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n",
    );
    env.openssl_ok(&[
        "req",
        "-new",
        "-key",
        "pki/signer-doctor.key",
        "-subj",
        "/C=JP/O=hozon Test Hospital/CN=保存 一郎",
        "-utf8",
        "-out",
        "pki/doctor-ds.csr",
    ]);
    env.openssl_ok(&[
        "x509",
        "-req",
        "-in",
        "pki/doctor-ds.csr",
        "-CA",
        "pki/signing-ca.crt",
        "-CAkey",
        "pki/signing-ca.key",
        "-set_serial",
        "0x5151",
        "-days",
        "365",
        "-sha256",
        "-extfile",
        "pki/doctor-ds.ext",
        "-out",
        "pki/doctor-ds.crt",
    ]);
    sign_and_check(
        &env,
        &token,
        "doctor-key",
        &["--cert", "pki/doctor-ds.crt", "--chain", "pki/chain.pem"],
        "保存 一郎",
    );
}
