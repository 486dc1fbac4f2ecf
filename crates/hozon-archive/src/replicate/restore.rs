//! `archive restore`: a complete archive rebuilt from a replica, each file
//! in the newest locked version that is intact, then reindexed.

use std::path::{Path, PathBuf};

use hozon_replica::{Replica, Sha256};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::replica_err;
use super::upload::Failure;
use crate::audit::{fields, verify_chain};
use crate::progress::Progress;
use crate::record::RecordMeta;
use crate::session::{months, record_dirs};
use crate::{io_err, Error, Layout, Result, Session};

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
    use super::*;

    #[test]
    fn only_archive_paths_are_restored() {
        assert!(part_of_archive("records/2026/11/x/record.json"));
        assert!(part_of_archive("audit.log"));
        assert!(!part_of_archive("catalog.sqlite"));
        assert!(!part_of_archive("lock"));
    }
}
