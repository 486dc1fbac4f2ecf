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

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use hozon_replica::{
    DirReplica, Replica, Retention, RetentionMode, S3Config, S3Credentials, S3Replica, Sha256,
};
use rayon::prelude::*;
use rusqlite::params;
use serde::Serialize;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::audit::{fields, verify_chain};
use crate::config::{Config, LockMode, ReplicaConfig, ReplicaKind};
use crate::ingest::Progress;
use crate::record::{evidence_files, RecordMeta};
use crate::session::{months, record_dirs};
use crate::{crash, io_err, Error, Layout, Result, Session};

/// Items uploaded between two commits of the `replicated` table.
const CHUNK: usize = 256;

const TABLE: &str = "
CREATE TABLE IF NOT EXISTS replicated (
    replica      TEXT NOT NULL,
    key          TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    version      TEXT,
    retain_until TEXT NOT NULL,
    PRIMARY KEY (replica, key, sha256)
);
";

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

fn mode_of(lock: LockMode) -> RetentionMode {
    match lock {
        LockMode::Compliance => RetentionMode::Compliance,
        LockMode::Governance => RetentionMode::Governance,
    }
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

fn format_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// `t` plus `years` calendar years (29 February becomes 28 February).
fn add_years(t: OffsetDateTime, years: u32) -> OffsetDateTime {
    // Dates stop at year 9999; a hand-edited hozon.toml asking for more
    // gets the latest date there is, not an overflow.
    let year = t
        .year()
        .saturating_add(i32::try_from(years).unwrap_or(i32::MAX))
        .min(9999);
    t.replace_year(year)
        .or_else(|_| t.replace_day(28).and_then(|d| d.replace_year(year)))
        // Never shorter: the end of the calendar, if all else fails.
        .unwrap_or(time::PrimitiveDateTime::MAX.assume_utc())
}

/// The end of the retention of a record ingested at `ingested` (RFC 3339)
/// kept `years` years, RFC 3339; `None` if `ingested` does not parse.
pub fn retain_until_after(ingested: &str, years: u32) -> Option<String> {
    parse_time(ingested).map(|t| format_time(add_years(t, years)))
}

/// A record's retention end: its `retain_until`, or its ingest time plus
/// the configured years for records from before the field.
fn record_retain_until(meta: &RecordMeta, config: &Config) -> Option<OffsetDateTime> {
    match meta.retain_until.as_deref().and_then(parse_time) {
        Some(t) => Some(t),
        None => parse_time(&meta.ingested).map(|t| add_years(t, config.retention.retention_years)),
    }
}

/// One file to replicate.
#[derive(Clone, Debug)]
struct Planned {
    key: String,
    local: PathBuf,
    sha256: Sha256,
    /// The lock to ask for.
    asked: Retention,
    /// The least lock an existing copy must have to count.
    minimum: Retention,
    /// Whether the file may legitimately change (a new version is then
    /// uploaded); otherwise a local change is refused as damage.
    mutable: bool,
}

/// A file that was not replicated, and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Failure {
    /// The key (path relative to the archive).
    pub key: String,
    /// Why.
    pub reason: String,
}

/// What `archive replicate` did for one replica.
#[derive(Clone, Debug, Serialize)]
pub struct ReplicateReport {
    /// Replica name.
    pub replica: String,
    /// Where it is.
    pub description: String,
    /// Files considered.
    pub files: u64,
    /// Uploaded (new objects or versions).
    pub uploaded: u64,
    /// Already there (from the catalog's table, or found by a HEAD).
    pub skipped: u64,
    /// Not replicated.
    pub failed: Vec<Failure>,
}

fn file_sha(path: &Path) -> Result<Sha256> {
    Sha256::of_file(path).map_err(io_err(path))
}

fn relative_key(layout: &Layout, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(layout.root()).ok()?;
    let parts: Vec<&str> = rel
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<Vec<_>>>()?;
    let key = parts.join("/");
    hozon_replica::validate_key(&key).ok().map(|_| key)
}

/// Everything to replicate, and what cannot be (unreadable record.json,
/// broken audit chain).
fn plan(session: &Session, replica: &ReplicaConfig) -> Result<(Vec<Planned>, Vec<Failure>)> {
    let layout = &session.layout;
    let config = &session.config;
    let mode = mode_of(replica.lock);
    let margin = config.retention.lock_margin_years;
    let now = OffsetDateTime::now_utc();
    let mut items = Vec::new();
    let mut failures = Vec::new();
    let mut latest = add_years(now, config.retention.retention_years);
    for month in months(layout)? {
        let month_dir = layout.records().join(&month);
        for name in record_dirs(&month_dir)? {
            let dir = month_dir.join(&name);
            let key_of = |rel: &str| format!("records/{month}/{name}/{rel}");
            let meta = match RecordMeta::read(&dir) {
                Ok(m) if m.dir == format!("{month}/{name}") => m,
                Ok(m) => {
                    failures.push(Failure {
                        key: key_of("record.json"),
                        reason: format!("record.json names directory {} : not replicated", m.dir),
                    });
                    continue;
                }
                Err(e) => {
                    failures.push(Failure {
                        key: key_of("record.json"),
                        reason: format!("{e}: the record is not replicated"),
                    });
                    continue;
                }
            };
            let Some(until) = record_retain_until(&meta, config) else {
                failures.push(Failure {
                    key: key_of("record.json"),
                    reason: format!("ingest time {:?} is not RFC 3339", meta.ingested),
                });
                continue;
            };
            latest = latest.max(until);
            let lock = Retention::new(mode, add_years(until, margin));
            let mut push = |rel: &str, sha256: Sha256, mutable: bool| {
                items.push(Planned {
                    key: key_of(rel),
                    local: dir.join(rel),
                    sha256,
                    asked: lock,
                    minimum: lock,
                    mutable,
                })
            };
            for f in meta.files.iter().chain(&meta.history) {
                match Sha256::from_hex(&f.sha256) {
                    Some(sha) => push(&f.name, sha, false),
                    None => failures.push(Failure {
                        key: key_of(&f.name),
                        reason: "record.json gives no valid SHA-256 for it".into(),
                    }),
                }
            }
            for ev in evidence_files(&dir)? {
                let Some(file) = ev.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                let sha = file_sha(&ev)?;
                push(&format!("evidence/{file}"), sha, false);
            }
            // The snapshot of the record's fields its evidence covers.
            let snapshot = crate::stamped_fields::path(&dir);
            if snapshot.is_file() {
                let sha = file_sha(&snapshot)?;
                push(crate::stamped_fields::NAME, sha, false);
            }
            let sha = file_sha(&dir.join("record.json"))?;
            push("record.json", sha, true);
        }
    }
    // Archive-wide objects: the archive's maximum, rounded up to a day.
    let until = add_years(latest, margin);
    let day = until.replace_time(time::Time::MIDNIGHT) + time::Duration::days(1);
    let asked = Retention::new(mode, day);
    let minimum = Retention::new(mode, now);
    let archive_item = |path: PathBuf, mutable: bool, items: &mut Vec<Planned>| -> Result<()> {
        if let Some(key) = relative_key(layout, &path) {
            items.push(Planned {
                key,
                sha256: file_sha(&path)?,
                local: path,
                asked,
                minimum,
                mutable,
            });
        }
        Ok(())
    };
    let chain = verify_chain(&layout.audit_log())?;
    if chain.problems.is_empty() {
        archive_item(layout.audit_log(), true, &mut items)?;
    } else {
        failures.push(Failure {
            key: "audit.log".into(),
            reason: format!(
                "the audit log's chain is broken ({}): not replicated",
                chain.problems.join("; ")
            ),
        });
    }
    let audit_dir = layout.audit_dir();
    let mut audit_files = Vec::new();
    match std::fs::read_dir(&audit_dir) {
        Ok(rd) => {
            for entry in rd {
                let entry = entry.map_err(io_err(&audit_dir))?;
                let path = entry.path();
                if entry.file_type().map_err(io_err(&path))?.is_file()
                    && !hozon_io::is_temporary(&path)
                {
                    audit_files.push(path);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&audit_dir)(e)),
    }
    audit_files.sort();
    for path in audit_files {
        archive_item(path, false, &mut items)?;
    }
    archive_item(layout.config(), true, &mut items)?;
    Ok((items, failures))
}

/// One row of the `replicated` table.
#[derive(Clone, Debug)]
struct Known {
    sha256: String,
    retain_until: String,
}

fn ensure_table(session: &Session) -> Result<()> {
    session
        .catalog
        .connection()
        .execute_batch(TABLE)
        .map_err(|source| Error::Catalog {
            path: session.layout.catalog(),
            source,
        })
}

fn known(session: &Session, replica: &str) -> Result<HashMap<String, Vec<Known>>> {
    ensure_table(session)?;
    let err = |source| Error::Catalog {
        path: session.layout.catalog(),
        source,
    };
    let conn = session.catalog.connection();
    let mut stmt = conn
        .prepare("SELECT key, sha256, retain_until FROM replicated WHERE replica = ?1")
        .map_err(err)?;
    let rows = stmt
        .query_map([replica], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Known {
                    sha256: r.get(1)?,
                    retain_until: r.get(2)?,
                },
            ))
        })
        .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(err)?;
    let mut map: HashMap<String, Vec<Known>> = HashMap::new();
    for (key, k) in rows {
        map.entry(key).or_default().push(k);
    }
    Ok(map)
}

fn record_known(
    session: &Session,
    replica: &str,
    rows: &[(String, String, Option<String>, String)],
) -> Result<()> {
    let err = |source| Error::Catalog {
        path: session.layout.catalog(),
        source,
    };
    let conn = session.catalog.connection();
    conn.execute_batch("BEGIN").map_err(err)?;
    {
        let mut stmt = conn
            .prepare_cached(
                "INSERT OR REPLACE INTO replicated (replica, key, sha256, version, retain_until)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(err)?;
        for (key, sha, version, until) in rows {
            stmt.execute(params![replica, key, sha, version, until])
                .map_err(err)?;
        }
    }
    conn.execute_batch("COMMIT").map_err(err)
}

enum Done {
    Uploaded(Option<String>),
    Present(Option<String>),
}

/// `ensure` with a minimum lock that may be weaker than the one asked for
/// (archive-wide objects, see the module docs).
fn ensure_one(replica: &dyn Replica, item: &Planned) -> hozon_replica::Result<Done> {
    let size = std::fs::metadata(&item.local)
        .map_err(|e| hozon_replica::ReplicaError::Io {
            path: item.local.clone(),
            what: "cannot read the local file".into(),
            source: e,
        })?
        .len();
    if let Some(state) = replica.head(&item.key)? {
        if state.matches(&item.sha256, size, &item.minimum) {
            return Ok(Done::Present(state.version));
        }
    }
    let stored = replica.put(&item.key, &item.local, &item.sha256, &item.asked)?;
    Ok(Done::Uploaded(Some(stored.version)))
}

/// Replicates the archive to `replica` (named `config.name` in hozon.toml):
/// see the module docs. Unreachable replica or rejected credentials: an
/// error, before anything is changed. Per-file failures are in the report.
pub fn run(
    session: &mut Session,
    config: &ReplicaConfig,
    replica: &dyn Replica,
    parallel: usize,
    progress: &dyn Progress,
) -> Result<ReplicateReport> {
    let name = config.name.as_str();
    replica.check().map_err(|e| replica_err(name, e))?;
    let (items, mut failed) = plan(session, config)?;
    let known = known(session, name)?;
    let mut report = ReplicateReport {
        replica: name.to_string(),
        description: replica.describe(),
        files: items.len() as u64,
        uploaded: 0,
        skipped: 0,
        failed: Vec::new(),
    };
    let mut todo = Vec::new();
    for item in items {
        let sha = item.sha256.to_hex();
        let rows = known.get(&item.key).map(Vec::as_slice).unwrap_or(&[]);
        let enough = |k: &Known| {
            k.sha256 == sha
                && parse_time(&k.retain_until).is_some_and(|t| t >= item.minimum.retain_until)
        };
        if rows.iter().any(enough) {
            report.skipped += 1;
        } else if !item.mutable && rows.iter().any(|k| k.sha256 != sha) {
            failed.push(Failure {
                key: item.key.clone(),
                reason: format!(
                    "the local file (SHA-256 {sha}) differs from the copy already replicated ({}): a write-once file changed locally, it is not uploaded; run `hozon archive verify`",
                    rows.iter().map(|k| k.sha256.as_str()).collect::<Vec<_>>().join(", ")
                ),
            });
        } else {
            todo.push(item);
        }
    }
    progress.phase(&format!("replicating to {name}"), todo.len() as u64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(parallel.max(1))
        .build()
        .map_err(|e| Error::Config {
            path: session.layout.config(),
            reason: format!("cannot start upload threads: {e}"),
        })?;
    let mut first_fatal: Option<Error> = None;
    for chunk in todo.chunks(CHUNK) {
        let results: Vec<_> = pool.install(|| {
            chunk
                .par_iter()
                .map(|item| {
                    let r = ensure_one(replica, item);
                    progress.advance(1);
                    r
                })
                .collect()
        });
        crash::point("replicate-uploaded");
        let mut rows = Vec::new();
        for (item, result) in chunk.iter().zip(results) {
            match result {
                Ok(done) => {
                    let version = match done {
                        Done::Uploaded(v) => {
                            report.uploaded += 1;
                            v
                        }
                        Done::Present(v) => {
                            report.skipped += 1;
                            v
                        }
                    };
                    rows.push((
                        item.key.clone(),
                        item.sha256.to_hex(),
                        version,
                        item.asked.retain_until_rfc3339(),
                    ));
                }
                Err(e) => {
                    if matches!(
                        e,
                        hozon_replica::ReplicaError::Unreachable { .. }
                            | hozon_replica::ReplicaError::CredentialsRejected { .. }
                    ) && first_fatal.is_none()
                    {
                        first_fatal = Some(replica_err(name, e));
                        continue;
                    }
                    failed.push(Failure {
                        key: item.key.clone(),
                        reason: e.to_string(),
                    })
                }
            }
        }
        record_known(session, name, &rows)?;
        crash::point("replicate-recorded");
        if first_fatal.is_some() {
            break;
        }
    }
    progress.finish();
    report.failed = failed;
    session.audit.append(&[(
        "replicated",
        fields([
            ("replica", json!(name)),
            ("uploaded", json!(report.uploaded)),
            ("skipped", json!(report.skipped)),
            ("failed", json!(report.failed.len())),
            ("complete", json!(first_fatal.is_none())),
        ]),
    )])?;
    match first_fatal {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// One object found wrong on a replica.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ObjectProblem {
    /// `missing`, `altered` or `under-protected`.
    pub kind: &'static str,
    /// The key.
    pub key: String,
    /// The SHA-256 expected.
    pub sha256: String,
    /// What.
    pub detail: String,
}

/// What `archive verify --replica` found.
#[derive(Clone, Debug, Serialize)]
pub struct ReplicaVerifyReport {
    /// Replica name.
    pub replica: String,
    /// Where it is.
    pub description: String,
    /// Objects (key and SHA-256) checked.
    pub objects: u64,
    /// Present, equal and locked as required.
    pub intact: u64,
    /// Missing, altered or under-protected objects.
    pub problems: Vec<ObjectProblem>,
    /// What deserves a look but lost nothing.
    pub warnings: Vec<String>,
}

impl ReplicaVerifyReport {
    /// Whether anything is missing, altered or under-protected.
    pub fn failed(&self) -> bool {
        !self.problems.is_empty()
    }
}

struct Expect {
    sha256: Sha256,
    minimum: Retention,
}

/// Checks that every object the catalog's `replicated` table and the
/// record.json files say the replica must hold is there: the newest
/// version with the expected SHA-256, locked in the replica's mode (or
/// stronger) until at least the date required.
pub fn verify_replica(
    session: &mut Session,
    config: &ReplicaConfig,
    replica: &dyn Replica,
    parallel: usize,
    progress: &dyn Progress,
) -> Result<ReplicaVerifyReport> {
    let name = config.name.as_str();
    replica.check().map_err(|e| replica_err(name, e))?;
    let mode = mode_of(config.lock);
    let mut expected: BTreeMap<String, Vec<Expect>> = BTreeMap::new();
    let mut add = |key: String, sha256: Sha256, minimum: Retention| {
        let list = expected.entry(key).or_default();
        if !list.iter().any(|e| e.sha256 == sha256) {
            list.push(Expect { sha256, minimum });
        }
    };
    for (key, rows) in known(session, name)? {
        for k in rows {
            if let (Some(sha), Some(until)) =
                (Sha256::from_hex(&k.sha256), parse_time(&k.retain_until))
            {
                add(key.clone(), sha, Retention::new(mode, until));
            }
        }
    }
    let margin = session.config.retention.lock_margin_years;
    for month in months(&session.layout)? {
        let month_dir = session.layout.records().join(&month);
        for name in record_dirs(&month_dir)? {
            let Ok(meta) = RecordMeta::read(&month_dir.join(&name)) else {
                continue;
            };
            let Some(until) = record_retain_until(&meta, &session.config) else {
                continue;
            };
            let lock = Retention::new(mode, add_years(until, margin));
            for f in meta.files.iter().chain(&meta.history) {
                if let Some(sha) = Sha256::from_hex(&f.sha256) {
                    add(format!("records/{month}/{name}/{}", f.name), sha, lock);
                }
            }
        }
    }
    let keys: Vec<(String, Vec<Expect>)> = expected.into_iter().collect();
    let objects: u64 = keys.iter().map(|(_, v)| v.len() as u64).sum();
    progress.phase(&format!("checking {name}"), keys.len() as u64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(parallel.max(1))
        .build()
        .map_err(|e| Error::Config {
            path: session.layout.config(),
            reason: format!("cannot start threads: {e}"),
        })?;
    type Outcome = std::result::Result<(u64, Vec<ObjectProblem>, Vec<String>), Error>;
    let results: Vec<Outcome> = pool.install(|| {
        keys.par_iter()
            .map(|(key, wants)| {
                let r = check_key(replica, name, key, wants);
                progress.advance(1);
                r
            })
            .collect()
    });
    progress.finish();
    let mut report = ReplicaVerifyReport {
        replica: name.to_string(),
        description: replica.describe(),
        objects,
        intact: 0,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    for r in results {
        let (intact, problems, warnings) = r?;
        report.intact += intact;
        report.problems.extend(problems);
        report.warnings.extend(warnings);
    }
    session.audit.append(&[(
        "replica-verified",
        fields([
            ("replica", json!(name)),
            ("objects", json!(report.objects)),
            ("problems", json!(report.problems.len())),
        ]),
    )])?;
    Ok(report)
}

fn is_mutable_key(key: &str) -> bool {
    key == "audit.log" || key == "hozon.toml" || key.ends_with("/record.json")
}

fn check_key(
    replica: &dyn Replica,
    name: &str,
    key: &str,
    wants: &[Expect],
) -> std::result::Result<(u64, Vec<ObjectProblem>, Vec<String>), Error> {
    let versions = match replica.versions(key) {
        Ok(v) => v,
        Err(e @ hozon_replica::ReplicaError::Unreachable { .. })
        | Err(e @ hozon_replica::ReplicaError::CredentialsRejected { .. }) => {
            return Err(replica_err(name, e))
        }
        Err(e) => {
            let problems = wants
                .iter()
                .map(|w| ObjectProblem {
                    kind: "missing",
                    key: key.to_string(),
                    sha256: w.sha256.to_hex(),
                    detail: format!("cannot be read: {e}"),
                })
                .collect();
            return Ok((0, problems, Vec::new()));
        }
    };
    let mut intact = 0;
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for want in wants {
        let problem = |kind, detail: String| ObjectProblem {
            kind,
            key: key.to_string(),
            sha256: want.sha256.to_hex(),
            detail,
        };
        if versions.is_empty() {
            problems.push(problem("missing", "no object under this key".into()));
            continue;
        }
        let with_sha: Vec<_> = versions
            .iter()
            .filter(|v| v.sha256.as_ref() == Some(&want.sha256))
            .collect();
        let Some(first) = with_sha.first() else {
            problems.push(problem(
                "altered",
                format!(
                    "no version has the expected SHA-256 ({} version(s), newest {})",
                    versions.len(),
                    versions[0]
                        .sha256
                        .map(|s| s.to_hex())
                        .unwrap_or_else(|| "without a recorded SHA-256".into())
                ),
            ));
            continue;
        };
        let good = with_sha
            .iter()
            .find(|v| v.retention.is_some_and(|r| r.satisfies(&want.minimum)));
        let Some(good) = good else {
            problems.push(problem(
                "under-protected",
                format!(
                    "present, but locked {} where {} is required",
                    first
                        .retention
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| "not at all".into()),
                    want.minimum
                ),
            ));
            continue;
        };
        intact += 1;
        let newest = &versions[0];
        let overwritten = newest.version != good.version
            && (!is_mutable_key(key) || newest.retention.is_none() || newest.sha256.is_none());
        if overwritten && !is_mutable_key(key) {
            warnings.push(format!(
                "{key}: overwritten on the replica (newest version {} has SHA-256 {}); the locked original is intact",
                newest.version.as_deref().unwrap_or("?"),
                newest.sha256.map(|s| s.to_hex()).unwrap_or_else(|| "unknown".into())
            ));
        } else if overwritten {
            warnings.push(format!(
                "{key}: the newest version on the replica is not a locked hozon copy; the locked versions are intact"
            ));
        }
    }
    warnings.dedup();
    Ok((intact, problems, warnings))
}

/// What `archive restore` did.
#[derive(Clone, Debug, Serialize)]
pub struct RestoreReport {
    /// Where from.
    pub description: String,
    /// The new archive.
    pub dir: String,
    /// Files written.
    pub restored: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Records indexed afterwards.
    pub records: u64,
    /// Files that could not be restored.
    pub failed: Vec<Failure>,
    /// Keys on the replica that are no part of an archive (left alone).
    pub ignored: Vec<String>,
}

fn part_of_archive(key: &str) -> bool {
    key == "audit.log"
        || key == "hozon.toml"
        || key.starts_with("audit/")
        || key.starts_with("records/")
}

/// Restores the newest locked version of `key` whose content `accept`
/// approves, trying older locked versions otherwise.
fn restore_newest(
    replica: &dyn Replica,
    key: &str,
    dest: &Path,
    accept: &dyn Fn(&Path) -> bool,
) -> std::result::Result<u64, String> {
    let versions = replica.versions(key).map_err(|e| e.to_string())?;
    for v in versions
        .iter()
        .filter(|v| v.retention.is_some() && v.sha256.is_some())
    {
        let Some(id) = v.version.as_deref() else {
            continue;
        };
        match replica.get_version(key, id, dest) {
            Ok(state) => {
                if accept(dest) {
                    return Ok(state.size);
                }
                std::fs::remove_file(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Err(format!(
        "no locked version that is intact ({} version(s) on the replica)",
        versions.len()
    ))
}

fn restore_sha(
    replica: &dyn Replica,
    key: &str,
    sha: &Sha256,
    dest: &Path,
) -> std::result::Result<u64, String> {
    let found = replica
        .versions(key)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|v| v.sha256.as_ref() == Some(sha) && v.retention.is_some());
    let Some(v) = found else {
        return Err(format!("no locked version with SHA-256 {sha}"));
    };
    let id = v.version.ok_or("the replica gives no version id")?;
    replica
        .get_version(key, &id, dest)
        .map(|s| s.size)
        .map_err(|e| e.to_string())
}

/// Rebuilds a complete archive from `replica` into `dest` (which must not
/// exist or be empty), then reindexes it. Record files are restored in the
/// version whose SHA-256 their record.json gives; record.json, the audit
/// log and the rest in their newest locked version that is intact (a
/// record.json that parses as its record's, an audit log whose chain holds).
pub fn restore(
    replica: &dyn Replica,
    dest: &Path,
    parallel: usize,
    progress: &dyn Progress,
) -> Result<RestoreReport> {
    match std::fs::read_dir(dest) {
        Ok(mut rd) => {
            if rd.next().is_some() {
                return Err(Error::Config {
                    path: dest.to_path_buf(),
                    reason: "exists and is not empty: restore only into a new directory".into(),
                });
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dest).map_err(io_err(dest))?;
        }
        Err(e) => return Err(io_err(dest)(e)),
    }
    replica.check().map_err(|e| replica_err("restore", e))?;
    let listed = replica.list("").map_err(|e| replica_err("restore", e))?;
    let mut report = RestoreReport {
        description: replica.describe(),
        dir: dest.display().to_string(),
        restored: 0,
        bytes: 0,
        records: 0,
        failed: Vec::new(),
        ignored: Vec::new(),
    };
    let mut keys = Vec::new();
    for state in listed {
        if part_of_archive(&state.key) {
            keys.push(state.key);
        } else {
            report.ignored.push(state.key);
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(parallel.max(1))
        .build()
        .map_err(|e| Error::Config {
            path: dest.to_path_buf(),
            reason: format!("cannot start threads: {e}"),
        })?;
    let target = |key: &str| -> std::result::Result<PathBuf, String> {
        let path = dest.join(key);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        Ok(path)
    };
    progress.phase("restoring", keys.len() as u64);
    // 1. record.json files, the audit log, hozon.toml, audit/*, evidence
    //    and the snapshots of records' fields it covers (written once):
    //    newest intact locked version.
    let snapshot = format!("/{}", crate::stamped_fields::NAME);
    let (by_sha, newest): (Vec<&String>, Vec<&String>) = keys.iter().partition(|k| {
        k.starts_with("records/")
            && !k.ends_with("/record.json")
            && !k.ends_with(&snapshot)
            && !k.contains("/evidence/")
    });
    let results: Vec<(String, std::result::Result<u64, String>)> = pool.install(|| {
        newest
            .par_iter()
            .map(|key| {
                let r = target(key).and_then(|path| {
                    let accept = |p: &Path| -> bool {
                        if key.as_str() == "audit.log" {
                            verify_chain(p).is_ok_and(|c| c.problems.is_empty())
                        } else if key.ends_with("/record.json") {
                            // It parses as this record's, and every file it
                            // names has a locked version with its SHA-256 (a
                            // consistent-looking record.json put on top by
                            // someone with write access names other digests).
                            p.parent().is_some_and(|dir| {
                                RecordMeta::read(dir).is_ok_and(|m| {
                                    key.as_str() == format!("records/{}/record.json", m.dir)
                                        && m.files.iter().chain(&m.history).all(|f| {
                                            Sha256::from_hex(&f.sha256).is_some_and(|sha| {
                                                let file_key =
                                                    format!("records/{}/{}", m.dir, f.name);
                                                replica.versions(&file_key).is_ok_and(|vs| {
                                                    vs.iter().any(|v| {
                                                        v.sha256.as_ref() == Some(&sha)
                                                            && v.retention.is_some()
                                                    })
                                                })
                                            })
                                        })
                                })
                            })
                        } else {
                            true
                        }
                    };
                    restore_newest(replica, key, &path, &accept)
                });
                progress.advance(1);
                (key.to_string(), r)
            })
            .collect()
    });
    let tally = |report: &mut RestoreReport,
                 results: Vec<(String, std::result::Result<u64, String>)>| {
        for (key, r) in results {
            match r {
                Ok(bytes) => {
                    report.restored += 1;
                    report.bytes += bytes;
                }
                Err(reason) => report.failed.push(Failure { key, reason }),
            }
        }
    };
    tally(&mut report, results);
    // 2. Record files: the version their record.json names.
    let results: Vec<(String, std::result::Result<u64, String>)> = pool.install(|| {
        by_sha
            .par_iter()
            .map(|key| {
                let r = (|| {
                    let (dir, name) = key.rsplit_once('/').ok_or("not a record file")?;
                    let (dir, name) = match dir.strip_suffix("/history") {
                        Some(d) => (d, format!("history/{name}")),
                        None => (dir, name.to_string()),
                    };
                    let meta = RecordMeta::read(&dest.join(dir))
                        .map_err(|e| format!("its record.json could not be restored: {e}"))?;
                    let entry = meta
                        .files
                        .iter()
                        .chain(&meta.history)
                        .find(|f| f.name == name)
                        .ok_or("record.json does not list it")?;
                    let sha = Sha256::from_hex(&entry.sha256)
                        .ok_or("record.json gives no valid SHA-256")?;
                    let path = target(key)?;
                    restore_sha(replica, key, &sha, &path)
                })();
                progress.advance(1);
                (key.to_string(), r)
            })
            .collect()
    });
    tally(&mut report, results);
    progress.finish();
    // Files record.json lists that the replica has no key for at all.
    for month in months(&Layout::new(dest))? {
        let month_dir = dest.join("records").join(&month);
        for name in record_dirs(&month_dir)? {
            if let Ok(meta) = RecordMeta::read(&month_dir.join(&name)) {
                for f in meta.files.iter().chain(&meta.history) {
                    let path = month_dir.join(&name).join(&f.name);
                    if !path.exists() {
                        let key = format!("records/{month}/{name}/{}", f.name);
                        if !report.failed.iter().any(|x| x.key == key) {
                            report.failed.push(Failure {
                                key,
                                reason: "not on the replica".into(),
                            });
                        }
                    }
                }
            }
        }
    }
    let layout = Layout::new(dest);
    for d in [layout.records(), layout.staging(), layout.audit_dir()] {
        std::fs::create_dir_all(&d).map_err(io_err(&d))?;
    }
    let mut session = Session::open(
        dest,
        crate::lock::Wait::No,
        "hozon archive restore",
        &|_| {},
    )?;
    report.records = crate::reindex::run(&mut session)?;
    session.audit.append(&[(
        "restored",
        fields([
            ("from", json!(report.description)),
            ("files", json!(report.restored)),
            ("failed", json!(report.failed.len())),
        ]),
    )])?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn years_are_added_by_the_calendar_and_stop_at_year_9999() {
        use time::macros::datetime;
        let leap = datetime!(2028-02-29 12:00 UTC);
        assert_eq!(super::add_years(leap, 10), datetime!(2038-02-28 12:00 UTC));
        assert_eq!(
            super::add_years(datetime!(2026-11-27 00:00 UTC), 10),
            datetime!(2036-11-27 00:00 UTC)
        );
        assert_eq!(super::add_years(leap, u32::MAX).year(), 9999);
    }

    use super::*;

    #[test]
    fn retention_adds_calendar_years() {
        assert_eq!(
            retain_until_after("2026-11-26T12:34:56Z", 10).as_deref(),
            Some("2036-11-26T12:34:56Z")
        );
        assert_eq!(
            retain_until_after("2028-02-29T00:00:00Z", 1).as_deref(),
            Some("2029-02-28T00:00:00Z")
        );
        assert!(retain_until_after("yesterday", 10).is_none());
    }

    #[test]
    fn only_archive_paths_are_restored() {
        assert!(part_of_archive("records/2026/11/x/record.json"));
        assert!(part_of_archive("audit.log"));
        assert!(!part_of_archive("catalog.sqlite"));
        assert!(!part_of_archive("lock"));
        assert!(is_mutable_key("records/2026/11/x/record.json"));
        assert!(!is_mutable_key("records/2026/11/x/a.pdf"));
    }
}
