//! Interop of evidence records with an independent RFC 4998
//! implementation: Bouncy Castle 1.72's `org.bouncycastle.tsp.ers` (Debian
//! `libbcprov-java libbcpkix-java libbcutil-java`), driven by
//! `tests/e2e/bc/ErsOracle.java`, compiled here with javac into a
//! temporary directory. Bouncy Castle validates hozon's records — fresh,
//! time-stamp-renewed and hash-tree-renewed, the records' and the audit
//! log's — and hozon validates the records Bouncy Castle builds and renews.
//!
//! Without java or the jars the tests say "skipped" — and fail under
//! `HOZON_REQUIRE_TOOLS=1` (scripts/test), so CI never passes vacuously.

use std::path::{Path, PathBuf};
use std::process::Command;

use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::evidence_lt::{archive, archive_with_two_records, records, strong_tsa};
use crate::util::{code, describe, Env, CRLS};

/// Whether missing tools are an error (`HOZON_REQUIRE_TOOLS`).
fn tools_required() -> bool {
    std::env::var_os("HOZON_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0")
}

const JARS: [&str; 3] = [
    "/usr/share/java/bcprov.jar",
    "/usr/share/java/bcpkix.jar",
    "/usr/share/java/bcutil.jar",
];

/// The compiled oracle.
struct Bc {
    _classes: tempfile::TempDir,
    classpath: String,
}

/// Compiles the oracle, or `None` (skipped) when java or Bouncy Castle is
/// missing; panics then under `HOZON_REQUIRE_TOOLS`.
fn bc() -> Option<Bc> {
    let javac = Command::new("javac")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    let java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    let missing: Vec<&str> = JARS
        .iter()
        .copied()
        .filter(|j| !Path::new(j).is_file())
        .collect();
    if !javac || !java || !missing.is_empty() {
        let why = format!(
            "the Bouncy Castle RFC 4998 oracle needs javac and java (found: {javac}, {java}) and {missing:?}: run scripts/setup"
        );
        assert!(!tools_required(), "HOZON_REQUIRE_TOOLS is set: {why}");
        eprintln!("skipped: {why}");
        return None;
    }
    let classes = tempfile::tempdir().unwrap();
    let jars = JARS.join(":");
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/e2e/bc/ErsOracle.java"
    );
    let out = Command::new("javac")
        .args(["-cp", &jars, "-d"])
        .arg(classes.path())
        .arg(src)
        .output()
        .unwrap();
    assert!(out.status.success(), "javac: {}", describe(&out));
    Some(Bc {
        classpath: format!("{}:{jars}", classes.path().display()),
        _classes: classes,
    })
}

impl Bc {
    /// Runs `ErsOracle ARGS` in `dir`: whether it succeeded, and its output.
    fn run(&self, dir: &Path, args: &[&str]) -> (bool, String) {
        let out = Command::new("java")
            .args(["-cp", &self.classpath, "ErsOracle"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        (out.status.success(), describe(&out))
    }

    /// Bouncy Castle accepts `ers` over `files` (one data group).
    fn accepts(&self, ers: &Path, files: &[PathBuf]) {
        let mut args = vec!["verify".to_owned(), ers.display().to_string()];
        args.extend(files.iter().map(|f| f.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, out) = self.run(Path::new("/"), &args);
        assert!(ok, "Bouncy Castle rejects {}: {out}", ers.display());
    }
}

/// The newest evidence record of a record and the files it covers.
fn newest_with_files(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let mut ers: Vec<PathBuf> = std::fs::read_dir(dir.join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    ers.sort();
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join("record.json")).unwrap()).unwrap();
    let files = meta["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| dir.join(f["name"].as_str().unwrap()))
        // The snapshot of the record's fields is one more data object.
        .chain(Some(dir.join("record.fields.json")).filter(|p| p.is_file()))
        .collect();
    (ers.pop().unwrap(), files)
}

/// The audit log's newest evidence record and a file holding its line.
fn audit_with_line(env: &Env) -> (PathBuf, PathBuf) {
    let mut ers: Vec<PathBuf> = std::fs::read_dir(env.path("arc/audit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ers"))
        .collect();
    ers.sort();
    let newest = ers.pop().unwrap();
    let side: Value =
        serde_json::from_slice(&std::fs::read(newest.with_extension("json")).unwrap()).unwrap();
    let seq = side["seq"].as_u64().unwrap() as usize;
    let log = std::fs::read_to_string(env.path("arc/audit.log")).unwrap();
    env.write("bc-audit-line", log.split('\n').nth(seq - 1).unwrap());
    (newest, env.path("bc-audit-line"))
}

fn bc_accepts_every_record(bc: &Bc, env: &Env) {
    for dir in records(env) {
        let (ers, files) = newest_with_files(&dir);
        bc.accepts(&ers, &files);
    }
    let (ers, line) = audit_with_line(env);
    bc.accepts(&ers, &[line]);
}

#[test]
fn bouncy_castle_validates_hozon_records_fresh_and_renewed() {
    let Some(bc) = bc() else { return };
    let env = Env::new();
    let _tsa = archive_with_two_records(&env);
    bc_accepts_every_record(&bc, &env);
    // Time-stamp renewal: the renewal stamp's explicit digestAlgorithm and
    // the request's absent parameters keep the chain's encodings equal.
    let strong = strong_tsa(&env, "bc-strong-1", 3650, "0x5171");
    let out = archive(
        &env,
        &["renew", "--tsa", &strong.url(), "--before", "36500d"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    bc_accepts_every_record(&bc, &env);
    // Hash-tree renewal under SHA-512.
    let stronger = strong_tsa(&env, "bc-strong-2", 5000, "0x5172");
    let out = archive(
        &env,
        &["renew", "--tsa", &stronger.url(), "--digest", "sha512"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    bc_accepts_every_record(&bc, &env);
    // The oracle is not blind: an altered data object is refused.
    let (ers, files) = newest_with_files(&records(&env)[0]);
    let mut altered = std::fs::read(&files[0]).unwrap();
    altered[0] ^= 1;
    env.write("bc-altered", &altered);
    let mut with_altered = files.clone();
    with_altered[0] = env.path("bc-altered");
    let mut args = vec!["verify".to_owned(), ers.display().to_string()];
    args.extend(with_altered.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, out) = bc.run(env.dir(), &args);
    assert!(!ok, "Bouncy Castle accepted altered data: {out}");
}

#[test]
fn hozon_validates_records_bouncy_castle_builds_and_renews() {
    let Some(bc) = bc() else { return };
    let env = Env::new();
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    env.write("doc.txt", "a clinical document\n");
    env.write("doc.txt.p7s", "its signature (any bytes)\n");
    let verify = |ers: &str, files: &[&str]| {
        let mut args = vec![ers];
        for f in files {
            args.extend_from_slice(&["--content", f]);
        }
        let v = env.verify(&args, &["--crl", CRLS]);
        assert_eq!(v.code, 0, "{ers}: {}", v.stdout);
        assert_eq!(v.json["evidence_records"][0]["indication"], "TOTAL_PASSED");
        v.json["evidence_records"][0].clone()
    };
    for (name, files) in [
        ("group", &["doc.txt", "doc.txt.p7s"][..]),
        ("single", &["doc.txt"][..]),
    ] {
        let built = format!("bc-{name}.ers");
        let renewed = format!("bc-{name}-ts.ers");
        let rehashed = format!("bc-{name}-ht.ers");
        let url = tsa.url();
        let mut args = vec!["build", &built, &url];
        args.extend_from_slice(files);
        let (ok, out) = bc.run(env.dir(), &args);
        assert!(ok, "{out}");
        assert_eq!(verify(&built, files)["archive_time_stamps"], 1);
        let (ok, out) = bc.run(env.dir(), &["renew-ts", &built, &renewed, &url]);
        assert!(ok, "{out}");
        assert_eq!(verify(&renewed, files)["archive_time_stamps"], 2);
        let mut args = vec!["renew-hash", &renewed, &rehashed, &url];
        args.extend_from_slice(files);
        let (ok, out) = bc.run(env.dir(), &args);
        assert!(ok, "{out}");
        let e = verify(&rehashed, files);
        assert_eq!(e["archive_time_stamps"], 3, "{e:#}");
        // And hozon is not blind either: another file is refused.
        let v = env.verify(&[&built, "--content", "pki/trust.pem"], &["--crl", CRLS]);
        assert_eq!(v.code, 1, "{}", v.stdout);
    }
}
