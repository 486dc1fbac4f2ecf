//! The audit log read once, whole, for the comparisons: the chain checked
//! line by line, and what each line says indexed — every record's
//! `archived` line, every evidence batch, every repair and its
//! acknowledgement. Reading it changes nothing (a torn final line is
//! reported, not cut: cutting is a repair, done by the next writing job).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value};

use crate::Result;

/// A record's `archived` line.
#[derive(Clone, Debug)]
pub struct ArchivedLine {
    /// Its seq.
    pub seq: u64,
    /// Its fields (`id`, `source`, `sha256`, `kind`, `state`, `files`, ...).
    pub fields: Map<String, Value>,
}

/// An evidence batch named by the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchLine {
    /// Seq of the line that completed it (`evidence` or `renew`).
    pub seq: u64,
    /// Records stamped.
    pub records: u64,
}

/// A repair a job made (a recovered record, a restored catalog row, a cut
/// torn line), to be acknowledged by an administrator.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Repair {
    /// Seq of the line that logged it.
    pub seq: u64,
    /// A record id, or `audit-log`.
    pub target: String,
    /// What was repaired.
    pub what: String,
}

/// The whole log, indexed.
#[derive(Clone, Debug, Default)]
pub struct AuditIndex {
    /// Complete lines.
    pub lines: u64,
    /// SHA-256 of the last complete line.
    pub head: String,
    hashes: Vec<[u8; 32]>,
    /// The first `archived` line of each record id.
    pub archived: HashMap<String, ArchivedLine>,
    /// Signature files replaced by `renew --mode cades`: (record id, file
    /// name) → (SHA-256, size) of every version logged, oldest first.
    pub extended: HashMap<(String, String), Vec<(String, u64)>>,
    /// Completed evidence batches by id.
    pub batches: HashMap<String, BatchLine>,
    /// Batches begun (`evidence-batch` lines), completed or not.
    pub begun: HashSet<String>,
    repairs: Vec<Repair>,
    acknowledged: HashMap<String, u64>,
    /// Breaks of the chain ("line 12: ...").
    pub chain_problems: Vec<String>,
    /// Bytes after the last newline (a torn final line), if any.
    pub torn_tail: Option<u64>,
}

impl AuditIndex {
    /// Reads the log at `path`. A missing log is a chain problem.
    pub fn read(path: &Path) -> Result<AuditIndex> {
        let mut index = AuditIndex::default();
        let walk = crate::audit::walk_chain(path, |no, obj, hash| {
            if let Some(obj) = obj {
                index.note(no, obj);
            }
            index.hashes.push(hash);
        })?;
        index.lines = walk.lines;
        index.head = walk.head;
        index.chain_problems = walk.problems;
        index.torn_tail = walk.torn_tail;
        Ok(index)
    }

    fn note(&mut self, seq: u64, obj: Map<String, Value>) {
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        match obj.get("event").and_then(Value::as_str).unwrap_or("") {
            "archived" => {
                let Some(id) = text("id") else { return };
                if obj.get("recovered").and_then(Value::as_bool) == Some(true) {
                    self.repairs.push(Repair {
                        seq,
                        target: id.clone(),
                        what: "record recovered after an interrupted run (its archived line written late)".into(),
                    });
                }
                self.archived
                    .entry(id)
                    .or_insert(ArchivedLine { seq, fields: obj });
            }
            "extended" => {
                if let (Some(id), Some(file), Some(sha)) =
                    (text("id"), text("file"), text("sha256"))
                {
                    let size = obj.get("size").and_then(Value::as_u64).unwrap_or(0);
                    self.extended
                        .entry((id, file))
                        .or_default()
                        .push((sha, size));
                }
            }
            "evidence-batch" => {
                if let Some(b) = text("batch") {
                    self.begun.insert(b);
                }
            }
            "evidence" | "renew" => {
                if let Some(b) = text("batch") {
                    let records = obj.get("records").and_then(Value::as_u64).unwrap_or(0);
                    self.batches.insert(b, BatchLine { seq, records });
                }
            }
            "catalog-row-restored" => {
                if let Some(id) = text("id") {
                    self.repairs.push(Repair {
                        seq,
                        target: id,
                        what: "catalog row re-created from record.json".into(),
                    });
                }
            }
            "audit-log-repaired" => self.repairs.push(Repair {
                seq,
                target: "audit-log".into(),
                what: format!(
                    "a torn final line ({} byte(s)) was cut off",
                    obj.get("torn_bytes_removed")
                        .and_then(Value::as_u64)
                        .unwrap_or(0)
                ),
            }),
            "acknowledged" => {
                if let Some(t) = text("target") {
                    self.acknowledged.insert(t, seq);
                }
            }
            _ => {}
        }
    }

    /// SHA-256 (hex) of line `seq`, if the log has it.
    pub fn line_sha256(&self, seq: u64) -> Option<String> {
        let i = usize::try_from(seq.checked_sub(1)?).ok()?;
        self.hashes.get(i).map(hex::encode)
    }

    /// Whether batch `id` is known to the log (begun or completed).
    pub fn knows_batch(&self, id: &str) -> bool {
        self.batches.contains_key(id) || self.begun.contains(id)
    }

    /// Repairs no `acknowledged` line has covered yet.
    pub fn unacknowledged(&self) -> Vec<&Repair> {
        self.repairs
            .iter()
            .filter(|r| self.acknowledged.get(&r.target).is_none_or(|&a| a < r.seq))
            .collect()
    }

    /// Whether the chain is whole (no breaks, no torn tail).
    pub fn intact(&self) -> bool {
        self.chain_problems.is_empty() && self.torn_tail.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{fields, AuditLog};
    use serde_json::json;

    #[test]
    fn repairs_stay_flagged_until_acknowledged_and_a_torn_tail_is_only_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let (mut log, _) = AuditLog::open(&path).unwrap();
        log.append(&[
            (
                "archived",
                fields([("id", json!("a")), ("recovered", json!(true))]),
            ),
            ("catalog-row-restored", fields([("id", json!("b"))])),
        ])
        .unwrap();
        let idx = AuditIndex::read(&path).unwrap();
        assert_eq!(idx.unacknowledged().len(), 2);
        assert_eq!(idx.archived["a"].seq, 1);
        log.append(&[(
            "acknowledged",
            fields([("target", json!("a")), ("reason", json!("checked"))]),
        )])
        .unwrap();
        drop(log);
        let idx = AuditIndex::read(&path).unwrap();
        let left: Vec<&str> = idx
            .unacknowledged()
            .iter()
            .map(|r| r.target.as_str())
            .collect();
        assert_eq!(left, ["b"]);
        assert!(idx.intact());
        assert_eq!(idx.line_sha256(3).as_deref(), Some(idx.head.as_str()));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"seq\":4"))
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let idx = AuditIndex::read(&path).unwrap();
        assert_eq!(idx.torn_tail, Some(8));
        assert_eq!(idx.lines, 3);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
