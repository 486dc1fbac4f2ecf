//! Safe by default (issue 17): a revoked signer never signs, a dead TSA
//! does not stall a batch, a document changed after signing is noticed and
//! re-signed without losing its history, and two runs on one directory do
//! not pay the TSA twice.

use std::path::Path;
use std::process::Output;

use hozon_testkit::{
    fixed_ports, unreachable_url, CrlServer, OcspServer, Pki, TsaMode, TsaServer, CRL_PORT,
    OCSP_PORT,
};
use serde_json::Value;

use crate::util::{code, describe, stderr, stdout, Env, CHAIN, CRLS, TRUST};

/// `--key pki/SIGNER.key --cert pki/SIGNER.crt --chain pki/chain.pem`.
fn signer(name: &str) -> Vec<String> {
    vec![
        "--key".into(),
        format!("pki/{name}.key"),
        "--cert".into(),
        format!("pki/{name}.crt"),
        "--chain".into(),
        CHAIN.into(),
    ]
}

fn sign(env: &Env, who: &str, args: &[&str]) -> Output {
    let mut all: Vec<String> = vec!["sign".into()];
    all.extend(args.iter().map(|s| s.to_string()));
    all.extend(signer(who));
    env.hozon(&all)
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", describe(out)))
}

fn start_tsa(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("server-pki")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

/// `n` small files `dir/rNNNN.txt`.
fn files(env: &Env, dir: &str, n: usize) {
    for i in 0..n {
        env.write(&format!("{dir}/r{i:04}.txt"), format!("record {i}\n"));
    }
}

fn count_ext(dir: &Path, ext: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == ext)
        })
        .count()
}

// ---- item 1: the signer's revocation, checked before the first signature

#[test]
fn sign_refuses_a_revoked_signer_exit_1_naming_why_and_writes_nothing() {
    let env = Env::new();
    env.write("a.txt", "chart");
    let out = sign(&env, "signer-revoked", &["a.txt", "--crl", CRLS]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("revoked"), "{err}");
    assert!(err.contains("keyCompromise"), "{err}");
    assert!(err.contains("Revoked Signer"), "{err}");
    assert!(!env.exists("a.txt.p7s"));
    // Even with --revocation best-effort: a revoked signer is known.
    let out = sign(
        &env,
        "signer-revoked",
        &["a.txt", "--crl", CRLS, "--revocation", "best-effort"],
    );
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(!env.exists("a.txt.p7s"));
}

#[test]
fn sign_with_a_good_signer_and_its_crls_signs() {
    let env = Env::new();
    env.write("a.txt", "chart");
    let out = sign(&env, "signer-doctor", &["a.txt", "--crl", CRLS, "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(json(&out)["signer_check"]["status"], "good");
    assert!(env.exists("a.txt.p7s"));
}

#[test]
fn sign_that_cannot_tell_the_signers_status_exits_4_unless_best_effort() {
    let env = Env::new();
    env.write("a.txt", "chart");
    // --offline and no --crl/--ocsp: nothing says whether it is revoked.
    let out = sign(&env, "signer-doctor", &["a.txt", "--offline"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("cannot tell"), "{}", describe(&out));
    assert!(stderr(&out).contains("best-effort"), "{}", describe(&out));
    assert!(!env.exists("a.txt.p7s"));
    let out = sign(
        &env,
        "signer-doctor",
        &[
            "a.txt",
            "--offline",
            "--json",
            "--revocation",
            "best-effort",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let j = json(&out);
    assert_eq!(j["signer_check"]["status"], "unknown");
    assert_eq!(j["signer_check"]["code"], "SIGNER_REVOCATION_UNKNOWN");
    assert!(env.exists("a.txt.p7s"));
    // The human output says so too.
    env.write("b.txt", "chart");
    let out = sign(
        &env,
        "signer-doctor",
        &["b.txt", "--offline", "--revocation", "best-effort"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains("revocation status is unknown"),
        "{}",
        describe(&out)
    );
}

#[test]
fn sign_refuses_a_signer_without_a_path_to_the_given_trust_anchors() {
    let env = Env::new();
    env.write("a.txt", "chart");
    let out = sign(
        &env,
        "signer-untrusted",
        &["a.txt", "--crl", CRLS, "--trust", TRUST],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("no certification path"),
        "{}",
        describe(&out)
    );
    assert!(!env.exists("a.txt.p7s"));
}

#[test]
fn sign_asks_the_ocsp_responder_and_refuses_a_revoked_signer() {
    let _ports = fixed_ports();
    let env = Env::new();
    let pki = Pki::copy_to(&env.path("server-pki")).unwrap();
    let ocsp = OcspServer::start_on(&pki, OCSP_PORT).unwrap();
    let crl = CrlServer::start_on(&pki, CRL_PORT).unwrap();
    env.write("a.txt", "chart");
    let out = sign(&env, "signer-revoked", &["a.txt"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("revoked"), "{}", describe(&out));
    assert!(ocsp.requests() >= 1, "the AIA responder was asked");
    assert!(!env.exists("a.txt.p7s"));
    let out = sign(&env, "signer-doctor", &["a.txt"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(env.exists("a.txt.p7s"));
    drop(crl);
}

#[test]
fn archive_init_refuses_a_revoked_signer_and_a_tsa_that_gives_no_stamp() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let init = |who: &str, url: &str| {
        let mut args: Vec<String> = ["archive", "init", "arc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(signer(who));
        for a in ["--tsa", url, "--trust", TRUST, "--crl", CRLS, "--offline"] {
            args.push(a.into());
        }
        args.extend(["--tsa-retries".into(), "0".into()]);
        env.hozon(&args)
    };
    let out = init("signer-revoked", &tsa.url());
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("revoked"), "{}", describe(&out));
    assert!(!env.exists("arc/hozon.toml"), "no archive was made");
    let out = init("signer-doctor", &unreachable_url());
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("test stamp"), "{}", describe(&out));
    assert!(!env.exists("arc/hozon.toml"), "no archive was made");
    let out = init("signer-doctor", &tsa.url());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // The TSA client settings of init are kept in hozon.toml's [tsa], and
    // every archive command takes them as flags.
    let toml = String::from_utf8(env.read("arc/hozon.toml")).unwrap();
    assert!(toml.contains("retries = 0"), "{toml}");
    env.write("in/a.txt", "chart");
    let out = env.hozon(&[
        "archive",
        "--archive",
        "arc",
        "ingest",
        "in",
        "--tsa-timeout",
        "5",
        "--tsa-retries",
        "1",
        "--tsa-breaker",
        "2",
        "--tsa-reprobe",
        "10",
        "--tsa-concurrency",
        "2",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

// ---- item 2: a dead TSA does not stall a batch

#[test]
fn a_dead_first_tsa_is_given_up_and_the_batch_goes_to_the_second() {
    let env = Env::new();
    let good = start_tsa(&env);
    let dead = unreachable_url();
    files(&env, "docs", 200);
    let out = sign(
        &env,
        "signer-doctor",
        &[
            "docs",
            "--crl",
            CRLS,
            "--level",
            "t",
            "--tsa",
            &dead,
            "--tsa",
            &good.url(),
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(count_ext(&env.path("docs"), "p7s"), 200);
    assert_eq!(good.requests(), 200, "one request per file at the good TSA");
    let j = json(&out);
    let tsa = &j["tsa"][0];
    assert_eq!(tsa["url"], dead.as_str());
    assert_eq!(tsa["down"], true);
    // 3 failures in a row take it out; at most the requests already in
    // flight (4) fail on it besides: not one (or four) per file.
    let failures = tsa["connect_failures"].as_u64().unwrap();
    assert!(
        (3..=3 + 4).contains(&failures),
        "{failures} connection attempts"
    );
    assert!(tsa["skipped"].as_u64().unwrap() >= 190, "{tsa}");
    assert_eq!(j["tsa"][1]["connect_failures"], 0);

    // In text: one warning for the dead TSA, with the count.
    files(&env, "more", 20);
    let out = sign(
        &env,
        "signer-doctor",
        &[
            "more",
            "--crl",
            CRLS,
            "--level",
            "t",
            "--tsa",
            &dead,
            "--tsa",
            &good.url(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let err = stderr(&out);
    assert_eq!(
        err.lines().filter(|l| l.contains(&dead)).count(),
        1,
        "{err}"
    );
    assert!(err.contains("given up for the rest of the run"), "{err}");
}

#[test]
fn a_dead_only_tsa_stops_the_batch_at_once_exit_4_with_nothing_written() {
    let env = Env::new();
    let dead = unreachable_url();
    files(&env, "docs", 200);
    let out = sign(
        &env,
        "signer-doctor",
        &[
            "docs", "--crl", CRLS, "--level", "t", "--tsa", &dead, "--json",
        ],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert_eq!(count_ext(&env.path("docs"), "p7s"), 0, "nothing half-done");
    let j = json(&out);
    assert!(j["tsa"][0]["connect_failures"].as_u64().unwrap() <= 3 + 4);
    let failed = j["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 200);
    for f in failed {
        let reason = f["reason"].as_str().unwrap();
        assert!(reason.contains("no TSA left"), "{reason}");
        assert!(reason.contains(&dead), "names the TSA: {reason}");
        assert!(
            reason.contains("Connection refused"),
            "what it answered: {reason}"
        );
    }
    // In text: the error once, with a count.
    let out = sign(
        &env,
        "signer-doctor",
        &["docs", "--crl", CRLS, "--level", "t", "--tsa", &dead],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("no TSA left").count(), 1, "{err}");
    assert!(
        err.contains("199 more file(s) with the same error"),
        "{err}"
    );
}

#[test]
fn timestamp_with_a_dead_tsa_stops_at_once() {
    let env = Env::new();
    let dead = unreachable_url();
    files(&env, "docs", 100);
    let out = env.hozon(&["timestamp", "docs", "--tsa", &dead, "--json"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert_eq!(count_ext(&env.path("docs"), "tsr"), 0);
    assert!(json(&out)["tsa"][0]["connect_failures"].as_u64().unwrap() <= 3 + 4);
}

// ---- issue 22 §6: two runs on one directory

#[test]
fn two_sign_runs_on_one_directory_pay_each_stamp_once() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    files(&env, "docs", 200);
    let url = tsa.url();
    let args: Vec<String> = {
        let mut a: Vec<String> = ["sign", "docs", "--crl", CRLS, "--level", "t", "--tsa", &url]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(signer("signer-doctor"));
        a
    };
    let (a, b) = std::thread::scope(|s| {
        let one = s.spawn(|| env.hozon(&args));
        let two = s.spawn(|| env.hozon(&args));
        (one.join().unwrap(), two.join().unwrap())
    });
    for out in [&a, &b] {
        assert_eq!(code(out), 0, "{}", describe(out));
        assert!(!stderr(out).contains("File exists"), "{}", describe(out));
    }
    assert_eq!(count_ext(&env.path("docs"), "p7s"), 200);
    // Whatever the overlap, no stamp is paid for more than twice, and an
    // output the other run published is skipped, not failed.
    assert!(tsa.requests() <= 400, "{} TSA requests", tsa.requests());
    let v = env.verify(&["docs"], &["--crl", CRLS, "--offline"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
}

#[test]
fn outputs_that_appear_while_a_run_works_are_skipped_and_not_stamped() {
    let env = Env::new();
    let pki = Pki::copy_to(&env.path("server-pki")).unwrap();
    // Each stamp takes 3 s; two are in flight, the third file waits.
    let tsa = TsaServer::start(&pki, TsaMode::Delay(std::time::Duration::from_secs(3))).unwrap();
    files(&env, "docs", 3);
    let url = tsa.url();
    let out = std::thread::scope(|s| {
        let run = s.spawn(|| {
            sign(
                &env,
                "signer-doctor",
                &[
                    "docs",
                    "--crl",
                    CRLS,
                    "--level",
                    "t",
                    "--tsa",
                    &url,
                    "--json",
                    "-j",
                    "2",
                    "--tsa-concurrency",
                    "2",
                ],
            )
        });
        // Another run signs all three while the first two are stamped.
        let start = std::time::Instant::now();
        while tsa.requests() < 2 && start.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        for i in 0..3 {
            std::fs::write(env.path(&format!("docs/r{i:04}.txt.p7s")), b"another run's").unwrap();
        }
        run.join().unwrap()
    });
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(tsa.requests(), 2, "the third file was never stamped");
    for i in 0..3 {
        assert_eq!(env.read(&format!("docs/r{i:04}.txt.p7s")), b"another run's");
    }
    let j = json(&out);
    let skipped = j["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 3, "{j}");
    for s in skipped {
        assert_eq!(s["code"], "DONE_BY_ANOTHER_RUN", "{j}");
        assert!(s["reason"]
            .as_str()
            .unwrap()
            .contains("signed by another run"));
    }
}

// ---- item 11: the demo's closing hints run with only the binary

#[test]
fn demo_keeps_its_folder_and_its_closing_hints_run() {
    let env = Env::new();
    let out = env.hozon(&["demo"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(env.exists("hozon-demo/pki/root-ca.crt"), "{text}");
    assert!(text.contains("kept in hozon-demo"), "{text}");
    assert!(!text.contains("testdata"), "{text}");
    let hints: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("   hozon "))
        .filter(|l| !l.starts_with("archive init") && !l.starts_with("archive ingest"))
        .filter(|l| l.contains("hozon-demo"))
        .collect();
    assert_eq!(hints.len(), 3, "{text}");
    for hint in hints {
        let run = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("\"$HOZON\" {hint}"))
            .env("HOZON", crate::util::HOZON)
            .current_dir(env.dir())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        // verify and sign find the altered letter (exit 1); none is a
        // usage (2) or I/O (4) error.
        assert!(
            matches!(code(&run), 0 | 1),
            "hozon {hint}: {}",
            describe(&run)
        );
    }
    // A second demo in the same folder takes the next name.
    let out = env.hozon(&["demo"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(env.exists("hozon-demo-2/pki/root-ca.crt"));
}

// ---- item 3: stale signatures

#[test]
fn a_document_changed_after_signing_fails_the_rerun_and_resign_keeps_history() {
    let env = Env::new();
    env.write("docs/a.txt", "chart v1");
    env.write("docs/b.txt", "unchanged");
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v1 = env.read("docs/a.txt.p7s");

    // Unchanged: a rerun skips both and exits 0.
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS]);
    assert_eq!(code(&out), 0, "{}", describe(&out));

    // Edited: the rerun says so, exits 1 and touches nothing.
    env.write("docs/a.txt", "chart v2");
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS, "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let j = json(&out);
    let changed = j["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{j}");
    assert_eq!(changed[0]["file"], "docs/a.txt");
    assert_eq!(changed[0]["code"], "CHANGED_AFTER_SIGNING");
    assert!(changed[0]["reason"]
        .as_str()
        .unwrap()
        .contains("changed after signing"));
    assert_eq!(j["summary"]["changed"], 1);
    assert_eq!(env.read("docs/a.txt.p7s"), v1, "left as it was");
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("changed after signing"),
        "{}",
        describe(&out)
    );

    // --resign: the new version is signed, the old signature kept as .1.
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS, "--resign"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(env.read("docs/a.txt.p7s.1"), v1);
    assert_ne!(env.read("docs/a.txt.p7s"), v1);
    assert!(!env.exists("docs/b.txt.p7s.1"), "unchanged: not re-signed");
    let v = env.verify(&["docs/a.txt.p7s"], &["--crl", CRLS, "--offline"]);
    assert_eq!(v.code, 0, "{}", v.stdout);

    // A second correction keeps .1 and adds .2; nothing signs the kept ones.
    let v2 = env.read("docs/a.txt.p7s");
    env.write("docs/a.txt", "chart v3");
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS, "--resign"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(env.read("docs/a.txt.p7s.1"), v1);
    assert_eq!(env.read("docs/a.txt.p7s.2"), v2);
    assert!(!env.exists("docs/a.txt.p7s.1.p7s"));
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(!env.exists("docs/a.txt.p7s.1.p7s"));
}

// ---- item 4: what is not signed is visible

#[test]
fn verify_require_signed_lists_unsigned_files_links_and_orphaned_signatures() {
    let env = Env::new();
    env.write("docs/signed.txt", "a");
    env.write("docs/gone.txt", "b");
    let out = sign(
        &env,
        "signer-doctor",
        &["docs/signed.txt", "docs/gone.txt", "--crl", CRLS],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    std::fs::remove_file(env.path("docs/gone.txt")).unwrap();
    env.write("docs/unsigned.txt", "d");
    std::os::unix::fs::symlink("signed.txt", env.path("docs/link.txt")).unwrap();

    // sign reports the symlink it leaves alone.
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS, "--json"]);
    let j = json(&out);
    let skipped = j["skipped"].as_array().unwrap();
    let link = skipped
        .iter()
        .find(|s| s["file"] == "docs/link.txt")
        .unwrap_or_else(|| panic!("{j}"));
    assert_eq!(link["code"], "NOT_REGULAR_FILE");
    assert!(link["reason"].as_str().unwrap().contains("symbolic link"));
    std::fs::remove_file(env.path("docs/unsigned.txt.p7s")).unwrap();

    let out = env.hozon(&[
        "verify",
        "docs",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
        "--require-signed",
        "--json",
    ]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let j = json(&out);
    let files = |key: &str| -> Vec<(String, String)> {
        j[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["file"].as_str().unwrap().to_owned(),
                    u["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let unsigned = files("unsigned");
    assert!(
        unsigned.contains(&("docs/unsigned.txt".into(), "NOT_SIGNED".into())),
        "{j}"
    );
    assert!(
        unsigned.contains(&("docs/link.txt".into(), "NOT_REGULAR_FILE".into())),
        "{j}"
    );
    assert_eq!(unsigned.len(), 2, "signed files are covered: {j}");
    assert_eq!(
        files("orphaned"),
        vec![("docs/gone.txt.p7s".into(), "SIGNED_DATA_NOT_FOUND".into())]
    );
    // Without the flag nothing of this is listed (and the orphan alone is
    // INDETERMINATE, as EN 319 102-1 has it).
    let out = env.hozon(&[
        "verify",
        "docs",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
        "--json",
    ]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(json(&out).get("unsigned").is_none());
}

// ---- item 10: output for thousands of files

#[test]
fn failures_only_and_quiet_leave_out_what_went_well() {
    let env = Env::new();
    files(&env, "docs", 5);
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    env.write("docs/new.txt", "new");
    let out = sign(
        &env,
        "signer-doctor",
        &["docs", "--crl", CRLS, "--json", "--failures-only"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let j = json(&out);
    assert!(
        j.get("signed").is_none() && j.get("skipped").is_none(),
        "{j}"
    );
    assert_eq!(j["summary"]["signed"], 1);
    assert_eq!(j["summary"]["skipped"], 5);
    let out = sign(&env, "signer-doctor", &["docs", "--crl", CRLS, "--quiet"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        !stderr(&out).contains("skipped docs/"),
        "{}",
        describe(&out)
    );

    env.write("docs/r0000.txt.p7s", "garbage");
    let out = env.hozon(&[
        "verify",
        "docs",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
        "--json",
        "--failures-only",
    ]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let j = json(&out);
    assert_eq!(j["signatures"].as_array().unwrap().len(), 1, "{j}");
    assert_eq!(j["summary"]["total"], 6);
    let out = env.hozon(&[
        "verify",
        "docs",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
        "--quiet",
    ]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(!text.contains("TOTAL_PASSED"), "{text}");
    assert!(text.contains("r0000.txt.p7s"), "{text}");
    assert!(text.contains("6 signature(s)"), "{text}");
}

// ---- issue 22 §6: extend --level lta rerun

#[test]
fn an_lta_rerun_skips_what_was_just_stamped() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    files(&env, "docs", 3);
    let url = tsa.url();
    let out = sign(
        &env,
        "signer-doctor",
        &["docs", "--crl", CRLS, "--level", "t", "--tsa", &url],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let extend = |extra: &[&str]| {
        let mut args = vec![
            "extend",
            "docs",
            "--level",
            "lta",
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--offline",
            "--tsa",
            &url,
            "--json",
        ];
        args.extend_from_slice(extra);
        env.hozon(&args)
    };
    let out = extend(&[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let after_first = tsa.requests();
    let out = extend(&[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(tsa.requests(), after_first, "nothing stamped again");
    let j = json(&out);
    assert_eq!(j["summary"]["skipped"], 3, "{j}");
    assert!(j["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("already B-LTA"));
    let out = extend(&["--restamp-after", "0"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(tsa.requests(), after_first + 3, "renewed on request");
}

#[test]
fn scan_sign_refuses_a_revoked_signer_before_signing_anything() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    env.copy_doc("chart-scan-300dpi.png", "scans/a.png");
    let url = tsa.url();
    let mut args: Vec<String> = ["scan", "scans", "--sign", "--tsa", &url, "--crl", CRLS]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(signer("signer-revoked"));
    let out = env.hozon(&args);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(stderr(&out).contains("revoked"), "{}", describe(&out));
    assert!(!env.exists("scans/a.png.p7s"));
    assert_eq!(tsa.requests(), 0, "nothing was stamped");
}
