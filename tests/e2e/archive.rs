//! `hozon archive`: init, ingest of a mixed directory, idempotence, the
//! lock, crash safety (deterministic abort points and a real SIGKILL),
//! fixity, status numbers, evidence records and renewal.

use std::path::Path;
use std::process::{Command, Output};

use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::util::{code, describe, flip_byte, Env, HOZON};

/// The archive directory inside an [`Env`].
const ARC: &str = "arc";

fn tsa(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

/// `hozon archive init arc` with the test doctor, the loopback TSA, the
/// test root and its CRLs, offline.
pub(crate) fn init(env: &Env, tsa_url: &str) {
    let out = init_with(env, tsa_url, &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

/// An archive made by [`init`] with `docs` (a test document and its name
/// under `in/`) ingested; the TSA it uses.
/// Holds the archive's lock as a running `archive ingest` would (pid 4242),
/// until the returned file is dropped.
pub(crate) fn hold_lock(env: &Env) -> std::fs::File {
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(env.path(ARC).join("lock"))
        .unwrap();
    lock.try_lock().unwrap();
    std::fs::write(
        env.path(ARC).join("lock"),
        "pid 4242\ncommand hozon archive ingest x\n",
    )
    .unwrap();
    lock
}

fn ingested_archive(env: &Env, docs: &[(&str, &str)]) -> TsaServer {
    let tsa = tsa(env);
    for (doc, name) in docs {
        env.copy_doc(doc, &format!("in/{name}"));
    }
    init(env, &tsa.url());
    let out = archive(env, &["ingest", "in"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    tsa
}

/// `hozon archive init arc` as [`init`] runs it, plus `extra`.
pub(crate) fn init_with(env: &Env, tsa_url: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "archive",
        "init",
        ARC,
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        "pki/chain.pem",
        "--tsa",
        tsa_url,
        "--trust",
        "pki/trust.pem",
        "--crl",
        "pki/crls.pem",
        "--offline",
    ];
    args.extend_from_slice(extra);
    env.hozon(&args)
}

/// `hozon archive --archive arc ARGS`.
fn archive(env: &Env, args: &[&str]) -> Output {
    archive_env(env, args, &[])
}

fn archive_env(env: &Env, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut all = vec!["archive", "--archive", ARC];
    all.extend_from_slice(args);
    env.hozon_env(&all, envs)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(out)))
}

/// A mixed input directory: three unsigned documents, a B-B and a B-T
/// signed one, a passing and a failing scan.
fn mixed_inputs(env: &Env, tsa_url: &str) {
    env.copy_doc("discharge-summary.xml", "in/discharge-summary.xml");
    env.copy_doc("lab-report.pdf", "in/lab-report.pdf");
    env.copy_doc("referral-letter.txt", "in/notes/referral-letter.txt");
    env.write("in/signed/consent.txt", "consent given 2026-11-26\n");
    env.sign_doc("in/signed/consent.txt", "signer-doctor", &[]);
    env.write("in/signed/stamped.txt", "stamped letter\n");
    env.sign_doc(
        "in/signed/stamped.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", tsa_url],
    );
    env.copy_doc("chart-scan-300dpi.png", "in/scans/chart-scan-300dpi.png");
    env.copy_doc("chart-scan-150dpi.png", "in/scans/chart-scan-150dpi.png");
}

/// Every record directory (`records/YYYY/MM/<id>`).
fn record_dirs(env: &Env) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let records = env.path(ARC).join("records");
    for year in std::fs::read_dir(&records).unwrap() {
        let year = year.unwrap().path();
        if year.file_name().unwrap().to_str().unwrap().starts_with('.') {
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

fn status(env: &Env) -> Value {
    let out = archive(env, &["status", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    json(&out)
}

fn verify_ok(env: &Env) -> Value {
    let out = archive(env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "archive verify: {}", describe(&out));
    json(&out)
}

#[test]
fn mixed_ingest_classifies_signs_checks_and_refuses_the_bad_scan() {
    let env = Env::new();
    let tsa = tsa(&env);
    mixed_inputs(&env, &tsa.url());
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "in", "--json"]);
    // The 150-dpi scan is refused: exit 1, everything else archived.
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let report = json(&out);
    let archived = report["archived"].as_array().unwrap();
    assert_eq!(archived.len(), 6, "{report:#}");
    let kind_of = |name: &str| {
        archived
            .iter()
            .find(|r| r["source"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not archived: {report:#}"))
    };
    assert_eq!(kind_of("discharge-summary.xml")["kind"], "document");
    assert_eq!(kind_of("lab-report.pdf")["kind"], "document");
    assert_eq!(kind_of("lab-report.pdf")["level"], "B-B");
    assert_eq!(kind_of("consent.txt")["kind"], "signed");
    assert_eq!(kind_of("consent.txt")["level"], "B-B");
    // A signature with a time stamp is extended to B-LT at ingest.
    assert_eq!(kind_of("stamped.txt")["level"], "B-LT");
    assert_eq!(kind_of("chart-scan-300dpi.png")["kind"], "scan");
    let refused = report["not_archived"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report:#}");
    assert!(refused[0]["source"]
        .as_str()
        .unwrap()
        .ends_with("chart-scan-150dpi.png"));
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("resolution"),
        "{report:#}"
    );

    // Every record holds the document byte for byte, its signature and
    // record.json; the scan its scan.json.
    let dirs = record_dirs(&env);
    assert_eq!(dirs.len(), 6);
    for dir in &dirs {
        let meta: Value =
            serde_json::from_slice(&std::fs::read(dir.join("record.json")).unwrap()).unwrap();
        let source = meta["source"].as_str().unwrap();
        let doc = meta["files"][0]["name"].as_str().unwrap();
        assert_eq!(
            std::fs::read(dir.join(doc)).unwrap(),
            std::fs::read(source).unwrap()
        );
        assert!(dir.join(format!("{doc}.p7s")).exists(), "{}", dir.display());
        if meta["kind"] == "scan" {
            assert!(dir.join("scan.json").exists());
        }
        // The stored signature verifies with plain `hozon verify` too.
        let sig = dir.join(format!("{doc}.p7s"));
        let v = env.verify(&[sig.to_str().unwrap()], &[]);
        assert_eq!(v.code, 0, "{}", v.stdout);
    }

    // The refused scan can be kept as failed; nothing else is redone.
    let out = archive(&env, &["ingest", "in", "--accept-failed", "--json"]);
    let report = json(&out);
    assert_eq!(
        report["archived"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    assert_eq!(report["archived"][0]["state"], "accepted-failed");
    assert_eq!(report["already_archived"].as_array().unwrap().len(), 6);

    let s = status(&env);
    assert_eq!(s["total"], 7, "{s:#}");
    assert_eq!(s["accepted_failed"], 1, "{s:#}");
    let count = |kind: &str| -> u64 {
        s["by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["kind"] == kind)
            .map(|g| g["count"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        (count("document"), count("signed"), count("scan")),
        (3, 2, 2)
    );

    let v = verify_ok(&env);
    assert_eq!(v["summary"]["total"], 7, "{v:#}");
    assert_eq!(v["summary"]["accepted_failed"], 1, "{v:#}");
    assert_eq!(v["audit"]["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn reingest_is_a_no_op_and_changed_content_is_a_new_record() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("referral-letter.txt", "in/a.txt");
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // HOZON_ARCHIVE names the archive when --archive is not given.
    let archive_dir = env.path(ARC);
    let out = env.hozon_env(
        &["archive", "ingest", "in/a.txt", "--json"],
        &[("HOZON_ARCHIVE", archive_dir.to_str().unwrap())],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = json(&out);
    assert_eq!(r["archived"].as_array().unwrap().len(), 0);
    assert!(r["already_archived"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("already archived"));
    env.write("in/a.txt", "a corrected letter\n");
    let r = json(&archive(&env, &["ingest", "in", "--json"]));
    assert_eq!(r["archived"].as_array().unwrap().len(), 1, "{r:#}");
    assert_eq!(record_dirs(&env).len(), 2);
    assert_eq!(status(&env)["total"], 2);
    // Flags override hozon.toml: with another trust anchor nothing passes.
    let out = archive(
        &env,
        &["verify", "--json", "--trust", "pki/untrusted-root.crt"],
    );
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert_eq!(json(&out)["summary"]["passed"], 0);
    // The archive's own files are never archived into it.
    let out = archive(&env, &["ingest", ARC, "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let r = json(&out);
    assert_eq!(r["archived"].as_array().unwrap().len(), 0, "{r:#}");
    assert!(r["not_archived"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["reason"] == "lies inside the archive itself"));
    assert_eq!(status(&env)["total"], 2);
}

#[test]
fn flipping_one_byte_of_any_archived_file_is_found() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("lab-report.pdf", "in/lab-report.pdf");
    env.copy_doc("chart-scan-300dpi.png", "in/chart.png");
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "in"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    verify_ok(&env);
    let mut files = Vec::new();
    for dir in record_dirs(&env) {
        for f in walkdir::WalkDir::new(&dir) {
            let f = f.unwrap();
            if f.file_type().is_file() {
                files.push(f.path().to_path_buf());
            }
        }
    }
    assert!(files.len() >= 7, "{files:?}");
    for f in files {
        flip_byte(&f, -2);
        let out = archive(&env, &["verify", "--json"]);
        assert_eq!(code(&out), 1, "{} flipped: {}", f.display(), describe(&out));
        let r = json(&out);
        assert!(r["summary"]["failed"].as_u64().unwrap() >= 1, "{r:#}");
        flip_byte(&f, -2);
    }
    verify_ok(&env);
}

#[test]
fn a_second_writer_fails_cleanly_naming_the_holder_or_waits() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("referral-letter.txt", "in/a.txt");
    init(&env, &tsa.url());
    // Hold the lock as a running job would.
    let lock = hold_lock(&env);
    let out = archive(&env, &["ingest", "in"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = crate::util::stderr(&out);
    assert!(err.contains("locked") && err.contains("pid 4242"), "{err}");
    assert!(err.contains("--wait"), "{err}");
    assert!(record_dirs_or_empty(&env).is_empty());

    // With --wait it blocks until the holder is done.
    let mut child = Command::new(HOZON)
        .args(["archive", "--archive", ARC, "ingest", "in", "--wait"])
        .current_dir(env.dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "did not wait for the lock"
    );
    drop(lock);
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(crate::util::stderr(&out).contains("waiting for the archive lock"));
    assert_eq!(record_dirs(&env).len(), 1);
}

#[test]
fn two_concurrent_ingests_one_waits_nothing_is_duplicated() {
    let env = Env::new();
    let tsa = tsa(&env);
    for i in 0..40 {
        env.write(&format!("in/doc-{i:03}.txt"), format!("note {i}\n"));
    }
    init(&env, &tsa.url());
    let spawn = || {
        Command::new(HOZON)
            .args([
                "archive",
                "--archive",
                ARC,
                "ingest",
                "in",
                "--wait",
                "--json",
            ])
            .current_dir(env.dir())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!(code(&a), 0, "{}", describe(&a));
    assert_eq!(code(&b), 0, "{}", describe(&b));
    let (ja, jb) = (json(&a), json(&b));
    let n = |j: &Value, k: &str| j[k].as_array().unwrap().len();
    assert_eq!(n(&ja, "archived") + n(&jb, "archived"), 40);
    assert_eq!(n(&ja, "already_archived") + n(&jb, "already_archived"), 40);
    assert_eq!(record_dirs(&env).len(), 40);
    assert_eq!(status(&env)["total"], 40);
}

fn record_dirs_or_empty(env: &Env) -> Vec<std::path::PathBuf> {
    if env.path(ARC).join("records").exists() {
        record_dirs(env)
    } else {
        Vec::new()
    }
}

/// After a crash and a rerun: catalog rows = record directories, each
/// source archived once, everything verifies, the audit log names each.
fn assert_consistent(env: &Env, sources: usize) {
    let dirs = record_dirs(env);
    assert_eq!(dirs.len(), sources, "{dirs:?}");
    let mut seen = std::collections::HashSet::new();
    for d in &dirs {
        let meta: Value =
            serde_json::from_slice(&std::fs::read(d.join("record.json")).unwrap()).unwrap();
        assert!(
            seen.insert(meta["source"].as_str().unwrap().to_string()),
            "duplicate {meta}"
        );
    }
    assert_eq!(status(env)["total"], sources as u64);
    let staging = env.path(ARC).join("records/.staging");
    assert_eq!(
        std::fs::read_dir(&staging).map(|d| d.count()).unwrap_or(0),
        0
    );
    let v = verify_ok(env);
    assert_eq!(v["summary"]["passed"], sources as u64, "{v:#}");
    let log = std::fs::read_to_string(env.path(ARC).join("audit.log")).unwrap();
    for d in &dirs {
        let id = d.file_name().unwrap().to_str().unwrap();
        assert!(
            log.lines()
                .any(|l| l.contains("\"archived\"") && l.contains(id)),
            "no audit line for {id}"
        );
    }
}

#[test]
fn ingest_killed_at_each_commit_step_then_rerun_is_consistent() {
    for step in [
        "ingest-staged",
        "ingest-renamed:3",
        "ingest-published",
        "ingest-cataloged",
        "ingest-audited",
        "evidence-written:2",
        "evidence-cataloged",
    ] {
        let env = Env::new();
        let tsa = tsa(&env);
        for i in 0..5 {
            env.write(&format!("in/doc-{i}.txt"), format!("note {i}\n"));
        }
        init(&env, &tsa.url());
        let out = archive_env(&env, &["ingest", "in"], &[("HOZON_ARCHIVE_CRASH_AT", step)]);
        assert!(
            out.status.code().is_none(),
            "{step}: did not abort: {}",
            describe(&out)
        );
        let out = archive(&env, &["ingest", "in", "--json"]);
        assert_eq!(code(&out), 0, "{step}: rerun: {}", describe(&out));
        assert_consistent(&env, 5);
    }
}

#[test]
fn ingest_killed_by_sigkill_at_a_random_moment_then_rerun_is_consistent() {
    let env = Env::new();
    let tsa = tsa(&env);
    for i in 0..300 {
        env.write(&format!("in/doc-{i:03}.txt"), format!("note {i}\n"));
    }
    init(&env, &tsa.url());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let delay = 200 + u64::from(nanos % 1500);
    let mut child = Command::new(HOZON)
        .args(["archive", "--archive", ARC, "ingest", "in", "-j", "2"])
        .current_dir(env.dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(delay));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    eprintln!(
        "killed after {delay} ms with {} record(s) published",
        record_dirs_or_empty(&env).len()
    );
    let out = archive(&env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 0, "rerun: {}", describe(&out));
    assert_consistent(&env, 300);
}

#[test]
fn status_json_numbers() {
    let env = Env::new();
    let _tsa = ingested_archive(
        &env,
        &[
            ("referral-letter.txt", "a.txt"),
            ("discharge-summary.xml", "b.xml"),
            ("chart-scan-300dpi.png", "c.png"),
        ],
    );
    let s = status(&env);
    assert_eq!(s["total"], 3);
    assert_eq!(s["without_evidence"], 0, "{s:#}");
    assert_eq!(s["verification"]["never"], 3);
    assert_eq!(s["renewal"]["overdue"], 0);
    // Every record's deadline is the TSA certificate's expiry minus 90 days.
    let earliest = s["renewal"]["earliest"].as_str().unwrap();
    assert!(&earliest[..4] > "2026", "{s:#}");
    let by_month = s["renewal"]["by_month"].as_array().unwrap();
    assert_eq!(by_month.len(), 1);
    assert_eq!(by_month[0]["count"], 3);
    assert_eq!(by_month[0]["month"].as_str().unwrap(), &earliest[..7]);
    verify_ok(&env);
    let s = status(&env);
    assert_eq!(s["verification"]["passed"], 3);
    let out = archive(&env, &["verify", "--sample", "1", "--json", "--all"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = json(&out);
    assert_eq!(v["summary"]["total"], 1);
    assert_eq!(v["records"].as_array().unwrap().len(), 1);
    // `hozon verify` on the archive directory verifies record by record:
    // an evidence record and a signature each.
    let v = env.verify_crl(&[ARC]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.json["summary"]["total"], 6, "{}", v.stdout);
    assert_eq!(v.json["summary"]["passed"], 6, "{}", v.stdout);
    // Past the deadline everything is overdue.
    let out = archive(&env, &["status", "--json", "--now", "2099-01-01T00:00:00Z"]);
    assert_eq!(json(&out)["renewal"]["overdue"], 3);
}

#[test]
fn an_unreachable_tsa_leaves_records_archived_without_evidence() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("referral-letter.txt", "in/a.txt");
    init(&env, &tsa.url());
    let dead = hozon_testkit::unreachable_url();
    let out = archive(&env, &["ingest", "in", "--tsa", &dead, "--json"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let r = json(&out);
    assert_eq!(r["archived"].as_array().unwrap().len(), 1);
    assert!(r["evidence"]["error"].is_string(), "{r:#}");
    assert_eq!(status(&env)["without_evidence"], 1);
    let _ = Path::new(ARC);
}

/// An archive stamped by the short-lived TSA (certificate expires in about
/// four years): a B-B signed document, an unsigned one, a scan.
fn short_lived_archive(env: &Env) -> (TsaServer, TsaServer) {
    let short = crate::lta::short_lived_tsa(env);
    let long = crate::lta::long_lived_tsa(env);
    env.copy_doc("lab-report.pdf", "in/lab-report.pdf");
    env.copy_doc("chart-scan-300dpi.png", "in/chart.png");
    env.write("in/signed.txt", "signed elsewhere\n");
    env.sign_doc("in/signed.txt", "signer-doctor", &[]);
    init(env, &short.url());
    let out = archive(env, &["ingest", "in"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    (short, long)
}

fn renew(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["renew", "--json"];
    all.extend_from_slice(args);
    let out = archive(env, &all);
    assert_eq!(code(&out), 0, "renew {args:?}: {}", describe(&out));
    json(&out)
}

/// `archive verify --at AT`, with the test PKI's RSA-2048 keys given no end
/// date: these tests are about certificate expiry and renewal, not the
/// algorithm's date (2031-01-01 in the default crypto policy).
fn verify_at(env: &Env, at: &str) -> Output {
    let policy = env.path(crate::util::NO_RSA_SUNSET);
    archive(
        env,
        &[
            "verify",
            "--json",
            "--crypto-policy",
            policy.to_str().unwrap(),
            "--at",
            at,
        ],
    )
}

#[test]
fn renewal_twice_the_second_past_the_first_tsa_s_expiry_keeps_everything_verifiable() {
    let env = Env::new();
    let (_short, long) = short_lived_archive(&env);
    let first = status(&env)["renewal"]["earliest"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(first.as_str() < "2030-12", "{first}");
    // 2035: the short-lived TSA's certificate expired in 2030; with nothing
    // but its stamps, nothing is proven any more.
    let out = verify_at(&env, "2035-01-01T00:00:00Z");
    assert_ne!(code(&out), 0, "{}", describe(&out));
    let r = json(&out);
    assert_eq!(r["summary"]["passed"], 0, "{r:#}");

    // Nothing is due today.
    let r = renew(&env, &["--tsa", &long.url()]);
    assert_eq!(r["due"], 0, "{r:#}");
    // A month after the deadline, before the certificate expires.
    let r = renew(
        &env,
        &["--tsa", &long.url(), "--now", "2030-09-01T00:00:00Z"],
    );
    assert_eq!(r["due"], 3, "{r:#}");
    assert_eq!(
        r["renewed"]["batches"].as_array().unwrap().len(),
        1,
        "{r:#}"
    );
    assert_eq!(r["renewed"]["batches"][0]["kind"], "timestamp-renewal");
    let second = status(&env)["renewal"]["earliest"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(second, first);
    // Past the first TSA certificate's expiry (2031), renewed again — by
    // a TSA with a stronger key: the RSA-2048 one could not move the
    // deadline (its key's sunset) and would be refused.
    let strong = crate::evidence_lt::strong_tsa(&env, "strong-tsa", 3650, "0x5181");
    let r = renew(
        &env,
        &["--tsa", &strong.url(), "--now", "2031-02-01T00:00:00Z"],
    );
    assert_eq!(r["due"], 3, "{r:#}");
    assert!(r["renewed"]["error"].is_null(), "{r:#}");
    for dir in record_dirs(&env) {
        assert_eq!(std::fs::read_dir(dir.join("evidence")).unwrap().count(), 3);
    }
    for at in ["2031-02-01T00:00:00Z", "2035-01-01T00:00:00Z"] {
        let out = verify_at(&env, at);
        assert_eq!(code(&out), 0, "at {at}: {}", describe(&out));
        assert_eq!(json(&out)["summary"]["passed"], 3);
    }
    // The audit log's own evidence was renewed with the records.
    assert!(env.path(ARC).join("audit").read_dir().unwrap().count() >= 6);
}

#[test]
fn hash_tree_renewal_to_sha512_keeps_everything_verifiable() {
    let env = Env::new();
    let (_short, long) = short_lived_archive(&env);
    let r = renew(&env, &["--tsa", &long.url(), "--digest", "sha512"]);
    assert_eq!(r["due"], 3, "{r:#}");
    assert_eq!(
        r["renewed"]["batches"][0]["kind"], "hash-tree-renewal",
        "{r:#}"
    );
    let out = verify_at(&env, "2035-01-01T00:00:00Z");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // A time-stamp renewal after it runs under SHA-512 (by a TSA with a
    // stronger key: the same RSA-2048 one would not move the deadline).
    let strong = crate::evidence_lt::strong_tsa(&env, "strong-tsa", 3650, "0x5182");
    let r = renew(&env, &["--tsa", &strong.url(), "--before", "36500d"]);
    assert_eq!(
        r["renewed"]["batches"][0]["kind"], "timestamp-renewal",
        "{r:#}"
    );
    let dir = record_dirs(&env).remove(0);
    let v = env.verify(
        &[dir.to_str().unwrap()],
        &[
            "--at",
            "2035-01-01T00:00:00Z",
            "--crl",
            crate::util::CRLS,
            "--crypto-policy",
            crate::util::NO_RSA_SUNSET,
        ],
    );
    assert_eq!(v.code, 0, "{}", v.stdout);
    let ers = v.json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["format"] == "ERS")
        .unwrap()
        .clone();
    let algs = &ers["evidence_records"][0]["digest_algorithms"];
    assert_eq!(algs.as_array().unwrap().len(), 2, "{ers:#}");
    assert_eq!(
        ers["evidence_records"][0]["archive_time_stamps"], 3,
        "{ers:#}"
    );
}

#[test]
fn every_record_verifies_alone_after_the_others_are_deleted() {
    let env = Env::new();
    let tsa = tsa(&env);
    mixed_inputs(&env, &tsa.url());
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "in"]);
    assert_eq!(code(&out), 1, "{}", describe(&out)); // the 150-dpi scan
    let dirs = record_dirs(&env);
    assert_eq!(dirs.len(), 6);
    // Keep each record on its own; remove the archive.
    for (i, dir) in dirs.iter().enumerate() {
        let alone = env.path(&format!("alone/{i}"));
        copy_tree(dir, &alone);
    }
    std::fs::remove_dir_all(env.path(ARC)).unwrap();
    std::fs::remove_dir_all(env.path("in")).unwrap();
    for i in 0..dirs.len() {
        let rel = format!("alone/{i}");
        // An evidence record carries no revocation data for its TSA: the
        // CRLs come with the verification (as the archive's hozon.toml does).
        let v = env.verify_crl(&[&rel]);
        assert_eq!(v.code, 0, "{rel}: {}", v.stdout);
        let formats: Vec<&str> = v.json["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["format"].as_str().unwrap())
            .collect();
        assert!(
            formats.contains(&"ERS") && formats.contains(&"CAdES"),
            "{formats:?}"
        );
        // And the evidence record with its files given explicitly (ers CLI).
        let meta: Value = serde_json::from_slice(&env.read(&format!("{rel}/record.json"))).unwrap();
        let ers = std::fs::read_dir(env.path(&format!("{rel}/evidence")))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let ers = ers.to_str().unwrap().to_string();
        let mut args = vec![ers.clone()];
        for f in meta["files"].as_array().unwrap() {
            args.push("--content".into());
            args.push(format!("{rel}/{}", f["name"].as_str().unwrap()));
        }
        // With the snapshot of the record's fields it also covers.
        args.push("--content".into());
        args.push(format!("{rel}/record.fields.json"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = env.verify_crl(&args);
        assert_eq!(v.code, 0, "{ers}: {}", v.stdout);
        // A byte flipped in the copy is found by the record alone.
        let doc = format!("{rel}/{}", meta["files"][0]["name"].as_str().unwrap());
        flip_byte(&env.path(&doc), 0);
        let v = env.verify_crl(&[&rel]);
        assert_eq!(v.code, 1, "{rel} altered: {}", v.stdout);
    }
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

#[test]
fn renew_killed_at_each_step_then_rerun_is_consistent() {
    for step in ["renew-written:2", "renew-cataloged"] {
        let env = Env::new();
        let (_short, long) = short_lived_archive(&env);
        let out = archive_env(
            &env,
            &["renew", "--tsa", &long.url(), "--before", "36500d"],
            &[("HOZON_ARCHIVE_CRASH_AT", step)],
        );
        assert!(
            out.status.code().is_none(),
            "{step}: did not abort: {}",
            describe(&out)
        );
        // The rerun by a TSA with a stronger key: records the killed run
        // renewed with the RSA-2048 one are due again, and a renewal by
        // that TSA again would not move their deadline (refused, exit 3).
        let strong = crate::evidence_lt::strong_tsa(&env, "strong-tsa", 3650, "0x5183");
        let r = renew(&env, &["--tsa", &strong.url(), "--before", "36500d"]);
        assert!(r["renewed"]["error"].is_null(), "{step}: {r:#}");
        assert_eq!(status(&env)["total"], 3);
        let out = verify_at(&env, "2035-01-01T00:00:00Z");
        assert_eq!(code(&out), 0, "{step}: {}", describe(&out));
        assert_eq!(json(&out)["summary"]["passed"], 3);
    }
}

#[test]
fn renew_killed_by_sigkill_then_rerun_is_consistent() {
    let env = Env::new();
    let long = crate::lta::long_lived_tsa(&env);
    for i in 0..200 {
        env.write(&format!("in/doc-{i:03}.txt"), format!("note {i}\n"));
    }
    init(&env, &long.url());
    let out = archive(&env, &["ingest", "in"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let delay = 50 + u64::from(nanos % 400);
    // Renewed by a TSA with a stronger key (the RSA-2048 one cannot move
    // the deadline); `--before 1500d` makes due exactly what still has the
    // RSA-2048 deadline, so the rerun renews what the killed run did not.
    let strong = crate::evidence_lt::strong_tsa(&env, "strong-tsa", 3650, "0x5184");
    let mut child = Command::new(HOZON)
        .args([
            "archive",
            "--archive",
            ARC,
            "renew",
            "--tsa",
            &strong.url(),
            "--before",
            "1500d",
            "--batch-size",
            "20",
        ])
        .current_dir(env.dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(delay));
    child.kill().unwrap();
    child.wait().unwrap();
    let r = renew(&env, &["--tsa", &strong.url(), "--before", "1500d"]);
    assert!(r["renewed"]["error"].is_null(), "{r:#}");
    assert_eq!(status(&env)["total"], 200);
    assert_eq!(record_dirs(&env).len(), 200);
    let v = verify_ok(&env);
    assert_eq!(v["summary"]["passed"], 200, "{v:#}");
}

#[test]
fn cades_mode_extends_each_signature_to_b_lta_in_place() {
    let env = Env::new();
    let (_short, long) = short_lived_archive(&env);
    let r = renew(
        &env,
        &[
            "--tsa",
            &long.url(),
            "--mode",
            "cades",
            "--before",
            "36500d",
        ],
    );
    let extended = r["extended"].as_array().unwrap();
    assert_eq!(extended.len(), 3, "{r:#}");
    assert!(extended.iter().all(|e| e["error"].is_null()), "{r:#}");
    for dir in record_dirs(&env) {
        let meta: Value =
            serde_json::from_slice(&std::fs::read(dir.join("record.json")).unwrap()).unwrap();
        assert_eq!(meta["history"].as_array().unwrap().len(), 1, "{meta:#}");
        let sig = dir.join(format!(
            "{}.p7s",
            meta["files"][0]["name"].as_str().unwrap()
        ));
        let v = env.verify(&[sig.to_str().unwrap()], &[]);
        assert_eq!(v.code, 0, "{}", v.stdout);
        assert_eq!(v.json["signatures"][0]["level"], "B-LTA", "{}", v.stdout);
    }
    // The evidence records (over the signatures as they were) still verify.
    verify_ok(&env);
}

#[test]
fn forgeries_that_keep_record_json_consistent_are_still_found() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("referral-letter.txt", "in/a.txt");
    env.copy_doc("discharge-summary.xml", "in/b.xml");
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "in"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = verify_ok(&env);
    assert!(v["audit"]["proven_time"].is_string(), "{v:#}");
    let dirs = record_dirs(&env);
    let (a, b) = (&dirs[0], &dirs[1]);

    // 1. The document altered and record.json "fixed" to match it.
    let meta_path = a.join("record.json");
    let original_meta = std::fs::read(&meta_path).unwrap();
    let mut meta: Value = serde_json::from_slice(&original_meta).unwrap();
    let doc = a.join(meta["files"][0]["name"].as_str().unwrap());
    let original_doc = std::fs::read(&doc).unwrap();
    let forged = b"a forged letter\n".to_vec();
    std::fs::write(&doc, &forged).unwrap();
    let sha = hex::encode(openssl::sha::sha256(&forged));
    meta["sha256"] = sha.clone().into();
    meta["files"][0]["sha256"] = sha.into();
    meta["files"][0]["size"] = forged.len().into();
    std::fs::write(&meta_path, serde_json::to_vec_pretty(&meta).unwrap()).unwrap();
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let r = json(&out);
    let problems = r["records"][0]["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["file"].as_str().unwrap().ends_with(".ers")),
        "{r:#}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p["file"].as_str().unwrap().ends_with(".p7s")),
        "{r:#}"
    );
    std::fs::write(&doc, &original_doc).unwrap();
    std::fs::write(&meta_path, &original_meta).unwrap();
    verify_ok(&env);

    // 2. Record A's evidence record presented as record B's.
    let ers_of = |d: &Path| {
        std::fs::read_dir(d.join("evidence"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path()
    };
    let (ea, eb) = (ers_of(a), ers_of(b));
    let saved = std::fs::read(&eb).unwrap();
    std::fs::copy(&ea, &eb).unwrap();
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    std::fs::write(&eb, saved).unwrap();
    verify_ok(&env);

    // 3. A line of the audit log edited.
    let log = env.path(ARC).join("audit.log");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("\"archived\"", "\"archivee\"", 1)).unwrap();
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(!json(&out)["audit"]["problems"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn demo_runs_the_archive() {
    let env = Env::new();
    let out = env.hozon(&["demo"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = crate::util::stdout(&out);
    assert!(
        text.contains("REFUSED   ") && text.contains("chart-scan-150dpi.png"),
        "{text}"
    );
    assert!(
        text.contains("evidence batch ") && text.contains(": 4 record(s), one time stamp"),
        "{text}"
    );
    // The demo's single RSA-2048 TSA cannot move the deadline: the
    // renewal is refused, saying what to change.
    assert!(
        text.contains("RENEWAL REFUSED") && text.contains("--tsa URL"),
        "{text}"
    );
    assert!(
        text.contains("verified 4 record(s): 4 passed, 0 failed"),
        "{text}"
    );
    assert!(text.contains("chain intact"), "{text}");
}

#[test]
fn signed_scans_are_checked_and_reindex_rebuilds_the_catalog() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("chart-scan-300dpi.png", "scanner/good.png");
    env.sign_doc("scanner/good.png", "signer-doctor", &[]);
    env.copy_doc("chart-scan-150dpi.png", "scanner/bad.png");
    env.sign_doc("scanner/bad.png", "signer-doctor", &[]);
    env.copy_doc("lab-report.pdf", "scanner/scanned.pdf");
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "--scans", "scanner", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let r = json(&out);
    // The signed 150-dpi scan is refused although its signature is fine.
    assert_eq!(r["not_archived"].as_array().unwrap().len(), 2, "{r:#}");
    let archived = r["archived"].as_array().unwrap();
    assert_eq!(archived.len(), 1, "{r:#}");
    assert_eq!(archived[0]["kind"], "scan");
    let reasons: Vec<&str> = r["not_archived"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().all(|r| r.contains("scan check FAILED")),
        "{reasons:?}"
    );
    let dir = record_dirs(&env).remove(0);
    assert!(dir.join("scan.json").exists());

    let before = status(&env);
    std::fs::remove_file(env.path(ARC).join("catalog.sqlite")).unwrap();
    let _ = std::fs::remove_file(env.path(ARC).join("catalog.sqlite-wal"));
    let _ = std::fs::remove_file(env.path(ARC).join("catalog.sqlite-shm"));
    let out = archive(&env, &["reindex"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let after = status(&env);
    assert_eq!(after["total"], before["total"]);
    assert_eq!(after["by_kind"], before["by_kind"]);
    assert_eq!(after["renewal"], before["renewal"], "{after:#}");
    assert_eq!(after["without_evidence"], 0);
    verify_ok(&env);
}

/// A scan class with `require_signature = true`: ingest signs the passing scan (which meets the
/// requirement) instead of refusing it; the class is chosen by the policy's root whatever
/// folder `--scans` names; a refused scan's reason names no internal staging path.
#[test]
fn ingest_signs_scans_whose_class_requires_a_signature() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("chart-scan-300dpi.png", "scanner/consent/consent-1.png");
    env.copy_doc("chart-scan-150dpi.png", "scanner/consent/consent-2.png");
    env.write(
        "policy/scan-policy.toml",
        "root = \"../scanner\"\n[classes.consent-form]\nrequire_signature = true\n\
         [[class_rules]]\nglob = \"consent/**\"\nclass = \"consent-form\"\n",
    );
    let out = init_with(
        &env,
        &tsa.url(),
        &["--scan-policy", "policy/scan-policy.toml"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let out = archive(&env, &["ingest", "--scans", "scanner/consent", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let r = json(&out);
    let archived = r["archived"].as_array().unwrap();
    assert_eq!(archived.len(), 1, "{r:#}");
    assert_eq!(archived[0]["kind"], "scan", "{r:#}");
    let refused = r["not_archived"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{r:#}");
    let reason = refused[0]["reason"].as_str().unwrap();
    assert!(reason.contains("resolution"), "{reason}");
    assert!(
        !reason.contains("staging") && !reason.contains("no signature"),
        "{reason}"
    );
    let dir = record_dirs(&env).remove(0);
    let scan: Value =
        serde_json::from_slice(&std::fs::read(dir.join("scan.json")).unwrap()).unwrap();
    assert_eq!(scan["class"], "consent-form", "{scan:#}");
    assert_eq!(
        scan["class_match"]["path"], "consent/consent-1.png",
        "{scan:#}"
    );
    assert_eq!(scan["verdict"], "PASSED", "{scan:#}");
    assert!(dir.join("consent-1.png.p7s").exists());
    verify_ok(&env);
}

#[test]
fn cades_renewal_killed_between_record_json_and_the_signature_is_finished_by_a_rerun() {
    let env = Env::new();
    let (_short, long) = short_lived_archive(&env);
    let args = [
        "renew",
        "--tsa",
        &long.url(),
        "--mode",
        "cades",
        "--before",
        "36500d",
    ];
    let out = archive_env(&env, &args, &[("HOZON_ARCHIVE_CRASH_AT", "cades-record")]);
    assert!(
        out.status.code().is_none(),
        "did not abort: {}",
        describe(&out)
    );
    // One record's record.json names a signature that was not written yet.
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let r = renew(&env, &args[1..]);
    assert!(
        r["extended"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["error"].is_null()),
        "{r:#}"
    );
    let v = verify_ok(&env);
    assert_eq!(v["summary"]["passed"], 3, "{v:#}");
    for dir in record_dirs(&env) {
        let meta: Value =
            serde_json::from_slice(&std::fs::read(dir.join("record.json")).unwrap()).unwrap();
        assert!(!meta["history"].as_array().unwrap().is_empty(), "{meta:#}");
    }
}

#[test]
fn init_records_password_sources_by_name_only() {
    let env = Env::new();
    let tsa = tsa(&env);
    let password = std::fs::read_to_string(env.path("pki/signer-doctor.p12.pass")).unwrap();
    let password = password.trim().to_string();
    let out = env.hozon_env(
        &[
            "archive",
            "init",
            ARC,
            "--pkcs12",
            "pki/signer-doctor.p12",
            "--pass-env",
            "DOCTOR_P12_PASS",
            "--tsa",
            &tsa.url(),
            "--trust",
            "pki/trust.pem",
            "--crl",
            "pki/crls.pem",
            "--offline",
        ],
        &[("DOCTOR_P12_PASS", &password)],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let toml = String::from_utf8(env.read(&format!("{ARC}/hozon.toml"))).unwrap();
    assert!(toml.contains("pass_env = \"DOCTOR_P12_PASS\""), "{toml}");
    assert!(!toml.contains(&password), "{toml}");
    // Later commands read the password from the same variable.
    env.copy_doc("referral-letter.txt", "in/a.txt");
    let out = archive_env(&env, &["ingest", "in"], &[("DOCTOR_P12_PASS", &password)]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let out = archive(&env, &["ingest", "in"]);
    assert_eq!(code(&out), 4, "without the variable: {}", describe(&out));
    assert!(
        crate::util::stderr(&out).contains("DOCTOR_P12_PASS"),
        "{}",
        describe(&out)
    );
    // --archive may follow the subcommand too.
    let out = env.hozon(&["archive", "status", "--archive", ARC, "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(json(&out)["total"], 1);
}

#[test]
fn init_sets_the_retention_and_refuses_less_than_the_law() {
    let env = Env::new();
    let tsa = tsa(&env);
    for (years, why) in [("4", "at least 5 years"), ("1001", "at most 1000")] {
        let out = init_with(&env, &tsa.url(), &["--retention-years", years]);
        assert_eq!(code(&out), 4, "{}", describe(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(why),
            "{}",
            describe(&out)
        );
        assert!(!env.path(ARC).exists(), "nothing is created");
    }

    let out = init_with(
        &env,
        &tsa.url(),
        &["--retention-years", "30", "--lock-margin-years", "2"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let toml = std::fs::read_to_string(env.path(ARC).join("hozon.toml")).unwrap();
    assert!(toml.contains("retention_years = 30"), "{toml}");
    assert!(toml.contains("lock_margin_years = 2"), "{toml}");

    env.copy_doc("referral-letter.txt", "in/referral-letter.txt");
    let out = archive(&env, &["ingest", "in"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let dirs = record_dirs(&env);
    assert_eq!(dirs.len(), 1);
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dirs[0].join("record.json")).unwrap()).unwrap();
    let (ingested, until) = (
        meta["ingested"].as_str().unwrap(),
        meta["retain_until"].as_str().unwrap(),
    );
    let year = |s: &str| s[..4].parse::<i32>().unwrap();
    assert_eq!(year(until) - year(ingested), 30, "{meta:#}");
}

#[test]
fn renewal_verifies_evidence_first_and_leaves_out_a_record_whose_data_changed() {
    let env = Env::new();
    let _tsa = ingested_archive(
        &env,
        &[
            ("lab-report.pdf", "lab-report.pdf"),
            ("referral-letter.txt", "referral-letter.txt"),
        ],
    );
    let dirs = record_dirs(&env);
    assert_eq!(dirs.len(), 2);
    let victim = walkdir::WalkDir::new(&dirs[0])
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name == "lab-report.pdf" || name == "referral-letter.txt"
        })
        .unwrap();
    flip_byte(&victim, -2);

    // Renewed by a TSA with a stronger key (the archive's RSA-2048 one
    // could not move the deadline).
    let strong = crate::evidence_lt::strong_tsa(&env, "strong-tsa", 3650, "0x5185");
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--before",
            "36500d",
            "--tsa",
            &strong.url(),
        ],
    );
    assert_ne!(code(&out), 0, "{}", describe(&out));
    let r = json(&out);
    let left = r["renewed"]["left_out"].as_array().unwrap();
    assert_eq!(left.len(), 1, "{r:#}");
    let id = dirs[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(left[0]["dir"].as_str().unwrap().ends_with(&id), "{r:#}");
    assert!(
        left[0]["reason"].as_str().unwrap().contains("not renewed"),
        "{r:#}"
    );
    let batches = r["renewed"]["batches"].as_array().unwrap();
    assert_eq!(batches.len(), 1, "{r:#}");
    assert_eq!(batches[0]["records"], 1, "{r:#}");
    assert_eq!(
        std::fs::read_dir(dirs[0].join("evidence")).unwrap().count(),
        1,
        "the failing record keeps only its first evidence record"
    );
    assert_eq!(
        std::fs::read_dir(dirs[1].join("evidence")).unwrap().count(),
        2
    );

    // --no-check renews it all the same (an emergency switch).
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--before",
            "36500d",
            "--no-check",
            "--tsa",
            &strong.url(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        std::fs::read_dir(dirs[0].join("evidence")).unwrap().count(),
        2
    );
}

#[test]
fn ingest_outbox_duplicates_and_a_missing_source() {
    let env = Env::new();
    let tsa = tsa(&env);
    init(&env, &tsa.url());
    // A source that is not there: a mistake in the command, exit 4.
    let out = archive(&env, &["ingest", "no/such/dir"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    // The same content under a second path is a duplicate of the first.
    env.write("out/a/note.txt", "same note\n");
    env.write("out/b/copy.txt", "same note\n");
    env.write("out/c/other.txt", "another note\n");
    let out = archive(
        &env,
        &[
            "ingest",
            "out",
            "--move-done",
            "done",
            "--quarantine",
            "quar",
            "--json",
        ],
    );
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let r = json(&out);
    assert_eq!(r["archived"].as_array().unwrap().len(), 2, "{r:#}");
    let refused = r["not_archived"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{r:#}");
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("a duplicate of"),
        "{r:#}"
    );
    // The outbox is empty: archived inputs in done/, the duplicate in
    // quar/ with its reason.
    assert!(!env.exists("out/a/note.txt") && !env.exists("out/b/copy.txt"));
    assert!(env.exists("done/c/other.txt"));
    let dup = if env.exists("quar/b/copy.txt") {
        "quar/b/copy.txt"
    } else {
        "quar/a/note.txt"
    };
    let reason = String::from_utf8(env.read(&format!("{dup}.reason.txt"))).unwrap();
    assert!(reason.contains("a duplicate of"), "{reason}");
    // --allow-duplicates archives it again.
    let out = archive(&env, &["ingest", dup, "--allow-duplicates"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn a_wrong_password_at_ingest_names_the_pass_file_of_hozon_toml() {
    let env = Env::new();
    let tsa = tsa(&env);
    let out = env.hozon(&[
        "archive",
        "init",
        ARC,
        "--pkcs12",
        "pki/signer-doctor.p12",
        "--pass-file",
        "pki/signer-doctor.p12.pass",
        "--tsa",
        &tsa.url(),
        "--trust",
        "pki/trust.pem",
        "--crl",
        "pki/crls.pem",
        "--offline",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    env.write("pki/signer-doctor.p12.pass", "not the password\n");
    env.copy_doc("referral-letter.txt", "in/a.txt");
    let out = archive(&env, &["ingest", "in"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = crate::util::stderr(&out);
    assert!(
        err.contains("pass_file")
            && err.contains("signer-doctor.p12.pass")
            && err.contains("hozon.toml"),
        "{err}"
    );
}

#[test]
fn archive_ingest_and_verify_take_quiet_and_failures_only() {
    use crate::evidence_lt::{archive as arc, archive_with_two_records};
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    // One input that fails its signature check, beside the two archived.
    env.write("in3/bad.txt", "signed, then changed\n");
    env.sign_doc("in3/bad.txt", "signer-doctor", &[]);
    env.write("in3/bad.txt", "changed after signing\n");
    let out = arc(&env, &["ingest", "in", "in3", "--quiet"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains("ALREADY"), "{text}");
    assert!(!text.contains("ARCHIVED "), "{text}");
    assert!(text.contains("REFUSED"), "{text}");
    assert!(
        text.contains("archived 0, already archived 2, not archived 1"),
        "{text}"
    );
    let out = arc(&env, &["ingest", "in", "in3", "--failures-only", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j.get("archived").is_none(), "{j:#}");
    assert!(j.get("already_archived").is_none(), "{j:#}");
    assert_eq!(j["not_archived"].as_array().unwrap().len(), 1, "{j:#}");
    assert_eq!(j["summary"]["already_archived"], 2, "{j:#}");
    // Without the flags, everything is listed.
    let out = arc(&env, &["ingest", "in", "in3", "--json"]);
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["already_archived"].as_array().unwrap().len(), 2, "{j:#}");

    let out = arc(&env, &["verify", "--all", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["records"].as_array().unwrap().len(), 2, "{j:#}");
    let out = arc(&env, &["verify", "--all", "--failures-only", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["records"].as_array().unwrap().len(), 0, "{j:#}");
    assert_eq!(j["summary"]["passed"], 2, "{j:#}");
    let out = arc(&env, &["verify", "--all", "--quiet"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains("PASSED"), "{text}");
    assert!(text.contains("verified 2 record(s): 2 passed"), "{text}");
}
