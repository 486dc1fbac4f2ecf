//! Tamper evidence (issue 22): an archive with stamped records, renewed
//! records and a record ingested while the TSA was down, edited as an
//! administrator with write access could — each edit found by `hozon
//! archive verify` (exit 1, or 3 for a torn final audit line), naming the
//! record and the field; `archive verify` writes nothing it does not
//! report; and `archive renew` on the tampered archive stamps nothing
//! verify rejects.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::util::{code, describe, Env};

const ARC: &str = "arc";

fn archive(env: &Env, args: &[&str]) -> Output {
    let mut all = vec!["archive", "--archive", ARC];
    all.extend_from_slice(args);
    env.hozon(&all)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(out)))
}

/// The archive under test and the names of its records.
struct Fixture {
    env: Env,
    _tsa: TsaServer,
    _strong: TsaServer,
}

impl Fixture {
    /// `a.txt`, `b.xml`: stamped and renewed (two evidence records each);
    /// `d.txt`: stamped once; `c.txt`: ingested while the TSA was down (no
    /// evidence).
    fn new() -> Fixture {
        let env = Env::new();
        let pki = Pki::copy_to(&env.path("pki")).unwrap();
        let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
        env.copy_doc("referral-letter.txt", "in1/a.txt");
        env.copy_doc("discharge-summary.xml", "in1/b.xml");
        env.write("in2/d.txt", "note d\n");
        env.write("in3/c.txt", "note c, stamped later\n");
        crate::archive::init(&env, &tsa.url());
        // The renewal must move the deadline that the RSA-2048 test TSA's
        // key sets, or it is refused (exit 3): an EC TSA renews.
        let strong = crate::evidence_lt::strong_tsa(&env, "strong-tsa", 3650, "0x5186");
        let strong_url = strong.url();
        for args in [
            &["ingest", "in1"][..],
            &["renew", "--before", "36500d", "--tsa", &strong_url][..],
            &["ingest", "in2"][..],
        ] {
            let out = archive(&env, args);
            assert_eq!(code(&out), 0, "{args:?}: {}", describe(&out));
        }
        let dead = hozon_testkit::unreachable_url();
        let out = archive(&env, &["ingest", "in3", "--tsa", &dead]);
        assert_eq!(code(&out), 4, "{}", describe(&out));
        let f = Fixture {
            env,
            _tsa: tsa,
            _strong: strong,
        };
        assert_eq!(f.evidence_count("a.txt"), 2);
        assert_eq!(f.evidence_count("d.txt"), 1);
        assert_eq!(f.evidence_count("c.txt"), 0);
        f
    }

    fn arc(&self) -> PathBuf {
        self.env.path(ARC)
    }

    /// The record directory of the input named `name`.
    fn record(&self, name: &str) -> PathBuf {
        self.records()
            .into_iter()
            .find(|d| {
                let meta: Value =
                    serde_json::from_slice(&std::fs::read(d.join("record.json")).unwrap()).unwrap();
                meta["source"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("/{name}"))
            })
            .unwrap_or_else(|| panic!("no record for {name}"))
    }

    fn id(&self, name: &str) -> String {
        id_of(&self.record(name))
    }

    fn records(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for year in std::fs::read_dir(self.arc().join("records")).unwrap() {
            let year = year.unwrap().path();
            if year.file_name().unwrap().to_string_lossy().starts_with('.') {
                continue;
            }
            for month in std::fs::read_dir(&year).unwrap() {
                for rec in std::fs::read_dir(month.unwrap().path()).unwrap() {
                    out.push(rec.unwrap().path());
                }
            }
        }
        out.sort();
        out
    }

    fn evidence_count(&self, name: &str) -> usize {
        evidence_files(&self.record(name)).len()
    }

    fn meta(&self, name: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.record(name).join("record.json")).unwrap())
            .unwrap()
    }

    fn set_meta(&self, name: &str, meta: &Value) {
        std::fs::write(
            self.record(name).join("record.json"),
            serde_json::to_vec_pretty(meta).unwrap(),
        )
        .unwrap();
    }

    fn sql(&self, statement: &str) {
        let conn = rusqlite::Connection::open(self.arc().join("catalog.sqlite")).unwrap();
        let n = conn.execute(statement, []).unwrap();
        assert!(n > 0, "{statement}: no row changed");
    }

    fn audit_lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.arc().join("audit.log"))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn verify(&self) -> (i32, Value) {
        let out = archive(&self.env, &["verify", "--json"]);
        (code(&out), json(&out))
    }

    /// Verify's verdict: exit `exit`, and (for exit 1) the record `id`
    /// failed with a problem naming `field`.
    fn expect(&self, exit: i32, id: &str, field: &str) -> Value {
        let before = std::fs::read(self.arc().join("audit.log")).unwrap();
        let (c, v) = self.verify();
        assert_eq!(c, exit, "{v:#}");
        let rec = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("record {id} not reported: {v:#}"));
        assert_eq!(rec["outcome"], "failed", "{rec:#}");
        assert!(
            rec["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["field"] == field),
            "no problem naming {field}: {rec:#}"
        );
        // Verify repaired nothing: the log only grew by its summary line
        // (or not at all when the log is damaged).
        let after = std::fs::read(self.arc().join("audit.log")).unwrap();
        assert!(after.starts_with(&before), "verify rewrote the audit log");
        v
    }

    /// `archive renew` on the tampered archive: every record verify
    /// rejects keeps the evidence it had; renew says why and exits 1.
    fn renew_stamps_nothing_rejected(&self, v: &Value) {
        let rejected: Vec<String> = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["outcome"] == "failed")
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        let before: BTreeMap<String, Vec<PathBuf>> = self
            .records()
            .iter()
            .map(|d| (id_of(d), evidence_files(d)))
            .collect();
        let out = archive(&self.env, &["renew", "--before", "36500d", "--json"]);
        let r = json(&out);
        for id in &rejected {
            let after = self
                .records()
                .into_iter()
                .find(|d| &id_of(d) == id)
                .map(|d| evidence_files(&d))
                .unwrap_or_default();
            assert_eq!(
                before.get(id).cloned().unwrap_or_default(),
                after,
                "renew stamped record {id}, which verify rejects: {r:#}"
            );
        }
        if !rejected.is_empty() {
            assert_eq!(code(&out), 1, "{}", describe(&out));
            let left: Vec<String> = ["pending", "renewed"]
                .iter()
                .flat_map(|k| r[k]["left_out"].as_array().cloned().unwrap_or_default())
                .map(|l| l["dir"].as_str().unwrap().to_string())
                .collect();
            for id in &rejected {
                if self.records().iter().any(|d| &id_of(d) == id) {
                    assert!(
                        left.iter().any(|d| d.ends_with(id.as_str())),
                        "{id} not reported as left out: {r:#}"
                    );
                }
            }
        }
    }
}

fn id_of(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

fn evidence_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("evidence"))
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(openssl::sha::sha256(bytes))
}

/// Replaces the document of record `name` with `forged` (and its
/// signature with `signature`, if given), fixing every hash in
/// record.json so that the record is consistent in itself.
fn forge_consistently(f: &Fixture, name: &str, forged: &[u8], signature: Option<&[u8]>) {
    let dir = f.record(name);
    let mut meta = f.meta(name);
    let sha = sha256_hex(forged);
    meta["sha256"] = sha.clone().into();
    for file in meta["files"].as_array_mut().unwrap() {
        let path = dir.join(file["name"].as_str().unwrap());
        let bytes = match (file["role"].as_str().unwrap(), signature) {
            ("document", _) => forged.to_vec(),
            ("signature", Some(sig)) => sig.to_vec(),
            _ => continue,
        };
        std::fs::write(&path, &bytes).unwrap();
        file["sha256"] = sha256_hex(&bytes).into();
        file["size"] = bytes.len().into();
    }
    f.set_meta(name, &meta);
}

#[test]
fn tamper_pristine_archive_verifies_and_verify_writes_only_its_summary_line() {
    let f = Fixture::new();
    let lines = f.audit_lines();
    let (c, v) = f.verify();
    assert_eq!(c, 0, "{v:#}");
    assert_eq!(v["summary"]["total"], 4, "{v:#}");
    let after = f.audit_lines();
    assert_eq!(after.len(), lines.len() + 1);
    assert!(after.last().unwrap().contains("\"event\":\"verify\""));
    // --read-only writes nothing at all.
    let bytes = std::fs::read(f.arc().join("audit.log")).unwrap();
    let out = archive(&f.env, &["verify", "--read-only", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(std::fs::read(f.arc().join("audit.log")).unwrap(), bytes);
}

#[test]
fn tamper_state_flipped_to_accepted_failed_on_a_stamped_record() {
    let f = Fixture::new();
    let mut meta = f.meta("a.txt");
    meta["state"] = "accepted-failed".into();
    f.set_meta("a.txt", &meta);
    let v = f.expect(1, &f.id("a.txt"), "state");
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_unlisted_extra_file_in_a_record_directory() {
    let f = Fixture::new();
    std::fs::write(f.record("b.xml").join("extra.pdf"), b"not listed").unwrap();
    let v = f.expect(1, &f.id("b.xml"), "files");
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_catalog_row_deleted_is_reported_not_recreated() {
    let f = Fixture::new();
    let id = f.id("d.txt");
    f.sql(&format!("DELETE FROM records WHERE id = '{id}'"));
    let lines = f.audit_lines();
    let v = f.expect(1, &id, "catalog");
    // Not re-created, no second `archived` line.
    let after = f.audit_lines();
    assert_eq!(
        after
            .iter()
            .filter(|l| l.contains("\"archived\"") && l.contains(&id))
            .count(),
        lines
            .iter()
            .filter(|l| l.contains("\"archived\"") && l.contains(&id))
            .count()
    );
    let conn = rusqlite::Connection::open(f.arc().join("catalog.sqlite")).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM records WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 0, "verify re-created the row");
    drop(conn);
    assert_eq!(v["records"].as_array().unwrap().len(), 1, "{v:#}");
    // A writing job repairs it (the row, with its evidence count), logs
    // and flags the repair.
    let out = archive(&f.env, &["renew", "--before", "0d"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        f.evidence_count("d.txt"),
        1,
        "the restored record was stamped again"
    );
    let s = json(&archive(&f.env, &["status", "--json"]));
    assert_eq!(s["repaired_unacknowledged"], 1, "{s:#}");
    assert!(f
        .audit_lines()
        .iter()
        .any(|l| l.contains("catalog-row-restored") && l.contains(&id)));
    let (c, v) = f.verify();
    assert_eq!(c, 0, "{v:#}");
    assert!(
        !v["audit"]["repairs"].as_array().unwrap().is_empty(),
        "{v:#}"
    );
    // In Japanese (docs/reports.md, "Languages"): the status line and the acknowledgement.
    let out = archive(&f.env, &["status", "--lang", "ja"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\n修復済みで未確認の記録: 1 件（"), "{text}");
    let out = archive(
        &f.env,
        &[
            "acknowledge",
            &id,
            "--reason",
            "row deleted by mistake",
            "--lang",
            "ja",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("{id} の修復 1 件を確認しました: ")),
        "{err}"
    );
    let s = json(&archive(&f.env, &["status", "--json"]));
    assert_eq!(s["repaired_unacknowledged"], 0, "{s:#}");
    let (_, v) = f.verify();
    assert!(
        v["audit"]["repairs"].as_array().unwrap().is_empty(),
        "{v:#}"
    );
}

#[test]
fn tamper_catalog_row_state_changed() {
    let f = Fixture::new();
    let id = f.id("a.txt");
    f.sql(&format!(
        "UPDATE records SET state = 'accepted-failed' WHERE id = '{id}'"
    ));
    let v = f.expect(1, &id, "state");
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_audit_log_last_line_cut_mid_line_is_indeterminate_not_silent() {
    let f = Fixture::new();
    let path = f.arc().join("audit.log");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 20]).unwrap();
    let (c, v) = f.verify();
    assert_eq!(c, 3, "{v:#}");
    let ind = v["audit"]["indeterminate"].as_array().unwrap();
    assert!(
        ind.iter().any(|p| p.as_str().unwrap().contains("torn")),
        "{v:#}"
    );
    // Verify did not cut it.
    assert_eq!(std::fs::read(&path).unwrap().len(), bytes.len() - 20);
    // The next writing job cuts it and logs the repair: still exit 3
    // until acknowledged.
    let out = archive(&f.env, &["reindex"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let (c, v) = f.verify();
    assert_eq!(c, 3, "{v:#}");
    let out = archive(
        &f.env,
        &[
            "acknowledge",
            "audit-log",
            "--reason",
            "power cut on Monday",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let (c, v) = f.verify();
    assert_eq!(c, 0, "{v:#}");
}

#[test]
fn tamper_audit_log_last_whole_lines_removed() {
    let f = Fixture::new();
    let id = f.id("c.txt");
    let lines = f.audit_lines();
    let at = lines
        .iter()
        .position(|l| l.contains("\"archived\"") && l.contains(&id))
        .unwrap();
    let kept = lines[..at].join("\n") + "\n";
    std::fs::write(f.arc().join("audit.log"), kept).unwrap();
    let v = f.expect(1, &id, "audit_seq");
    let rec = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert!(
        rec["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["field"] == "audit"),
        "{rec:#}"
    );
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_audit_log_lines_up_to_an_evidence_batch_removed() {
    let f = Fixture::new();
    let lines = f.audit_lines();
    // Everything from the last `evidence` line on (d.txt's batch).
    let at = lines
        .iter()
        .rposition(|l| l.contains("\"event\":\"evidence\""))
        .unwrap();
    let kept = lines[..at].join("\n") + "\n";
    std::fs::write(f.arc().join("audit.log"), kept).unwrap();
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    let problems = v["audit"]["problems"].to_string();
    assert!(problems.contains("no line completing it"), "{v:#}");
    // c.txt's archived line went with them.
    let id = f.id("c.txt");
    let rec = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert!(
        rec["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["field"] == "audit_seq"),
        "{rec:#}"
    );
}

#[test]
fn tamper_only_evidence_file_deleted() {
    let f = Fixture::new();
    for p in evidence_files(&f.record("d.txt")) {
        std::fs::remove_file(p).unwrap();
    }
    let v = f.expect(1, &f.id("d.txt"), "evidence");
    let s = json(&archive(&f.env, &["status", "--json"]));
    // c.txt (never stamped) and d.txt (its evidence deleted).
    assert_eq!(s["without_evidence"], 2, "{s:#}");
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_newest_of_two_evidence_files_deleted() {
    let f = Fixture::new();
    let files = evidence_files(&f.record("a.txt"));
    std::fs::remove_file(files.last().unwrap()).unwrap();
    let v = f.expect(1, &f.id("a.txt"), "evidence");
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_evidence_file_deleted_and_catalog_count_edited_to_match() {
    let f = Fixture::new();
    let id = f.id("d.txt");
    for p in evidence_files(&f.record("d.txt")) {
        std::fs::remove_file(p).unwrap();
    }
    f.sql(&format!(
        "UPDATE records SET evidence = 0 WHERE id = '{id}'"
    ));
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    let problems = v["audit"]["problems"].to_string();
    assert!(problems.contains("hold its evidence record"), "{v:#}");
}

#[test]
fn tamper_audit_evidence_records_deleted() {
    let f = Fixture::new();
    for e in std::fs::read_dir(f.arc().join("audit")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "ers") {
            std::fs::remove_file(p).unwrap();
        }
    }
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    let problems = v["audit"]["problems"].to_string();
    assert!(problems.contains("audit log's evidence record"), "{v:#}");
}

#[test]
fn tamper_record_without_evidence_state_flipped() {
    let f = Fixture::new();
    let mut meta = f.meta("c.txt");
    meta["state"] = "accepted-failed".into();
    f.set_meta("c.txt", &meta);
    let v = f.expect(1, &f.id("c.txt"), "state");
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_record_without_evidence_document_replaced_hashes_rewritten_state_flipped() {
    let f = Fixture::new();
    forge_consistently(&f, "c.txt", b"a forged note\n", None);
    let mut meta = f.meta("c.txt");
    meta["state"] = "accepted-failed".into();
    f.set_meta("c.txt", &meta);
    let id = f.id("c.txt");
    let v = f.expect(1, &id, "sha256");
    let rec = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert!(
        rec["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["field"] == "state"),
        "{rec:#}"
    );
    f.renew_stamps_nothing_rejected(&v);
    assert_eq!(f.evidence_count("c.txt"), 0, "the forgery was time-stamped");
}

#[test]
fn tamper_record_without_evidence_document_replaced_and_re_signed_with_the_archive_key() {
    let f = Fixture::new();
    f.env
        .write("forge/c.txt", "a forged note, signed properly\n");
    let sig = f.env.sign_doc("forge/c.txt", "signer-doctor", &[]);
    let forged = f.env.read("forge/c.txt");
    let signature = f.env.read(&sig);
    forge_consistently(&f, "c.txt", &forged, Some(&signature));
    let id = f.id("c.txt");
    let v = f.expect(1, &id, "sha256");
    let doc = f.meta("c.txt")["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["role"] == "signature")
        .map(|x| x["name"].as_str().unwrap().to_string())
        .unwrap();
    let rec = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert!(
        rec["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["field"] == format!("files[{doc}].sha256").as_str()),
        "{rec:#}"
    );
    f.renew_stamps_nothing_rejected(&v);
    assert_eq!(f.evidence_count("c.txt"), 0, "the forgery was time-stamped");
}

#[test]
fn tamper_record_directory_deleted() {
    let f = Fixture::new();
    let id = f.id("b.xml");
    std::fs::remove_dir_all(f.record("b.xml")).unwrap();
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    assert!(
        v["missing_records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str().unwrap().contains(&id)),
        "{v:#}"
    );
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_record_directory_and_catalog_row_deleted() {
    let f = Fixture::new();
    let id = f.id("b.xml");
    std::fs::remove_dir_all(f.record("b.xml")).unwrap();
    f.sql(&format!("DELETE FROM records WHERE id = '{id}'"));
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    let missing = v["missing_records"].to_string();
    assert!(
        missing.contains(&id) && missing.contains("archived at audit line"),
        "{v:#}"
    );
}

#[test]
fn tamper_record_json_deleted() {
    let f = Fixture::new();
    let id = f.id("a.txt");
    std::fs::remove_file(f.record("a.txt").join("record.json")).unwrap();
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    let rec = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap();
    assert_eq!(rec["outcome"], "failed");
    assert!(
        rec["problems"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("record.json")
            && rec["problems"][0]["kind"] == "missing",
        "{rec:#}"
    );
    f.renew_stamps_nothing_rejected(&v);
}

fn signature_of(f: &Fixture, name: &str) -> PathBuf {
    let meta = f.meta(name);
    let sig = meta["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["role"] == "signature")
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    f.record(name).join(sig)
}

#[test]
fn tamper_signatures_swapped_between_records() {
    let f = Fixture::new();
    let (a, b) = (signature_of(&f, "a.txt"), signature_of(&f, "b.xml"));
    let (sa, sb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::write(&a, &sb).unwrap();
    std::fs::write(&b, &sa).unwrap();
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    for name in ["a.txt", "b.xml"] {
        let id = f.id(name);
        let rec = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap();
        assert!(
            rec["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["kind"] == "altered"),
            "{rec:#}"
        );
    }
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_signatures_swapped_between_records_with_the_hashes_fixed() {
    let f = Fixture::new();
    let (a, b) = (signature_of(&f, "a.txt"), signature_of(&f, "b.xml"));
    let (sa, sb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    for (name, sig) in [("a.txt", &sb), ("b.xml", &sa)] {
        let doc = {
            let meta = f.meta(name);
            let d = meta["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["role"] == "document")
                .unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string();
            std::fs::read(f.record(name).join(d)).unwrap()
        };
        forge_consistently(&f, name, &doc, Some(sig));
    }
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    for name in ["a.txt", "b.xml"] {
        let id = f.id(name);
        let sig = signature_of(&f, name);
        let field = format!(
            "files[{}].sha256",
            sig.file_name().unwrap().to_string_lossy()
        );
        let rec = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap();
        assert!(
            rec["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["field"] == field.as_str()),
            "{rec:#}"
        );
    }
    f.renew_stamps_nothing_rejected(&v);
}

#[test]
fn tamper_catalog_row_added_for_a_record_that_does_not_exist() {
    let f = Fixture::new();
    let id = "0123456789abcdef0123456789abcdef";
    f.sql(&format!(
        "INSERT INTO records (id, source, sha256, kind, state, dir, ingested, evidence) \
         VALUES ('{id}', '/in/ghost.txt', '00', 'document', 'archived', '2026/01/{id}', '2026-01-01T00:00:00Z', 0)"
    ));
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    assert!(v["missing_records"].to_string().contains(id), "{v:#}");
}

#[test]
fn tamper_audit_log_edited_in_the_middle() {
    let f = Fixture::new();
    let mut lines = f.audit_lines();
    let mid = lines.len() / 2;
    lines[mid] = lines[mid].replacen("\"time\":\"", "\"time\":\"1", 1);
    std::fs::write(f.arc().join("audit.log"), lines.join("\n") + "\n").unwrap();
    let (c, v) = f.verify();
    assert_eq!(c, 1, "{v:#}");
    let problems = v["audit"]["problems"].to_string();
    assert!(problems.contains(&format!("line {}:", mid + 2)), "{v:#}");
    // Renew stamps nothing over a damaged log.
    let out = archive(&f.env, &["renew", "--before", "36500d", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert_eq!(f.evidence_count("a.txt"), 2);
}
