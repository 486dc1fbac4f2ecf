//! Opening an archive for a job ([`Session::open`]): configuration read,
//! writer lock held, audit log and catalog open, and whatever a killed run
//! left half-done repaired before anything new happens.
//!
//! The repair follows the order in which ingest commits a record:
//! 1. `records/.staging/*` — records being built when the run died — are
//!    removed (nothing points to them; the rerun builds them again);
//! 2. a record directory without a catalog row (killed after the
//!    directory's rename, before the row) gets its row from its
//!    `record.json`. Only months whose directory count differs from the
//!    catalog's count are listed, so a clean archive costs one `readdir`
//!    per month;
//! 3. a row whose audit line was never written gets one (`recovered`).

use std::path::Path;

use serde_json::json;

use crate::audit::fields;
use crate::lock::Wait;
use crate::record::RecordMeta;
use crate::session::{months, record_dirs};
use crate::{io_err, Result, Session};

impl Session {
    /// Opens the archive at `root` for `command` (quoted in the lock file).
    pub fn open(root: &Path, wait: Wait, command: &str, on_wait: &dyn Fn(&str)) -> Result<Session> {
        let mut session = Session::open_unrepaired(root, wait, command, on_wait)?;
        session.repair()?;
        Ok(session)
    }

    fn repair(&mut self) -> Result<()> {
        if self.recovery.audit_torn_bytes > 0 {
            self.audit.append(&[(
                "audit-log-repaired",
                fields([("torn_bytes_removed", json!(self.recovery.audit_torn_bytes))]),
            )])?;
        }
        let staging = self.layout.staging();
        if let Ok(rd) = std::fs::read_dir(&staging) {
            for entry in rd {
                let entry = entry.map_err(io_err(&staging))?;
                let p = entry.path();
                let removed = if entry.file_type().map_err(io_err(&p))?.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
                removed.map_err(io_err(&p))?;
                self.recovery.staging_removed += 1;
            }
        }
        for month in months(&self.layout)? {
            let dir = self.layout.records().join(&month);
            let names = record_dirs(&dir)?;
            if names.len() as u64 == self.catalog.count_month(&month)? {
                continue;
            }
            let known = self.catalog.ids_in_month(&month)?;
            let mut restored = Vec::new();
            for name in names {
                if known.contains(&name) {
                    continue;
                }
                restored.push(RecordMeta::read(&dir.join(&name))?);
            }
            self.restore_rows(&restored)?;
        }
        let unaudited = self.catalog.rows_where("audit_seq IS NULL", None)?;
        if !unaudited.is_empty() {
            let mut events = Vec::with_capacity(unaudited.len());
            let mut ids: Vec<&str> = Vec::with_capacity(unaudited.len());
            for row in &unaudited {
                // A row without a readable record (a row added by hand)
                // stays unaudited: `archive verify` reports it.
                let Ok(meta) = RecordMeta::read(&self.layout.records().join(&row.dir)) else {
                    continue;
                };
                let mut f = crate::checks::manifest::archived_fields(&meta);
                f.insert("recovered".into(), json!(true));
                events.push(("archived", f));
                ids.push(row.id.as_str());
            }
            if ids.is_empty() {
                return Ok(());
            }
            let first = self.audit.append(&events)?;
            self.catalog.mark_audited(&ids, first)?;
            for (i, id) in ids.iter().enumerate() {
                self.catalog
                    .flag(id, "recovered after an interrupted run", first + i as u64)?;
            }
            self.recovery.audit_lines_restored = ids.len();
        }
        Ok(())
    }

    /// Catalog rows for record directories that have none. A record whose
    /// `archived` line exists (its row was lost or deleted, not a killed
    /// ingest) gets its row pointed at that line, and the repair is logged
    /// and flagged; the others get their line from the caller.
    fn restore_rows(&mut self, restored: &[RecordMeta]) -> Result<()> {
        if restored.is_empty() {
            return Ok(());
        }
        let refs: Vec<&RecordMeta> = restored.iter().collect();
        self.catalog.insert(&refs)?;
        self.recovery.rows_restored += restored.len();
        let margin = self.config.renewal.margin_days;
        let policy = self.config.algorithms();
        for m in restored {
            let files = crate::record::evidence_files(&self.layout.records().join(&m.dir))?;
            if let Some(newest) = files.last() {
                let renew_by = crate::evidence::renew_by_of_file(newest, margin, &policy);
                self.catalog
                    .set_evidence(&m.id, files.len() as i64, renew_by.as_deref())?;
            }
        }
        let index = crate::checks::AuditIndex::read(&self.layout.audit_log())?;
        let logged: Vec<(&str, u64)> = restored
            .iter()
            .filter_map(|m| index.archived.get(&m.id).map(|l| (m.id.as_str(), l.seq)))
            .collect();
        if logged.is_empty() {
            return Ok(());
        }
        self.catalog.set_audit_seqs(&logged)?;
        let events: Vec<_> = logged
            .iter()
            .map(|(id, seq)| {
                (
                    "catalog-row-restored",
                    fields([("id", json!(id)), ("archived_seq", json!(seq))]),
                )
            })
            .collect();
        let first = self.audit.append(&events)?;
        for (i, (id, _)) in logged.iter().enumerate() {
            self.catalog.flag(
                id,
                "catalog row re-created from record.json",
                first + i as u64,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::init;
    use crate::session::tests::meta;
    use crate::{Config, Layout};

    #[test]
    fn open_repairs_what_a_killed_ingest_left() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("arc");
        init(&root, &Config::default()).unwrap();
        let layout = Layout::new(&root);
        // A record published (renamed) but never catalogued, and a
        // half-built one in staging.
        let m = meta("0123456789abcdef0123456789abcdef");
        let dir = layout.records().join(&m.dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("record.json"), m.to_bytes()).unwrap();
        std::fs::create_dir_all(layout.staging().join("deadbeef")).unwrap();
        // A torn audit line.
        let mut log = std::fs::OpenOptions::new()
            .append(true)
            .open(layout.audit_log())
            .unwrap();
        std::io::Write::write_all(&mut log, b"{\"seq\":2,").unwrap();
        drop(log);

        let s = Session::open(&root, Wait::No, "test", &|_| {}).unwrap();
        assert_eq!(s.recovery.staging_removed, 1);
        assert_eq!(s.recovery.rows_restored, 1);
        assert_eq!(s.recovery.audit_lines_restored, 1);
        assert_eq!(s.recovery.audit_torn_bytes, 9);
        assert_eq!(s.catalog.count().unwrap(), 1);
        assert!(s.catalog.contains(&m.id).unwrap());
        drop(s);
        let chain = crate::audit::verify_chain(&layout.audit_log()).unwrap();
        assert!(chain.problems.is_empty(), "{:?}", chain.problems);
        // Nothing left to repair the second time.
        let s = Session::open(&root, Wait::No, "test", &|_| {}).unwrap();
        assert!(!s.recovery.any(), "{:?}", s.recovery);
    }
}
