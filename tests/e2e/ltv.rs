//! B-LT: `hozon extend --level lt` embeds the certificates and CRLs that
//! validation relies on, so the signature validates with nothing but the
//! trust anchor.

use hozon_testkit::{Pki, TsaMode, TsaServer};

use crate::util::{code, describe, flip_byte, load_sd, save_sd, Env, CRLS, TRUST};

fn start_tsa(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

fn extend_lt(env: &Env, sig: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "extend",
        sig,
        "--level",
        "lt",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
    ];
    args.extend_from_slice(extra);
    env.hozon(&args)
}

/// Verifies with the trust anchor only: no --crl, nothing from outside.
fn verify_offline(env: &Env, sig: &str) -> crate::util::Verified {
    env.verify(&[sig], &["--offline"])
}

#[test]
fn b_t_extended_to_b_lt_validates_with_the_anchor_alone() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.sign_doc(
        "a.pdf",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    // Before: the CRLs are outside the signature.
    verify_offline(&env, "a.pdf.p7s").expect(3, "a.pdf.p7s", "INDETERMINATE", Some("TRY_LATER"));
    let out = extend_lt(&env, "a.pdf.p7s", &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = verify_offline(&env, "a.pdf.p7s");
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LT"), "{}", v.stdout);
    // Still a valid CAdES signature for OpenSSL.
    let (ok, log) = env.openssl_verify("a.pdf.p7s", Some("a.pdf"));
    assert!(ok, "{log}");
}

#[test]
fn extending_twice_changes_nothing() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    assert_eq!(code(&extend_lt(&env, "a.txt.p7s", &[])), 0);
    let once = env.read("a.txt.p7s");
    let out = extend_lt(&env, "a.txt.p7s", &["--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["skipped"], 1, "{json}");
    assert_eq!(env.read("a.txt.p7s"), once);
}

#[test]
fn b_b_needs_a_tsa_to_become_b_lt_and_openssl_signatures_work_too() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    env.copy_doc("discharge-summary.xml", "a.xml");
    env.openssl_sign("a.xml", "signer-doctor", "a.xml.p7s", &["-cades"]);
    let before = env.read("a.xml.p7s");
    // No time stamp and no --tsa: refused, file untouched.
    let out = extend_lt(&env, "a.xml.p7s", &[]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--tsa"),
        "{}",
        describe(&out)
    );
    assert_eq!(env.read("a.xml.p7s"), before);
    // With --tsa: stamped, then the validation data embedded.
    let out = extend_lt(&env, "a.xml.p7s", &["--tsa", &tsa.url()]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = verify_offline(&env, "a.xml.p7s");
    let s = v.expect(0, "a.xml.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LT"), "{}", v.stdout);
    let (ok, log) = env.openssl_verify("a.xml.p7s", Some("a.xml"));
    assert!(ok, "{log}");
}

#[test]
fn a_signature_that_does_not_validate_is_not_extended() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    flip_byte(&env.path("a.txt"), 5);
    let before = env.read("a.txt.p7s");
    let out = extend_lt(&env, "a.txt.p7s", &[]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a.txt.p7s") && err.contains("HASH_FAILURE"),
        "{err}"
    );
    assert_eq!(
        env.read("a.txt.p7s"),
        before,
        "never a partial or changed file"
    );
}

#[test]
fn a_tampered_embedded_crl_is_not_used() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.sign_doc(
        "a.pdf",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    assert_eq!(code(&extend_lt(&env, "a.pdf.p7s", &[])), 0);
    // Flip a byte inside each embedded CRL's signature value: the CRLs no
    // longer verify with their issuers' keys, so they prove nothing.
    let mut sd = load_sd(&env.path("a.pdf.p7s"));
    let crls = sd.crls.take().unwrap();
    let mut list = crls.0.into_vec();
    assert_eq!(list.len(), 2, "the signing CA's and the root's CRL");
    for choice in &mut list {
        if let hozon_cms::asn1::cms::revocation::RevocationInfoChoice::Crl(crl) = choice {
            let mut bytes = crl.signature.raw_bytes().to_vec();
            let last = bytes.len() - 1;
            bytes[last] ^= 1;
            crl.signature = hozon_cms::asn1::der::asn1::BitString::from_bytes(&bytes).unwrap();
        }
    }
    sd.crls = Some(hozon_cms::asn1::cms::revocation::RevocationInfoChoices(
        hozon_cms::asn1::der::asn1::SetOfVec::try_from(list).unwrap(),
    ));
    save_sd(&env.path("a.pdf.p7s"), &sd);
    let v = verify_offline(&env, "a.pdf.p7s");
    let s = v.expect(3, "a.pdf.p7s", "INDETERMINATE", Some("TRY_LATER"));
    assert!(
        s.errors
            .iter()
            .any(|e| e.contains("signature does not verify")),
        "{:?}",
        s.errors
    );
    assert_ne!(s.level.as_deref(), Some("B-LT"));
}
