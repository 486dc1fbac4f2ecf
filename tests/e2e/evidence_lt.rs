//! Archived records prove themselves offline for their whole retention
//! period (issue 16): each archive time stamp carries its TSA's
//! certificate path and revocation data, renewal covers the previous
//! stamp's data, a renewal that would not move the deadline is refused
//! (exit 3), and reports tell evidence records from signatures.

use std::path::{Path, PathBuf};

use hozon_cms::asn1::cms::content_info::ContentInfo;
use hozon_cms::asn1::cms::signed_data::SignedData;
use hozon_cms::asn1::der::{Any, Decode, Encode};
use hozon_ers::EvidenceRecord;
use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::util::{code, describe, Env, TRUST};

/// The archive directory inside an [`Env`].
const ARC: &str = "arc";

/// The snapshot of a record's fields its evidence covers.
const SNAPSHOT: &str = "record.fields.json";

/// A TSA with an EC P-256 key (no algorithm sunset) whose certificate,
/// issued now by the test root, is valid for `days`: renewing with it
/// moves a deadline set by an RSA-2048 TSA. `name` keeps keys apart.
pub(crate) fn strong_tsa(env: &Env, name: &str, days: u32, serial: &str) -> TsaServer {
    Pki::copy_to(&env.path("pki")).unwrap();
    let key = format!("pki/{name}.key");
    let csr = format!("pki/{name}.csr");
    let crt = format!("pki/{name}.crt");
    let ext = format!("pki/{name}.ext");
    env.write(
        &ext,
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\nbasicConstraints=critical,CA:FALSE\n",
    );
    env.openssl_ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        &key,
    ]);
    let subject = format!("/C=JP/O=hozon Test TSA/CN={name}");
    env.openssl_ok(&["req", "-new", "-key", &key, "-subj", &subject, "-out", &csr]);
    env.openssl_ok(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        "pki/root-ca.crt",
        "-CAkey",
        "pki/root-ca.key",
        "-set_serial",
        serial,
        "-days",
        &days.to_string(),
        "-sha256",
        "-extfile",
        &ext,
        "-out",
        &crt,
    ]);
    let dir = env.path(&format!("pki-{name}"));
    let pki = Pki::copy_to(&dir).unwrap();
    std::fs::copy(env.path(&crt), dir.join("tsa.crt")).unwrap();
    std::fs::copy(env.path(&key), dir.join("tsa.key")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

/// An archive (`--crl pki/crls.pem --offline` in its hozon.toml, as the
/// other archive tests) with one signed-by-the-archive document and one
/// document signed elsewhere, stamped by the test TSA (RSA-2048).
pub(crate) fn archive_with_two_records(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    env.copy_doc("lab-report.pdf", "in/lab-report.pdf");
    env.write("in/signed.txt", "signed elsewhere\n");
    env.sign_doc("in/signed.txt", "signer-doctor", &[]);
    crate::archive::init(env, &tsa.url());
    let out = archive(env, &["ingest", "in"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    tsa
}

pub(crate) fn archive(env: &Env, args: &[&str]) -> std::process::Output {
    let mut all = vec!["archive", "--archive", ARC];
    all.extend_from_slice(args);
    env.hozon(&all)
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(out)))
}

/// Every record directory of the archive.
pub(crate) fn records(env: &Env) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(env.path(ARC).join("records")) {
        let entry = entry.unwrap();
        if entry.file_name() == "record.json" {
            out.push(entry.path().parent().unwrap().to_path_buf());
        }
    }
    out.sort();
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `hozon verify DIR --trust ROOT --offline --json [--at AT]` on a copy
/// of every record made outside the archive (nothing but the record and
/// the root): each must be TOTAL_PASSED, its evidence record reported as
/// one.
fn every_record_alone_passes(env: &Env, tag: &str, at: Option<&str>) -> Vec<Value> {
    let mut ers = Vec::new();
    for (i, dir) in records(env).iter().enumerate() {
        let rel = format!("alone-{tag}/{i}");
        copy_tree(dir, &env.path(&rel));
        let mut extra = vec![];
        if let Some(at) = at {
            extra.extend_from_slice(&["--at", at]);
        }
        let v = env.verify(&[&rel], &extra);
        assert_eq!(v.code, 0, "{rel} ({tag}, at {at:?}): {}", v.stdout);
        let entries = v.json["evidence_records"].as_array().unwrap().clone();
        assert_eq!(entries.len(), 1, "{}", v.stdout);
        assert_eq!(entries[0]["indication"], "TOTAL_PASSED", "{}", v.stdout);
        assert_eq!(v.json["evidence_summary"]["passed"], 1, "{}", v.stdout);
        ers.push(entries[0].clone());
    }
    ers
}

/// The newest evidence record file of a record.
fn newest_ers(dir: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.pop().unwrap()
}

/// The SignedData of an ArchiveTimeStamp's token.
fn token_sd(ci: &ContentInfo) -> SignedData {
    ci.content.decode_as::<SignedData>().unwrap()
}

#[test]
fn a_record_copied_out_verifies_offline_with_only_the_root_now_and_years_later() {
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    // The token carries its TSA's path and the CRL that shows it
    // unrevoked, in its SignedData.
    for dir in records(&env) {
        let er = EvidenceRecord::parse(&std::fs::read(newest_ers(&dir)).unwrap()).unwrap();
        let sd = token_sd(&er.archive_time_stamp_sequence[0][0].time_stamp);
        assert!(
            sd.crls.is_some_and(|c| !c.0.is_empty()),
            "no CRL in the token"
        );
        assert!(er.crypto_infos.is_none());
    }
    let ers = every_record_alone_passes(&env, "fresh", None);
    assert!(
        ers[0]["renew_by_reason"]
            .as_str()
            .is_some_and(|r| r.contains("RSA-2048")),
        "{ers:#?}"
    );
    // Years later, while RSA-2048 still holds (until 2030-12-31).
    every_record_alone_passes(&env, "2029", Some("2029-06-01T00:00:00Z"));
    // Past the TSA certificate's expiry (2045) without a renewal, the
    // stamp proves nothing any more: the check can fail.
    let dir = records(&env).remove(0);
    let v = env.verify(&[dir.to_str().unwrap()], &["--at", "2046-01-01T00:00:00Z"]);
    assert_ne!(v.code, 0, "{}", v.stdout);
    assert_ne!(v.json["evidence_records"][0]["indication"], "TOTAL_PASSED");
}

#[test]
fn after_time_stamp_and_hash_tree_renewal_records_still_verify_alone_offline() {
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    let strong = strong_tsa(&env, "strong-tsa-1", 3650, "0x5161");
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--tsa",
            &strong.url(),
            "--before",
            "36500d",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = json(&out);
    assert_eq!(
        r["renewed"]["batches"][0]["kind"], "timestamp-renewal",
        "{r:#}"
    );
    // The renewed chain: the first token was completed (its CRL is in the
    // version the renewal hashed), and the renewal stamp carries an
    // explicit digestAlgorithm equal to the chain's.
    for dir in records(&env) {
        let er = EvidenceRecord::parse(&std::fs::read(newest_ers(&dir)).unwrap()).unwrap();
        let chain = &er.archive_time_stamp_sequence[0];
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[1].digest_algorithm, chain[0].digest_algorithm);
        assert!(chain[1].digest_algorithm.is_some());
        assert!(token_sd(&chain[0].time_stamp).crls.is_some());
        assert!(token_sd(&chain[1].time_stamp).crls.is_some());
        // The leaf of the renewal is the hash of the completed token.
        let check = hozon_ers::check_structure(&er, &record_objects(&dir, &er)).unwrap();
        assert_eq!(check.tokens.len(), 2);
    }
    let ers = every_record_alone_passes(&env, "ts", None);
    assert!(
        ers[0]["renew_by_reason"]
            .as_str()
            .is_some_and(|r| r.contains("expires")),
        "{ers:#?}"
    );
    // Years later: the RSA-2048 stamp is protected by the EC one.
    every_record_alone_passes(&env, "ts-2034", Some("2034-01-01T00:00:00Z"));

    let stronger = strong_tsa(&env, "strong-tsa-2", 5000, "0x5162");
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--tsa",
            &stronger.url(),
            "--digest",
            "sha512",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        json(&out)["renewed"]["batches"][0]["kind"],
        "hash-tree-renewal"
    );
    let ers = every_record_alone_passes(&env, "ht", Some("2036-01-01T00:00:00Z"));
    assert_eq!(ers[0]["archive_time_stamps"], 3, "{ers:#?}");
    assert_eq!(ers[0]["digest_algorithms"].as_array().unwrap().len(), 2);
    audit_evidence_passes_alone(&env, Some("2036-01-01T00:00:00Z"));
}

/// The data objects of a record (its record.json's files and the snapshot
/// of its fields), hashed with
/// every algorithm of `er`.
fn record_objects(dir: &Path, er: &EvidenceRecord) -> Vec<hozon_ers::DataObject> {
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join("record.json")).unwrap()).unwrap();
    let algs = hozon_ers::verify::algorithms(er).unwrap();
    meta["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| dir.join(f["name"].as_str().unwrap()))
        .chain(Some(dir.join(SNAPSHOT)).filter(|p| p.is_file()))
        .map(|p| hozon_ers::DataObject::from_bytes(&std::fs::read(p).unwrap(), &algs).unwrap())
        .collect()
}

/// The audit log's newest evidence record verifies offline with only the
/// root against the line it covers.
fn audit_evidence_passes_alone(env: &Env, at: Option<&str>) {
    let audit = env.path(ARC).join("audit");
    let mut ers: Vec<PathBuf> = std::fs::read_dir(&audit)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ers"))
        .collect();
    ers.sort();
    let newest = ers.pop().unwrap();
    let side: Value =
        serde_json::from_slice(&std::fs::read(newest.with_extension("json")).unwrap()).unwrap();
    let seq = side["seq"].as_u64().unwrap() as usize;
    let log = std::fs::read_to_string(env.path(ARC).join("audit.log")).unwrap();
    let line = log.split('\n').nth(seq - 1).unwrap();
    env.write("audit-line", line);
    let ers_path = newest.to_str().unwrap().to_owned();
    let mut extra = vec!["--content", "audit-line"];
    if let Some(at) = at {
        extra.extend_from_slice(&["--at", at]);
    }
    let v = env.verify(&[&ers_path], &extra);
    assert_eq!(v.code, 0, "{ers_path}: {}", v.stdout);
    assert_eq!(v.json["evidence_summary"]["passed"], 1, "{}", v.stdout);
}

#[test]
fn the_audit_log_s_evidence_verifies_alone_offline() {
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    audit_evidence_passes_alone(&env, None);
    let strong = strong_tsa(&env, "strong-tsa-1", 3650, "0x5163");
    let out = archive(
        &env,
        &["renew", "--tsa", &strong.url(), "--before", "36500d"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    audit_evidence_passes_alone(&env, Some("2034-01-01T00:00:00Z"));
}

/// Removes the revocation data from the newest token of `path` (as the
/// evidence records hozon wrote before it embedded any), in place.
fn strip_validation_data(path: &Path) {
    let mut er = EvidenceRecord::parse(&std::fs::read(path).unwrap()).unwrap();
    let ats = er
        .archive_time_stamp_sequence
        .last_mut()
        .unwrap()
        .last_mut()
        .unwrap();
    let mut sd = token_sd(&ats.time_stamp);
    sd.crls = None;
    ats.time_stamp = ContentInfo {
        content_type: ats.time_stamp.content_type,
        content: Any::encode_from(&sd).unwrap(),
    };
    std::fs::write(path, er.to_der().unwrap()).unwrap();
    // Still the same proof, structurally.
    let again = EvidenceRecord::from_der(&std::fs::read(path).unwrap()).unwrap();
    assert!(
        token_sd(&again.archive_time_stamp_sequence[0][0].time_stamp)
            .crls
            .is_none()
    );
}

#[test]
fn archive_renew_adds_the_missing_validation_data_to_records_made_before() {
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    // The archive as an earlier hozon wrote it: no revocation data in the
    // tokens, of the records or of the audit log.
    for dir in records(&env) {
        strip_validation_data(&newest_ers(&dir));
    }
    let audit = env.path(ARC).join("audit");
    for entry in std::fs::read_dir(&audit).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "ers") {
            strip_validation_data(&p);
        }
    }
    // Offline with only the root, such a record is INDETERMINATE (no CRL
    // for the TSA): what the issue found.
    let dir = records(&env).remove(0);
    let v = env.verify(&[dir.to_str().unwrap()], &[]);
    assert_eq!(v.code, 3, "{}", v.stdout);
    assert_eq!(v.json["evidence_records"][0]["sub_indication"], "TRY_LATER");

    // Nothing is due; the renewal run still completes every record.
    let out = archive(&env, &["renew", "--json", "--before", "0d"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = json(&out);
    assert_eq!(r["due"], 0, "{r:#}");
    assert_eq!(r["completed"], records(&env).len() + 1, "{r:#}");
    for dir in records(&env) {
        assert!(newest_ers(&dir).to_str().unwrap().ends_with(".vd.ers"));
        assert_eq!(std::fs::read_dir(dir.join("evidence")).unwrap().count(), 2);
    }
    every_record_alone_passes(&env, "completed", None);
    audit_evidence_passes_alone(&env, None);
    // A second run finds nothing missing, and archive verify agrees.
    let out = archive(&env, &["renew", "--json", "--before", "0d"]);
    assert_eq!(json(&out)["completed"], 0);
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn a_renewal_that_cannot_move_the_deadline_is_refused_with_exit_3() {
    let env = Env::new();
    let tsa = archive_with_two_records(&env);
    let before: Vec<usize> = records(&env)
        .iter()
        .map(|d| std::fs::read_dir(d.join("evidence")).unwrap().count())
        .collect();
    // The case: everything due within 1500 days, re-stamped by the
    // same RSA-2048 TSA, whose key sunset (2030-12-31) is the deadline.
    let out = archive(
        &env,
        &["renew", "--json", "--before", "1500d", "--tsa", &tsa.url()],
    );
    assert_eq!(code(&out), 3, "{}", describe(&out));
    let r = json(&out);
    let why = r["renewed"]["ineffective"].as_str().unwrap();
    assert!(why.contains("RSA-2048"), "{why}");
    assert!(why.contains("--tsa"), "{why}");
    assert!(why.contains("--digest sha512"), "{why}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("WARNING: renewal refused"),
        "{}",
        describe(&out)
    );
    // Nothing was written.
    let after: Vec<usize> = records(&env)
        .iter()
        .map(|d| std::fs::read_dir(d.join("evidence")).unwrap().count())
        .collect();
    assert_eq!(before, after);
    // The human form says it loudly too.
    let out = archive(&env, &["renew", "--before", "1500d"]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("RENEWAL REFUSED"),
        "{}",
        describe(&out)
    );
}

#[test]
fn renew_tsa_switches_the_tsa_for_one_run_and_status_names_the_driving_date() {
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    let config = std::fs::read(env.path(ARC).join("hozon.toml")).unwrap();
    let out = archive(&env, &["status", "--json"]);
    let s = json(&out);
    assert!(
        s["renewal"]["earliest_reason"]
            .as_str()
            .is_some_and(|r| r.contains("RSA-2048") && r.contains("stronger")),
        "{s:#}"
    );
    let strong = strong_tsa(&env, "strong-tsa-1", 3650, "0x5164");
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--tsa",
            &strong.url(),
            "--before",
            "1500d",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = json(&out);
    let reason = r["renewed"]["batches"][0]["renew_by_reason"]
        .as_str()
        .unwrap();
    assert!(
        reason.contains("CN=strong-tsa-1") && reason.contains("expires"),
        "{reason}"
    );
    // The new stamps are the strong TSA's; hozon.toml still names the old.
    let dir = records(&env).remove(0);
    let v = env.verify(&[dir.to_str().unwrap()], &[]);
    let ers = v.json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "ERS")
        .unwrap()
        .clone();
    let tsas: Vec<&str> = ers["timestamps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tsa"].as_str().unwrap())
        .collect();
    assert!(tsas[1].contains("strong-tsa-1"), "{tsas:?}");
    assert!(!tsas[0].contains("strong-tsa-1"), "{tsas:?}");
    assert_eq!(
        std::fs::read(env.path(ARC).join("hozon.toml")).unwrap(),
        config
    );
    let out = archive(&env, &["status"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("driven by: the TSA certificate CN="),
        "{}",
        describe(&out)
    );
}

#[test]
fn the_human_summary_counts_signatures_and_evidence_records_apart() {
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    let dir = records(&env).remove(0);
    let out = env.hozon(&[
        "verify",
        dir.to_str().unwrap(),
        "--trust",
        TRUST,
        "--offline",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 signature(s): 1 passed"), "{text}");
    assert!(text.contains("1 evidence record(s): 1 passed"), "{text}");
    let v = env.verify(&[dir.to_str().unwrap()], &[]);
    // JSON: the evidence record beside the signatures, with its own
    // indication and summary; `signatures` unchanged for existing readers.
    let entry = &v.json["evidence_records"][0];
    assert_eq!(entry["indication"], "TOTAL_PASSED");
    assert!(entry["file"].as_str().unwrap().ends_with(".ers"));
    // The document, its signature and the snapshot of the record's fields.
    assert_eq!(entry["data_objects"].as_array().unwrap().len(), 3);
    assert!(entry["proven_time"].is_string());
    assert_eq!(v.json["evidence_summary"]["total"], 1);
    assert_eq!(v.json["summary"]["total"], 2);
}

#[test]
fn revocation_data_in_crypto_infos_is_read_too() {
    use hozon_cms::asn1::der::asn1::SetOfVec;
    use hozon_cms::asn1::x509_cert::attr::Attribute;
    use hozon_cms::asn1::x509_cert::crl::CertificateList;
    use hozon_cms::es_c::RevocationValues;
    use hozon_cms::oid::rfc5126::ID_AA_ETS_REVOCATION_VALUES;
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    let dir = records(&env).remove(0);
    let path = newest_ers(&dir);
    // The CRL moved from the token into the record's cryptoInfos (as a
    // revocation-values attribute, RFC 5126 §6.3.4), as another
    // implementation may keep it.
    strip_validation_data(&path);
    let v = env.verify(&[dir.to_str().unwrap()], &[]);
    assert_eq!(v.code, 3, "without the CRL: {}", v.stdout);
    let mut er = EvidenceRecord::parse(&std::fs::read(&path).unwrap()).unwrap();
    let crl = CertificateList::from_der(&env.read("pki/root-ca.crl")).unwrap();
    let values = RevocationValues {
        crl_vals: Some(vec![crl]),
        ..RevocationValues::default()
    };
    er.crypto_infos = Some(vec![Attribute {
        oid: ID_AA_ETS_REVOCATION_VALUES,
        values: SetOfVec::try_from(vec![Any::encode_from(&values).unwrap()]).unwrap(),
    }]);
    std::fs::write(&path, er.to_der().unwrap()).unwrap();
    let v = env.verify(&[dir.to_str().unwrap()], &[]);
    assert_eq!(v.code, 0, "with the CRL in cryptoInfos: {}", v.stdout);
    assert_eq!(v.json["evidence_records"][0]["indication"], "TOTAL_PASSED");
}

/// A copy of record `dir` outside the archive (as `alone-<tag>`) with its
/// record.json edited by `edit`; `hozon verify COPY --offline` with only
/// the root must be TOTAL_FAILED naming `field`.
fn edited_copy_fails_naming(
    env: &Env,
    dir: &Path,
    tag: &str,
    edit: &dyn Fn(&mut Value),
    field: &str,
) {
    let rel = format!("alone-{tag}");
    copy_tree(dir, &env.path(&rel));
    let path = env.path(&rel).join("record.json");
    let mut meta: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut meta);
    std::fs::write(&path, serde_json::to_vec_pretty(&meta).unwrap()).unwrap();
    let v = env.verify(&[&rel], &[]);
    assert_eq!(v.code, 1, "{tag}: {}", v.stdout);
    let er = &v.json["evidence_records"][0];
    assert_eq!(er["indication"], "TOTAL_FAILED", "{tag}: {}", v.stdout);
    assert_eq!(er["sub_indication"], "HASH_FAILURE", "{tag}: {}", v.stdout);
    // The evidence record's report (in signatures[], format ERS) names
    // the field and what it was compared with.
    let ers = v.json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["format"] == "ERS")
        .unwrap();
    let errors = ers["errors"].to_string();
    assert!(errors.contains(field), "{tag}: no {field} in {errors}");
    assert!(errors.contains(SNAPSHOT), "{tag}: {errors}");
}

/// Each edit of a record's record.json, in a copy verified alone.
fn every_edit_fails_alone(env: &Env, stage: &str) {
    let dir = records(env).remove(0);
    // The signature's name (files[1]).
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join("record.json")).unwrap()).unwrap();
    let sig = meta["files"][1]["name"].as_str().unwrap().to_string();
    edited_copy_fails_naming(
        env,
        &dir,
        &format!("{stage}-state"),
        &|m| m["state"] = "accepted-failed".into(),
        "[state]",
    );
    edited_copy_fails_naming(
        env,
        &dir,
        &format!("{stage}-hash"),
        &|m| m["files"][1]["sha256"] = "ab".repeat(32).into(),
        &format!("[files[{sig}].sha256]"),
    );
    edited_copy_fails_naming(
        env,
        &dir,
        &format!("{stage}-list"),
        &|m| {
            m["files"].as_array_mut().unwrap().pop();
        },
        "[files]",
    );
    edited_copy_fails_naming(
        env,
        &dir,
        &format!("{stage}-kind"),
        &|m| m["kind"] = "scan".into(),
        "[kind]",
    );
}

#[test]
fn record_json_edited_in_a_record_copied_out_fails_alone_naming_the_field() {
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    // The snapshot is there and the pristine copies pass with only the root.
    for dir in records(&env) {
        assert!(dir.join(SNAPSHOT).is_file(), "{}", dir.display());
    }
    every_record_alone_passes(&env, "pristine", None);
    every_edit_fails_alone(&env, "fresh");
    // After a time-stamp renewal ...
    let strong = strong_tsa(&env, "strong-tsa-5", 3650, "0x5165");
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--tsa",
            &strong.url(),
            "--before",
            "36500d",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    every_record_alone_passes(&env, "pristine-ts", None);
    every_edit_fails_alone(&env, "ts");
    // ... and a hash-tree renewal, which hashes the snapshot again.
    let stronger = strong_tsa(&env, "strong-tsa-6", 5000, "0x5166");
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--tsa",
            &stronger.url(),
            "--digest",
            "sha512",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        json(&out)["renewed"]["batches"][0]["kind"],
        "hash-tree-renewal"
    );
    every_record_alone_passes(&env, "pristine-ht", None);
    every_edit_fails_alone(&env, "ht");
    // The snapshot removed: the evidence no longer matches.
    let dir = records(&env).remove(0);
    copy_tree(&dir, &env.path("alone-no-snapshot"));
    std::fs::remove_file(env.path("alone-no-snapshot").join(SNAPSHOT)).unwrap();
    let v = env.verify(&["alone-no-snapshot"], &[]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(
        v.stdout
            .contains("covers a data object this record does not have"),
        "{}",
        v.stdout
    );
    // In the archive, archive verify agrees that nothing was changed.
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn a_record_stamped_before_its_fields_were_verifies_and_says_record_json_is_covered_by_the_log_only(
) {
    use hozon_tsp::{TsaClient, TsaConfig};
    let env = Env::new();
    let tsa = archive_with_two_records(&env);
    // A record as hozon stamped it before: its evidence over its files
    // only, no snapshot.
    let dir = records(&env).remove(0);
    copy_tree(&dir, &env.path("old"));
    let old = env.path("old");
    std::fs::remove_file(old.join(SNAPSHOT)).unwrap();
    std::fs::remove_dir_all(old.join("evidence")).unwrap();
    let meta: Value =
        serde_json::from_slice(&std::fs::read(old.join("record.json")).unwrap()).unwrap();
    let group: Vec<Vec<u8>> = meta["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            openssl::sha::sha256(&std::fs::read(old.join(f["name"].as_str().unwrap())).unwrap())
                .to_vec()
        })
        .collect();
    let batch =
        hozon_ers::EvidenceBatch::build(hozon_cms::DigestAlgorithm::Sha256, &[group]).unwrap();
    let client = TsaClient::new(TsaConfig::new(vec![tsa.url()])).unwrap();
    let stamp = client.stamp_digest(batch.root()).unwrap();
    let der = batch
        .finish(stamp.token.der())
        .unwrap()
        .record_der(0)
        .unwrap();
    std::fs::create_dir(old.join("evidence")).unwrap();
    std::fs::write(old.join("evidence/0000000001-old.ers"), der).unwrap();
    let v = env.verify(&["old"], &["--crl", crate::util::CRLS]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert!(
        v.stdout.contains("only the archive's audit log covers it"),
        "{}",
        v.stdout
    );
    // Its record.json edited: the evidence cannot see it (the audit log
    // can, inside the archive), but the fixity check still finds an
    // edited hash.
    let mut edited = meta.clone();
    edited["files"][1]["sha256"] = "ab".repeat(32).into();
    std::fs::write(
        old.join("record.json"),
        serde_json::to_vec_pretty(&edited).unwrap(),
    )
    .unwrap();
    let v = env.verify(&["old"], &["--crl", crate::util::CRLS]);
    assert_eq!(v.code, 1, "{}", v.stdout);
}

/// hozon.toml with `extra` appended.
fn with_toml(env: &Env, base: &str, extra: &str) {
    std::fs::write(env.path(ARC).join("hozon.toml"), format!("{base}\n{extra}")).unwrap();
}

#[test]
fn the_crypto_table_of_hozon_toml_is_used_by_archive_jobs_and_the_flag_overrides_it() {
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    let base = std::fs::read_to_string(env.path(ARC).join("hozon.toml")).unwrap();
    // RSA-2048 (the test TSA's key) reliable only until 2028: new batches
    // are due by then, minus the margin, and status says why.
    with_toml(
        &env,
        &base,
        "[crypto.rsa]\n2048 = \"2028-01-01T00:00:00Z\"\n",
    );
    env.write("in2/new.txt", "a note\n");
    let out = archive(&env, &["ingest", "in2", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("2027-10-03"), "{text}");
    assert!(text.contains("2028-01-01"), "{text}");
    let out = archive(&env, &["status", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("2028-01-01"), "{text}");
    // RSA-2048 already past its date: the archive's newest time stamps no
    // longer hold, so archive verify cannot pass ...
    with_toml(
        &env,
        &base,
        "[crypto.rsa]\n2048 = \"2020-01-01T00:00:00Z\"\n",
    );
    let out = archive(&env, &["verify", "--json"]);
    assert_ne!(code(&out), 0, "{}", describe(&out));
    // ... unless `--crypto-policy FILE` overrides the table.
    env.write("policy.toml", "[crypto.rsa]\n2048 = \"none\"\n");
    let out = archive(
        &env,
        &["verify", "--json", "--crypto-policy", "policy.toml"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // Without the table, the defaults again.
    with_toml(&env, &base, "");
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // A bad table is a configuration error naming hozon.toml, exit 4.
    with_toml(&env, &base, "[crypto.rsa]\n2048 = \"soon\"\n");
    let out = archive(&env, &["status"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("hozon.toml"),
        "{}",
        describe(&out)
    );
}
