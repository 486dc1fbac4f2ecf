//! Write-once replicas of the archive (`archive replicate`, `archive verify
//! --replica`, `archive restore`), on top of hozon-replica's storage layer.
//!
//! # What a replica holds
//!
//! Every file an archive needs to be verified and rebuilt, under keys equal
//! to its path relative to the archive root: each record's files, history
//! and `evidence/*.ers`, its `record.json`; `audit.log`, `audit/*`; and
//! `hozon.toml`. A replica alone is therefore a complete archive: `restore`
//! copies it into a new directory and reindexes (the catalog is a cache and
//! is not replicated).
//!
//! # Write-once, and what changes
//!
//! Record files, history files and evidence records never change once
//! written; a local copy that differs from what was already replicated is
//! damage (or ransomware), so it is **refused**, never uploaded over the
//! locked original. `record.json` (renewal adds history), `audit.log` (it
//! grows) and `hozon.toml` (replicas are added) are uploaded as new
//! versions when they change, but only if they still make sense: a
//! record.json that does not parse and an audit log whose chain is broken
//! are refused too. Object Lock keeps every version.
//!
//! # Retention
//!
//! A record's objects are locked until its `retain_until` (ingest +
//! `retention_years`; computed from the configuration for records from
//! before the field) plus `lock_margin_years`. Archive-wide objects
//! (audit log, audit evidence, hozon.toml) cover every record archived so
//! far, so they are locked until the archive's maximum: the latest
//! `retain_until` of any record, or now + `retention_years` if later, plus
//! the margin, rounded up to the next whole day (a rerun the same day asks
//! for the same date, so an object uploaded just before a kill -9 is
//! recognised and not uploaded twice).
//!
//! # Resuming
//!
//! The catalog table `replicated(replica, key, sha256, version,
//! retain_until)` records what each replica is known to hold; a rerun skips
//! those without a request. What the table does not know (a run killed
//! between an upload and the table insert) is found by a HEAD of the key:
//! the same SHA-256 with a sufficient lock is not uploaded again.

mod restore;
mod retention;
mod text;
mod upload;
mod verify;

use std::path::PathBuf;

use hozon_replica::{DirReplica, Replica, S3Config, S3Credentials, S3Replica};

use crate::config::{Config, ReplicaConfig, ReplicaKind};
use crate::{Error, Result};

pub use restore::{restore, RestoreReport};
pub use retention::retain_until_after;
pub use upload::{run, Failure, ReplicateReport};
pub use verify::{verify_replica, ObjectProblem, ReplicaVerifyReport};

/// Opens the replica `config` describes. S3 credentials come from the AWS
/// environment variables or profile files only.
pub fn open_replica(config: &ReplicaConfig) -> Result<Box<dyn Replica>> {
    let bad = |reason: String| Error::Config {
        path: PathBuf::from("hozon.toml"),
        reason: format!("replica {:?}: {reason}", config.name),
    };
    match config.kind {
        ReplicaKind::Dir => {
            let path = config
                .path
                .clone()
                .ok_or_else(|| bad("kind dir needs a path".into()))?;
            Ok(Box::new(DirReplica::new(path)))
        }
        ReplicaKind::S3 => {
            let endpoint = config
                .endpoint
                .clone()
                .ok_or_else(|| bad("kind s3 needs an endpoint".into()))?;
            let bucket = config
                .bucket
                .clone()
                .ok_or_else(|| bad("kind s3 needs a bucket".into()))?;
            let credentials =
                S3Credentials::from_environment().map_err(|e| replica_err(&config.name, e))?;
            let s3 = S3Replica::new(
                S3Config {
                    endpoint,
                    region: config.region.clone().unwrap_or_else(|| "us-east-1".into()),
                    bucket,
                    prefix: config.prefix.clone(),
                    path_style: config.path_style,
                },
                credentials,
            )
            .map_err(|e| replica_err(&config.name, e))?;
            Ok(Box::new(s3))
        }
    }
}

/// `Error::Replica` for replica `name`.
pub fn replica_err(name: &str, source: hozon_replica::ReplicaError) -> Error {
    Error::Replica {
        replica: name.to_string(),
        source,
    }
}

/// The replica named `name` in `config`.
pub fn find_config<'a>(config: &'a Config, name: &str) -> Result<&'a ReplicaConfig> {
    config
        .replicas
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| Error::Config {
            path: PathBuf::from("hozon.toml"),
            reason: format!(
                "no replica named {name:?} (known: {}); add one with `hozon archive replica add`",
                config
                    .replicas
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}
