//! Shared test helpers: a loopback SeaweedFS with a locked and an unlocked
//! bucket, a raw aws-sdk-s3 client for what hozon must not do itself
//! (delete, overwrite, shorten a lock), and file makers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::types::{
    BucketVersioningStatus, ObjectLockConfiguration, ObjectLockEnabled, VersioningConfiguration,
};
use aws_sdk_s3::Client;
use hozon_replica::{Retention, RetentionMode, S3Config, S3Credentials, S3Replica, Sha256};
use hozon_testkit::{Seaweed, SEAWEED_ACCESS_KEY, SEAWEED_SECRET_KEY};
use time::OffsetDateTime;

pub const LOCKED: &str = "hozon-locked";
pub const UNLOCKED: &str = "hozon-unlocked";

/// A server with both buckets, and a raw client to it.
pub struct S3Env {
    pub server: Seaweed,
    pub raw: Client,
    pub rt: tokio::runtime::Runtime,
}

/// Starts SeaweedFS and makes the buckets; `None` (skip) without `weed`
/// unless HOZON_REQUIRE_S3 is set, where a failure panics.
pub fn s3_env() -> Option<S3Env> {
    let server = match Seaweed::start() {
        Ok(Some(server)) => server,
        Ok(None) => return None,
        Err(e) => panic!("cannot start SeaweedFS: {e}"),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let raw = raw_client(&server.endpoint(), SEAWEED_ACCESS_KEY, SEAWEED_SECRET_KEY);
    rt.block_on(async {
        // The S3 port answers a moment before the filer accepts buckets.
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
                Err(e) if tries < 100 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("create locked bucket: {:?}\n{}", e, server.log_tail()),
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
        let config = raw
            .get_object_lock_configuration()
            .bucket(LOCKED)
            .send()
            .await
            .unwrap();
        assert_eq!(
            config
                .object_lock_configuration()
                .and_then(ObjectLockConfiguration::object_lock_enabled),
            Some(&ObjectLockEnabled::Enabled)
        );
    });
    Some(S3Env { server, raw, rt })
}

pub fn raw_client(endpoint: &str, id: &str, secret: &str) -> Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(id, secret, None, None, "test"))
        .force_path_style(true)
        .build();
    Client::from_conf(config)
}

impl S3Env {
    pub fn config(&self, bucket: &str, prefix: &str) -> S3Config {
        S3Config {
            endpoint: self.server.endpoint(),
            region: "us-east-1".into(),
            bucket: bucket.into(),
            prefix: prefix.into(),
            path_style: true,
        }
    }

    pub fn replica(&self, bucket: &str, prefix: &str) -> S3Replica {
        S3Replica::new(
            self.config(bucket, prefix),
            S3Credentials::new(SEAWEED_ACCESS_KEY, SEAWEED_SECRET_KEY, None),
        )
        .unwrap()
    }

    /// Version ids of one bucket key (delete markers excluded).
    pub fn versions(&self, bucket: &str, object_key: &str) -> Vec<String> {
        self.rt.block_on(async {
            let out = self
                .raw
                .list_object_versions()
                .bucket(bucket)
                .prefix(object_key)
                .send()
                .await
                .unwrap();
            out.versions()
                .iter()
                .filter(|v| v.key() == Some(object_key))
                .filter_map(|v| v.version_id().map(str::to_string))
                .collect()
        })
    }

    /// Every (key, version count) under `prefix`.
    pub fn version_counts(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> std::collections::BTreeMap<String, usize> {
        self.rt.block_on(async {
            let mut counts = std::collections::BTreeMap::new();
            let mut key_marker: Option<String> = None;
            let mut version_marker: Option<String> = None;
            loop {
                let out = self
                    .raw
                    .list_object_versions()
                    .bucket(bucket)
                    .prefix(prefix)
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
}

/// A retention one day ahead (SeaweedFS enforces relative to its clock).
pub fn retention(mode: RetentionMode) -> Retention {
    Retention::new(mode, OffsetDateTime::now_utc() + time::Duration::days(1))
}

/// Writes `len` deterministic pseudo-random bytes (xorshift of `seed`).
pub fn make_file(path: &Path, len: usize, seed: u64) -> Sha256 {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut left = len;
    let mut buf = [0u8; 8192];
    while left > 0 {
        for chunk in buf.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        let n = left.min(buf.len());
        file.write_all(&buf[..n]).unwrap();
        left -= n;
    }
    file.flush().unwrap();
    drop(file);
    Sha256::of_file(path).unwrap()
}

/// The `replica_batch` example binary (built by `cargo test`).
pub fn batch_example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.parent().and_then(Path::parent).unwrap();
    let path = target.join("examples/replica_batch");
    assert!(
        path.is_file(),
        "{} is missing: run the tests with `cargo test -p hozon-replica` (which builds the examples)",
        path.display()
    );
    path
}

/// Runs the batch example with `args` and `envs`, kills it with SIGKILL once
/// it has reported `after` stored objects, and returns how many it reported.
pub fn run_and_kill(args: &[&str], envs: &[(&str, &str)], after: usize) -> usize {
    use std::io::BufRead;
    let mut child = std::process::Command::new(batch_example())
        .args(args)
        .envs(envs.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut seen = 0;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line.starts_with("uploaded ") {
            seen += 1;
        }
        if seen >= after {
            break;
        }
    }
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: our own child.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "the batch finished before it was killed");
    seen
}
