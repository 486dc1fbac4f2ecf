//! `archive verify --replica`: every object the archive says the replica
//! holds is there, in the newest version with the expected SHA-256, locked
//! long enough in the replica's mode.

use std::collections::BTreeMap;

use hozon_replica::{Replica, Retention, Sha256};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::replica_err;
use super::retention::{add_years, mode_of, parse_time, record_retain_until};
use super::upload::known;
use crate::audit::fields;
use crate::config::ReplicaConfig;
use crate::progress::Progress;
use crate::record::RecordMeta;
use crate::session::{months, record_dirs};
use crate::{Error, Result, Session};

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

pub(super) fn is_mutable_key(key: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mutable_keys_are_versioned() {
        assert!(is_mutable_key("records/2026/11/x/record.json"));
        assert!(!is_mutable_key("records/2026/11/x/a.pdf"));
    }
}
