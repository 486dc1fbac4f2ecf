//! Batches: signing and verifying directory trees, skipping, --force,
//! --out-dir, -j, --report-dir, per-file failures, exit statuses and usage
//! errors.

use std::collections::BTreeSet;
use std::path::Path;

use crate::report::sign_report;
use crate::util::{
    assert_verdict, check_summary, code, describe, flip_byte, stderr, stdout, Env, Verified, CHAIN,
    CRLS, TRUST,
};

/// The doctor's key, with the chain and the CRLs the revocation pre-check
/// reads.
const KEY: [&str; 8] = [
    "--key",
    "pki/signer-doctor.key",
    "--cert",
    "pki/signer-doctor.crt",
    "--chain",
    CHAIN,
    "--crl",
    CRLS,
];

/// Every file below `root` (relative, `/`-separated), symlinks included.
fn tree(root: &Path) -> BTreeSet<String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                walk(base, &e.path(), out);
            } else {
                let rel = e.path().strip_prefix(base).unwrap().to_owned();
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// `hozon sign ARGS KEY --json` in `env`.
fn sign(env: &Env, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = vec!["sign"];
    all.extend_from_slice(args);
    all.extend_from_slice(&KEY);
    all.push("--json");
    env.hozon(&all)
}

/// tree/a.pdf, tree/sub/letter.txt, tree/sub/summary.xml (already signed),
/// tree/empty.txt, tree/old.tsr, tree/link.txt -> ../outside/secret.txt.
fn make_tree(env: &Env) {
    env.copy_doc("lab-report.pdf", "tree/a.pdf");
    env.copy_doc("referral-letter.txt", "tree/sub/letter.txt");
    env.copy_doc("discharge-summary.xml", "tree/sub/summary.xml");
    env.copy_doc("empty.txt", "tree/empty.txt");
    env.write("tree/old.tsr", b"not a document");
    env.write("outside/secret.txt", b"must not be signed");
    std::os::unix::fs::symlink("../outside/secret.txt", env.path("tree/link.txt")).unwrap();
    env.sign_doc("tree/sub/summary.xml", "signer-doctor", &[]);
}

#[test]
fn sign_directory_tree_signs_exactly_the_right_files() {
    let env = Env::new();
    make_tree(&env);
    let existing = env.read("tree/sub/summary.xml.p7s");
    let out = sign(&env, &["tree"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        tree(&env.path("tree")),
        set(&[
            "a.pdf",
            "a.pdf.p7s",
            "empty.txt",
            "empty.txt.p7s",
            "link.txt",
            "old.tsr",
            "sub/letter.txt",
            "sub/letter.txt.p7s",
            "sub/summary.xml",
            "sub/summary.xml.p7s",
        ])
    );
    assert_eq!(tree(&env.path("outside")), set(&["secret.txt"]));
    assert_eq!(env.read("tree/sub/summary.xml.p7s"), existing);

    let r = sign_report(&out);
    let signed: BTreeSet<_> = r.signed.iter().map(|s| s.file.clone()).collect();
    assert_eq!(
        signed,
        set(&["tree/a.pdf", "tree/empty.txt", "tree/sub/letter.txt"])
    );
    for s in &r.signed {
        assert_eq!(s.signature, format!("{}.p7s", s.file));
    }
    // The symlink is left alone, and says so (issue 17 item 4).
    let skipped: BTreeSet<(String, String)> = r
        .skipped
        .iter()
        .map(|p| (p.file.clone(), p.code.clone()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("tree/link.txt".to_string(), "NOT_REGULAR_FILE".to_string()),
            ("tree/sub/summary.xml".to_string(), "EXISTS".to_string()),
        ]
        .into_iter()
        .collect()
    );
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(
        (
            r.summary.total,
            r.summary.signed,
            r.summary.skipped,
            r.summary.failed
        ),
        (5, 3, 2, 0)
    );

    // The directory also holds old.tsr, which is not a time stamp: it is
    // verified too (DESIGN §3: .tsr files are found) and fails.
    let v = env.verify_crl(&["tree"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert_eq!(v.report.summary.passed, 4);
    assert_eq!(v.report.summary.failed, 1);
    let bogus = v.entry("tree/old.tsr", 0);
    assert_verdict(bogus, "TOTAL_FAILED", Some("FORMAT_FAILURE"), "old.tsr");
}

#[test]
fn second_run_skips_everything_and_changes_nothing() {
    let env = Env::new();
    make_tree(&env);
    assert_eq!(code(&sign(&env, &["tree"])), 0);
    let sigs = [
        "tree/a.pdf.p7s",
        "tree/empty.txt.p7s",
        "tree/sub/letter.txt.p7s",
        "tree/sub/summary.xml.p7s",
    ];
    let before: Vec<Vec<u8>> = sigs.iter().map(|s| env.read(s)).collect();
    let listing = tree(&env.path("tree"));
    std::thread::sleep(std::time::Duration::from_millis(1100)); // another signing-time second
    let out = sign(&env, &["tree"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = sign_report(&out);
    assert!(r.signed.is_empty(), "{:?}", r.signed);
    // The four signed files, and the symlink (never followed).
    assert_eq!(r.skipped.len(), 5);
    assert_eq!(
        (
            r.summary.total,
            r.summary.signed,
            r.summary.skipped,
            r.summary.failed
        ),
        (5, 0, 5, 0)
    );
    let after: Vec<Vec<u8>> = sigs.iter().map(|s| env.read(s)).collect();
    assert_eq!(before, after, "a skipped signature was rewritten");
    assert_eq!(tree(&env.path("tree")), listing);
}

#[test]
fn force_resigns() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "d/a.txt");
    env.copy_doc("lab-report.pdf", "d/b.pdf");
    assert_eq!(code(&sign(&env, &["d"])), 0);
    let before = (env.read("d/a.txt.p7s"), env.read("d/b.pdf.p7s"));
    // PSS signatures are randomised: the bytes must differ if rewritten.
    let out = sign(&env, &["d", "--force", "--rsa-pss"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = sign_report(&out);
    assert_eq!(r.signed.len(), 2, "{:?}", r);
    assert!(r.skipped.is_empty());
    assert_ne!(env.read("d/a.txt.p7s"), before.0);
    assert_ne!(env.read("d/b.pdf.p7s"), before.1);
    let v = env.verify_crl(&["d"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.report.summary.passed, 2);
    let (ok, log) = env.openssl_verify("d/a.txt.p7s", Some("d/a.txt"));
    assert!(ok, "{log}");
}

#[test]
fn out_dir_mirrors_the_tree() {
    let env = Env::new();
    make_tree(&env);
    let out = sign(&env, &["tree", "--out-dir", "sigs"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(
        tree(&env.path("sigs")),
        set(&[
            "a.pdf.p7s",
            "empty.txt.p7s",
            "sub/letter.txt.p7s",
            "sub/summary.xml.p7s",
        ])
    );
    let r = sign_report(&out);
    let pairs: BTreeSet<_> = r
        .signed
        .iter()
        .map(|s| format!("{} -> {}", s.file, s.signature))
        .collect();
    assert_eq!(
        pairs,
        set(&[
            "tree/a.pdf -> sigs/a.pdf.p7s",
            "tree/empty.txt -> sigs/empty.txt.p7s",
            "tree/sub/letter.txt -> sigs/sub/letter.txt.p7s",
            "tree/sub/summary.xml -> sigs/sub/summary.xml.p7s",
        ])
    );
    // Nothing new beside the documents.
    assert!(!env.exists("tree/a.pdf.p7s"));
    // Verify each with --content pointing at its document.
    for (sig, doc) in [
        ("sigs/a.pdf.p7s", "tree/a.pdf"),
        ("sigs/sub/letter.txt.p7s", "tree/sub/letter.txt"),
    ] {
        let v = env.verify(&[sig], &["--crl", CRLS, "--content", doc]);
        let s = v.expect(0, sig, "TOTAL_PASSED", None);
        assert_eq!(s.content.as_deref(), Some(doc));
    }
}

#[test]
fn one_job_gives_the_same_result() {
    let env = Env::new();
    make_tree(&env);
    let out = sign(&env, &["tree", "-j", "1"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(sign_report(&out).summary.signed, 3);
    let out = env.hozon(&[
        "verify", "tree", "--trust", TRUST, "--crl", CRLS, "-j", "1", "--json",
    ]);
    let v = Verified::from_output(&out);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert_eq!(
        v.report.summary.total, 5,
        "4 signatures and the bogus old.tsr"
    );
    assert_eq!(v.report.summary.passed, 4);
}

#[test]
fn one_missing_input_does_not_stop_the_others() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "d/a.txt");
    env.copy_doc("lab-report.pdf", "d/b.pdf");
    let out = sign(&env, &["d", "gone.txt"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let r = sign_report(&out);
    assert_eq!(r.summary.signed, 2);
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.failed[0].file, "gone.txt");
    assert!(env.exists("d/a.txt.p7s") && env.exists("d/b.pdf.p7s"));
}

#[test]
fn unreadable_file_does_not_stop_the_others() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        eprintln!("skipped: root can read a mode-000 file");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "d/a.txt");
    env.copy_doc("lab-report.pdf", "d/b.pdf");
    env.copy_doc("discharge-summary.xml", "d/locked.xml");
    std::fs::set_permissions(
        env.path("d/locked.xml"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let out = sign(&env, &["d"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let r = sign_report(&out);
    assert_eq!(r.summary.signed, 2);
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.failed[0].file, "d/locked.xml");
    assert!(!env.exists("d/locked.xml.p7s"));
    assert!(env.exists("d/a.txt.p7s") && env.exists("d/b.pdf.p7s"));
}

#[test]
fn two_inputs_mapping_to_one_output_conflict() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "x/a.txt");
    env.copy_doc("discharge-summary.xml", "y/a.txt");
    let out = sign(&env, &["x", "y", "--out-dir", "sigs"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let r = sign_report(&out);
    assert_eq!(r.summary.signed, 1);
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.failed[0].file, "y/a.txt");
    // The one written is x/a.txt's.
    let v = env.verify(
        &["sigs/a.txt.p7s"],
        &["--crl", CRLS, "--content", "x/a.txt"],
    );
    v.expect(0, "sigs/a.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn signature_files_are_never_signed() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    env.write("b.tsr", b"x");
    let out = sign(&env, &["a.txt.p7s", "b.tsr"]);
    let r = sign_report(&out);
    assert!(r.signed.is_empty(), "{:?}", r.signed);
    assert_eq!(r.skipped.len(), 2, "{:?}", r);
    assert!(r.failed.is_empty());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(!env.exists("a.txt.p7s.p7s"));
    assert!(!env.exists("b.tsr.p7s"));
}

#[test]
fn verify_directory_with_mixed_results() {
    let env = Env::new();
    for name in ["good1.txt", "good2.txt", "hash.txt", "sig.txt", "gone.txt"] {
        env.copy_doc("referral-letter.txt", &format!("d/{name}"));
    }
    env.copy_doc("lab-report.pdf", "d/sub/good3.pdf");
    let out = sign(&env, &["d"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    flip_byte(&env.path("d/hash.txt"), 3);
    flip_byte(&env.path("d/sig.txt.p7s"), -5);
    std::fs::remove_file(env.path("d/gone.txt")).unwrap();
    env.write("d/junk.p7s", b"junk");
    env.write("d/notes.md", b"not a signature: ignored");

    let v = env.verify_crl(&["d"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    check_summary(&v.report);
    let files: BTreeSet<_> = v.report.signatures.iter().map(|s| s.file.clone()).collect();
    assert_eq!(
        files,
        set(&[
            "d/gone.txt.p7s",
            "d/good1.txt.p7s",
            "d/good2.txt.p7s",
            "d/hash.txt.p7s",
            "d/junk.p7s",
            "d/sig.txt.p7s",
            "d/sub/good3.pdf.p7s",
        ])
    );
    let verdict = |f: &str| {
        let s = v.entry(f, 0);
        (s.indication.clone(), s.sub_indication.clone())
    };
    let passed = ("TOTAL_PASSED".to_owned(), None);
    assert_eq!(verdict("d/good1.txt.p7s"), passed);
    assert_eq!(verdict("d/good2.txt.p7s"), passed);
    assert_eq!(verdict("d/sub/good3.pdf.p7s"), passed);
    let failed = |sub: &str| ("TOTAL_FAILED".to_owned(), Some(sub.to_owned()));
    assert_eq!(verdict("d/hash.txt.p7s"), failed("HASH_FAILURE"));
    assert_eq!(verdict("d/sig.txt.p7s"), failed("SIG_CRYPTO_FAILURE"));
    assert_eq!(verdict("d/junk.p7s"), failed("FORMAT_FAILURE"));
    assert_eq!(
        verdict("d/gone.txt.p7s"),
        (
            "INDETERMINATE".to_owned(),
            Some("SIGNED_DATA_NOT_FOUND".to_owned())
        )
    );
    let s = &v.report.summary;
    assert_eq!((s.total, s.passed, s.failed, s.indeterminate), (7, 3, 3, 1));
}

#[test]
fn verify_exit_status_follows_the_worst_result() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "ok.txt");
    env.copy_doc("referral-letter.txt", "gone.txt");
    let out = sign(&env, &["ok.txt", "gone.txt"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    std::fs::remove_file(env.path("gone.txt")).unwrap();
    assert_eq!(env.verify_crl(&["ok.txt.p7s"]).code, 0);
    assert_eq!(env.verify_crl(&["ok.txt.p7s", "gone.txt.p7s"]).code, 3);
    // An I/O error (missing input) outranks INDETERMINATE...
    assert_eq!(
        env.verify_crl(&["ok.txt.p7s", "gone.txt.p7s", "nope.p7s"])
            .code,
        4
    );
    // ...and a TOTAL_FAILED outranks everything.
    flip_byte(&env.path("ok.txt"), 0);
    assert_eq!(
        env.verify_crl(&["ok.txt.p7s", "gone.txt.p7s", "nope.p7s"])
            .code,
        1
    );
}

#[test]
fn report_dir_has_one_json_per_signature_file() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "d/a.txt");
    env.copy_doc("lab-report.pdf", "d/sub/b.pdf");
    assert_eq!(code(&sign(&env, &["d"])), 0);
    flip_byte(&env.path("d/sub/b.pdf"), 10);
    let v = env.verify(&["d"], &["--crl", CRLS, "--report-dir", "reports"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    let files = tree(&env.path("reports"));
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().all(|f| f.ends_with(".p7s.json")), "{files:?}");
    for (sig, indication) in [
        ("d/a.txt.p7s", "TOTAL_PASSED"),
        ("d/sub/b.pdf.p7s", "TOTAL_FAILED"),
    ] {
        let name = files
            .iter()
            .find(|f| f.ends_with(&format!("{sig}.json")))
            .unwrap_or_else(|| panic!("no report for {sig}: {files:?}"));
        let text = std::fs::read_to_string(env.path("reports").join(name)).unwrap();
        let single: crate::report::Report = serde_json::from_str(&text).unwrap();
        assert_eq!(single.signatures.len(), 1);
        assert_eq!(single.signatures[0].file, sig);
        assert_eq!(single.signatures[0].indication, indication);
        assert_eq!(single.validation_time, v.report.validation_time);
        assert_eq!(single.summary.total, 1);
        check_summary(&single);
    }
}

#[test]
fn content_with_two_inputs_is_an_error() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.copy_doc("referral-letter.txt", "b.txt");
    let out = sign(&env, &["a.txt", "b.txt"]);
    assert_eq!(code(&out), 0);
    let out = env.hozon(&[
        "verify",
        "a.txt.p7s",
        "b.txt.p7s",
        "--content",
        "a.txt",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
    ]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).starts_with("hozon: "), "{}", describe(&out));
    assert!(stderr(&out).contains("--content"), "{}", describe(&out));
}

#[test]
fn missing_trust_file_is_an_error_naming_it() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let out = env.hozon(&["verify", "a.txt.p7s", "--trust", "pki/no-such-roots.pem"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.starts_with("hozon: "), "{err}");
    assert!(err.contains("pki/no-such-roots.pem"), "{err}");
    assert!(stdout(&out).is_empty(), "{}", describe(&out));
}

#[test]
fn trust_file_without_certificates_is_an_error() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let out = env.hozon(&["verify", "a.txt.p7s", "--trust", "pki/crls.pem"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("pki/crls.pem"), "{}", describe(&out));
}

#[test]
fn missing_crl_file_is_an_error_naming_it() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let out = env.hozon(&[
        "verify",
        "a.txt.p7s",
        "--trust",
        TRUST,
        "--crl",
        "pki/no-such.crl",
    ]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("pki/no-such.crl"),
        "{}",
        describe(&out)
    );
}

#[test]
fn directory_without_signatures_is_an_error() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "d/a.txt");
    let v = env.verify_crl(&["d"]);
    assert_eq!(v.code, 4, "{}", v.stdout);
    assert!(v.report.signatures.is_empty());
    assert_eq!(v.report.file_errors.len(), 1, "{}", v.stdout);
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let cases: [&[&str]; 6] = [
        &["verify", "a.txt.p7s"],                              // no --trust
        &["verify", "a.txt.p7s", "--trust", TRUST, "--bogus"], // unknown flag
        &["verify", "a.txt.p7s", "--trust", TRUST, "--revocation", "x"], // bad value
        &["sign", "a.txt"],                                    // no key
        &["sign", "a.txt", "--key", "pki/signer-doctor.key"],  // key without cert
        &["sign", "a.txt", "--pkcs12", "p", "--digest", "md5"], // not offered
    ];
    for args in cases {
        let out = env.hozon(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", describe(&out));
        assert!(!env.exists("a.txt.p7s"));
    }
    assert_eq!(code(&env.hozon(&["no-such-command"])), 2);
}

#[test]
fn demo_runs_and_catches_the_tampering() {
    let env = Env::new();
    let out = env.hozon(&["demo"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("HASH_FAILURE"), "{text}");
    assert!(text.contains("TOTAL_PASSED"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("TOTAL_PASSED") && l.contains("lab-report.pdf.p7s  B-LTA")),
        "{text}"
    );
    assert!(text.contains("renew_by"), "{text}");
    assert!(
        text.contains("FAILED legibility/resolution page 1: 150x150 dpi, policy minimum 300"),
        "{text}"
    );
    assert!(text.contains("chart-scan-300dpi.png.p7s  B-T"), "{text}");
    assert!(!text.contains("chart-scan-150dpi.png.p7s"), "{text}");
    // The XAdES step: both XML samples signed B-LTA and verified offline.
    for name in ["prescription.signed.xml", "cda.signed.xml"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("TOTAL_PASSED") && l.contains(&format!("{name}  B-LTA"))),
            "{name}: {text}"
        );
    }
}

#[test]
fn many_files_cross_the_group_commit_boundary() {
    // 300 files: more than one group commit (256) plus a partial one.
    let env = Env::new();
    let text = env.read("pki/chain.pem");
    for i in 0..300 {
        let mut body = text.clone();
        body.extend_from_slice(format!("\nrecord {i}\n").as_bytes());
        env.write(&format!("many/{:02}/r{i:03}.txt", i % 7), body);
    }
    let out = sign(&env, &["many", "-j", "2"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = sign_report(&out);
    assert_eq!(
        (
            r.summary.total,
            r.summary.signed,
            r.summary.skipped,
            r.summary.failed
        ),
        (300, 300, 0, 0)
    );
    let files = tree(&env.path("many"));
    assert_eq!(
        files.iter().filter(|f| f.ends_with(".txt.p7s")).count(),
        300
    );
    assert_eq!(files.len(), 600, "stray files: {files:?}");
    let v = env.verify(&["many"], &["--crl", CRLS, "-j", "2"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    let s = &v.report.summary;
    assert_eq!((s.total, s.passed), (300, 300));
    // Each signature belongs to its own file.
    flip_byte(&env.path("many/03/r010.txt"), 0);
    let v = env.verify_crl(&["many/03/r010.txt.p7s", "many/04/r011.txt.p7s"]);
    assert_eq!(
        v.entry("many/03/r010.txt.p7s", 0).sub_indication.as_deref(),
        Some("HASH_FAILURE")
    );
    assert_eq!(
        v.entry("many/04/r011.txt.p7s", 0).indication,
        "TOTAL_PASSED"
    );
}

#[test]
fn failed_file_is_named_on_stderr() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let mut args = vec!["sign", "a.txt", "gone.txt"];
    args.extend_from_slice(&KEY);
    let out = env.hozon(&args);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.starts_with("hozon: ") && l.contains("gone.txt")),
        "{err}"
    );
    assert!(env.exists("a.txt.p7s"));
}

#[test]
fn error_messages_do_not_repeat_the_cause() {
    // "hozon: X: No such file or directory (os error 2)", once.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let outs = [
        env.hozon(&["verify", "a.txt.p7s", "--trust", "pki/none.pem"]),
        env.hozon(&[
            "sign",
            "a.txt",
            "--key",
            "pki/none.key",
            "--cert",
            "pki/signer-doctor.crt",
        ]),
    ];
    for out in &outs {
        assert_eq!(code(out), 4, "{}", describe(out));
        let err = stderr(out);
        assert_eq!(
            err.matches("os error 2").count(),
            1,
            "the cause is printed more than once: {err}"
        );
    }
}
