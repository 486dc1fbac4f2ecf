//! XAdES in the archive: `archive ingest` keeps an enveloped-signed XML
//! (an e-prescription) and a detached XAdES (`FILE` + `FILE.xades.xml`) as
//! existing signatures — verified strictly, never signed again, extended to
//! B-LT as a new generation with the incoming bytes under `history/` — and
//! refuses a tampered one with the reason; `archive verify` and `hozon
//! verify RECORD_DIR` (alone, offline) check them; `archive renew --mode
//! cades` adds an archive time stamp in place; `archive export` carries
//! the record.

use std::path::PathBuf;

use hozon_testkit::{Pki, TsaMode, TsaServer};

use crate::util::{code, describe, flip_byte, testdata, Env, CHAIN, CRLS};

use crate::pades_archive::{archive, init, json, meta, record_dir, sha256_hex, ARC};

fn tsa(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

/// `hozon sign --format xades FILE --level LEVEL` by the test doctor, with
/// `extra`.
fn sign(env: &Env, rel: &str, level: &str, tsa_url: &str, extra: &[&str]) {
    let mut args = vec![
        "sign",
        "--format",
        "xades",
        rel,
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        CHAIN,
        "--crl",
        CRLS,
        "--level",
        level,
    ];
    if level != "b" {
        args.extend(["--tsa", tsa_url]);
    }
    args.extend_from_slice(extra);
    let out = env.hozon(&args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

/// `in/rx.signed.xml`: the sample prescription signed enveloped at `level`.
fn signed_prescription(env: &Env, level: &str, tsa_url: &str) -> Vec<u8> {
    env.write(
        "in/rx.xml",
        std::fs::read(testdata().join("xml/prescription.xml")).unwrap(),
    );
    sign(env, "in/rx.xml", level, tsa_url, &[]);
    std::fs::remove_file(env.path("in/rx.xml")).unwrap();
    env.read("in/rx.signed.xml")
}

/// Ingests `in/` and expects one record of kind xades at `level`.
fn ingest_one(env: &Env, level: &str) {
    let out = archive(env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let report = json(&out);
    let archived = report["archived"].as_array().unwrap();
    assert_eq!(archived.len(), 1, "{report:#}");
    assert_eq!(archived[0]["kind"], "xades", "{report:#}");
    assert_eq!(archived[0]["level"], level, "{report:#}");
}

/// A hozon-signed B-T prescription `in/rx.signed.xml` ingested; returns the
/// TSA and the file as it came in.
fn ingested(env: &Env) -> (TsaServer, Vec<u8>) {
    let tsa = tsa(env);
    let original = signed_prescription(env, "t", &tsa.url());
    init(env, &tsa.url());
    ingest_one(env, "B-LT");
    (tsa, original)
}

fn count(xml: &[u8], what: &str) -> usize {
    String::from_utf8_lossy(xml).matches(what).count()
}

#[test]
fn an_enveloped_xades_is_kept_extended_to_b_lt_and_not_signed_again() {
    let env = Env::new();
    let (_tsa, original) = ingested(&env);
    let dir = record_dir(&env);
    let m = meta(&dir);
    assert_eq!(m["kind"], "xades");
    assert_eq!(m["sha256"], sha256_hex(&original));
    // One file, the signed XML; no CAdES signature was made.
    let files = m["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{m:#}");
    assert_eq!(files[0]["name"], "rx.signed.xml");
    assert_eq!(files[0]["role"], "signed-document");
    assert!(!dir.join("rx.signed.xml.p7s").exists());
    // The incoming bytes are the first generation.
    let history = m["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{m:#}");
    assert_eq!(history[0]["name"], "history/rx.signed.xml.1");
    assert_eq!(
        std::fs::read(dir.join("history/rx.signed.xml.1")).unwrap(),
        original
    );
    // The new generation: the same signature with its validation data.
    let current = std::fs::read(dir.join("rx.signed.xml")).unwrap();
    assert_eq!(files[0]["sha256"], sha256_hex(&current));
    assert_eq!(count(&current, "<ds:SignatureValue"), 1);
    assert_eq!(count(&original, "<xades:CertificateValues"), 0);
    assert_eq!(count(&current, "<xades:CertificateValues"), 1);
    let v = env.verify(&[dir.join("rx.signed.xml").to_str().unwrap()], &[]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["format"], "XAdES", "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["level"], "B-LT", "{}", v.stdout);
    let out = archive(&env, &["status", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let status = json(&out);
    assert!(
        status["by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["kind"] == "xades" && g["level"] == "B-LT"),
        "{status:#}"
    );
    // archive verify: the XML's own signature and the evidence record.
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // The export carries the record's files.
    let id = m["id"].as_str().unwrap();
    let out = archive(&env, &["export", id, "--to", "bag", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let exported: Vec<PathBuf> = walkdir::WalkDir::new(env.path("bag"))
        .into_iter()
        .map(|e| e.unwrap().path().to_path_buf())
        .collect();
    assert!(
        exported.iter().any(|p| p.is_file()
            && p.ends_with("rx.signed.xml")
            && std::fs::read(p).unwrap() == current),
        "{exported:?}"
    );
}

#[test]
fn a_detached_xades_is_adopted_with_its_document() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("lab-report.pdf", "in/scan.pdf");
    sign(
        &env,
        "in/scan.pdf",
        "t",
        &tsa.url(),
        &["--xades-packaging", "detached"],
    );
    let pdf = env.read("in/scan.pdf");
    let signature = env.read("in/scan.pdf.xades.xml");
    init(&env, &tsa.url());
    ingest_one(&env, "B-LT");
    let dir = record_dir(&env);
    let m = meta(&dir);
    assert_eq!(m["kind"], "xades");
    assert_eq!(m["sha256"], sha256_hex(&pdf));
    let files = m["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{m:#}");
    assert_eq!(
        (&files[0]["name"], &files[0]["role"]),
        (&"scan.pdf".into(), &"document".into())
    );
    assert_eq!(
        (&files[1]["name"], &files[1]["role"]),
        (&"scan.pdf.xades.xml".into(), &"signature".into())
    );
    assert!(!dir.join("scan.pdf.p7s").exists());
    assert_eq!(std::fs::read(dir.join("scan.pdf")).unwrap(), pdf);
    assert_eq!(
        std::fs::read(dir.join("history/scan.pdf.xades.xml.1")).unwrap(),
        signature
    );
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // Renewal extends the signature file; the document stays as it came.
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--mode",
            "cades",
            "--before",
            "36500d",
            "--tsa",
            &tsa.url(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        json(&out)["extended"][0]["error"].is_null(),
        "{}",
        describe(&out)
    );
    let m = meta(&dir);
    assert_eq!(m["history"][1]["name"], "history/scan.pdf.xades.xml.2");
    assert_eq!(m["history"][1]["role"], "signature");
    assert_eq!(std::fs::read(dir.join("scan.pdf")).unwrap(), pdf);
    let current = std::fs::read(dir.join("scan.pdf.xades.xml")).unwrap();
    assert_eq!(count(&current, "<xadesv141:ArchiveTimeStamp"), 1);
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // The record alone: the detached reference resolves beside it.
    let v = env.verify_crl(&[dir.to_str().unwrap()]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    // A changed document byte fails the signature's reference.
    flip_byte(&dir.join("scan.pdf"), 10);
    let v = env.verify_crl(&[dir.to_str().unwrap()]);
    assert_eq!(v.code, 1, "{}", v.stdout);
}

#[test]
fn a_b_b_xades_gets_its_validation_data_and_stays_b_b() {
    let env = Env::new();
    let tsa = tsa(&env);
    let original = signed_prescription(&env, "b", &tsa.url());
    init(&env, &tsa.url());
    ingest_one(&env, "B-B");
    let dir = record_dir(&env);
    let current = std::fs::read(dir.join("rx.signed.xml")).unwrap();
    // The chain is in KeyInfo; the CRLs the check used are added.
    assert_eq!(count(&original, "<xades:RevocationValues"), 0);
    assert_eq!(count(&current, "<xades:RevocationValues"), 1);
    assert_eq!(count(&current, "SignatureTimeStamp"), 0);
    assert_eq!(
        std::fs::read(dir.join("history/rx.signed.xml.1")).unwrap(),
        original
    );
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn a_tampered_xades_is_refused_with_the_reason() {
    let env = Env::new();
    let tsa = tsa(&env);
    let signed = signed_prescription(&env, "t", &tsa.url());
    // The prescribed days, inside the signed PrescriptionData.
    let text = String::from_utf8(signed).unwrap();
    assert!(text.contains("<Days>28</Days>"));
    env.write(
        "in/rx.signed.xml",
        text.replace("<Days>28</Days>", "<Days>90</Days>"),
    );
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let report = json(&out);
    assert!(
        report["archived"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    let refused = report["not_archived"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report:#}");
    let reason = refused[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("TOTAL_FAILED/HASH_FAILURE"),
        "the reason names the failure: {reason}"
    );
}

#[test]
fn a_detached_xades_over_a_changed_file_is_refused() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("lab-report.pdf", "in/scan.pdf");
    sign(
        &env,
        "in/scan.pdf",
        "t",
        &tsa.url(),
        &["--xades-packaging", "detached"],
    );
    flip_byte(&env.path("in/scan.pdf"), 10);
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let report = json(&out);
    let refused = report["not_archived"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report:#}");
    let reason = refused[0]["reason"].as_str().unwrap();
    assert!(reason.contains("TOTAL_FAILED/HASH_FAILURE"), "{reason}");
}

#[test]
fn renew_mode_cades_adds_an_archive_time_stamp_keeping_history() {
    let env = Env::new();
    let (tsa, original) = ingested(&env);
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--mode",
            "cades",
            "--before",
            "36500d",
            "--tsa",
            &tsa.url(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = json(&out);
    let extended = r["extended"].as_array().unwrap();
    assert_eq!(extended.len(), 1, "{r:#}");
    assert!(extended[0]["error"].is_null(), "{r:#}");
    let dir = record_dir(&env);
    let m = meta(&dir);
    let history = m["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{m:#}");
    assert_eq!(history[0]["name"], "history/rx.signed.xml.1");
    assert_eq!(history[1]["name"], "history/rx.signed.xml.2");
    assert_eq!(history[1]["role"], "signed-document");
    assert_eq!(
        std::fs::read(dir.join("history/rx.signed.xml.1")).unwrap(),
        original
    );
    let b_lt = std::fs::read(dir.join("history/rx.signed.xml.2")).unwrap();
    let current = std::fs::read(dir.join("rx.signed.xml")).unwrap();
    assert_eq!(count(&b_lt, "ArchiveTimeStamp>"), 0);
    assert_eq!(count(&current, "<xadesv141:ArchiveTimeStamp"), 1);
    let v = env.verify(&[dir.join("rx.signed.xml").to_str().unwrap()], &[]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["level"], "B-LTA", "{}", v.stdout);
    // The evidence record (over the B-LT generation) still verifies.
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn a_xades_record_verifies_alone_offline_and_a_flipped_byte_is_found() {
    let env = Env::new();
    let (_tsa, _) = ingested(&env);
    let dir = record_dir(&env);
    let alone = env.path("alone");
    for entry in walkdir::WalkDir::new(&dir) {
        let entry = entry.unwrap();
        let target = alone.join(entry.path().strip_prefix(&dir).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    std::fs::remove_dir_all(env.path(ARC)).unwrap();
    std::fs::remove_dir_all(env.path("in")).unwrap();
    let v = env.verify_crl(&["alone"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    let formats: Vec<&str> = v.json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["format"].as_str().unwrap())
        .collect();
    assert!(
        formats.contains(&"ERS") && formats.contains(&"XAdES"),
        "{formats:?}"
    );
    // One signed byte of the prescription changed in the copy.
    let text = String::from_utf8(env.read("alone/rx.signed.xml")).unwrap();
    env.write(
        "alone/rx.signed.xml",
        text.replace("<Days>28</Days>", "<Days>29</Days>"),
    );
    let v = env.verify_crl(&["alone"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
}
