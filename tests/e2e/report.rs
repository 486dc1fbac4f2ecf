//! The JSON contract of `hozon verify --json` and `hozon sign --json`:
//! our own serde mirror of the documented shape, plus checks of keys,
//! value vocabularies and summary arithmetic.

use serde::Deserialize;
use serde_json::Value;

use crate::util::{
    check_summary, code, describe, flip_byte, stdout, unix_seconds, Env, CRLS, TRUST,
};

/// `hozon verify --json` (the documented fields; others are tolerated).
#[derive(Clone, Debug, Deserialize)]
pub struct Report {
    pub validation_time: String,
    pub signatures: Vec<Signature>,
    pub summary: Summary,
    #[serde(default)]
    pub file_errors: Vec<FileError>,
}

/// One SignerInfo's result.
#[derive(Clone, Debug, Deserialize)]
pub struct Signature {
    pub file: String,
    pub content: Option<String>,
    pub signer_info: usize,
    pub format: String,
    pub level: Option<String>,
    pub indication: String,
    pub sub_indication: Option<String>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub signer: Option<SignerId>,
    pub claimed_signing_time: Option<String>,
    pub best_signature_time: Option<String>,
    pub timestamps: Vec<Value>,
    pub renew_by: Option<String>,
}

/// The signer, from its certificate.
#[derive(Clone, Debug, Deserialize)]
pub struct SignerId {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub hc_role: Option<String>,
}

/// Counts.
#[derive(Clone, Debug, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub indeterminate: usize,
}

/// A file that could not be verified.
#[derive(Clone, Debug, Deserialize)]
pub struct FileError {
    pub file: String,
    pub error: String,
}

/// `hozon sign --json`.
#[derive(Clone, Debug, Deserialize)]
pub struct SignReport {
    pub signed: Vec<SignedEntry>,
    pub skipped: Vec<Problem>,
    pub failed: Vec<Problem>,
    pub summary: SignSummary,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SignedEntry {
    pub file: String,
    pub signature: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Problem {
    pub file: String,
    /// A stable code beside every reason (issue 17).
    pub code: String,
    pub reason: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SignSummary {
    pub total: usize,
    pub signed: usize,
    pub skipped: usize,
    pub failed: usize,
}

/// Parses `hozon sign --json` output.
pub fn sign_report(out: &std::process::Output) -> SignReport {
    let report: SignReport = serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("sign --json breaks the contract ({e}): {}", describe(out)));
    for p in report.skipped.iter().chain(&report.failed) {
        assert!(
            !p.code.is_empty() && p.code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
            "{}: code {:?}",
            p.file,
            p.code
        );
    }
    report
}

const INDICATIONS: [&str; 3] = ["TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE"];

/// ETSI EN 319 102-1 §5.1.3 sub-indications.
const SUB_INDICATIONS: [&str; 25] = [
    // TOTAL_FAILED
    "FORMAT_FAILURE",
    "HASH_FAILURE",
    "SIG_CRYPTO_FAILURE",
    "REVOKED",
    "EXPIRED",
    "NOT_YET_VALID",
    // INDETERMINATE
    "SIG_CONSTRAINTS_FAILURE",
    "CHAIN_CONSTRAINTS_FAILURE",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE",
    "CRYPTO_CONSTRAINTS_FAILURE",
    "POLICY_PROCESSING_ERROR",
    "SIGNATURE_POLICY_NOT_AVAILABLE",
    "TIMESTAMP_ORDER_FAILURE",
    "NO_SIGNING_CERTIFICATE_FOUND",
    "NO_CERTIFICATE_CHAIN_FOUND",
    "REVOKED_NO_POE",
    "REVOKED_CA_NO_POE",
    "OUT_OF_BOUNDS_NO_POE",
    "OUT_OF_BOUNDS_NOT_REVOKED",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
    "NO_POE",
    "TRY_LATER",
    "SIGNED_DATA_NOT_FOUND",
    "CUSTOM",
];

/// `YYYY-MM-DDTHH:MM:SSZ`.
fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn is_snake_case(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !key.starts_with('_')
}

/// Every key of every object in `v` is snake_case.
fn assert_snake_case_keys(v: &Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                assert!(is_snake_case(k), "key {k:?} is not snake_case");
                assert_snake_case_keys(val);
            }
        }
        Value::Array(items) => items.iter().for_each(assert_snake_case_keys),
        _ => {}
    }
}

fn assert_keys(v: &Value, keys: &[&str]) {
    let map = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    for k in keys {
        assert!(map.contains_key(*k), "missing key {k:?} in {v}");
    }
}

const ENTRY_KEYS: [&str; 14] = [
    "file",
    "content",
    "signer_info",
    "format",
    "level",
    "indication",
    "sub_indication",
    "errors",
    "warnings",
    "signer",
    "claimed_signing_time",
    "best_signature_time",
    "timestamps",
    "renew_by",
];

/// Checks the vocabulary of every entry of a report.
fn assert_vocabulary(r: &Report) {
    for s in &r.signatures {
        assert!(INDICATIONS.contains(&s.indication.as_str()), "{s:?}");
        match (&s.indication[..], &s.sub_indication) {
            ("TOTAL_PASSED", None) => {}
            ("TOTAL_PASSED", Some(sub)) => panic!("TOTAL_PASSED with sub-indication {sub}"),
            (_, None) => panic!("{} without a sub-indication: {s:?}", s.indication),
            (_, Some(sub)) => assert!(SUB_INDICATIONS.contains(&sub.as_str()), "{sub}"),
        }
        assert!(["CAdES", "CMS"].contains(&s.format.as_str()), "{s:?}");
    }
}

#[test]
fn passed_report_has_every_documented_field() {
    let env = Env::new();
    let doc = env.copy_doc("lab-report.pdf", "a.pdf");
    let sig = env.sign_doc(&doc, "signer-doctor", &[]);
    let v = env.verify_crl(&[&sig]);
    assert_eq!(v.code, 0, "{}", v.stdout);

    // Keys, exactly as documented, all snake_case.
    assert_snake_case_keys(&v.json);
    assert_keys(&v.json, &["validation_time", "signatures", "summary"]);
    assert!(
        v.json.get("file_errors").is_none(),
        "file_errors must be omitted when empty: {}",
        v.stdout
    );
    let entry = &v.json["signatures"][0];
    assert_keys(entry, &ENTRY_KEYS);
    assert_keys(
        &entry["signer"],
        &["subject", "issuer", "serial", "hc_role"],
    );
    assert_keys(
        &v.json["summary"],
        &["total", "passed", "failed", "indeterminate"],
    );
    assert!(entry["sub_indication"].is_null());
    assert!(entry["renew_by"].is_null());
    assert_eq!(entry["timestamps"], serde_json::json!([]));
    assert_eq!(entry["signer_info"], serde_json::json!(0));

    // Values.
    let r = &v.report;
    assert_vocabulary(r);
    check_summary(r);
    assert!(is_rfc3339_utc(&r.validation_time), "{}", r.validation_time);
    let s = &r.signatures[0];
    assert_eq!(s.file, "a.pdf.p7s");
    assert_eq!(s.content.as_deref(), Some("a.pdf"));
    assert_eq!(s.format, "CAdES");
    assert_eq!(s.level.as_deref(), Some("B-B"));
    assert_eq!(s.indication, "TOTAL_PASSED");
    assert!(s.errors.is_empty() && s.warnings.is_empty(), "{s:?}");
    assert!(s.timestamps.is_empty() && s.renew_by.is_none(), "{s:?}");
    let claimed = s.claimed_signing_time.as_deref().unwrap();
    assert!(is_rfc3339_utc(claimed), "{claimed}");
    // Signed a moment before the validation time.
    let lag = unix_seconds(&r.validation_time) - unix_seconds(claimed);
    assert!(
        (0..120).contains(&lag),
        "{claimed} vs {}",
        r.validation_time
    );
    // Without a time stamp the best signature time is the validation time.
    assert_eq!(
        s.best_signature_time.as_deref(),
        Some(r.validation_time.as_str())
    );

    // The signer, against the certificate read by OpenSSL.
    let x509 = openssl::x509::X509::from_pem(&env.read("pki/signer-doctor.crt")).unwrap();
    let serial = hex::encode_upper(x509.serial_number().to_bn().unwrap().to_vec());
    let signer = s.signer.as_ref().unwrap();
    assert_eq!(signer.subject, "CN=山田 太郎,O=hozon Test Hospital,C=JP");
    assert_eq!(
        signer.issuer,
        "CN=hozon Test HPKI Signing CA,O=hozon Test,C=JP"
    );
    assert_eq!(signer.serial, serial);
    assert_eq!(signer.hc_role.as_deref(), Some("Medical Doctor"));
    assert_eq!(
        (
            r.summary.total,
            r.summary.passed,
            r.summary.failed,
            r.summary.indeterminate
        ),
        (1, 1, 0, 0)
    );
}

#[test]
fn summary_arithmetic_over_mixed_results() {
    let env = Env::new();
    // passed
    env.copy_doc("referral-letter.txt", "d/good.txt");
    env.sign_doc("d/good.txt", "signer-doctor", &[]);
    // failed (HASH_FAILURE)
    env.copy_doc("discharge-summary.xml", "d/bad.xml");
    env.sign_doc("d/bad.xml", "signer-ec", &[]);
    flip_byte(&env.path("d/bad.xml"), 100);
    // indeterminate (content missing)
    env.copy_doc("lab-report.pdf", "d/gone.pdf");
    env.sign_doc("d/gone.pdf", "signer-doctor", &[]);
    std::fs::remove_file(env.path("d/gone.pdf")).unwrap();
    // two SignerInfos, both passed
    env.copy_doc("referral-letter.txt", "d/two.txt");
    env.openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-cades",
        "-in",
        "d/two.txt",
        "-signer",
        "pki/signer-doctor.crt",
        "-inkey",
        "pki/signer-doctor.key",
        "-signer",
        "pki/signer-ec.crt",
        "-inkey",
        "pki/signer-ec.key",
        "-certfile",
        "pki/chain.pem",
        "-outform",
        "DER",
        "-out",
        "d/two.txt.p7s",
    ]);

    let v = env.verify_crl(&["d"]);
    assert_snake_case_keys(&v.json);
    assert_vocabulary(&v.report);
    check_summary(&v.report);
    let s = &v.report.summary;
    assert_eq!(
        (s.total, s.passed, s.failed, s.indeterminate),
        (5, 3, 1, 1),
        "{}",
        v.stdout
    );
    assert_eq!(v.code, 1, "a TOTAL_FAILED outranks INDETERMINATE");
    assert_eq!(
        v.entry("d/bad.xml.p7s", 0).sub_indication.as_deref(),
        Some("HASH_FAILURE")
    );
    assert_eq!(
        v.entry("d/gone.pdf.p7s", 0).sub_indication.as_deref(),
        Some("SIGNED_DATA_NOT_FOUND")
    );
    for e in &v.json["signatures"].as_array().unwrap()[..] {
        assert_keys(e, &ENTRY_KEYS);
    }
}

/// The documented error format is "... [SUB_INDICATION]" for every entry of
/// `errors`, the most serious (the reported sub-indication) first.
#[test]
fn every_error_ends_with_its_sub_indication() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "hash.txt");
    env.sign_doc("hash.txt", "signer-doctor", &[]);
    flip_byte(&env.path("hash.txt"), 0);

    env.copy_doc("referral-letter.txt", "gone.txt");
    env.sign_doc("gone.txt", "signer-doctor", &[]);
    std::fs::remove_file(env.path("gone.txt")).unwrap();

    env.copy_doc("referral-letter.txt", "trunc.txt");
    env.sign_doc("trunc.txt", "signer-doctor", &[]);
    let full = env.read("trunc.txt.p7s");
    env.write("trunc.txt.p7s", &full[..full.len() / 2]);

    env.copy_doc("referral-letter.txt", "zero.txt");
    env.write("zero.txt.p7s", b"");

    let v = env.verify_crl(&[
        "hash.txt.p7s",
        "gone.txt.p7s",
        "trunc.txt.p7s",
        "zero.txt.p7s",
    ]);
    assert_eq!(v.report.signatures.len(), 4, "{}", v.stdout);
    for s in &v.report.signatures {
        let sub = s.sub_indication.as_deref().unwrap();
        assert!(!s.errors.is_empty(), "{s:?}");
        assert!(
            s.errors[0].ends_with(&format!("[{sub}]")),
            "{}: first error {:?} does not end with [{sub}]",
            s.file,
            s.errors[0]
        );
        for e in &s.errors {
            let tag = e
                .rsplit_once('[')
                .and_then(|(_, t)| t.strip_suffix(']'))
                .unwrap_or_else(|| panic!("{}: error {e:?} has no [SUB_INDICATION]", s.file));
            assert!(SUB_INDICATIONS.contains(&tag), "{}: {e:?}", s.file);
        }
    }
}

#[test]
fn validation_time_honours_at_with_an_offset() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let v = env.verify(
        &["a.txt.p7s"],
        &["--crl", CRLS, "--at", "2030-01-01T09:00:00+09:00"],
    );
    assert_eq!(v.report.validation_time, "2030-01-01T00:00:00Z");
    let s = v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
    assert_eq!(
        s.best_signature_time.as_deref(),
        Some("2030-01-01T00:00:00Z")
    );
}

#[test]
fn file_errors_name_the_unreadable_input() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let v = env.verify_crl(&["a.txt.p7s", "nope.p7s"]);
    assert_eq!(v.code, 4, "a missing input is an I/O error: {}", v.stdout);
    assert_keys(&v.json, &["file_errors"]);
    assert_eq!(v.report.file_errors.len(), 1, "{}", v.stdout);
    assert_eq!(v.report.file_errors[0].file, "nope.p7s");
    assert!(!v.report.file_errors[0].error.trim().is_empty());
    // The readable one is still verified.
    assert_eq!(v.report.signatures.len(), 1);
    assert_eq!(v.entry("a.txt.p7s", 0).indication, "TOTAL_PASSED");
    check_summary(&v.report);
}

#[test]
fn sign_json_contract() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "new.txt");
    env.copy_doc("referral-letter.txt", "old.txt");
    env.write("old.txt.p7s", b"placeholder");
    let out = env.hozon(&[
        "sign",
        "new.txt",
        "old.txt",
        "missing.txt",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        "pki/chain.pem",
        "--crl",
        "pki/crls.pem",
        "--json",
    ]);
    assert_eq!(
        code(&out),
        4,
        "a failed file gives exit 4: {}",
        describe(&out)
    );
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_snake_case_keys(&json);
    assert_keys(&json, &["signed", "skipped", "failed", "summary"]);
    assert_keys(&json["summary"], &["total", "signed", "skipped", "failed"]);
    let r = sign_report(&out);
    assert_eq!(r.signed.len(), 1);
    assert_eq!(r.signed[0].file, "new.txt");
    assert_eq!(r.signed[0].signature, "new.txt.p7s");
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(r.skipped[0].file, "old.txt");
    assert!(!r.skipped[0].reason.is_empty());
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.failed[0].file, "missing.txt");
    assert!(!r.failed[0].reason.is_empty());
    assert_eq!(
        (
            r.summary.total,
            r.summary.signed,
            r.summary.skipped,
            r.summary.failed
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(
        env.read("old.txt.p7s"),
        b"placeholder",
        "skipped file changed"
    );
    assert!(!env.exists("missing.txt.p7s"));
}

#[test]
fn human_output_names_file_and_verdict() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    flip_byte(&env.path("a.txt"), -1);
    let out = env.hozon(&["verify", "a.txt.p7s", "--trust", TRUST, "--crl", CRLS]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "not JSON without --json"
    );
    let line = text
        .lines()
        .find(|l| l.contains("a.txt.p7s"))
        .unwrap_or_else(|| panic!("no line names the file: {text}"));
    assert!(
        line.contains("TOTAL_FAILED") && line.contains("HASH_FAILURE"),
        "{line}"
    );
}
