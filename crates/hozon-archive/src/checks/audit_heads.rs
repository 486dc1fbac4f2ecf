//! The audit log cannot shrink unnoticed: every evidence batch commits to
//! the log's head at the time (`audit/<batch>.json` names the seq, the
//! evidence record proves the line's hash), every completed batch has the
//! log's own evidence record, and the catalog's batches are all in the log.
//! A torn final line is a crash artefact only beyond the last committed
//! head; even then it is reported (exit 3), never passed over.

use std::path::Path;

use super::audit_index::AuditIndex;

/// What the comparison found: problems (exit 1) and warnings that hold the
/// outcome at indeterminate (exit 3).
#[derive(Clone, Debug, Default)]
pub struct HeadCheck {
    /// Tampering.
    pub problems: Vec<String>,
    /// Crash artefacts and unacknowledged repairs.
    pub indeterminate: Vec<String>,
    /// Repairs of records, to be acknowledged (shown, not failing).
    pub warnings: Vec<String>,
}

/// Compares the log with the heads the evidence in `audit_dir` commits to
/// and with the catalog's `catalog_batches`.
pub fn check(index: &AuditIndex, audit_dir: &Path, catalog_batches: &[String]) -> HeadCheck {
    let mut out = HeadCheck {
        problems: index.chain_problems.clone(),
        ..HeadCheck::default()
    };
    let mut committed = 0u64;
    let mut names: Vec<String> = std::fs::read_dir(audit_dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    for name in names.iter().filter(|n| n.ends_with(".json")) {
        let path = audit_dir.join(name);
        let side: Option<serde_json::Value> = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        let (Some(seq), Some(hash)) = (
            side.as_ref().and_then(|s| s["seq"].as_u64()),
            side.as_ref()
                .and_then(|s| s["line_sha256"].as_str().map(str::to_string)),
        ) else {
            out.problems.push(format!(
                "{}: not an audit head (seq, line_sha256)",
                path.display()
            ));
            continue;
        };
        committed = committed.max(seq);
        match index.line_sha256(seq) {
            None => out.problems.push(format!(
                "evidence batch {} commits to audit line {seq}, but the log has only {} line(s): lines were removed",
                name.trim_end_matches(".json"),
                index.lines
            )),
            Some(h) if h != hash => out.problems.push(format!(
                "evidence batch {} commits to audit line {seq} with SHA-256 {hash}, the log's line {seq} has {h}: the log was rewritten",
                name.trim_end_matches(".json")
            )),
            Some(_) => {}
        }
    }
    let mut batches: Vec<(&String, u64)> = index.batches.iter().map(|(k, v)| (k, v.seq)).collect();
    batches.sort_by_key(|b| b.1);
    for (id, seq) in batches {
        if !names.iter().any(|n| n == &format!("{id}.ers")) {
            out.problems.push(format!(
                "audit/{id}.ers: the audit log's evidence record of batch {id} (audit line {seq}) is missing"
            ));
        }
    }
    for id in catalog_batches {
        if !index.batches.contains_key(id) {
            out.problems.push(format!(
                "the catalog lists evidence batch {id}, the audit log has no line completing it: its lines were removed"
            ));
        }
    }
    if let Some(bytes) = index.torn_tail {
        let seq = index.lines + 1;
        if seq <= committed {
            out.problems.push(format!(
                "audit line {seq} is cut ({bytes} byte(s), no newline) although evidence commits to it: the log was cut"
            ));
        } else {
            out.indeterminate.push(format!(
                "audit line {seq} is torn ({bytes} byte(s), no newline) after the last committed head (line {committed}): a crash artefact; the next ingest or renew cuts it and logs the repair, then `hozon archive acknowledge audit-log --reason TEXT`"
            ));
        }
    }
    for r in index.unacknowledged() {
        let text = format!(
            "{} (audit line {}): {}; not yet acknowledged (`hozon archive acknowledge {} --reason TEXT`)",
            r.target, r.seq, r.what, r.target
        );
        if r.target == "audit-log" {
            out.indeterminate.push(text);
        } else {
            out.warnings.push(text);
        }
    }
    out
}
