//! `archive reindex`: the catalog rebuilt from `records/` (the record.json
//! files and the evidence records beside them) and the audit log (each
//! row's `archived` line).

use serde_json::json;

use crate::audit::fields;
use crate::record::{evidence_files, RecordMeta};
use crate::session::{months, record_dirs};
use crate::{evidence, Result, Session};

/// Rebuilds the catalog; returns the number of records indexed.
pub fn run(session: &mut Session) -> Result<u64> {
    let index = crate::checks::AuditIndex::read(&session.layout.audit_log())?;
    session.catalog.clear()?;
    let mut n = 0u64;
    let margin = session.config.renewal.margin_days;
    let policy = session.config.algorithms();
    for month in months(&session.layout)? {
        let dir = session.layout.records().join(&month);
        let mut metas = Vec::new();
        for name in record_dirs(&dir)? {
            metas.push(RecordMeta::read(&dir.join(name))?);
        }
        let refs: Vec<&RecordMeta> = metas.iter().collect();
        session.catalog.insert(&refs)?;
        // Each row points at its record's `archived` line; a record the
        // log does not name keeps none, and the next job logs it as
        // recovered (flagged until acknowledged).
        let seqs: Vec<(&str, u64)> = metas
            .iter()
            .filter_map(|m| index.archived.get(&m.id).map(|l| (m.id.as_str(), l.seq)))
            .collect();
        session.catalog.set_audit_seqs(&seqs)?;
        for m in &metas {
            let files = evidence_files(&session.layout.records().join(&m.dir))?;
            let renew_by = match files.last() {
                Some(newest) => evidence::renew_by_of_file(newest, margin, &policy),
                None => None,
            };
            session
                .catalog
                .set_evidence(&m.id, files.len() as i64, renew_by.as_deref())?;
        }
        n += metas.len() as u64;
    }
    session
        .audit
        .append(&[("reindex", fields([("records", json!(n))]))])?;
    Ok(n)
}
