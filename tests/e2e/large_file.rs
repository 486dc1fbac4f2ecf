//! A 1 GiB document is signed and verified in constant memory.

use std::io::{Seek, SeekFrom, Write};
use std::process::{Command, Stdio};

use crate::util::{Env, Verified, CHAIN, CRLS, HOZON, TRUST};

/// Peak RSS allowed for a hozon process working on a 1 GiB file.
const MAX_RSS_KIB: i64 = 200 * 1024;

/// Runs `hozon ARGS` in `env`, returning (exit status, stdout, stderr, the
/// child's own peak RSS in KiB).
///
/// A child's peak RSS on Linux starts from what it inherits: a process
/// made by fork or vfork counts its parent's resident pages until it
/// execs, and exec keeps that high-water mark. The e2e test process runs
/// hundreds of tests and can be hundreds of MiB large, so hozon is started
/// from a small Python process instead (its own few MiB are all it
/// inherits), which reports the peak of its only child.
pub(crate) fn run_measured(env: &Env, args: &[&str]) -> (i32, String, String, i64) {
    const MEASURE: &str = "import resource, subprocess, sys\n\
r = subprocess.run(sys.argv[2:])\n\
open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n\
sys.exit(r.returncode if r.returncode >= 0 else 128 - r.returncode)\n";
    let out_path = env.path("child.stdout");
    let err_path = env.path("child.stderr");
    let rss_path = env.path("child.maxrss");
    let status = Command::new("python3")
        .arg("-c")
        .arg(MEASURE)
        .arg(&rss_path)
        .arg(HOZON)
        .args(args)
        .current_dir(env.dir())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .status()
        .expect("python3 (scripts/setup installs it) measures the child's peak memory");
    let code = status.code().expect("the measuring python3 was killed");
    let stderr = std::fs::read_to_string(&err_path).unwrap();
    assert!(code < 128, "hozon died: exit {code}: {stderr}");
    let rss = std::fs::read_to_string(&rss_path)
        .unwrap_or_else(|e| panic!("no peak memory reported ({e}): {stderr}"))
        .trim()
        .parse()
        .unwrap();
    (
        code,
        std::fs::read_to_string(&out_path).unwrap(),
        stderr,
        rss,
    )
}

fn make_sparse_gib(env: &Env, name: &str) {
    let mut f = std::fs::File::create(env.path(name)).unwrap();
    f.set_len(1 << 30).unwrap();
    f.seek(SeekFrom::End(0)).unwrap();
    f.write_all(b"end of a very large clinical record\n")
        .unwrap();
}

#[test]
fn one_gib_file_signs_and_verifies_in_small_memory() {
    let env = Env::new();
    make_sparse_gib(&env, "big.bin");
    assert!(std::fs::metadata(env.path("big.bin")).unwrap().len() > 1 << 30);

    let (code, out, err, rss) = run_measured(
        &env,
        &[
            "sign",
            "big.bin",
            "--key",
            "pki/signer-doctor.key",
            "--cert",
            "pki/signer-doctor.crt",
            "--chain",
            CHAIN,
            "--crl",
            "pki/crls.pem",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(rss > 0, "no rusage");
    assert!(
        rss < MAX_RSS_KIB,
        "hozon sign peaked at {rss} KiB for a 1 GiB file"
    );
    assert!(env.exists("big.bin.p7s"));

    let (code, out, err, rss) = run_measured(
        &env,
        &[
            "verify",
            "big.bin.p7s",
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--json",
        ],
    );
    assert!(
        rss < MAX_RSS_KIB,
        "hozon verify peaked at {rss} KiB for a 1 GiB file"
    );
    let v = Verified {
        code,
        stdout: out.clone(),
        stderr: err,
        json: serde_json::from_str(&out).unwrap(),
        report: serde_json::from_str(&out).unwrap(),
    };
    v.expect(0, "big.bin.p7s", "TOTAL_PASSED", None);

    // The last byte counts: alter it and the digest no longer matches.
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(env.path("big.bin"))
            .unwrap();
        f.seek(SeekFrom::End(-2)).unwrap();
        f.write_all(b"?").unwrap();
    }
    env.verify_crl(&["big.bin.p7s"])
        .expect(1, "big.bin.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn enveloping_refuses_a_huge_file_without_reading_it() {
    let env = Env::new();
    make_sparse_gib(&env, "big.bin");
    let (code, out, err, rss) = run_measured(
        &env,
        &[
            "sign",
            "big.bin",
            "--enveloping",
            "--key",
            "pki/signer-doctor.key",
            "--cert",
            "pki/signer-doctor.crt",
            "--chain",
            CHAIN,
            "--crl",
            "pki/crls.pem",
            "--json",
        ],
    );
    assert_eq!(code, 4, "{out}{err}");
    assert!(
        rss < MAX_RSS_KIB,
        "refusing took {rss} KiB: the content was read"
    );
    let r: crate::report::SignReport = serde_json::from_str(&out).unwrap();
    assert_eq!(r.failed.len(), 1);
    assert_eq!(r.failed[0].file, "big.bin");
    assert!(!env.exists("big.bin.p7m"));
}

#[test]
fn oversized_signature_file_is_refused_without_reading_it() {
    // One byte over the 1 GiB signature-file limit: FORMAT_FAILURE, decided
    // from the size, not by reading a gigabyte into memory.
    let env = Env::new();
    {
        let f = std::fs::File::create(env.path("huge.p7s")).unwrap();
        f.set_len((1 << 30) + 1).unwrap();
    }
    let (code, out, err, rss) =
        run_measured(&env, &["verify", "huge.p7s", "--trust", TRUST, "--json"]);
    let report: crate::report::Report =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    assert_eq!(report.signatures.len(), 1, "{out}");
    let s = &report.signatures[0];
    crate::util::assert_verdict(s, "TOTAL_FAILED", Some("FORMAT_FAILURE"), &out);
    assert_eq!(s.file, "huge.p7s");
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        rss < MAX_RSS_KIB,
        "refusing an oversized signature file took {rss} KiB: it was read into memory"
    );
}
