//! The audit log, `ARCHIVE/audit.log`: one JSON object per line,
//! `{"seq","time","event",...,"prev_sha256"}`, where `prev_sha256` is the
//! SHA-256 of the previous line's bytes (without its newline; 64 zeros for
//! the first). Changing, removing or inserting a line breaks the chain at
//! that point; the head hash is a leaf of every renewal batch's evidence
//! record (`ARCHIVE/audit/`), so the history up to then is time-stamped.
//!
//! Lines are appended with `O_APPEND` in one `write` per group and flushed
//! (`fsync`) before the job goes on. A crash can leave only the last line
//! incomplete; [`AuditLog::open`] cuts such a torn line off (and says so)
//! before anything new is appended. Damage anywhere else is never repaired
//! silently: [`verify_chain`] reports it.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::{io_err, sha256_hex, Error, Result};

/// `prev_sha256` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How far from the end the last line is looked for on open.
const TAIL: u64 = 1 << 20;

/// An open audit log, ready to append.
pub struct AuditLog {
    file: File,
    path: PathBuf,
    next_seq: u64,
    head: String,
}

/// What [`AuditLog::open`] found and repaired.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenRepair {
    /// Bytes of an incomplete last line that were cut off.
    pub torn_bytes: u64,
}

impl AuditLog {
    /// Opens (creating) the log at `path`, cutting off a torn last line.
    pub fn open(path: &Path) -> Result<(AuditLog, OpenRepair)> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io_err(path))?;
        let len = file.metadata().map_err(io_err(path))?.len();
        let start = len.saturating_sub(TAIL);
        file.seek(SeekFrom::Start(start)).map_err(io_err(path))?;
        let mut tail = Vec::new();
        file.read_to_end(&mut tail).map_err(io_err(path))?;
        let mut repair = OpenRepair::default();
        // Everything after the last newline is a torn line: lines are
        // written whole, newline last, so a crash can only cut the end.
        let end = tail.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if start > 0 && end == 0 {
            return Err(Error::Audit {
                path: path.to_path_buf(),
                reason: "the last megabyte holds no complete line".into(),
            });
        }
        let cut = tail.len() - end;
        if cut > 0 {
            repair.torn_bytes = cut as u64;
            file.set_len(start + end as u64).map_err(io_err(path))?;
            file.sync_all().map_err(io_err(path))?;
        }
        let complete = &tail[..end];
        let (next_seq, head) = match complete.strip_suffix(b"\n") {
            None => (1, GENESIS.to_string()),
            Some(body) => {
                let line_start = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let line = &body[line_start..];
                let seq = serde_json::from_slice::<Map<String, Value>>(line)
                    .ok()
                    .and_then(|m| m.get("seq").and_then(Value::as_u64))
                    .ok_or_else(|| Error::Audit {
                        path: path.to_path_buf(),
                        reason: "the last complete line has no seq (the log is damaged: `hozon archive verify` shows where)".into(),
                    })?;
                (seq + 1, sha256_hex(line))
            }
        };
        Ok((
            AuditLog {
                file,
                path: path.to_path_buf(),
                next_seq,
                head,
            },
            repair,
        ))
    }

    /// SHA-256 of the last line (the chain's head).
    pub fn head(&self) -> &str {
        &self.head
    }

    /// The seq the next line gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Appends one line per event (`event` name and its fields) in one
    /// write, then flushes. Returns the seq of the first.
    pub fn append(&mut self, events: &[(&str, Map<String, Value>)]) -> Result<u64> {
        let first = self.next_seq;
        if events.is_empty() {
            return Ok(first);
        }
        let time = hozon_cms::UnixTime::now().rfc3339();
        let mut out = Vec::new();
        for (event, fields) in events {
            let mut line = format!(
                "{{\"seq\":{},\"time\":\"{}\",\"event\":{}",
                self.next_seq,
                time,
                Value::String((*event).to_string())
            );
            for (k, v) in fields {
                if matches!(k.as_str(), "seq" | "time" | "event" | "prev_sha256") {
                    continue;
                }
                line.push(',');
                line.push_str(&Value::String(k.clone()).to_string());
                line.push(':');
                line.push_str(&v.to_string());
            }
            line.push_str(&format!(",\"prev_sha256\":\"{}\"}}", self.head));
            self.head = sha256_hex(line.as_bytes());
            self.next_seq += 1;
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        self.file.write_all(&out).map_err(io_err(&self.path))?;
        self.file.sync_data().map_err(io_err(&self.path))?;
        Ok(first)
    }
}

/// The result of checking the whole chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainCheck {
    /// Lines read.
    pub lines: u64,
    /// SHA-256 of the last line.
    pub head: String,
    /// Every break found ("line 12: ...").
    pub problems: Vec<String>,
}

/// Reads the whole log and checks every line's `prev_sha256` and `seq`.
pub fn verify_chain(path: &Path) -> Result<ChainCheck> {
    let walk = walk_chain(path, |_, _, _| {})?;
    let mut problems = walk.problems;
    let mut lines = walk.lines;
    if walk.torn_tail.is_some() {
        lines += 1;
        problems.push(format!(
            "line {lines}: incomplete (no newline): a torn write"
        ));
    }
    Ok(ChainCheck {
        lines,
        head: walk.head,
        problems,
    })
}

/// What [`walk_chain`] found.
pub(crate) struct ChainWalk {
    /// Complete lines read.
    pub lines: u64,
    /// SHA-256 (hex) of the last complete line, [`GENESIS`] for none.
    pub head: String,
    /// Every break of the chain ("line 12: ..."), and a missing log.
    pub problems: Vec<String>,
    /// Bytes after the last newline (a torn final line), if any.
    pub torn_tail: Option<u64>,
}

/// Reads the log at `path` once, streaming: checks each complete line's
/// `prev_sha256` and `seq`, and hands it to `on_line` (its seq, the JSON
/// object when it is one, its SHA-256). A missing log is a problem; a torn
/// final line is reported in `torn_tail`, not read. The one reader of the
/// chain: `verify_chain` and the audit index both walk it here.
pub(crate) fn walk_chain(
    path: &Path,
    mut on_line: impl FnMut(u64, Option<Map<String, Value>>, [u8; 32]),
) -> Result<ChainWalk> {
    let mut walk = ChainWalk {
        lines: 0,
        head: GENESIS.into(),
        problems: Vec::new(),
        torn_tail: None,
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            walk.problems.push("the audit log is missing".into());
            return Ok(walk);
        }
        Err(e) => return Err(io_err(path)(e)),
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        let Some(body) = line.strip_suffix(b"\n") else {
            walk.torn_tail = Some(n as u64);
            break;
        };
        walk.lines += 1;
        let no = walk.lines;
        let obj = match serde_json::from_slice::<Map<String, Value>>(body) {
            Err(e) => {
                walk.problems
                    .push(format!("line {no}: not a JSON object: {e}"));
                None
            }
            Ok(obj) => {
                if obj.get("prev_sha256").and_then(Value::as_str) != Some(walk.head.as_str()) {
                    walk.problems.push(format!(
                        "line {no}: prev_sha256 does not match the previous line: a line was changed, removed or inserted"
                    ));
                }
                if obj.get("seq").and_then(Value::as_u64) != Some(no) {
                    walk.problems.push(format!("line {no}: seq is not {no}"));
                }
                Some(obj)
            }
        };
        let hash = openssl::sha::sha256(body);
        walk.head = hex::encode(hash);
        on_line(no, obj, hash);
    }
    Ok(walk)
}

/// The bytes (without newline) of line `seq` (1-based), if the log has it.
pub fn line(path: &Path, seq: u64) -> Result<Option<Vec<u8>>> {
    let file = File::open(path).map_err(io_err(path))?;
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(io_err(path))? == 0 {
            return Ok(None);
        }
        n += 1;
        if n == seq {
            return Ok(buf.strip_suffix(b"\n").map(<[u8]>::to_vec));
        }
    }
}

/// A field map from `(key, value)` pairs.
pub fn fields<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chain_holds_and_detects_an_edited_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let (mut log, _) = AuditLog::open(&path).unwrap();
        log.append(&[("a", fields([("x", json!(1))])), ("b", Map::new())])
            .unwrap();
        drop(log);
        let (mut log, repair) = AuditLog::open(&path).unwrap();
        assert_eq!(repair.torn_bytes, 0);
        assert_eq!(log.next_seq(), 3);
        log.append(&[("c", Map::new())]).unwrap();
        let check = verify_chain(&path).unwrap();
        assert_eq!(check.lines, 3);
        assert!(check.problems.is_empty(), "{:?}", check.problems);
        assert_eq!(check.head, log.head());

        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("\"x\":1", "\"x\":2")).unwrap();
        let check = verify_chain(&path).unwrap();
        assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
        assert!(
            check.problems[0].starts_with("line 2:"),
            "{:?}",
            check.problems
        );
    }

    #[test]
    fn a_torn_last_line_is_cut_on_open_and_the_chain_continues() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let (mut log, _) = AuditLog::open(&path).unwrap();
        log.append(&[("a", Map::new())]).unwrap();
        drop(log);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"seq\":2,\"ti").unwrap();
        drop(f);
        assert!(!verify_chain(&path).unwrap().problems.is_empty());
        let (mut log, repair) = AuditLog::open(&path).unwrap();
        assert_eq!(repair.torn_bytes, 12);
        log.append(&[("b", Map::new())]).unwrap();
        let check = verify_chain(&path).unwrap();
        assert!(check.problems.is_empty(), "{:?}", check.problems);
        assert_eq!(check.lines, 2);
    }
}
