//! The record's own fields under its evidence record: when a record is
//! first stamped, the fields that say what it is (as its `archived` audit
//! line holds them: id, source, SHA-256, kind, state, class, level, dir,
//! every file with role, SHA-256 and size) are written to
//! `record.fields.json` beside `record.json`, and that file is one more data object of
//! the record's data group. A record directory verified on its own (copied
//! out of the archive, `hozon verify RECORD_DIR --offline`) then finds an
//! edited `record.json`: the evidence record proves the snapshot, and
//! `record.json` is compared with it field by field.
//!
//! Records stamped before this existed have no snapshot: their evidence
//! covers their files only, and their `record.json` is covered by the
//! archive's audit log alone (reported as a warning). Before its first
//! evidence batch, a record's `record.json` is likewise covered by the
//! audit log only.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::checks::manifest::{archived_fields, compare_fields, Source};
use crate::checks::Finding;
use crate::record::{RecordMeta, Role};

/// The snapshot's name inside the record directory.
pub const NAME: &str = crate::layout::STAMPED_FIELDS;

/// `dir/record.fields.json`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(NAME)
}

/// The snapshot of `meta` as written (the bytes the evidence covers).
pub fn bytes_of(meta: &RecordMeta) -> Vec<u8> {
    let mut v =
        serde_json::to_vec_pretty(&Value::Object(archived_fields(meta))).unwrap_or_default();
    v.push(b'\n');
    v
}

/// The snapshot of the record in `dir`: `None` when it has none (stamped
/// before snapshots, or not stamped yet), else its fields or why they
/// cannot be read.
pub fn read(dir: &Path) -> Option<Result<Map<String, Value>, StampedFieldsError>> {
    let path = path(dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(source) => return Some(Err(StampedFieldsError::Io { path, source })),
    };
    Some(match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(StampedFieldsError::NotAnObject { path }),
        Err(source) => Err(StampedFieldsError::Json { path, source }),
    })
}

/// Why a record's stamped fields cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StampedFieldsError {
    /// The file exists but cannot be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// It is not JSON.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// It is JSON but not an object.
    #[error("{}: not a JSON object", path.display())]
    NotAnObject {
        /// The file.
        path: PathBuf,
    },
}

/// Compares `record.json` with the stamped snapshot: one finding per
/// field that differs. When the evidence record covers an earlier
/// signature (kept under `history/`, `covers_current` false), the current
/// signature's SHA-256 and size are a later version (`renew --mode cades`;
/// a signed PDF's later generation) and are not compared: the evidence
/// proves the earlier file, and the signature itself proves the later one.
pub fn compare(
    meta: &RecordMeta,
    stamped: &Map<String, Value>,
    covers_current: bool,
) -> Vec<Finding> {
    let source = Source {
        says: format!("its evidence record's stamped fields ({NAME})"),
        files_say: format!("the stamped fields ({NAME}) say"),
    };
    let later = |f: &crate::record::FileEntry| {
        !covers_current && matches!(f.role, Role::Signature | Role::SignedDocument)
    };
    compare_fields(meta, stamped, &source, &later)
}

/// How many hashes of the data group the evidence record `er` was first
/// made over match none of `files` (RFC 4998 §4.3: the first list of the
/// first ArchiveTimeStamp's reduced hash tree holds the member hashes of a
/// group of more than one). `None` when that cannot be told: no reduced
/// tree, or `files` is a single file (whose first list is its leaf and the
/// leaf's siblings, not a group). A record whose snapshot was removed has
/// one: its evidence covers a data object the directory no longer has.
pub fn uncovered_in_group(er: &[u8], files: &[PathBuf]) -> Option<usize> {
    if files.len() < 2 {
        return None;
    }
    let er = hozon_ers::EvidenceRecord::parse(er).ok()?;
    let chain = er.archive_time_stamp_sequence.first()?;
    let alg = hozon_ers::verify::chain_algorithm(chain).ok()?;
    let first = chain.first()?.reduced_hashtree.as_ref()?.first()?;
    let mut ours = Vec::with_capacity(files.len());
    for p in files {
        let file = std::fs::File::open(p).ok()?;
        let obj = hozon_ers::DataObject::from_reader(file, &[alg]).ok()?;
        ours.push(obj.hash(alg)?.to_vec());
    }
    Some(
        first
            .iter()
            .filter(|h| !ours.iter().any(|o| o.as_slice() == h.as_bytes()))
            .count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_without_a_snapshot_has_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).is_none());
    }

    #[test]
    fn a_snapshot_that_is_not_json_is_named_with_the_parser_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), b"{not json").unwrap();
        let e = read(dir.path()).unwrap().unwrap_err();
        assert!(matches!(e, StampedFieldsError::Json { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with(&path(dir.path()).display().to_string()),
            "{e}"
        );
    }

    #[test]
    fn a_snapshot_that_is_not_an_object_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), b"[1, 2]").unwrap();
        let e = read(dir.path()).unwrap().unwrap_err();
        assert!(matches!(e, StampedFieldsError::NotAnObject { .. }), "{e}");
        assert!(e.to_string().ends_with(": not a JSON object"), "{e}");
    }

    #[test]
    fn an_unreadable_snapshot_keeps_the_io_error() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be: reading it fails, and not
        // with NotFound.
        std::fs::create_dir(path(dir.path())).unwrap();
        let e = read(dir.path()).unwrap().unwrap_err();
        assert!(matches!(e, StampedFieldsError::Io { .. }), "{e}");
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn a_snapshot_object_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), br#"{"id": "r1"}"#).unwrap();
        let m = read(dir.path()).unwrap().unwrap();
        assert_eq!(m["id"], "r1");
    }
}
