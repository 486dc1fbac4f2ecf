//! An archive opened for a job: configuration read, writer lock held, audit
//! log and catalog open. [`Session::open`] lives in `recovery.rs`, because
//! opening repairs whatever a killed run left half-done, and the repair reads
//! the audit index and the evidence files (modules above this one).

use std::path::Path;

use serde_json::json;

use crate::audit::{fields, AuditLog};
use crate::catalog::Catalog;
use crate::lock::{self, ArchiveLock, Wait};
use crate::{io_err, Config, Error, Layout, Result};

/// What opening repaired.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Staging directories removed.
    pub staging_removed: usize,
    /// Catalog rows restored from record directories.
    pub rows_restored: usize,
    /// Audit lines written for records that had none.
    pub audit_lines_restored: usize,
    /// Bytes of a torn last audit line cut off.
    pub audit_torn_bytes: u64,
}

impl Recovery {
    /// Whether anything was repaired.
    pub fn any(&self) -> bool {
        *self != Recovery::default()
    }
}

/// An archive open for one job.
pub struct Session {
    /// Paths.
    pub layout: Layout,
    /// `hozon.toml`.
    pub config: Config,
    /// The catalog.
    pub catalog: Catalog,
    /// The audit log.
    pub audit: AuditLog,
    /// What opening repaired.
    pub recovery: Recovery,
    _lock: ArchiveLock,
}

impl Session {
    /// The archive at `root` open for `command` (quoted in the lock file):
    /// configuration read, lock held, audit log and catalog open, nothing
    /// repaired yet. [`Session::open`] (in `recovery.rs`) repairs.
    pub(crate) fn open_unrepaired(
        root: &Path,
        wait: Wait,
        command: &str,
        on_wait: &dyn Fn(&str),
    ) -> Result<Session> {
        let layout = Layout::new(root);
        let config = Config::load(&layout.config())?;
        let lock = lock::acquire(&layout.lock(), wait, command, on_wait)?;
        let (audit, repair) = AuditLog::open(&layout.audit_log())?;
        let catalog = Catalog::open(&layout.catalog())?;
        Ok(Session {
            layout,
            config,
            catalog,
            audit,
            recovery: Recovery {
                audit_torn_bytes: repair.torn_bytes,
                ..Recovery::default()
            },
            _lock: lock,
        })
    }
}

/// `YYYY/MM` of every month directory under `records/`, sorted.
pub fn months(layout: &Layout) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let records = layout.records();
    for year in sorted_names(&records)? {
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        for month in sorted_names(&records.join(&year))? {
            if month.len() == 2 && month.bytes().all(|b| b.is_ascii_digit()) {
                out.push(format!("{year}/{month}"));
            }
        }
    }
    Ok(out)
}

/// Names of the record directories of one month directory.
pub fn record_dirs(dir: &Path) -> Result<Vec<String>> {
    Ok(sorted_names(dir)?
        .into_iter()
        .filter(|n| !n.starts_with('.'))
        .collect())
}

fn sorted_names(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err(dir)(e)),
    };
    for entry in rd {
        let entry = entry.map_err(io_err(dir))?;
        if !entry.file_type().map_err(io_err(dir))?.is_dir() {
            continue;
        }
        match entry.file_name().into_string() {
            Ok(n) => out.push(n),
            Err(n) => {
                return Err(Error::Record {
                    path: dir.join(n),
                    reason: "a directory name that is not UTF-8 does not belong in records/".into(),
                });
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Creates the layout of a new archive at `root` with `config`; refuses a
/// directory that already holds an archive.
pub fn init(root: &Path, config: &Config) -> Result<()> {
    let layout = Layout::new(root);
    std::fs::create_dir_all(root).map_err(io_err(root))?;
    if layout.config().exists() {
        return Err(Error::Config {
            path: layout.config(),
            reason: "an archive already exists here".into(),
        });
    }
    for d in [layout.records(), layout.staging(), layout.audit_dir()] {
        std::fs::create_dir_all(&d).map_err(io_err(&d))?;
    }
    let lock = lock::acquire(&layout.lock(), Wait::No, "hozon archive init", &|_| {})?;
    Catalog::open(&layout.catalog())?;
    let (mut audit, _) = AuditLog::open(&layout.audit_log())?;
    let text = config.to_toml()?;
    hozon_io::write_atomic(
        &layout.config(),
        text.as_bytes(),
        hozon_io::Overwrite::Never,
    )
    .map_err(io_err(layout.config()))?;
    audit.append(&[(
        "init",
        fields([("config_sha256", json!(crate::sha256_hex(text.as_bytes())))]),
    )])?;
    crate::durable::sync_dir(root)?;
    drop(lock);
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::record::{FileEntry, Kind, RecordMeta, Role, State};

    /// A record of one document, for the tests of opening and status.
    pub(crate) fn meta(id: &str) -> RecordMeta {
        RecordMeta {
            format: crate::record::RecordFormat::V1,
            id: id.into(),
            source: format!("/in/{id}.txt"),
            sha256: "00".repeat(32),
            kind: Kind::Document,
            class: None,
            level: Some(hozon_verify::Level::BB),
            state: State::Archived,
            failure: None,
            ingested: "2026-11-26T00:00:00Z".into(),
            retain_until: None,
            dir: format!("2026/11/{id}"),
            files: vec![FileEntry {
                name: "a.txt".into(),
                role: Role::Document,
                sha256: "00".repeat(32),
                size: 0,
            }],
            history: Vec::new(),
            metadata: None,
        }
    }

    #[test]
    fn status_counts_from_the_catalog() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("arc");
        init(&root, &Config::default()).unwrap();
        let mut s = Session::open(&root, Wait::No, "test", &|_| {}).unwrap();
        let a = meta("a0000000000000000000000000000000");
        let mut b = meta("b0000000000000000000000000000000");
        b.kind = Kind::Scan;
        b.state = State::AcceptedFailed;
        let c = meta("c0000000000000000000000000000000");
        s.catalog.insert(&[&a, &b, &c]).unwrap();
        let batch = crate::catalog::Batch {
            id: "x".into(),
            kind: crate::evidence::BatchKind::Initial,
            time: "2026-11-26T00:00:00Z".into(),
            digest: "sha256".into(),
            root: "00".into(),
            renew_by: Some("2030-10-03T00:00:00Z".into()),
        };
        s.catalog
            .add_evidence(&batch, &[a.id.clone(), b.id.clone()])
            .unwrap();
        s.catalog
            .set_verified(&[(a.id.clone(), "failed")], "2026-11-26T00:00:00Z")
            .unwrap();
        let st = crate::status::query(s.catalog.connection(), "2031-01-01T00:00:00Z").unwrap();
        assert_eq!(st.total, 3);
        assert_eq!(st.accepted_failed, 1);
        assert_eq!(st.without_evidence, 1);
        assert_eq!(st.verification.failed, 1);
        assert_eq!(st.verification.never, 2);
        assert_eq!(st.renewal.overdue, 2);
        assert_eq!(st.renewal.earliest.as_deref(), Some("2030-10-03T00:00:00Z"));
        assert_eq!(st.renewal.by_month.len(), 1);
        assert_eq!(st.renewal.by_month[0].month, "2030-10");
        assert_eq!(st.renewal.by_month[0].count, 2);
    }
}
