//! RFC 3161 time stamps end to end, against the loopback TSA of
//! `hozon-testkit` (OpenSSL's own `openssl ts -reply` behind HTTP):
//! `hozon timestamp`, `hozon sign --level t`, `hozon extend --level t` and
//! the verification of stand-alone stamps and signature time stamps.
//!
//! OpenSSL is the independent oracle in both directions (`openssl ts
//! -verify`, `openssl cms -verify -cades`). Every TSA fault must leave the
//! inputs untouched, write nothing, exit 4 and name the file, the TSA and
//! the reason. Verification negatives are crafted by editing the unsigned
//! attributes (which the signature value does not cover).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hozon_cms::asn1::cms::signed_data::{SignedData, SignerInfos};
use hozon_cms::asn1::der::asn1::{SetOfVec, UtcTime};
use hozon_cms::asn1::der::{Any, Decode, Encode};
use hozon_cms::asn1::x509_cert::attr::Attribute;
use hozon_cms::asn1::x509_cert::time::Time;
use hozon_cms::attributes::{all_values, single_valued};
use hozon_cms::oid::rfc3161::ID_AA_SIGNATURE_TIME_STAMP_TOKEN;
use hozon_cms::oid::ID_SIGNING_TIME;
use hozon_testkit::{unreachable_url, Pki, TsaMode, TsaServer, TSA_POLICY_OID};
use serde_json::Value;

use crate::report::sign_report;
use crate::util::{
    code, describe, edit_signed_attrs, edit_signer_info, flip_byte, load_sd, resign, save_sd,
    stderr, stdout, unix_seconds, Env, Verified, CHAIN, CRLS,
};

/// Subject of `tsa.crt`.
pub(crate) const TSA_SUBJECT: &str = "CN=hozon Test TSA,O=hozon Test TSA,C=JP";
/// The doctor's key and certificate, with the chain and the CRLs the
/// signer's revocation pre-check reads.
pub(crate) const DOCTOR: [&str; 8] = [
    "--key",
    "pki/signer-doctor.key",
    "--cert",
    "pki/signer-doctor.crt",
    "--chain",
    CHAIN,
    "--crl",
    CRLS,
];
/// No retries, short timeout: fault tests fail fast.
pub(crate) const FAST: [&str; 4] = ["--tsa-timeout", "2", "--tsa-retries", "0"];

/// Starts the loopback TSA on the test's own copy of the PKI (`pki/` of the
/// [`Env`], which outlives the server when declared before it).
fn start_tsa(env: &Env, mode: TsaMode) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    TsaServer::start(&pki, mode).unwrap()
}

/// Runs `hozon ARGS` and asserts the exit status (and that nothing
/// panicked).
pub(crate) fn hozon_expect(env: &Env, args: &[&str], exit: i32) -> Output {
    let out = env.hozon(args);
    assert_eq!(code(&out), exit, "hozon {args:?}: {}", describe(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", describe(&out));
    out
}

/// `hozon sign FILE --level t --tsa URL EXTRA` with the doctor's key.
fn sign_t(env: &Env, file: &str, url: &str, extra: &[&str]) -> Output {
    let mut args = vec!["sign", file, "--level", "t", "--tsa", url];
    args.extend_from_slice(&DOCTOR);
    args.extend_from_slice(extra);
    env.hozon(&args)
}

/// Parses the `--json` output of `hozon timestamp` or `hozon extend`.
pub(crate) fn batch_json(out: &Output) -> Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", describe(out)))
}

/// `(file, reason)` of every entry of the list `key` of a batch report.
fn entries(json: &Value, key: &str) -> Vec<(String, String)> {
    json[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key:?} list: {json}"))
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The names of the entries of `dir` (not recursive).
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The only SignerInfo's signature time-stamp token (DER ContentInfo).
fn token_der(sd: &SignedData) -> Vec<u8> {
    let si = &sd.signer_infos.0.as_slice()[0];
    let tokens: Vec<&Any> =
        all_values(si.unsigned_attrs.as_ref(), ID_AA_SIGNATURE_TIME_STAMP_TOKEN).collect();
    assert_eq!(tokens.len(), 1, "expected one signature time stamp");
    tokens[0].to_der().unwrap()
}

/// Replaces the unsigned attributes of the only SignerInfo by one
/// signature time-stamp token `der`. Does not re-sign (nothing to re-sign:
/// unsigned attributes are not covered by the signature value).
fn set_token(sd: &mut SignedData, der: &[u8]) {
    let attr = Attribute {
        oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
        values: SetOfVec::try_from(vec![Any::from_der(der).unwrap()]).unwrap(),
    };
    edit_signer_info(sd, |si| {
        si.unsigned_attrs = Some(SetOfVec::try_from(vec![attr]).unwrap());
    });
}

/// RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SSZ`) of seconds since the epoch; the
/// inverse of [`unix_seconds`].
fn rfc3339(unix: i64) -> String {
    // Civil from days (Howard Hinnant's algorithm).
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn now_unix() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// Signs a copy of the lab report as `file` at level B-T with the loopback
/// TSA at `url`; returns the signature's path.
fn signed_b_t(env: &Env, file: &str, url: &str) -> String {
    env.copy_doc("lab-report.pdf", file);
    let out = sign_t(env, file, url, &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    format!("{file}.p7s")
}

/// Checks a passed B-T entry: one PASSED signature time stamp by the test
/// TSA under its policy, and the best signature time is its genTime.
pub(crate) fn assert_b_t_passed(v: &Verified, sig: &str) -> String {
    let s = v.expect(0, sig, "TOTAL_PASSED", None);
    assert_eq!(s.format, "CAdES");
    assert_eq!(s.level.as_deref(), Some("B-T"), "{}", v.stdout);
    assert_eq!(s.timestamps.len(), 1, "{}", v.stdout);
    let ts = &s.timestamps[0];
    assert_eq!(ts["kind"], "signature", "{}", v.stdout);
    assert_eq!(ts["indication"], "PASSED", "{}", v.stdout);
    assert_eq!(ts["tsa"], TSA_SUBJECT, "{}", v.stdout);
    assert_eq!(ts["policy"], TSA_POLICY_OID, "{}", v.stdout);
    assert!(
        ts["serial"].as_str().is_some_and(|s| !s.is_empty()),
        "{}",
        v.stdout
    );
    let gen = ts["gen_time"].as_str().unwrap().to_owned();
    assert_eq!(s.best_signature_time.as_deref(), Some(gen.as_str()));
    // The stamp was made just now, after the signature.
    let claimed = unix_seconds(s.claimed_signing_time.as_deref().unwrap());
    assert!(claimed <= unix_seconds(&gen), "{}", v.stdout);
    assert!(
        (now_unix() - unix_seconds(&gen)).abs() < 300,
        "{}",
        v.stdout
    );
    gen
}

// ---------------------------------------------------------------------------
// Interoperability
// ---------------------------------------------------------------------------

#[test]
fn timestamp_file_interop_with_openssl_ts() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    env.copy_doc("lab-report.pdf", "a.pdf");
    let out = hozon_expect(
        &env,
        &["timestamp", "a.pdf", "--tsa", &tsa.url(), "--json"],
        0,
    );
    let json = batch_json(&out);
    assert_eq!(json["stamped"][0]["file"], "a.pdf", "{json}");
    assert_eq!(json["stamped"][0]["timestamp"], "a.pdf.tsr", "{json}");
    assert_eq!(json["summary"]["stamped"], 1, "{json}");
    assert_eq!(json["summary"]["failed"], 0, "{json}");
    assert_eq!(tsa.requests(), 1);

    // OpenSSL accepts the .tsr as a TimeStampResp over a.pdf.
    let verify_tsr = |env: &Env, tsr: &str, token_in: bool| {
        let mut args = vec![
            "ts",
            "-verify",
            "-data",
            "a.pdf",
            "-in",
            tsr,
            "-CAfile",
            "pki/root-ca.crt",
        ];
        if token_in {
            args.push("-token_in");
        }
        env.openssl(&args)
    };
    let out = verify_tsr(&env, "a.pdf.tsr", false);
    assert!(
        out.status.success() && stdout(&out).contains("Verification: OK"),
        "{}",
        describe(&out)
    );

    // hozon verifies it against a.pdf.
    let v = env.verify_crl(&["a.pdf.tsr"]);
    let s = v.expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);
    assert_eq!(s.format, "RFC3161");
    assert_eq!(s.content.as_deref(), Some("a.pdf"));
    assert_eq!(s.timestamps.len(), 1, "{}", v.stdout);
    let ts = &s.timestamps[0];
    assert_eq!(ts["kind"], "content");
    assert_eq!(ts["indication"], "PASSED");
    assert_eq!(ts["tsa"], TSA_SUBJECT);
    assert_eq!(ts["policy"], TSA_POLICY_OID);
    assert_eq!(s.best_signature_time.as_deref(), ts["gen_time"].as_str());
    assert_eq!(s.signer.as_ref().unwrap().subject, TSA_SUBJECT);

    // A bare token (what `openssl ts -reply -token_out` writes) is accepted
    // too, by both.
    env.openssl_ok(&[
        "ts",
        "-reply",
        "-in",
        "a.pdf.tsr",
        "-token_out",
        "-out",
        "token.der",
    ]);
    let out = verify_tsr(&env, "token.der", true);
    assert!(
        stdout(&out).contains("Verification: OK"),
        "{}",
        describe(&out)
    );
    let response = env.read("a.pdf.tsr");
    env.write("a.pdf.tsr", env.read("token.der"));
    env.verify_crl(&["a.pdf.tsr"])
        .expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);
    env.write("a.pdf.tsr", &response);

    // Running again keeps the stamp (skipped); --force replaces it.
    let out = hozon_expect(
        &env,
        &["timestamp", "a.pdf", "--tsa", &tsa.url(), "--json"],
        0,
    );
    assert_eq!(entries(&batch_json(&out), "skipped")[0].0, "a.pdf");
    assert_eq!(env.read("a.pdf.tsr"), response);
    assert_eq!(tsa.requests(), 1, "a skipped file must not be stamped");
    hozon_expect(
        &env,
        &["timestamp", "a.pdf", "--tsa", &tsa.url(), "--force"],
        0,
    );
    assert_ne!(env.read("a.pdf.tsr"), response);
    assert_eq!(tsa.requests(), 2);

    // One altered byte of a.pdf: both reject the stamp.
    flip_byte(&env.path("a.pdf"), 100);
    let out = verify_tsr(&env, "a.pdf.tsr", false);
    assert!(
        !out.status.success() && stdout(&out).contains("Verification: FAILED"),
        "OpenSSL accepts the stamp of altered data: {}",
        describe(&out)
    );
    let v = env.verify_crl(&["a.pdf.tsr"]);
    let s = v.expect(1, "a.pdf.tsr", "TOTAL_FAILED", Some("HASH_FAILURE"));
    assert_eq!(s.timestamps[0]["indication"], "FAILED", "{}", v.stdout);
    assert!(
        s.errors.iter().any(|e| e.contains("a.pdf")),
        "the error does not name the file: {:?}",
        s.errors
    );
}

#[test]
fn sign_level_t_is_cades_for_openssl_and_b_t_for_hozon() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    env.copy_doc("discharge-summary.xml", "summary.xml");
    let out = sign_t(&env, "summary.xml", &tsa.url(), &["--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = sign_report(&out);
    assert_eq!(r.summary.signed, 1);
    assert_eq!(r.signed[0].signature, "summary.xml.p7s");
    assert_eq!(tsa.requests(), 1);

    // B-T stays a valid CAdES signature for OpenSSL.
    let (ok, log) = env.openssl_verify("summary.xml.p7s", Some("summary.xml"));
    assert!(ok, "OpenSSL rejects hozon's B-T signature: {log}");

    let v = env.verify_crl(&["summary.xml.p7s"]);
    assert_b_t_passed(&v, "summary.xml.p7s");

    // Altered content: the stamp still covers the signature value, but the
    // signature fails.
    flip_byte(&env.path("summary.xml"), 10);
    env.verify_crl(&["summary.xml.p7s"]).expect(
        1,
        "summary.xml.p7s",
        "TOTAL_FAILED",
        Some("HASH_FAILURE"),
    );
}

#[test]
fn embedded_token_verifies_with_openssl_ts_over_the_signature_value() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let sig = signed_b_t(&env, "a.pdf", &tsa.url());
    let sd = load_sd(&env.path(&sig));
    let si = &sd.signer_infos.0.as_slice()[0];
    let attrs = si.unsigned_attrs.as_ref().expect("unsigned attributes");
    assert_eq!(attrs.len(), 1, "only the time stamp is unsigned");
    env.write("token.der", token_der(&sd));
    let digest = hex::encode(openssl::sha::sha256(si.signature.as_bytes()));
    let out = env.openssl(&[
        "ts",
        "-verify",
        "-digest",
        &digest,
        "-in",
        "token.der",
        "-token_in",
        "-CAfile",
        "pki/root-ca.crt",
    ]);
    assert!(
        out.status.success() && stdout(&out).contains("Verification: OK"),
        "{}",
        describe(&out)
    );
    // And the token does not cover anything else (e.g. the content).
    let content = hex::encode(openssl::sha::sha256(&env.read("a.pdf")));
    let out = env.openssl(&[
        "ts",
        "-verify",
        "-digest",
        &content,
        "-in",
        "token.der",
        "-token_in",
        "-CAfile",
        "pki/root-ca.crt",
    ]);
    assert!(!out.status.success(), "{}", describe(&out));
}

#[test]
fn extend_adds_a_signature_time_stamp_once() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = env.sign_doc("a.txt", "signer-doctor", &[]);
    let v = env.verify_crl(&[&sig]);
    assert_eq!(
        v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None)
            .level
            .as_deref(),
        Some("B-B")
    );
    let before = load_sd(&env.path(&sig));

    let url = tsa.url();
    let out = hozon_expect(
        &env,
        &["extend", &sig, "--level", "t", "--tsa", &url, "--json"],
        0,
    );
    let json = batch_json(&out);
    assert_eq!(json["extended"][0]["file"], "a.txt.p7s", "{json}");
    assert_eq!(json["extended"][0]["signature"], "a.txt.p7s", "{json}");
    assert_eq!(json["summary"]["extended"], 1, "{json}");
    assert_eq!(tsa.requests(), 1);

    // Only an unsigned attribute was added: signed attributes and the
    // signature value are those of B-B.
    let after = load_sd(&env.path(&sig));
    let (b, a) = (
        &before.signer_infos.0.as_slice()[0],
        &after.signer_infos.0.as_slice()[0],
    );
    assert_eq!(b.signed_attrs, a.signed_attrs);
    assert_eq!(b.signature, a.signature);
    assert!(b.unsigned_attrs.is_none());

    let (ok, log) = env.openssl_verify(&sig, Some("a.txt"));
    assert!(ok, "OpenSSL rejects the extended signature: {log}");
    assert_b_t_passed(&env.verify_crl(&[&sig]), "a.txt.p7s");

    // A second extend is a no-op: skipped, no request, bytes unchanged.
    let stamped = env.read(&sig);
    let out = hozon_expect(
        &env,
        &["extend", &sig, "--level", "t", "--tsa", &url, "--json"],
        0,
    );
    let json = batch_json(&out);
    let skipped = entries(&json, "skipped");
    assert_eq!(skipped.len(), 1, "{json}");
    assert_eq!(skipped[0].0, "a.txt.p7s");
    assert!(skipped[0].1.contains("already B-T"), "{json}");
    assert_eq!(json["summary"]["extended"], 0, "{json}");
    assert_eq!(env.read(&sig), stamped);
    assert_eq!(tsa.requests(), 1);
}

#[test]
fn extend_openssl_and_enveloping_signatures() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let url = tsa.url();
    // -cades signatures made by OpenSSL: DER, PEM and -stream (BER).
    for (doc, extra) in [
        ("o.txt", &["-cades"][..]),
        ("p.txt", &["-cades", "-outform", "PEM"][..]),
        ("s.txt", &["-cades", "-stream"][..]),
    ] {
        env.copy_doc("referral-letter.txt", doc);
        env.openssl_sign(doc, "signer-doctor", &format!("{doc}.p7s"), extra);
    }
    assert!(env.read("p.txt.p7s").starts_with(b"-----BEGIN"));
    // An enveloping hozon signature (content inside).
    env.copy_doc("discharge-summary.xml", "e.xml");
    let p7m = env.sign_doc("e.xml", "signer-ec", &["--enveloping"]);
    std::fs::remove_file(env.path("e.xml")).unwrap();
    // Not a signature: fails on its own, the batch goes on.
    env.write("g.p7s", b"garbage");

    let out = hozon_expect(
        &env,
        &[
            "extend",
            "o.txt.p7s",
            "p.txt.p7s",
            "s.txt.p7s",
            &p7m,
            "g.p7s",
            "--level",
            "t",
            "--tsa",
            &url,
            "--json",
        ],
        4,
    );
    let json = batch_json(&out);
    assert_eq!(json["summary"]["extended"], 4, "{json}");
    let failed = entries(&json, "failed");
    assert_eq!(failed.len(), 1, "{json}");
    assert_eq!(failed[0].0, "g.p7s", "{json}");
    assert!(failed[0].1.contains("not a CMS"), "{json}");
    assert_eq!(env.read("g.p7s"), b"garbage");
    assert_eq!(tsa.requests(), 4);

    for doc in ["o.txt", "p.txt", "s.txt"] {
        let sig = format!("{doc}.p7s");
        // (Whether PEM stays PEM is not specified: ask OpenSSL in the
        // encoding the file has.)
        let inform = if env.read(&sig).starts_with(b"-----BEGIN") {
            "PEM"
        } else {
            "DER"
        };
        let out = env.openssl(&[
            "cms",
            "-verify",
            "-cades",
            "-binary",
            "-inform",
            inform,
            "-in",
            &sig,
            "-content",
            doc,
            "-CAfile",
            "pki/root-ca.crt",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ]);
        assert!(
            out.status.success(),
            "OpenSSL rejects its own signature once extended: {}",
            describe(&out)
        );
        assert_b_t_passed(&env.verify_crl(&[&sig]), &sig);
    }
    let (ok, log) = env.openssl_verify(&p7m, None);
    assert!(ok, "OpenSSL rejects the extended .p7m: {log}");
    assert_b_t_passed(&env.verify_crl(&[&p7m]), "e.xml.p7m");
}

#[test]
fn extend_stamps_only_the_signer_infos_without_a_stamp() {
    // Two signers (OpenSSL -cades); both stamped, then the stamp of one
    // removed: extend must add exactly one stamp and keep the other.
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let url = tsa.url();
    env.copy_doc("referral-letter.txt", "m.txt");
    env.openssl_sign(
        "m.txt",
        "signer-doctor",
        "m.txt.p7s",
        &[
            "-cades",
            "-signer",
            "pki/signer-ec.crt",
            "-inkey",
            "pki/signer-ec.key",
        ],
    );
    hozon_expect(
        &env,
        &["extend", "m.txt.p7s", "--level", "t", "--tsa", &url],
        0,
    );
    assert_eq!(tsa.requests(), 2, "one stamp per SignerInfo");
    let v = env.verify_crl(&["m.txt.p7s"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.report.signatures.len(), 2, "{}", v.stdout);
    for s in &v.report.signatures {
        assert_eq!(s.level.as_deref(), Some("B-T"), "{}", v.stdout);
        assert_eq!(s.timestamps.len(), 1, "{}", v.stdout);
    }

    let mut sd = load_sd(&env.path("m.txt.p7s"));
    let mut infos = sd.signer_infos.0.clone().into_vec();
    assert_eq!(infos.len(), 2);
    let kept = infos[0].clone();
    infos[1].unsigned_attrs = None;
    sd.signer_infos = SignerInfos::try_from(infos).unwrap();
    save_sd(&env.path("m.txt.p7s"), &sd);

    let out = hozon_expect(
        &env,
        &[
            "extend",
            "m.txt.p7s",
            "--level",
            "t",
            "--tsa",
            &url,
            "--json",
        ],
        0,
    );
    assert_eq!(
        batch_json(&out)["summary"]["extended"],
        1,
        "{}",
        stdout(&out)
    );
    assert_eq!(
        tsa.requests(),
        3,
        "the stamped SignerInfo was stamped again"
    );
    let after = load_sd(&env.path("m.txt.p7s"));
    let infos = after.signer_infos.0.as_slice();
    assert_eq!(infos.len(), 2);
    assert!(
        infos.contains(&kept),
        "the already stamped SignerInfo was changed"
    );
    for si in infos {
        let n = all_values(si.unsigned_attrs.as_ref(), ID_AA_SIGNATURE_TIME_STAMP_TOKEN).count();
        assert_eq!(n, 1, "a SignerInfo has {n} signature time stamps");
    }
    let v = env.verify_crl(&["m.txt.p7s"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert!(
        v.report
            .signatures
            .iter()
            .all(|s| s.indication == "TOTAL_PASSED" && s.level.as_deref() == Some("B-T")),
        "{}",
        v.stdout
    );
    let (ok, log) = env.openssl_verify("m.txt.p7s", Some("m.txt"));
    assert!(
        ok,
        "OpenSSL rejects the extended two-signer signature: {log}"
    );
}

#[test]
fn timestamp_walks_directories_and_skips_signature_and_evidence_files() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let url = tsa.url();
    env.copy_doc("lab-report.pdf", "d/a.pdf");
    env.copy_doc("referral-letter.txt", "d/sub/b.txt");
    let sig = env.sign_doc("d/a.pdf", "signer-doctor", &[]);
    env.write("d/old.txt.tsr", b"not a stamp");
    let out = hozon_expect(&env, &["timestamp", "d", "--tsa", &url, "--json"], 0);
    let json = batch_json(&out);
    let stamped: BTreeSet<String> = json["stamped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        stamped,
        BTreeSet::from(["d/a.pdf".to_owned(), "d/sub/b.txt".to_owned()]),
        "{json}"
    );
    assert_eq!(tsa.requests(), 2);
    assert!(!env.exists("d/a.pdf.p7s.tsr") && !env.exists("d/old.txt.tsr.tsr"));
    for tsr in ["d/a.pdf.tsr", "d/sub/b.txt.tsr"] {
        env.verify_crl(&[tsr]).expect(0, tsr, "TOTAL_PASSED", None);
    }
    // Named explicitly, a signature file is skipped with its reason.
    let out = hozon_expect(&env, &["timestamp", &sig, "--tsa", &url, "--json"], 0);
    let skipped = entries(&batch_json(&out), "skipped");
    assert_eq!(skipped.len(), 1, "{}", stdout(&out));
    assert_eq!(skipped[0].0, "d/a.pdf.p7s");
    assert!(skipped[0].1.contains("signature"), "{skipped:?}");
    assert_eq!(tsa.requests(), 2);
}

#[test]
fn tsa_digest_sha512_interop() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    env.copy_doc("lab-report.pdf", "a.pdf");
    hozon_expect(
        &env,
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            &tsa.url(),
            "--tsa-digest",
            "sha512",
        ],
        0,
    );
    let text = env.openssl_ok(&["ts", "-reply", "-in", "a.pdf.tsr", "-text"]);
    assert!(
        stdout(&text).contains("Hash Algorithm: sha512"),
        "{}",
        describe(&text)
    );
    let out = env.openssl(&[
        "ts",
        "-verify",
        "-data",
        "a.pdf",
        "-in",
        "a.pdf.tsr",
        "-CAfile",
        "pki/root-ca.crt",
    ]);
    assert!(
        stdout(&out).contains("Verification: OK"),
        "{}",
        describe(&out)
    );
    env.verify_crl(&["a.pdf.tsr"])
        .expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);
    // A signature time stamp with a SHA-512 imprint.
    let out = sign_t(&env, "a.pdf", &tsa.url(), &["--tsa-digest", "sha512"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_b_t_passed(&env.verify_crl(&["a.pdf.p7s"]), "a.pdf.p7s");
}

/// POSTs a TimeStampReq to the loopback TSA over plain HTTP/1.1 (as any
/// other RFC 3161 client would) and returns the body of the 200 answer.
pub(crate) fn post_query(url: &str, query: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\n\
         Content-Type: application/timestamp-query\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        query.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(query).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(!head.contains("transfer-encoding"), "{head}");
    answer[split + 4..].to_vec()
}

/// `openssl ts -query -data FILE ARGS`, sent to the TSA; the response is
/// written to `FILE.tsr`.
fn openssl_stamp(env: &Env, url: &str, file: &str, args: &[&str]) {
    let mut query = vec!["ts", "-query", "-data", file, "-out", "q.tsq"];
    query.extend_from_slice(args);
    env.openssl_ok(&query);
    let response = post_query(url, &env.read("q.tsq"));
    env.write(&format!("{file}.tsr"), response);
}

#[test]
fn tsr_from_another_client_verifies() {
    // Stamps requested by `openssl ts -query` (not hozon): hozon verify
    // judges them like its own.
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    env.copy_doc("lab-report.pdf", "a.pdf");
    // SHA-256, certificate requested, no nonce.
    openssl_stamp(
        &env,
        &tsa.url(),
        "a.pdf",
        &["-sha256", "-cert", "-no_nonce"],
    );
    env.verify_crl(&["a.pdf.tsr"])
        .expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);
    // SHA-1 imprint: too weak today, and nothing proves it was made
    // before 2016.
    openssl_stamp(&env, &tsa.url(), "a.pdf", &["-sha1", "-cert"]);
    let out = env.openssl(&[
        "ts",
        "-verify",
        "-data",
        "a.pdf",
        "-in",
        "a.pdf.tsr",
        "-CAfile",
        "pki/root-ca.crt",
    ]);
    assert!(
        stdout(&out).contains("Verification: OK"),
        "{}",
        describe(&out)
    );
    let v = env.verify_crl(&["a.pdf.tsr"]);
    let s = v.expect(
        3,
        "a.pdf.tsr",
        "INDETERMINATE",
        Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE"),
    );
    assert!(
        s.errors.iter().any(|e| e.contains("SHA-1")),
        "{:?}",
        s.errors
    );

    // The answer of a TSA that refused: no time stamp at all.
    let refusing = start_tsa(&env, TsaMode::Rejection);
    openssl_stamp(&env, &refusing.url(), "a.pdf", &["-sha256", "-cert"]);
    let v = env.verify_crl(&["a.pdf.tsr"]);
    let s = v.expect(1, "a.pdf.tsr", "TOTAL_FAILED", Some("FORMAT_FAILURE"));
    assert!(
        s.errors
            .iter()
            .any(|e| e.contains("refused") && e.contains("badAlg")),
        "{:?}",
        s.errors
    );
}

#[test]
fn tsr_signed_by_a_non_tsa_certificate_is_chain_constraints_failure() {
    // A genuine signature by a certificate without the timeStamping
    // extended key usage: nothing is broken cryptographically; the
    // certificate may not be used for this (like a signer's keyUsage,
    // INDETERMINATE CHAIN_CONSTRAINTS_FAILURE, not SIG_CRYPTO_FAILURE).
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::NonTsaSigner);
    env.copy_doc("lab-report.pdf", "a.pdf");
    openssl_stamp(&env, &tsa.url(), "a.pdf", &["-sha256", "-cert"]);
    let out = env.openssl(&[
        "ts",
        "-verify",
        "-data",
        "a.pdf",
        "-in",
        "a.pdf.tsr",
        "-CAfile",
        "pki/root-ca.crt",
    ]);
    assert!(!out.status.success(), "{}", describe(&out));
    let v = env.verify_crl(&["a.pdf.tsr"]);
    let s = v.expect(
        3,
        "a.pdf.tsr",
        "INDETERMINATE",
        Some("CHAIN_CONSTRAINTS_FAILURE"),
    );
    assert!(
        s.errors.iter().any(|e| e.contains("extendedKeyUsage")),
        "{:?}",
        s.errors
    );
}

#[test]
fn tsr_without_the_tsa_certificate_is_no_signing_certificate_found() {
    // `openssl ts -query` asks for no certificate by default, so many
    // stand-alone stamps in the wild carry none. The token is genuine (its
    // signature verifies with tsa.crt); the verifier just cannot find the
    // signing certificate: INDETERMINATE, not TOTAL_FAILED.
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    env.copy_doc("lab-report.pdf", "a.pdf");
    openssl_stamp(&env, &tsa.url(), "a.pdf", &["-sha256"]);
    let out = env.openssl(&[
        "ts",
        "-verify",
        "-data",
        "a.pdf",
        "-in",
        "a.pdf.tsr",
        "-CAfile",
        "pki/root-ca.crt",
        "-untrusted",
        "pki/tsa.crt",
    ]);
    assert!(
        stdout(&out).contains("Verification: OK"),
        "{}",
        describe(&out)
    );
    env.verify_crl(&["a.pdf.tsr"]).expect(
        3,
        "a.pdf.tsr",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
}

#[test]
fn tsa_policy_is_requested_and_checked() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let url = tsa.url();
    env.copy_doc("lab-report.pdf", "a.pdf");
    let policy_of = |env: &Env, tsr: &str| -> String {
        let v = env.verify_crl(&[tsr]);
        let s = v.expect(0, tsr, "TOTAL_PASSED", None);
        s.timestamps[0]["policy"].as_str().unwrap().to_owned()
    };

    // Default: the TSA's default policy.
    hozon_expect(&env, &["timestamp", "a.pdf", "--tsa", &url], 0);
    assert_eq!(policy_of(&env, "a.pdf.tsr"), TSA_POLICY_OID);
    // Asking for it explicitly.
    hozon_expect(
        &env,
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            &url,
            "--tsa-policy",
            TSA_POLICY_OID,
            "--force",
        ],
        0,
    );
    assert_eq!(policy_of(&env, "a.pdf.tsr"), TSA_POLICY_OID);
    // Another policy the TSA offers.
    let other = "1.2.392.200091.100.901.2";
    hozon_expect(
        &env,
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            &url,
            "--tsa-policy",
            other,
            "--force",
        ],
        0,
    );
    assert_eq!(policy_of(&env, "a.pdf.tsr"), other);

    // A policy the TSA does not offer: refused, nothing replaced.
    let kept = env.read("a.pdf.tsr");
    let out = hozon_expect(
        &env,
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            &url,
            "--tsa-policy",
            "1.2.3.4",
            "--force",
        ],
        4,
    );
    let err = stderr(&out);
    assert!(
        err.contains("hozon: a.pdf: ")
            && err.contains(&url)
            && err.contains("refused")
            && err.contains("unacceptedPolicy"),
        "{}",
        describe(&out)
    );
    assert_eq!(env.read("a.pdf.tsr"), kept);

    // Not an OID: a configuration error before any request.
    let requests = tsa.requests();
    let out = hozon_expect(
        &env,
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            &url,
            "--tsa-policy",
            "x.y",
            "--force",
        ],
        4,
    );
    assert!(stderr(&out).contains("--tsa-policy"), "{}", describe(&out));
    assert_eq!(tsa.requests(), requests);
    assert_eq!(env.read("a.pdf.tsr"), kept);
}

// ---------------------------------------------------------------------------
// TSA faults: nothing written or changed, exit 4, file, TSA and reason named
// ---------------------------------------------------------------------------

/// Runs the three commands that need a TSA against `url` (with `extra`
/// options) and checks each fails cleanly: `hozon timestamp a.pdf` (stderr
/// names the file, no a.pdf.tsr), `hozon sign a.pdf --level t --json`
/// ("failed" lists a.pdf, no a.pdf.p7s) and `hozon extend b.pdf.p7s --json`
/// (b.pdf.p7s unchanged). Every reason names the TSA URL and contains each
/// of `needles`. Returns the three outputs.
pub(crate) fn expect_tsa_fault(
    env: &Env,
    url: &str,
    extra: &[&str],
    needles: &[&str],
) -> [Output; 3] {
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.copy_doc("referral-letter.txt", "b.txt");
    let sig = env.sign_doc("b.txt", "signer-doctor", &[]);
    let pristine = env.read(&sig);
    let files = listing(env.dir());
    let check = |reason: &str, context: &str| {
        assert!(reason.contains(url), "the TSA is not named: {context}");
        for needle in needles {
            assert!(reason.contains(needle), "no {needle:?}: {context}");
        }
        assert!(
            !reason.contains(".c:"),
            "OpenSSL's source location leaks into the reason: {context}"
        );
    };

    let mut args = vec!["timestamp", "a.pdf", "--tsa", url];
    args.extend_from_slice(extra);
    let stamp = hozon_expect(env, &args, 4);
    let err = stderr(&stamp);
    let line = err
        .lines()
        .find(|l| l.starts_with("hozon: a.pdf: "))
        .unwrap_or_else(|| panic!("a.pdf is not named: {}", describe(&stamp)));
    check(line, &describe(&stamp));
    assert!(err.contains("0 skipped, 1 failed"), "{}", describe(&stamp));

    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    let sign = sign_t(env, "a.pdf", url, &args);
    assert_eq!(code(&sign), 4, "{}", describe(&sign));
    let r = sign_report(&sign);
    assert!(r.signed.is_empty(), "{}", describe(&sign));
    assert_eq!(r.failed.len(), 1, "{}", describe(&sign));
    assert_eq!(r.failed[0].file, "a.pdf");
    check(&r.failed[0].reason, &describe(&sign));

    let mut args = vec!["extend", &sig, "--level", "t", "--tsa", url, "--json"];
    args.extend_from_slice(extra);
    let extend = hozon_expect(env, &args, 4);
    let json = batch_json(&extend);
    let failed = entries(&json, "failed");
    assert_eq!(failed.len(), 1, "{json}");
    assert_eq!(failed[0].0, "b.txt.p7s");
    check(&failed[0].1, &describe(&extend));
    assert_eq!(json["summary"]["extended"], 0, "{json}");

    for out in [&sign, &extend] {
        assert!(!stderr(out).contains("panicked"), "{}", describe(out));
    }
    assert_eq!(env.read(&sig), pristine, "extend changed the signature");
    assert_eq!(
        listing(env.dir()),
        files,
        "files were written or left behind"
    );
    [stamp, sign, extend]
}

#[test]
fn unreachable_tsa_fails_cleanly() {
    let env = Env::new();
    let url = unreachable_url();
    expect_tsa_fault(&env, &url, &FAST, &["cannot reach the TSA"]);
}

#[test]
fn wrong_tsa_path_is_http_404() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let url = tsa.url().replace("/tsa", "/no-such-path");
    expect_tsa_fault(&env, &url, &FAST, &["HTTP 404", "check the TSA URL"]);
}

#[test]
fn slow_tsa_times_out() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Delay(Duration::from_secs(5)));
    let started = std::time::Instant::now();
    expect_tsa_fault(
        &env,
        &tsa.url(),
        &["--tsa-timeout", "1", "--tsa-retries", "0"],
        &["did not answer within 1 s"],
    );
    // Three commands, each given up after about one second (waiting for
    // the answers would take 15 s).
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(tsa.requests(), 3, "--tsa-retries 0 retried");
}

#[test]
fn transient_http_500_is_retried() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::FailFirst(2));
    env.copy_doc("lab-report.pdf", "a.pdf");
    let url = tsa.url();
    hozon_expect(
        &env,
        &["timestamp", "a.pdf", "--tsa", &url, "--tsa-retries", "3"],
        0,
    );
    assert_eq!(tsa.requests(), 3, "two failures, then the stamp");
    env.verify_crl(&["a.pdf.tsr"])
        .expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);

    // Two failures again, one retry only: HTTP 500, nothing replaced.
    let kept = env.read("a.pdf.tsr");
    tsa.set_mode(TsaMode::FailFirst(2));
    let out = hozon_expect(
        &env,
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            &url,
            "--tsa-retries",
            "1",
            "--force",
        ],
        4,
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("hozon: a.pdf: {url}: HTTP 500")),
        "{}",
        describe(&out)
    );
    assert_eq!(tsa.requests(), 5);
    assert_eq!(env.read("a.pdf.tsr"), kept);

    // A TSA that always fails: the same, for every command.
    tsa.set_mode(TsaMode::Status500Always);
    std::fs::remove_file(env.path("a.pdf.tsr")).unwrap();
    expect_tsa_fault(&env, &url, &FAST, &["HTTP 500"]);
}

#[test]
fn garbage_response_is_malformed() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Garbage);
    expect_tsa_fault(&env, &tsa.url(), &FAST, &["malformed"]);
}

#[test]
fn reply_for_another_imprint_is_refused() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::OtherImprint);
    expect_tsa_fault(
        &env,
        &tsa.url(),
        &FAST,
        &["does not match the request", "imprint"],
    );
}

#[test]
fn reply_with_another_nonce_is_refused() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::WrongNonce);
    expect_tsa_fault(
        &env,
        &tsa.url(),
        &FAST,
        &["does not match the request", "nonce"],
    );
}

#[test]
fn rejection_shows_status_text_and_fail_info() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Rejection);
    expect_tsa_fault(
        &env,
        &tsa.url(),
        &FAST,
        &[
            "refused",
            "rejection",
            "Message digest algorithm is not supported.",
            "failInfo: badAlg",
        ],
    );
}

#[test]
fn token_signed_without_timestamping_eku_is_refused() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::NonTsaSigner);
    expect_tsa_fault(
        &env,
        &tsa.url(),
        &FAST,
        &[
            "time-stamp token is not valid",
            "not a TSA certificate",
            "extendedKeyUsage",
        ],
    );
}

#[test]
fn basic_auth_credentials_never_leak() {
    const PASSWORD: &str = "Kq7-s3cret-Pw";
    let env = Env::new();
    let tsa = start_tsa(
        &env,
        TsaMode::RequireBasicAuth {
            user: "clinic".into(),
            password: PASSWORD.into(),
        },
    );
    let url = tsa.url();
    let no_leak = |out: &Output, secret: &str| {
        assert!(
            !stdout(out).contains(secret) && !stderr(out).contains(secret),
            "the password is echoed: {}",
            describe(out)
        );
    };

    // No credentials: 401 with the hint, for every command.
    for out in expect_tsa_fault(&env, &url, &FAST, &["HTTP 401", "--tsa-user"]) {
        no_leak(&out, PASSWORD);
    }

    // A wrong password: 401, and the wrong one is not echoed either.
    let out = env.hozon_env(
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            &url,
            "--tsa-user",
            "clinic",
            "--tsa-pass-env",
            "TSA_PW",
        ],
        &[("TSA_PW", "Wr0ng-Pw-xyz")],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("HTTP 401"), "{}", describe(&out));
    no_leak(&out, "Wr0ng-Pw-xyz");
    assert!(!env.exists("a.pdf.tsr"));

    // The right password from the environment: stamped.
    let out = env.hozon_env(
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            &url,
            "--tsa-user",
            "clinic",
            "--tsa-pass-env",
            "TSA_PW",
            "--json",
        ],
        &[("TSA_PW", PASSWORD)],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    no_leak(&out, PASSWORD);
    env.verify_crl(&["a.pdf.tsr"])
        .expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);

    // From a file (first line), for sign --level t.
    env.write("pki/tsa.pass", format!("{PASSWORD}\n"));
    let out = sign_t(
        &env,
        "a.pdf",
        &url,
        &["--tsa-user", "clinic", "--tsa-pass-file", "pki/tsa.pass"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    no_leak(&out, PASSWORD);
    assert_b_t_passed(&env.verify_crl(&["a.pdf.p7s"]), "a.pdf.p7s");

    // Credentials in the URL are refused before anything is sent, and not
    // echoed.
    let requests = tsa.requests();
    let with_credentials = url.replacen("http://", &format!("http://clinic:{PASSWORD}@"), 1);
    for json in [false, true] {
        let mut args = vec!["timestamp", "a.pdf", "--tsa", &with_credentials, "--force"];
        if json {
            args.push("--json");
        }
        let out = hozon_expect(&env, &args, 4);
        assert!(
            stderr(&out).contains("must not carry credentials"),
            "{}",
            describe(&out)
        );
        no_leak(&out, PASSWORD);
    }
    assert_eq!(tsa.requests(), requests, "a request was sent");
}

#[test]
fn tsa_password_without_terminal_names_the_tsa_options() {
    // --tsa-user without a password option and no terminal to ask on: a
    // configuration error that points at the TSA password options (not at
    // the signing key's --pass-env/--pass-file).
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    env.copy_doc("lab-report.pdf", "a.pdf");
    let out = hozon_expect(
        &env,
        &["timestamp", "a.pdf", "--tsa", &tsa.url(), "--tsa-user", "u"],
        4,
    );
    let err = stderr(&out);
    assert!(err.contains("TSA password"), "{}", describe(&out));
    assert!(
        err.contains("--tsa-pass-env") && err.contains("--tsa-pass-file"),
        "the hint names the wrong options: {}",
        describe(&out)
    );
    assert!(!env.exists("a.pdf.tsr"));
    assert_eq!(tsa.requests(), 0);
}

#[test]
fn failover_to_the_next_tsa() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let (dead, good) = (unreachable_url(), tsa.url());
    env.copy_doc("lab-report.pdf", "a.pdf");
    let mut args = vec!["timestamp", "a.pdf", "--tsa", &dead, "--tsa", &good];
    args.extend_from_slice(&FAST);
    hozon_expect(&env, &args, 0);
    assert_eq!(tsa.requests(), 1);
    env.verify_crl(&["a.pdf.tsr"])
        .expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);

    // sign --level t fails over the same way.
    let mut extra = vec!["--tsa", &good];
    extra.extend_from_slice(&FAST);
    let out = sign_t(&env, "a.pdf", &dead, &extra);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(tsa.requests(), 2);
    assert_b_t_passed(&env.verify_crl(&["a.pdf.p7s"]), "a.pdf.p7s");

    // Every TSA failing: each is named with its own reason.
    let broken = start_tsa(&env, TsaMode::Status500Always);
    let bad = broken.url();
    let mut args = vec![
        "timestamp",
        "a.pdf",
        "--tsa",
        &dead,
        "--tsa",
        &bad,
        "--force",
    ];
    args.extend_from_slice(&FAST);
    let kept = env.read("a.pdf.tsr");
    let out = hozon_expect(&env, &args, 4);
    let err = stderr(&out);
    assert!(err.contains("hozon: a.pdf: "), "{}", describe(&out));
    assert!(
        err.contains(&format!("{dead}: cannot reach the TSA"))
            && err.contains(&format!("{bad}: HTTP 500")),
        "{}",
        describe(&out)
    );
    assert_eq!(env.read("a.pdf.tsr"), kept);
}

#[test]
fn batch_goes_on_when_one_stamp_fails() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::FailFirst(1));
    let url = tsa.url();
    let files: Vec<String> = (1..=5)
        .map(|i| env.copy_doc("referral-letter.txt", &format!("d/f{i}.txt")))
        .collect();
    // One request at a time, no retry: exactly the first request fails.
    let batch = ["--tsa-retries", "0", "--tsa-concurrency", "1", "-j", "1"];
    let mut args = vec!["timestamp", "d", "--tsa", &url, "--json"];
    args.extend_from_slice(&batch);
    let out = hozon_expect(&env, &args, 4);
    let json = batch_json(&out);
    let failed = entries(&json, "failed");
    assert_eq!(failed.len(), 1, "{json}");
    assert_eq!(json["summary"]["stamped"], 4, "{json}");
    assert_eq!(json["summary"]["total"], 5, "{json}");
    let (bad, reason) = &failed[0];
    assert!(files.contains(bad), "{json}");
    assert!(reason.contains(&format!("{url}: HTTP 500")), "{json}");
    assert_eq!(tsa.requests(), 5);
    for f in &files {
        let tsr = format!("{f}.tsr");
        assert_eq!(env.exists(&tsr), f != bad, "{tsr}: {json}");
        if f != bad {
            env.verify_crl(&[&tsr])
                .expect(0, &tsr, "TOTAL_PASSED", None);
        }
    }

    // Running again stamps the failed file only.
    let out = hozon_expect(&env, &args, 0);
    let json = batch_json(&out);
    assert_eq!(json["summary"]["stamped"], 1, "{json}");
    assert_eq!(json["summary"]["skipped"], 4, "{json}");
    assert_eq!(json["stamped"][0]["file"], bad.as_str(), "{json}");
    assert_eq!(tsa.requests(), 6);

    // sign --level t: the same, no signature for the failed file.
    tsa.set_mode(TsaMode::FailFirst(1));
    let mut extra = vec!["--json"];
    extra.extend_from_slice(&batch);
    let out = sign_t(&env, "d", &url, &extra);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let r = sign_report(&out);
    assert_eq!((r.summary.signed, r.summary.failed), (4, 1), "{r:?}");
    let bad = &r.failed[0].file;
    assert!(r.failed[0].reason.contains("HTTP 500"), "{r:?}");
    for f in &files {
        assert_eq!(env.exists(&format!("{f}.p7s")), f != bad, "{f}: {r:?}");
    }
}

// ---------------------------------------------------------------------------
// Verification of signature time stamps
// ---------------------------------------------------------------------------

#[test]
fn time_stamp_of_another_signature_is_hash_failure() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let a = signed_b_t(&env, "a.pdf", &tsa.url());
    // Other content (the same content, key and second would give the very
    // same signature value: RSA PKCS#1 v1.5 is deterministic).
    env.copy_doc("referral-letter.txt", "b.txt");
    let out = sign_t(&env, "b.txt", &tsa.url(), &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let b = "b.txt.p7s".to_owned();
    let from_b = load_sd(&env.path(&b));
    let mut sd = load_sd(&env.path(&a));
    set_token(&mut sd, &token_der(&from_b));
    save_sd(&env.path(&a), &sd);

    let v = env.verify_crl(&[&a]);
    let s = v.expect(1, "a.pdf.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
    assert_eq!(s.timestamps.len(), 1, "{}", v.stdout);
    assert_eq!(s.timestamps[0]["indication"], "FAILED", "{}", v.stdout);
    assert!(
        s.errors
            .iter()
            .any(|e| e.starts_with("signature time stamp") && e.contains("imprint")),
        "{:?}",
        s.errors
    );
    // b.pdf.p7s itself is fine.
    assert_b_t_passed(&env.verify_crl(&[&b]), "b.txt.p7s");
}

#[test]
fn corrupted_token_is_total_failed() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let sig = signed_b_t(&env, "a.pdf", &tsa.url());
    let pristine = load_sd(&env.path(&sig));
    let token = token_der(&pristine);
    // genTime: the first GeneralizedTime of the token (TSTInfo comes before
    // the certificates); its last second digit changed, still a valid time.
    let gen = token
        .windows(4)
        .position(|w| w == [0x18, 0x0f, b'2', b'0'])
        .expect("genTime in the token");
    let last_digit = gen + 2 + 13;
    // The token's own signature value: its last bytes. An altered TSTInfo no
    // longer matches the token's message-digest (HASH_FAILURE); an altered
    // signature value does not verify (SIG_CRYPTO_FAILURE).
    for (i, sub) in [
        (last_digit, "HASH_FAILURE"),
        (token.len() - 1, "SIG_CRYPTO_FAILURE"),
    ] {
        let mut broken = token.clone();
        broken[i] ^= 0x01;
        let mut sd = pristine.clone();
        set_token(&mut sd, &broken);
        save_sd(&env.path(&sig), &sd);
        let v = env.verify_crl(&[&sig]);
        let s = v.expect(1, "a.pdf.p7s", "TOTAL_FAILED", Some(sub));
        assert_eq!(s.timestamps.len(), 1, "{}", v.stdout);
        assert_eq!(s.timestamps[0]["indication"], "FAILED", "{}", v.stdout);
        assert!(
            s.errors
                .iter()
                .all(|e| e.starts_with("signature time stamp")),
            "{:?}",
            s.errors
        );
        // OpenSSL agrees that the token is broken.
        env.write("token.der", &broken);
        let digest = hex::encode(openssl::sha::sha256(
            pristine.signer_infos.0.as_slice()[0].signature.as_bytes(),
        ));
        let out = env.openssl(&[
            "ts",
            "-verify",
            "-digest",
            &digest,
            "-in",
            "token.der",
            "-token_in",
            "-CAfile",
            "pki/root-ca.crt",
        ]);
        assert!(!out.status.success(), "{}", describe(&out));
    }
    save_sd(&env.path(&sig), &pristine);
    assert_b_t_passed(&env.verify_crl(&[&sig]), "a.pdf.p7s");
}

#[test]
fn time_stamp_errors_name_the_stamp_once() {
    // Like every message: the subject once, then the cause (see
    // batch::error_messages_do_not_repeat_the_cause).
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let sig = signed_b_t(&env, "a.pdf", &tsa.url());
    let mut sd = load_sd(&env.path(&sig));
    let mut token = token_der(&sd);
    let last = token.len() - 1;
    token[last] ^= 0x01;
    set_token(&mut sd, &token);
    save_sd(&env.path(&sig), &sd);
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(1, "a.pdf.p7s", "TOTAL_FAILED", Some("SIG_CRYPTO_FAILURE"));
    for e in &s.errors {
        assert_eq!(
            e.matches("time stamp").count(),
            1,
            "the stamp is named more than once: {e}"
        );
    }
}

/// Signs a copy of the lab report as B-B with a signing-time `offset`
/// seconds from now (re-signed), then extends it to B-T.
fn b_t_with_signing_time_offset(env: &Env, url: &str, file: &str, offset: u64) -> String {
    env.copy_doc("lab-report.pdf", file);
    let sig = env.sign_doc(file, "signer-doctor", &[]);
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(now_unix()).unwrap() + offset);
    let mut sd = load_sd(&env.path(&sig));
    edit_signer_info(&mut sd, |si| {
        edit_signed_attrs(si, |attrs| {
            let t = Time::UtcTime(UtcTime::from_system_time(at).unwrap());
            let i = attrs.iter().position(|a| a.oid == ID_SIGNING_TIME).unwrap();
            attrs[i] = single_valued(ID_SIGNING_TIME, &t).unwrap();
        });
        resign(si, &env.path("pki/signer-doctor.key"));
    });
    save_sd(&env.path(&sig), &sd);
    hozon_expect(env, &["extend", &sig, "--level", "t", "--tsa", url], 0);
    sig
}

#[test]
fn signing_time_after_the_stamp_is_timestamp_order_failure() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let url = tsa.url();
    // One hour after the stamp: impossible.
    let sig = b_t_with_signing_time_offset(&env, &url, "late.pdf", 3600);
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(
        3,
        "late.pdf.p7s",
        "INDETERMINATE",
        Some("TIMESTAMP_ORDER_FAILURE"),
    );
    // The stamp itself is fine.
    assert_eq!(s.timestamps[0]["indication"], "PASSED", "{}", v.stdout);
    let gen = unix_seconds(s.timestamps[0]["gen_time"].as_str().unwrap());
    let claimed = unix_seconds(s.claimed_signing_time.as_deref().unwrap());
    assert!(claimed - gen > 3000, "{}", v.stdout);

    // Two minutes: within the 5-minute tolerance for signers' clocks.
    let sig = b_t_with_signing_time_offset(&env, &url, "skew.pdf", 120);
    assert_b_t_passed_with_skew(&env.verify_crl(&[&sig]), "skew.pdf.p7s");
}

/// Like [`assert_b_t_passed`] for a claimed signing time somewhat after the
/// stamp.
fn assert_b_t_passed_with_skew(v: &Verified, sig: &str) {
    let s = v.expect(0, sig, "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-T"));
    assert_eq!(s.timestamps[0]["indication"], "PASSED", "{}", v.stdout);
    assert_eq!(
        s.best_signature_time.as_deref(),
        s.timestamps[0]["gen_time"].as_str()
    );
}

#[test]
fn untrusted_tsa_is_no_certificate_chain_found() {
    // Trusting only the signing CA: the signer's path ends there, but the
    // TSA's (issued by the root) finds no anchor.
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let sig = signed_b_t(&env, "a.pdf", &tsa.url());
    let out = env.hozon(&[
        "verify",
        &sig,
        "--trust",
        "pki/signing-ca.crt",
        "--crl",
        CRLS,
        "--json",
    ]);
    let v = Verified::from_output(&out);
    let s = v.expect(
        3,
        "a.pdf.p7s",
        "INDETERMINATE",
        Some("NO_CERTIFICATE_CHAIN_FOUND"),
    );
    assert_eq!(
        s.timestamps[0]["indication"], "INDETERMINATE",
        "{}",
        v.stdout
    );
    assert!(
        s.errors
            .iter()
            .all(|e| e.starts_with("signature time stamp")),
        "{:?}",
        s.errors
    );
    // The same signature as B-B (stamp removed) passes with that anchor:
    // the stamp alone was the problem.
    let mut sd = load_sd(&env.path(&sig));
    edit_signer_info(&mut sd, |si| si.unsigned_attrs = None);
    save_sd(&env.path(&sig), &sd);
    let out = env.hozon(&[
        "verify",
        &sig,
        "--trust",
        "pki/signing-ca.crt",
        "--crl",
        CRLS,
        "--json",
    ]);
    Verified::from_output(&out).expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
}

#[test]
fn expired_tsa_certificate_needs_accept_expired_tsa() {
    // tsa.crt expires on 2045-01-01; the signer, the CAs and the CRLs
    // outlive it.
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let sig = signed_b_t(&env, "a.pdf", &tsa.url());
    hozon_expect(&env, &["timestamp", "a.pdf", "--tsa", &tsa.url()], 0);
    // The test PKI's RSA-2048 keys are given no end date: this is about
    // the TSA certificate's expiry, not the algorithm's date.
    let no_sunset = crate::util::NO_RSA_SUNSET;
    let before = [
        "--crl",
        CRLS,
        "--crypto-policy",
        no_sunset,
        "--at",
        "2044-12-31T00:00:00Z",
    ];
    let after = [
        "--crl",
        CRLS,
        "--crypto-policy",
        no_sunset,
        "--at",
        "2045-06-01T00:00:00Z",
    ];

    let v = env.verify(&[&sig], &before);
    assert_eq!(
        v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None).timestamps[0]["indication"],
        "PASSED"
    );
    let v = env.verify(&[&sig], &after);
    let s = v.expect(
        3,
        "a.pdf.p7s",
        "INDETERMINATE",
        Some("OUT_OF_BOUNDS_NO_POE"),
    );
    assert_eq!(
        s.timestamps[0]["indication"], "INDETERMINATE",
        "{}",
        v.stdout
    );
    assert!(
        s.errors
            .iter()
            .any(|e| e.starts_with("signature time stamp")
                && e.contains(TSA_SUBJECT)
                && e.contains("--accept-expired-tsa")),
        "{:?}",
        s.errors
    );
    let mut accept = after.to_vec();
    accept.push("--accept-expired-tsa");
    let v = env.verify(&[&sig], &accept);
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.timestamps[0]["indication"], "PASSED", "{}", v.stdout);
    assert_eq!(
        s.best_signature_time.as_deref(),
        s.timestamps[0]["gen_time"].as_str()
    );

    // The same for a stand-alone stamp.
    env.verify(&["a.pdf.tsr"], &after).expect(
        3,
        "a.pdf.tsr",
        "INDETERMINATE",
        Some("OUT_OF_BOUNDS_NO_POE"),
    );
    env.verify(&["a.pdf.tsr"], &accept)
        .expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);
}

#[test]
fn tsa_revocation_unknown_is_try_later() {
    // Only signing-ca's CRL: nothing says whether the root revoked the
    // TSA's certificate.
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let sig = signed_b_t(&env, "a.pdf", &tsa.url());
    let v = env.verify(&[&sig], &["--crl", "pki/signing-ca.crl"]);
    let s = v.expect(3, "a.pdf.p7s", "INDETERMINATE", Some("TRY_LATER"));
    assert_eq!(
        s.timestamps[0]["indication"], "INDETERMINATE",
        "{}",
        v.stdout
    );
    assert!(
        s.errors
            .iter()
            .any(|e| e.starts_with("signature time stamp")
                && e.contains(TSA_SUBJECT)
                && e.ends_with("[TRY_LATER]")),
        "{:?}",
        s.errors
    );
    // best-effort: missing revocation data is only a warning.
    let v = env.verify(
        &[&sig],
        &["--crl", "pki/signing-ca.crl", "--revocation", "best-effort"],
    );
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.timestamps[0]["indication"], "PASSED", "{}", v.stdout);
    assert!(!s.warnings.is_empty(), "{}", v.stdout);
}

/// A CRL (PEM, `rel`) of `ca` (`pki/CA.crt`, `pki/CA.key`) issued now by
/// `openssl ca -gencrl`, revoking the certificate with serial `serial`
/// (hex) at `revoked` (seconds since the epoch) for `reason` (none: no
/// reasonCode extension).
fn crl_revoking(env: &Env, rel: &str, ca: &str, serial: &str, revoked: i64, reason: Option<&str>) {
    let t = rfc3339(revoked);
    assert_eq!(unix_seconds(&t), revoked, "{t}");
    // YYMMDDHHMMSSZ[,reason], as `openssl ca` keeps it in index.txt.
    let mut when: String = t[2..]
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'Z')
        .collect();
    if let Some(reason) = reason {
        when = format!("{when},{reason}");
    }
    let db = format!("{rel}.db");
    env.write(
        &format!("{db}/index.txt"),
        format!("R\t20600101000000Z\t{when}\t{serial}\tunknown\t/CN=revoked\n"),
    );
    env.write(&format!("{db}/crlnumber"), "1000\n");
    env.write(&format!("{db}/serial"), "01\n");
    std::fs::create_dir_all(env.path(&format!("{db}/newcerts"))).unwrap();
    let (cert, key) = (format!("pki/{ca}.crt"), format!("pki/{ca}.key"));
    let out = std::process::Command::new("openssl")
        .args([
            "ca",
            "-batch",
            "-config",
            "pki/openssl.cnf",
            "-cert",
            &cert,
            "-keyfile",
            &key,
            "-md",
            "sha256",
            "-gencrl",
            "-crldays",
            "30",
            "-out",
            rel,
        ])
        .env("HOZON_CA_DB", env.path(&db))
        .current_dir(env.dir())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl ca: {}", describe(&out));
    let text = stdout(&env.openssl_ok(&["crl", "-in", rel, "-noout", "-text"]));
    assert!(text.contains(&format!("Serial Number: {serial}")), "{text}");
    assert_eq!(text.contains("CRL Reason Code"), reason.is_some(), "{text}");
}

/// A signing-ca CRL revoking the doctor's certificate (serial 2000) for
/// keyCompromise.
fn crl_revoking_doctor(env: &Env, rel: &str, revoked: i64) {
    crl_revoking(
        env,
        rel,
        "signing-ca",
        "2000",
        revoked,
        Some("keyCompromise"),
    );
}

#[test]
fn revocation_after_the_stamp_is_past_signature_validation() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let sig = signed_b_t(&env, "a.pdf", &tsa.url());
    let v = env.verify_crl(&[&sig]);
    let gen = unix_seconds(&assert_b_t_passed(&v, "a.pdf.p7s"));
    let claimed = unix_seconds(
        v.report.signatures[0]
            .claimed_signing_time
            .as_deref()
            .unwrap(),
    );
    // The revocation must lie strictly between the stamp and now.
    while now_unix() < gen + 2 {
        std::thread::sleep(Duration::from_millis(100));
    }

    // Revoked one second after the stamp: the stamp proves the signature
    // existed while the certificate was good (EN 319 102-1 §5.6.2).
    crl_revoking_doctor(&env, "pki/after.crl.pem", gen + 1);
    let after = ["--crl", "pki/after.crl.pem", "--crl", "pki/root-ca.crl"];
    let v = env.verify(&[&sig], &after);
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(
        s.best_signature_time.as_deref(),
        Some(rfc3339(gen).as_str())
    );
    assert!(
        s.warnings.iter().any(|w| w.contains("revoked")),
        "the revocation is not mentioned: {}",
        v.stdout
    );

    // The same signature without its stamp has no proof of existence
    // before the revocation.
    let stamped = env.read(&sig);
    let mut sd = load_sd(&env.path(&sig));
    edit_signer_info(&mut sd, |si| si.unsigned_attrs = None);
    save_sd(&env.path(&sig), &sd);
    env.verify(&[&sig], &after)
        .expect(3, "a.pdf.p7s", "INDETERMINATE", Some("REVOKED_NO_POE"));
    env.write(&sig, stamped);

    // Revoked before it was signed: the stamp cannot help.
    crl_revoking_doctor(&env, "pki/before.crl.pem", claimed - 1);
    env.verify(
        &[&sig],
        &["--crl", "pki/before.crl.pem", "--crl", "pki/root-ca.crl"],
    )
    .expect(1, "a.pdf.p7s", "TOTAL_FAILED", Some("REVOKED"));
}

/// A B-T signature of a.pdf, verified, and its stamp's genTime; returns
/// once the clock is at least two seconds past genTime (so that a
/// revocation one second after the stamp lies in the past).
fn b_t_and_wait(env: &Env, url: &str) -> (String, i64) {
    let sig = signed_b_t(env, "a.pdf", url);
    let gen = unix_seconds(&assert_b_t_passed(&env.verify_crl(&[&sig]), "a.pdf.p7s"));
    while now_unix() < gen + 2 {
        std::thread::sleep(Duration::from_millis(100));
    }
    (sig, gen)
}

#[test]
fn tsa_revocation_is_judged_at_gen_time() {
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let (sig, gen) = b_t_and_wait(&env, &tsa.url());
    let crls = |root: &'static str| ["--crl", "pki/signing-ca.crl", "--crl", root];

    // Revoked one second before the stamp: the token was signed with a
    // revoked certificate.
    crl_revoking(
        &env,
        "pki/root-before.crl.pem",
        "root-ca",
        "1002",
        gen - 1,
        Some("cessationOfOperation"),
    );
    let v = env.verify(&[&sig], &crls("pki/root-before.crl.pem"));
    let s = v.expect(1, "a.pdf.p7s", "TOTAL_FAILED", Some("REVOKED"));
    assert_eq!(s.timestamps[0]["indication"], "FAILED", "{}", v.stdout);
    assert!(
        s.errors
            .iter()
            .any(|e| e.starts_with("signature time stamp") && e.contains(TSA_SUBJECT)),
        "{:?}",
        s.errors
    );

    // Ceased operation one second after the stamp: "tokens generated
    // before the revocation time will remain valid" (RFC 3161 §4).
    crl_revoking(
        &env,
        "pki/root-after.crl.pem",
        "root-ca",
        "1002",
        gen + 1,
        Some("cessationOfOperation"),
    );
    let v = env.verify(&[&sig], &crls("pki/root-after.crl.pem"));
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.timestamps[0]["indication"], "PASSED", "{}", v.stdout);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains(TSA_SUBJECT) && w.contains("revoked")),
        "{}",
        v.stdout
    );
}

#[test]
fn tsa_key_compromise_invalidates_its_earlier_stamps() {
    // RFC 3161 §4: "When the TSA private key has been compromised [...] Any
    // token signed by the TSA using that private key cannot be trusted
    // anymore"; and a revocation without reasonCode makes "all the tokens
    // that have been signed with the corresponding key" invalid. So a
    // stamp made a second before such a revocation proves nothing: the
    // signature has no proof of existence (EN 319 102-1: INDETERMINATE
    // REVOKED_NO_POE), never TOTAL_PASSED.
    let env = Env::new();
    let tsa = start_tsa(&env, TsaMode::Normal);
    let (sig, gen) = b_t_and_wait(&env, &tsa.url());
    for (rel, reason) in [
        ("pki/root-kc.crl.pem", Some("keyCompromise")),
        ("pki/root-noreason.crl.pem", None),
    ] {
        crl_revoking(&env, rel, "root-ca", "1002", gen + 1, reason);
        let v = env.verify(&[&sig], &["--crl", "pki/signing-ca.crl", "--crl", rel]);
        let s = v.expect(3, "a.pdf.p7s", "INDETERMINATE", Some("REVOKED_NO_POE"));
        assert_ne!(
            s.timestamps[0]["indication"], "PASSED",
            "{reason:?}: {}",
            v.stdout
        );
    }
}

// ---------------------------------------------------------------------------
// Usage
// ---------------------------------------------------------------------------

#[test]
fn level_t_without_tsa_is_a_usage_error() {
    let env = Env::new();
    env.copy_doc("lab-report.pdf", "a.pdf");
    let sig = env.sign_doc("a.pdf", "signer-doctor", &[]);
    let pristine = env.read(&sig);
    let mut sign = vec!["sign", "a.pdf", "--level", "t"];
    sign.extend_from_slice(&DOCTOR);
    let cases: [&[&str]; 4] = [
        &sign,
        &["timestamp", "a.pdf"],
        &["extend", "a.pdf.p7s", "--level", "t"],
        // A TSA password option without --tsa-user.
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            "http://127.0.0.1:9/tsa",
            "--tsa-pass-env",
            "V",
        ],
    ];
    for args in cases {
        let out = hozon_expect(&env, args, 2);
        assert!(
            stderr(&out).contains("--tsa"),
            "{args:?}: {}",
            describe(&out)
        );
        assert!(!env.exists("a.pdf.tsr"), "{args:?}");
    }
    assert_eq!(env.read(&sig), pristine);
    // Nothing signed either (a.pdf had a signature already; a fresh file).
    env.copy_doc("lab-report.pdf", "b.pdf");
    let mut sign = vec!["sign", "b.pdf", "--level", "t"];
    sign.extend_from_slice(&DOCTOR);
    hozon_expect(&env, &sign, 2);
    assert!(!env.exists("b.pdf.p7s"));
}
