//! Evidence is expected, not optional: a record has one evidence record
//! file per batch that stamped it (the catalog counts them, the audit log
//! names every batch), and every file it has comes from a batch the audit
//! log knows. Per batch, the number of records holding its file is
//! compared with the number its audit line says were stamped, so a
//! deletion is found even when the catalog was edited to match.

use std::collections::HashMap;
use std::path::Path;

use crate::catalog::FullRow;
use crate::record::evidence_files;

use super::audit_index::AuditIndex;
use super::{Finding, FindingKind};

/// Batch ids of the evidence files in record directory `dir`.
pub fn batches_of(dir: &Path) -> Vec<String> {
    evidence_files(dir)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect()
}

/// The suffix of a completed copy of a batch's evidence record
/// (`<batch>.vd.ers`: the same record with its newest time stamp's
/// validation data added by `archive renew`, evidence.rs). It belongs to
/// the batch it completes and never replaces it: files are only added.
const COMPLETION: &str = ".vd";

/// Compares one record's evidence files with the catalog and the log.
pub fn check(batches: &[String], row: Option<&FullRow>, index: &AuditIndex) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut known = 0i64;
    for b in batches {
        if let Some(base) = b.strip_suffix(COMPLETION) {
            if !index.knows_batch(base) {
                out.push(Finding::invalid(
                    &format!("evidence/{b}.ers"),
                    "evidence",
                    format!("evidence/{b}.ers: the audit log names no batch {base} that it could complete (an added file, or the log's lines were removed)"),
                ));
            } else if !batches.iter().any(|x| x == base) {
                out.push(Finding {
                    kind: FindingKind::Missing,
                    file: format!("evidence/{base}.ers"),
                    field: "evidence".into(),
                    detail: format!(
                        "evidence/{base}.ers was deleted (its completed copy {b}.ers remains; files are only ever added)"
                    ),
                });
            }
            continue;
        }
        if index.knows_batch(b) {
            known += 1;
        } else {
            out.push(Finding::invalid(
                &format!("evidence/{b}.ers"),
                "evidence",
                format!("evidence/{b}.ers: the audit log names no batch {b} (an added file, or the log's lines were removed)"),
            ));
        }
    }
    if let Some(row) = row {
        // A batch a killed run began (its line written, the files too,
        // perhaps the catalog) counts: its files are real evidence.
        if known < row.evidence {
            out.push(Finding {
                kind: FindingKind::Missing,
                file: "evidence".into(),
                field: "evidence".into(),
                detail: format!(
                    "the catalog counts {} evidence record(s) for this record, its evidence/ holds {known}: evidence record file(s) were deleted",
                    row.evidence
                ),
            });
        }
    }
    out
}

/// Per batch: records holding its file against the count its audit line
/// gives. `held` maps batch id → records found holding it.
pub fn check_batches(held: &HashMap<String, u64>, index: &AuditIndex) -> Vec<String> {
    let mut out = Vec::new();
    let mut ids: Vec<&String> = index.batches.keys().collect();
    ids.sort();
    for id in ids {
        let line = &index.batches[id];
        let found = held.get(id).copied().unwrap_or(0);
        if found < line.records {
            out.push(format!(
                "evidence batch {id} (audit line {}): {} record(s) were stamped, {found} hold its evidence record: evidence files were deleted",
                line.seq, line.records
            ));
        }
    }
    out
}
