//! Issue 21: record metadata from each source (sidecar, CSV manifest, file
//! name pattern, CDA header, PDF Info) in record.json, the catalog and
//! search; patient IDs kept out of ingest output and non-access audit
//! lines; `archive reindex` rebuilding the columns; every search and
//! export logged; the export bag validated by the Library of Congress
//! `bagit` tool and each exported record verifying alone offline.

use std::path::PathBuf;
use std::process::{Command, Output};

use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::util::{code, describe, Env};

const ARC: &str = "arc";

fn tsa(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

fn archive(env: &Env, args: &[&str]) -> Output {
    let mut all = vec!["archive", "--archive", ARC];
    all.extend_from_slice(args);
    env.hozon(&all)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(out)))
}

/// A one-page PDF whose Info dictionary is `info`.
fn pdf_with_info(info: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>".to_string(),
        format!("<< {info} >>"),
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 5 /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

/// An archive with one input per metadata source:
/// - `in/a.txt` + sidecar `a.txt.meta.json` (patient PSIDE, 2026-04-10),
/// - `in/b.txt` in `in/hozon-metadata.csv` (patient PSIDE, 2026-05-01),
/// - `in/PNAME_discharge_20260601.txt` by the pattern of hozon.toml,
/// - `in/discharge-summary.xml`, a CDA document (patient P0000123),
/// - `in/info.pdf` with a PatientID in its Info dictionary (PPDF).
fn archive_with_metadata(env: &Env) -> TsaServer {
    let tsa = tsa(env);
    crate::archive::init(env, &tsa.url());
    let mut config = std::fs::read_to_string(env.path("arc/hozon.toml")).unwrap();
    config
        .push_str("\n[metadata]\npattern = \"{patient_id}_{document_type}_{document_date}.txt\"\n");
    env.write("arc/hozon.toml", config);
    env.write("in/a.txt", "sidecar document\n");
    env.write(
        "in/a.txt.meta.json",
        r#"{"patient_id":"PSIDE","document_type":"referral","department":"内科","document_date":"2026-04-10","tags":["disclosure"]}"#,
    );
    env.write("in/b.txt", "manifest document\n");
    env.write(
        "in/hozon-metadata.csv",
        "file,patient_id,document_type,document_date,author\nb.txt,PSIDE,lab-report,20260501,Dr. Sato\n",
    );
    env.write("in/PNAME_discharge_20260601.txt", "pattern document\n");
    env.copy_doc("discharge-summary.xml", "in/discharge-summary.xml");
    env.write(
        "in/info.pdf",
        pdf_with_info("/Author (Dr. Info) /CreationDate (D:20260702) /PatientID (PPDF) /DocumentType (lab-report)"),
    );
    let out = archive(env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let report = json(&out);
    assert_eq!(report["archived"].as_array().unwrap().len(), 5, "{report}");
    // Patient IDs from the contents never reach the run's output.
    for id in ["PSIDE", "P0000123", "PPDF"] {
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains(id)
                && !String::from_utf8_lossy(&out.stderr).contains(id),
            "{id} printed by ingest: {}",
            describe(&out)
        );
    }
    tsa
}

fn search(env: &Env, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    let out = archive(env, &all);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    json(&out)["records"].as_array().unwrap().clone()
}

fn audit_lines(env: &Env) -> Vec<Value> {
    std::fs::read_to_string(env.path("arc/audit.log"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn metadata_from_each_source_lands_in_the_catalog_and_is_searchable() {
    let env = Env::new();
    let _tsa = archive_with_metadata(&env);

    let side = search(&env, &["--patient", "PSIDE"]);
    assert_eq!(side.len(), 2, "{side:?}");
    let a = &side[0];
    assert_eq!(a["document_date"], "2026-04-10");
    assert_eq!(a["document_type"], "referral");
    assert_eq!(a["department"], "内科");
    assert_eq!(a["tags"], serde_json::json!(["disclosure"]));
    let b = &side[1];
    assert_eq!(b["document_date"], "2026-05-01");
    assert_eq!(b["author"], "Dr. Sato");
    // The date range cuts the patient's records.
    let may = search(
        &env,
        &[
            "--patient",
            "PSIDE",
            "--from",
            "2026-04-11",
            "--to",
            "2026-12-31",
        ],
    );
    assert_eq!(may.len(), 1);
    assert_eq!(may[0]["id"], b["id"]);

    let name = search(&env, &["--patient", "PNAME", "--type", "discharge"]);
    assert_eq!(name.len(), 1);
    assert_eq!(name[0]["document_date"], "2026-06-01");

    let cda = search(&env, &["--type", "18842-5"]);
    assert_eq!(cda.len(), 1);
    assert_eq!(cda[0]["patient_id"], "P0000123");
    assert_eq!(cda[0]["author"], "山田 太郎");
    assert_eq!(cda[0]["document_date"], "2025-03-15");

    let pdf = search(&env, &["--patient", "PPDF"]);
    assert_eq!(pdf.len(), 1);
    assert_eq!(pdf[0]["author"], "Dr. Info");
    assert_eq!(pdf[0]["document_date"], "2026-07-02");

    // Every record is signed by the archive's signer; none by somebody else.
    assert_eq!(search(&env, &["--signer", "hozon test hospital"]).len(), 5);
    assert_eq!(search(&env, &["--signer", "Another Hospital"]).len(), 0);
    assert_eq!(search(&env, &["--state", "accepted-failed"]).len(), 0);

    // record.json holds the metadata and where each field came from.
    let dir = env
        .path(ARC)
        .join("records")
        .join(a["dir"].as_str().unwrap());
    let record: Value =
        serde_json::from_slice(&std::fs::read(dir.join("record.json")).unwrap()).unwrap();
    assert_eq!(record["metadata"]["patient_id"], "PSIDE");
    assert_eq!(record["metadata"]["sources"]["patient_id"], "sidecar");
    assert!(record["metadata"]["signer"]
        .as_str()
        .unwrap()
        .contains("hozon Test Hospital"));

    // Each search is an access line (who, query, records); no other line
    // names a patient.
    let lines = audit_lines(&env);
    let access: Vec<&Value> = lines.iter().filter(|l| l["event"] == "access").collect();
    assert_eq!(access.len(), 8, "{access:?}");
    let first = access[0];
    assert_eq!(first["action"], "search");
    assert!(first["who"].as_str().unwrap().starts_with("os:"));
    assert_eq!(first["query"]["patient"], "PSIDE");
    assert_eq!(first["records"].as_array().unwrap().len(), 2);
    for l in lines.iter().filter(|l| l["event"] != "access") {
        let text = l.to_string();
        for id in ["PSIDE", "P0000123", "PPDF"] {
            assert!(
                !text.contains(id),
                "{id} in a non-access audit line: {text}"
            );
        }
    }

    // The catalog is a cache: reindex rebuilds the columns from record.json.
    std::fs::remove_file(env.path("arc/catalog.sqlite")).unwrap();
    let _ = std::fs::remove_file(env.path("arc/catalog.sqlite-wal"));
    let _ = std::fs::remove_file(env.path("arc/catalog.sqlite-shm"));
    let out = archive(&env, &["reindex"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(search(&env, &["--patient", "PSIDE"]), side);

    // The metadata is under the record's proof: an edited patient ID is
    // found by archive verify.
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let edited = std::fs::read_to_string(dir.join("record.json"))
        .unwrap()
        .replace("\"PSIDE\"", "\"POTHER\"");
    std::fs::write(dir.join("record.json"), edited).unwrap();
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("metadata_sha256"),
        "{}",
        describe(&out)
    );
}

#[test]
fn bad_metadata_refuses_its_input_with_the_reason() {
    let env = Env::new();
    let tsa = tsa(&env);
    crate::archive::init(&env, &tsa.url());
    env.write("in/orphan.txt.meta.json", r#"{"patient_id":"X"}"#);
    env.write("in/bad.txt", "bad sidecar\n");
    env.write("in/bad.txt.meta.json", r#"{"document_date":"2026-02-30"}"#);
    env.write("in/good.txt", "fine\n");
    let out = archive(&env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let report = json(&out);
    assert_eq!(report["archived"].as_array().unwrap().len(), 1, "{report}");
    let refused = report["not_archived"].as_array().unwrap();
    let reason = |name: &str| {
        refused
            .iter()
            .find(|s| s["source"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not refused: {report}"))["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        reason("orphan.txt.meta.json").contains("a metadata sidecar without its document"),
        "{report}"
    );
    let r = reason("bad.txt");
    assert!(
        r.contains("bad.txt.meta.json") && r.contains("is not a date"),
        "{r}"
    );
    // A bad search is a usage error (exit 2).
    let out = archive(&env, &["search", "--from", "2026-13-01"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
}

/// The bagit-python virtualenv's `bagit.py`: `$HOZON_TOOLS/bagit-1.9.0`
/// (default HOZON_TOOLS ~/.cache/hozon-tools), installed by scripts/setup.
fn bagit() -> Option<PathBuf> {
    let tools = std::env::var_os("HOZON_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/hozon-tools"))
        })?;
    let tool = tools.join("bagit-1.9.0/bin/bagit.py");
    if tool.is_file() {
        return Some(tool);
    }
    assert!(
        !hozon_testkit::tools_required(),
        "HOZON_REQUIRE_TOOLS is set but bagit-python 1.9.0 (HOZON_TOOLS/bagit-1.9.0) is missing: run scripts/setup"
    );
    eprintln!(
        "skipped: bagit-python 1.9.0 (HOZON_TOOLS/bagit-1.9.0) missing (scripts/setup installs it)"
    );
    None
}

fn bagit_validate(tool: &PathBuf, bag: &std::path::Path) -> Output {
    Command::new(tool)
        .arg("--validate")
        .arg(bag)
        .output()
        .unwrap()
}

#[test]
fn an_export_bag_validates_with_bagit_and_each_record_verifies_offline() {
    let Some(tool) = bagit() else { return };
    let env = Env::new();
    let _tsa = archive_with_metadata(&env);
    let cda = search(&env, &["--patient", "P0000123"]);
    let cda_id = cda[0]["id"].as_str().unwrap().to_string();

    let out = archive(
        &env,
        &[
            "export",
            "--patient",
            "PSIDE",
            &cda_id,
            "--to",
            "bag",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let report = json(&out);
    let records = report["records"].as_array().unwrap();
    assert_eq!(records.len(), 3, "{report}");
    for r in records {
        assert_eq!(r["outcome"], "passed", "{report}");
    }

    let out = bagit_validate(&tool, &env.path("bag"));
    assert!(out.status.success(), "bagit --validate: {}", describe(&out));
    let info = std::fs::read_to_string(env.path("bag/bag-info.txt")).unwrap();
    assert!(info.contains("Payload-Oxum: "), "{info}");
    assert!(!env.path(".bag.export-tmp").exists());

    // Each record on its own, with nothing but the trust anchor, offline.
    for r in records {
        let id = r["id"].as_str().unwrap();
        let dir = format!("bag/data/{id}");
        let out = env.hozon(&[
            "verify",
            &dir,
            "--trust",
            "pki/trust.pem",
            "--offline",
            "--json",
        ]);
        assert_eq!(code(&out), 0, "{id}: {}", describe(&out));
        let report: Value = serde_json::from_slice(
            &std::fs::read(env.path(&format!("bag/data/{id}.verification.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(report["outcome"], "passed");
    }

    // The export is an access line naming the records and the bag.
    let lines = audit_lines(&env);
    let export = lines
        .iter()
        .find(|l| l["event"] == "access" && l["action"] == "export")
        .expect("an export access line");
    assert_eq!(export["records"].as_array().unwrap().len(), 3);
    assert_eq!(export["patients"], serde_json::json!(["PSIDE"]));

    // The oracle can fail: a changed payload byte breaks validation.
    let id = records[0]["id"].as_str().unwrap();
    let report_path = env.path(&format!("bag/data/{id}.verification.json"));
    let mut bytes = std::fs::read(&report_path).unwrap();
    bytes.push(b' ');
    std::fs::write(&report_path, bytes).unwrap();
    let out = bagit_validate(&tool, &env.path("bag"));
    assert!(
        !out.status.success(),
        "bagit accepted an altered bag: {}",
        describe(&out)
    );

    // An existing target is not overwritten (exit 4), an unknown record is
    // a usage error (exit 2); neither writes anything.
    let out = archive(&env, &["export", &cda_id, "--to", "bag"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let out = archive(
        &env,
        &["export", "0123456789abcdef0123456789abcdef", "--to", "bag2"],
    );
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(!env.path("bag2").exists());
    let leftovers: Vec<_> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".export-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
