//! `hozon verify --json`: every error and warning also appears in
//! `findings` with its stable machine code (DESIGN.md §4, additive).

use hozon_cms::asn1::der::asn1::OctetString;

use crate::util::{edit_signer_info, flip_byte, load_sd, save_sd, Env, Verified, CRLS};

/// The codes of the findings of severity `severity` in the only signature.
fn codes(v: &Verified, severity: &str) -> Vec<String> {
    let findings = v.json["signatures"][0]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings: {}", v.stdout));
    findings
        .iter()
        .filter(|f| f["severity"] == severity)
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect()
}

/// The findings mirror `errors` and `warnings` message for message.
fn assert_mirrors(v: &Verified) {
    let s = &v.json["signatures"][0];
    let messages = |severity: &str| -> Vec<serde_json::Value> {
        s["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["severity"] == severity)
            .map(|f| f["message"].clone())
            .collect()
    };
    assert_eq!(
        s["errors"].as_array().cloned().unwrap_or_default(),
        messages("error")
    );
    assert_eq!(
        s["warnings"].as_array().cloned().unwrap_or_default(),
        messages("warning")
    );
}

#[test]
fn verify_codes_altered_content_is_message_digest_mismatch() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    flip_byte(&env.path("a.txt"), 0);
    let v = env.verify_crl(&["a.txt.p7s"]);
    v.expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
    assert_eq!(
        codes(&v, "error"),
        ["MESSAGE_DIGEST_MISMATCH"],
        "{}",
        v.stdout
    );
    assert_mirrors(&v);
}

#[test]
fn verify_codes_altered_signature_value_is_signature_value_invalid() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-ec", &[]);
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    edit_signer_info(&mut sd, |si| {
        let mut value = si.signature.as_bytes().to_vec();
        let mid = value.len() / 2;
        value[mid] ^= 0x01;
        si.signature = OctetString::new(value).expect("octets");
    });
    save_sd(&env.path("a.txt.p7s"), &sd);
    let v = env.verify_crl(&["a.txt.p7s"]);
    v.expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("SIG_CRYPTO_FAILURE"));
    assert!(
        codes(&v, "error").contains(&"SIGNATURE_VALUE_INVALID".to_owned()),
        "{}",
        v.stdout
    );
    assert_mirrors(&v);
}

#[test]
fn verify_codes_missing_content_is_signed_data_not_found() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    std::fs::remove_file(env.path("a.txt")).expect("remove");
    let v = env.verify(&["a.txt.p7s"], &["--crl", CRLS]);
    assert!(
        codes(&v, "error").contains(&"SIGNED_DATA_NOT_FOUND".to_owned()),
        "{}",
        v.stdout
    );
    assert_mirrors(&v);
}

#[test]
fn verify_codes_signer_info_version_is_structure_invalid() {
    use hozon_cms::asn1::cms::content_info::CmsVersion;
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    edit_signer_info(&mut sd, |si| si.version = CmsVersion::V3);
    save_sd(&env.path("a.txt.p7s"), &sd);
    let v = env.verify_crl(&["a.txt.p7s"]);
    v.expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("FORMAT_FAILURE"));
    assert_eq!(codes(&v, "error"), ["STRUCTURE_INVALID"], "{}", v.stdout);
}

#[test]
fn verify_codes_a_passing_signature_has_no_error_findings() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let v = env.verify_crl(&["a.txt.p7s"]);
    v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
    let findings = &v.json["signatures"][0]["findings"];
    assert!(
        findings.is_null()
            || findings
                .as_array()
                .is_some_and(|f| f.iter().all(|f| f["severity"] == "warning")),
        "{}",
        v.stdout
    );
    assert_mirrors(&v);
}
