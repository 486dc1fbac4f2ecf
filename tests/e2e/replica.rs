//! `hozon archive replica add / replicate / verify --replica / restore`:
//! a directory replica and a loopback SeaweedFS with Object Lock, the
//! "ransomware" scenario (local files encrypted or deleted, restored from
//! the replica), locks that the S3 API enforces, a replication killed and
//! rerun, unreachable endpoints and rejected credentials, and automatic
//! replication after ingest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use aws_sdk_s3::Client;
use hozon_testkit::{Pki, Seaweed, TsaMode, TsaServer, SEAWEED_ACCESS_KEY, SEAWEED_SECRET_KEY};
use serde_json::Value;

use crate::util::{code, describe, Env};

const ARC: &str = "arc";
const LOCKED: &str = "hozon-locked";
const UNLOCKED: &str = "hozon-unlocked";

fn creds() -> [(&'static str, &'static str); 3] {
    [
        ("AWS_ACCESS_KEY_ID", SEAWEED_ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SEAWEED_SECRET_KEY),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
    ]
}

fn archive_in(env: &Env, arc: &str, args: &[&str]) -> Output {
    let mut all = vec!["archive", "--archive", arc];
    all.extend_from_slice(args);
    env.hozon_env(&all, &creds())
}

fn archive(env: &Env, args: &[&str]) -> Output {
    archive_in(env, ARC, args)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(out)))
}

fn ok(out: &Output) -> Value {
    assert_eq!(code(out), 0, "{}", describe(out));
    json(out)
}

/// An archive with three unsigned documents, signed and stamped at ingest.
fn archive_with_records(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("tsa-pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    env.copy_doc("discharge-summary.xml", "in/discharge-summary.xml");
    env.copy_doc("lab-report.pdf", "in/lab-report.pdf");
    env.copy_doc("referral-letter.txt", "in/notes/referral-letter.txt");
    crate::archive::init(env, &tsa.url());
    tsa
}

fn ingest(env: &Env) {
    let out = archive(env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

/// Every regular file under `dir`, relative, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The snapshot without what a failed replication may change.
fn archive_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut s = snapshot(dir);
    s.retain(|k, _| !k.starts_with("catalog.sqlite") && k != "audit.log" && k != "lock");
    s
}

/// Record files of the archive: (document, signature) of each record.
fn documents(env: &Env, arc: &str) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(env.path(arc).join("records")) {
        let e = e.unwrap();
        if e.file_name() == "record.json" {
            let meta: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            let dir = e.path().parent().unwrap();
            let name = |role: &str| {
                meta["files"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["role"] == role)
                    .map(|f| dir.join(f["name"].as_str().unwrap()))
                    .unwrap()
            };
            out.push((name("document"), name("signature")));
        }
    }
    out.sort();
    out
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    openssl::rand::rand_bytes(&mut v).unwrap();
    v
}

/// Ransomware: the first document encrypted, the second record's signature
/// deleted, the third record's evidence record encrypted.
fn ransomware(env: &Env) {
    let docs = documents(env, ARC);
    assert!(docs.len() >= 3);
    let len = std::fs::metadata(&docs[0].0).unwrap().len() as usize;
    std::fs::write(&docs[0].0, random_bytes(len)).unwrap();
    std::fs::remove_file(&docs[1].1).unwrap();
    let evidence = docs[2].0.parent().unwrap().join("evidence");
    let ers = std::fs::read_dir(evidence)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let len = std::fs::metadata(&ers).unwrap().len() as usize;
    std::fs::write(&ers, random_bytes(len)).unwrap();
}

/// After ransomware: local verify fails, the replica verifies, a restore
/// into a new directory verifies and its records verify with `hozon verify`.
fn recover(env: &Env, name: &str) {
    ransomware(env);
    let out = archive(env, &["verify", "--json"]);
    assert_eq!(code(&out), 1, "damage not found: {}", describe(&out));
    let v = json(&out);
    assert!(v["summary"]["altered"].as_u64().unwrap() >= 1, "{v:#}");
    assert!(v["summary"]["missing"].as_u64().unwrap() >= 1, "{v:#}");

    // A replicate now sends none of the damage: the record files are
    // known by their record.json digest (already there), the encrypted
    // evidence record differs from its replicated copy and is refused.
    let out = archive(env, &["replicate", "--replica", name, "--json"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let r = json(&out);
    let failed = r["replicas"][0]["failed"].as_array().unwrap();
    assert!(
        failed
            .iter()
            .any(|f| f["reason"].as_str().unwrap().contains("changed locally")),
        "{r:#}"
    );

    let v = ok(&archive(env, &["verify", "--replica", name, "--json"]));
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v:#}");

    // Refused into a non-empty directory.
    env.write("busy/x", "x");
    let out = archive(env, &["restore", "--from", name, "busy"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));

    let r = ok(&archive(
        env,
        &["restore", "--from", name, "restored", "--json"],
    ));
    assert_eq!(r["records"], 3, "{r:#}");
    assert_eq!(r["failed"].as_array().unwrap().len(), 0, "{r:#}");
    let v = ok(&archive_in(env, "restored", &["verify", "--json"]));
    assert_eq!(v["summary"]["passed"], 3, "{v:#}");
    for (doc, sig) in documents(env, "restored") {
        assert!(doc.exists());
        let v = env.verify(&[sig.to_str().unwrap()], &["--crl", "pki/crls.pem"]);
        assert_eq!(v.code, 0, "{}", v.stdout);
    }
}

#[test]
fn a_directory_replica_end_to_end_survives_ransomware() {
    let env = Env::new();
    let _tsa = archive_with_records(&env);
    ingest(&env);
    std::fs::create_dir_all(env.path("nas")).unwrap();
    let out = archive(
        &env,
        &["replica", "add", "nas", "--dir", "nas", "--no-auto"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let list = ok(&archive(&env, &["replica", "list", "--json"]));
    assert_eq!(list["replicas"][0]["name"], "nas");
    assert_eq!(list["replicas"][0]["kind"], "dir");
    assert_eq!(list["retention"]["retention_years"], 10);

    let r = ok(&archive(&env, &["replicate", "--json"]));
    let first = &r["replicas"][0];
    assert!(first["uploaded"].as_u64().unwrap() >= 3 * 4 + 3, "{r:#}");
    assert_eq!(first["failed"].as_array().unwrap().len(), 0, "{r:#}");
    // A rerun sends only what changed: the audit log (its replicate line).
    let r = ok(&archive(&env, &["replicate", "--json"]));
    assert_eq!(r["replicas"][0]["uploaded"], 1, "{r:#}");
    // record.json carries retain_until = ingest + 10 years.
    let docs = documents(&env, ARC);
    let meta: Value = serde_json::from_slice(
        &std::fs::read(docs[0].0.parent().unwrap().join("record.json")).unwrap(),
    )
    .unwrap();
    let (ingested, until) = (
        meta["ingested"].as_str().unwrap(),
        meta["retain_until"].as_str().unwrap(),
    );
    let years = |s: &str| s[..4].parse::<i32>().unwrap();
    assert_eq!(years(until) - years(ingested), 10, "{meta:#}");
    assert_eq!(&until[4..], &ingested[4..]);

    // A file deleted from the replica is reported missing.
    let victim = walkdir::WalkDir::new(env.path("nas/records"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .find(|p| {
            p.to_string_lossy().contains(".p7s~hozon-v1") && !p.to_string_lossy().ends_with(".meta")
        })
        .unwrap();
    let saved = std::fs::read(&victim).unwrap();
    std::fs::remove_file(&victim).unwrap();
    let out = archive(&env, &["verify", "--replica", "nas", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert_eq!(json(&out)["problems"][0]["kind"], "missing");
    std::fs::write(&victim, saved).unwrap();

    recover(&env, "nas");

    // With the archive (and its hozon.toml) gone, the replica given by flags.
    std::fs::remove_dir_all(env.path(ARC)).unwrap();
    let out = env.hozon_env(
        &["archive", "restore", "--dir", "nas", "again", "--json"],
        &creds(),
    );
    let r = ok(&out);
    assert_eq!(r["records"], 3, "{r:#}");
    let v = ok(&archive_in(&env, "again", &["verify", "--json"]));
    assert_eq!(v["summary"]["passed"], 3, "{v:#}");
}

struct S3 {
    server: Seaweed,
    raw: Client,
    rt: tokio::runtime::Runtime,
}

fn s3() -> Option<S3> {
    let server = match Seaweed::start() {
        Ok(Some(s)) => s,
        Ok(None) => return None,
        Err(e) => panic!("cannot start SeaweedFS: {e}"),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(server.endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            SEAWEED_ACCESS_KEY,
            SEAWEED_SECRET_KEY,
            None,
            None,
            "test",
        ))
        .force_path_style(true)
        .build();
    let raw = Client::from_conf(config);
    rt.block_on(async {
        let mut tries = 0;
        loop {
            let made = raw
                .create_bucket()
                .bucket(LOCKED)
                .object_lock_enabled_for_bucket(true)
                .send()
                .await;
            match made {
                Ok(_) => break,
                Err(_) if tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("create bucket: {e:?}\n{}", server.log_tail()),
            }
        }
        raw.create_bucket().bucket(UNLOCKED).send().await.unwrap();
        raw.put_bucket_versioning()
            .bucket(UNLOCKED)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
    Some(S3 { server, raw, rt })
}

impl S3 {
    fn version_counts(&self) -> BTreeMap<String, usize> {
        self.rt.block_on(async {
            let mut counts = BTreeMap::new();
            let mut key_marker = None;
            let mut version_marker = None;
            loop {
                let out = self
                    .raw
                    .list_object_versions()
                    .bucket(LOCKED)
                    .set_key_marker(key_marker.take())
                    .set_version_id_marker(version_marker.take())
                    .send()
                    .await
                    .unwrap();
                for v in out.versions() {
                    *counts.entry(v.key().unwrap_or("").to_string()).or_insert(0) += 1;
                }
                if out.is_truncated() == Some(true) {
                    key_marker = out.next_key_marker().map(str::to_string);
                    version_marker = out.next_version_id_marker().map(str::to_string);
                } else {
                    break;
                }
            }
            counts
        })
    }

    fn add(&self, env: &Env, bucket: &str, extra: &[&str]) -> Output {
        let endpoint = self.server.endpoint();
        let mut args = vec![
            "replica",
            "add",
            "s3",
            "--s3-endpoint",
            &endpoint,
            "--bucket",
            bucket,
            "--prefix",
            "hospital",
        ];
        args.extend_from_slice(extra);
        archive(env, &args)
    }
}

#[test]
fn s3_replica_refuses_an_unlocked_bucket_locks_objects_and_restores_after_ransomware() {
    let Some(s3) = s3() else { return };
    let env = Env::new();
    let _tsa = archive_with_records(&env);
    let toml_before = env.read("arc/hozon.toml");
    let out = s3.add(&env, UNLOCKED, &[]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(describe(&out).contains("Object Lock"), "{}", describe(&out));
    assert_eq!(
        env.read("arc/hozon.toml"),
        toml_before,
        "hozon.toml changed"
    );

    let out = s3.add(&env, LOCKED, &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(!String::from_utf8_lossy(&env.read("arc/hozon.toml")).contains(SEAWEED_SECRET_KEY));
    // Automatic replication at the end of ingest.
    ingest(&env);
    let counts = s3.version_counts();
    let docs = documents(&env, ARC);
    let doc_key = format!(
        "hospital/{}",
        docs[0]
            .0
            .strip_prefix(env.path(ARC))
            .unwrap()
            .to_string_lossy()
    );
    assert_eq!(counts.get(&doc_key), Some(&1), "{counts:#?}");
    assert!(counts.contains_key("hospital/audit.log"));
    assert!(counts.contains_key("hospital/hozon.toml"));

    // The S3 API refuses to delete a locked version or shorten its lock.
    s3.rt.block_on(async {
        let versions = s3
            .raw
            .list_object_versions()
            .bucket(LOCKED)
            .prefix(&doc_key)
            .send()
            .await
            .unwrap();
        let version = versions.versions()[0].version_id().unwrap().to_string();
        let deleted = s3
            .raw
            .delete_object()
            .bucket(LOCKED)
            .key(&doc_key)
            .version_id(&version)
            .bypass_governance_retention(true)
            .send()
            .await;
        assert!(deleted.is_err(), "locked version deleted");
        // "Overwriting" only adds a version on top.
        s3.raw
            .put_object()
            .bucket(LOCKED)
            .key(&doc_key)
            .body(ByteStream::from(b"encrypted by ransomware".to_vec()))
            .send()
            .await
            .unwrap();
    });
    let out = archive(&env, &["verify", "--replica", "s3", "--json"]);
    let v = ok(&out);
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v:#}");
    let warnings = v["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("the locked original is intact")),
        "{v:#}"
    );

    // Someone with write credentials also puts a consistent-looking,
    // locked record.json on top that names a forged digest: restore must
    // pass it over for the older locked version whose files exist.
    let json_key = doc_key.rsplit_once('/').unwrap().0.to_string() + "/record.json";
    let mut forged: Value = serde_json::from_slice(
        &std::fs::read(docs[0].0.parent().unwrap().join("record.json")).unwrap(),
    )
    .unwrap();
    forged["files"][0]["sha256"] = Value::from("ab".repeat(32));
    let forged = serde_json::to_vec_pretty(&forged).unwrap();
    let forged_sha = hex::encode(openssl::sha::sha256(&forged));
    s3.rt.block_on(async {
        let until = aws_sdk_s3::primitives::DateTime::from_secs(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64
                + 20 * 365 * 86400,
        );
        s3.raw
            .put_object()
            .bucket(LOCKED)
            .key(&json_key)
            .metadata("hozon-sha256", &forged_sha)
            .object_lock_mode(aws_sdk_s3::types::ObjectLockMode::Compliance)
            .object_lock_retain_until_date(until)
            .body(ByteStream::from(forged))
            .send()
            .await
            .unwrap();
    });

    recover(&env, "s3");
}

#[test]
fn a_replication_killed_and_rerun_stores_every_object_once() {
    let Some(s3) = s3() else { return };
    let env = Env::new();
    let _tsa = archive_with_records(&env);
    ingest(&env);
    let out = s3.add(&env, LOCKED, &["--no-auto"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // Killed after the first chunk's uploads, before the table insert.
    let mut all = vec!["archive", "--archive", ARC, "replicate"];
    all.push("--json");
    let mut envs = creds().to_vec();
    envs.push(("HOZON_ARCHIVE_CRASH_AT", "replicate-uploaded"));
    let out = env.hozon_env(&all, &envs);
    assert!(out.status.code().is_none(), "not aborted: {out:?}");
    let after_kill = s3.version_counts();
    assert!(!after_kill.is_empty());
    // Every object went up before the abort, none was recorded in the
    // catalog: the rerun finds each by a HEAD and uploads nothing (the
    // aborted run wrote no audit line, so even audit.log is unchanged).
    let r = ok(&archive(&env, &["replicate", "--json"]));
    let report = &r["replicas"][0];
    assert_eq!(report["failed"].as_array().unwrap().len(), 0, "{r:#}");
    assert_eq!(report["uploaded"], 0, "{r:#}");
    let counts = s3.version_counts();
    assert_eq!(counts, after_kill);
    assert!(counts.values().all(|n| *n == 1), "{counts:#?}");
    // The next run knows everything from the catalog: only the audit log
    // (one line longer) becomes a second version.
    let r = ok(&archive(&env, &["replicate", "--json"]));
    assert_eq!(r["replicas"][0]["uploaded"], 1, "{r:#}");
    assert_eq!(s3.version_counts()["hospital/audit.log"], 2);

    // A real SIGKILL at a random moment of a run to a second prefix.
    let endpoint = s3.server.endpoint();
    let out = archive(
        &env,
        &[
            "replica",
            "add",
            "s3b",
            "--s3-endpoint",
            &endpoint,
            "--bucket",
            LOCKED,
            "--prefix",
            "second",
            "--no-auto",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let mut delay = [0u8; 2];
    openssl::rand::rand_bytes(&mut delay).unwrap();
    let delay = u64::from(u16::from_le_bytes(delay) % 400);
    let mut child = std::process::Command::new(crate::util::HOZON)
        .args([
            "archive",
            "--archive",
            ARC,
            "replicate",
            "--replica",
            "s3b",
            "--json",
        ])
        .current_dir(env.dir())
        .envs(creds())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(delay));
    let _ = child.kill();
    let _ = child.wait();
    let r = ok(&archive(&env, &["replicate", "--replica", "s3b", "--json"]));
    assert_eq!(
        r["replicas"][0]["failed"].as_array().unwrap().len(),
        0,
        "{r:#}"
    );
    let second: BTreeMap<_, _> = s3
        .version_counts()
        .into_iter()
        .filter(|(k, _)| k.starts_with("second/"))
        .collect();
    // 16 objects and the three records' record.fields.json.
    assert_eq!(second.len(), 19, "killed after {delay} ms: {second:#?}");
    for (key, n) in &second {
        let most = if key == "second/audit.log" { 2 } else { 1 };
        assert!(
            *n >= 1 && *n <= most,
            "killed after {delay} ms: {key} stored {n} times"
        );
    }
    let v = ok(&archive(&env, &["verify", "--replica", "s3", "--json"]));
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v:#}");
}

#[test]
fn unreachable_endpoints_and_wrong_credentials_exit_4_and_leave_the_archive_alone() {
    let Some(s3) = s3() else { return };
    let env = Env::new();
    let _tsa = archive_with_records(&env);
    ingest(&env);
    let out = s3.add(&env, LOCKED, &["--no-auto"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let before = archive_files(&env.path(ARC));

    let mut all = vec!["archive", "--archive", ARC, "replicate"];
    all.push("--json");
    let wrong = [
        ("AWS_ACCESS_KEY_ID", SEAWEED_ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", "not-the-secret"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
    ];
    let out = env.hozon_env(&all, &wrong);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr_of(&out).contains("credentials rejected"),
        "{}",
        describe(&out)
    );
    assert!(!describe(&out).contains("not-the-secret"));
    assert_eq!(archive_files(&env.path(ARC)), before);
    assert!(s3.version_counts().is_empty());

    // Unreachable: a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("http://127.0.0.1:{port}");
    let out = archive(
        &env,
        &[
            "replica",
            "add",
            "dead",
            "--s3-endpoint",
            &dead,
            "--bucket",
            LOCKED,
        ],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        describe(&out).contains("cannot reach"),
        "{}",
        describe(&out)
    );
    assert_eq!(archive_files(&env.path(ARC)), before);
    // Missing credentials altogether.
    let none = [
        ("AWS_ACCESS_KEY_ID", ""),
        ("AWS_SECRET_ACCESS_KEY", ""),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ("AWS_CONFIG_FILE", "/nonexistent"),
    ];
    let out = env.hozon_env(&all, &none);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(describe(&out).contains("credentials"), "{}", describe(&out));
    assert_eq!(archive_files(&env.path(ARC)), before);
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Version files (not sidecars) under `nas/` whose path contains `part`.
fn replica_files(env: &Env, part: &str) -> usize {
    walkdir::WalkDir::new(env.path("nas"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| {
            let s = p.to_string_lossy();
            s.contains(part) && s.contains("~hozon-v") && !s.ends_with(".meta")
        })
        .count()
}

#[test]
fn automatic_replication_follows_ingest_and_renew() {
    let env = Env::new();
    let _tsa = archive_with_records(&env);
    std::fs::create_dir_all(env.path("nas")).unwrap();
    // A directory that does not exist is refused, hozon.toml unchanged.
    let before = env.read("arc/hozon.toml");
    let out = archive(&env, &["replica", "add", "gone", "--dir", "no-such-dir"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert_eq!(env.read("arc/hozon.toml"), before);
    let out = archive(&env, &["replica", "add", "nas", "--dir", "nas"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));

    ingest(&env);
    assert_eq!(replica_files(&env, "/evidence/"), 3);
    let v = ok(&archive(&env, &["verify", "--replica", "nas", "--json"]));
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v:#}");

    // Renewal writes a new evidence record per record: new keys, replicated
    // at the end of the renew.
    // By a TSA with a stronger key: the archive's RSA-2048 one could not
    // move the deadline and would be refused.
    let strong = crate::evidence_lt::strong_tsa(&env, "strong-tsa", 3650, "0x5186");
    let out = archive(
        &env,
        &[
            "renew",
            "--tsa",
            &strong.url(),
            "--before",
            "36500d",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(replica_files(&env, "/evidence/"), 6);
    let v = ok(&archive(&env, &["verify", "--replica", "nas", "--json"]));
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v:#}");
    assert!(v["objects"].as_u64().unwrap() > 20, "{v:#}");
}
