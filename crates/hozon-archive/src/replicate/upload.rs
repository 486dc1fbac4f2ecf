//! `archive replicate`: plan every file the archive needs, skip what the
//! `replicated` table (or a HEAD) shows the replica already holds, upload
//! the rest with its lock, and record it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hozon_replica::{Replica, Retention, Sha256};
use rayon::prelude::*;
use rusqlite::params;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use super::replica_err;
use super::retention::{add_years, mode_of, parse_time, record_retain_until};
use crate::audit::{fields, verify_chain};
use crate::config::ReplicaConfig;
use crate::progress::Progress;
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

/// One file to replicate.
#[derive(Clone, Debug)]
pub(super) struct Planned {
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

pub(super) fn file_sha(path: &Path) -> Result<Sha256> {
    Sha256::of_file(path).map_err(io_err(path))
}

pub(super) fn relative_key(layout: &Layout, path: &Path) -> Option<String> {
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
pub(super) fn plan(
    session: &Session,
    replica: &ReplicaConfig,
) -> Result<(Vec<Planned>, Vec<Failure>)> {
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
pub(super) struct Known {
    pub(super) sha256: String,
    pub(super) retain_until: String,
}

pub(super) fn ensure_table(session: &Session) -> Result<()> {
    session
        .catalog
        .connection()
        .execute_batch(TABLE)
        .map_err(|source| Error::Catalog {
            path: session.layout.catalog(),
            source,
        })
}

pub(super) fn known(session: &Session, replica: &str) -> Result<HashMap<String, Vec<Known>>> {
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
