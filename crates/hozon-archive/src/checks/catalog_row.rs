//! The catalog row against `record.json` and the audit log: the same
//! source, content, kind, level, state and directory, and an `audit_seq`
//! that points at this record's `archived` line.

use crate::catalog::FullRow;
use crate::record::RecordMeta;
use crate::vocabulary::Stored;

use super::audit_index::AuditIndex;
use super::Finding;

/// Compares `row` (if the record has one) with `meta` and the log.
pub fn check(meta: &RecordMeta, row: Option<&FullRow>, index: &AuditIndex) -> Vec<Finding> {
    let Some(row) = row else {
        return vec![Finding::invalid(
            "catalog",
            "catalog",
            format!(
                "record {} has no catalog row (a row was deleted; `hozon archive ingest` or `reindex` re-creates it and logs the repair)",
                meta.id
            ),
        )];
    };
    let mut out = Vec::new();
    let pairs: [(&str, Option<&str>, Option<&str>); 6] = [
        (
            "source",
            Some(row.source.as_str()),
            Some(meta.source.as_str()),
        ),
        (
            "sha256",
            Some(row.sha256.as_str()),
            Some(meta.sha256.as_str()),
        ),
        ("kind", Some(row.kind.as_str()), Some(meta.kind.as_str())),
        (
            "level",
            row.level.as_ref().map(Stored::as_str),
            meta.level.map(|l| l.as_str()),
        ),
        ("state", Some(row.state.as_str()), Some(meta.state.as_str())),
        ("dir", Some(row.dir.as_str()), Some(meta.dir.as_str())),
    ];
    for (field, catalog, record) in pairs {
        if catalog != record {
            out.push(Finding::invalid(
                "catalog",
                field,
                format!(
                    "the catalog says {field} = {}, record.json says {}",
                    catalog.unwrap_or("(none)"),
                    record.unwrap_or("(none)")
                ),
            ));
        }
    }
    let logged = index.archived.get(&meta.id).map(|l| l.seq);
    // 0: unknown (a reindex of an archive older than this check).
    let seq = row
        .audit_seq
        .and_then(|s| u64::try_from(s).ok())
        .filter(|&s| s > 0);
    if let Some(seq) = seq {
        if seq > index.lines {
            out.push(Finding::invalid(
                "catalog",
                "audit_seq",
                format!(
                    "the catalog points to audit line {seq}, but the audit log has only {} line(s): lines were removed",
                    index.lines
                ),
            ));
        } else if let Some(l) = logged.filter(|&l| l != seq) {
            out.push(Finding::invalid(
                "catalog",
                "audit_seq",
                format!(
                    "the catalog points to audit line {seq}, but the record's archived line is {l}"
                ),
            ));
        }
    }
    out
}
