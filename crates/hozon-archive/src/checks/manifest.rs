//! `record.json` against the record's `archived` audit line: the fields
//! that say what the record is (id, source, SHA-256, kind, state, class,
//! level, and every file with its role, SHA-256 and size) are written into
//! that line at ingest, where the hash chain and the audit log's evidence
//! records hold them. A record.json that disagrees was edited afterwards.

use serde_json::{json, Map, Value};

use crate::record::RecordMeta;

use super::audit_index::AuditIndex;
use super::Finding;

/// The fields of `meta` that go into its `archived` audit line.
pub fn archived_fields(meta: &RecordMeta) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(meta.id));
    m.insert("source".into(), json!(meta.source));
    m.insert("sha256".into(), json!(meta.sha256));
    m.insert("kind".into(), json!(meta.kind));
    m.insert("state".into(), json!(meta.state));
    if let Some(c) = &meta.class {
        m.insert("class".into(), json!(c));
    }
    if let Some(l) = &meta.level {
        m.insert("level".into(), json!(l));
    }
    m.insert("dir".into(), json!(meta.dir));
    // The metadata by its SHA-256: the audit log holds no patient ID.
    if let Some(md) = &meta.metadata {
        m.insert("metadata_sha256".into(), json!(md.sha256()));
    }
    m.insert(
        "files".into(),
        Value::Array(
            meta.files
                .iter()
                .map(
                    |f| json!({"name": f.name, "role": f.role, "sha256": f.sha256, "size": f.size}),
                )
                .collect(),
        ),
    );
    m
}

/// Compares `meta` with its `archived` line: one finding per field that
/// differs, naming both values. Lines written before a field was logged
/// (older archives) are compared on the fields they have.
pub fn check(meta: &RecordMeta, index: &AuditIndex) -> Vec<Finding> {
    let Some(line) = index.archived.get(&meta.id) else {
        return vec![Finding::invalid(
            "record.json",
            "audit",
            format!(
                "the audit log has no `archived` line for record {}: it was never archived here, or its line was removed",
                meta.id
            ),
        )];
    };
    let versions = |f: &crate::record::FileEntry| {
        index
            .extended
            .get(&(meta.id.clone(), f.name.clone()))
            .is_some_and(|v| v.iter().any(|(s, z)| *s == f.sha256 && *z == f.size))
    };
    let source = Source {
        says: format!("its archived audit line {}", line.seq),
        files_say: "the audit log says".into(),
    };
    compare_fields(meta, &line.fields, &source, &versions)
}

/// Where the fields [`compare_fields`] compares with come from, as the
/// findings name it.
pub struct Source {
    /// "its archived audit line 5 (says ...)".
    pub says: String,
    /// "the audit log says" (of a file entry).
    pub files_say: String,
}

/// Compares `meta` with `logged` (the fields as [`archived_fields`] wrote
/// them, at ingest or when the record was first stamped): one finding per
/// field that differs, naming both values. `later_version` says whether a
/// listed file's SHA-256 and size are a later version that is accounted
/// for otherwise (a signature extended in place by `renew --mode cades`).
/// Fields `logged` lacks (older lines) are not compared.
pub fn compare_fields(
    meta: &RecordMeta,
    logged: &Map<String, Value>,
    source: &Source,
    later_version: &dyn Fn(&crate::record::FileEntry) -> bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let now = archived_fields(meta);
    for (key, logged_value) in logged {
        if matches!(
            key.as_str(),
            "files" | "seq" | "time" | "event" | "prev_sha256" | "recovered"
        ) {
            continue;
        }
        let Some(current) = now.get(key) else {
            if !logged_value.is_null() {
                out.push(differs(key, &Value::Null, logged_value, source));
            }
            continue;
        };
        if current != logged_value {
            out.push(differs(key, current, logged_value, source));
        }
    }
    // Fields that list the files are complete: one record.json has and
    // they lack was added afterwards.
    if logged.contains_key("files") {
        for (key, current) in &now {
            if !logged.contains_key(key) {
                out.push(differs(key, current, &Value::Null, source));
            }
        }
    }
    if let Some(Value::Array(files)) = logged.get("files") {
        out.extend(check_files(meta, files, source, later_version));
    }
    out
}

fn differs(key: &str, current: &Value, logged: &Value, source: &Source) -> Finding {
    Finding::invalid(
        "record.json",
        key,
        format!(
            "record.json says {key} = {current}, {} says {logged}: record.json was changed",
            source.says
        ),
    )
}

fn check_files(
    meta: &RecordMeta,
    logged: &[Value],
    source: &Source,
    later_version: &dyn Fn(&crate::record::FileEntry) -> bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let name_of = |v: &Value| v["name"].as_str().unwrap_or("").to_string();
    let logged_names: Vec<String> = logged.iter().map(name_of).collect();
    let now_names: Vec<String> = meta.files.iter().map(|f| f.name.clone()).collect();
    if logged_names != now_names {
        out.push(Finding::invalid(
            "record.json",
            "files",
            format!(
                "record.json lists files {now_names:?}, {} lists {logged_names:?}",
                source.says
            ),
        ));
        return out;
    }
    for (f, l) in meta.files.iter().zip(logged) {
        let (sha, size) = (
            l["sha256"].as_str().unwrap_or("").to_string(),
            l["size"].as_u64().unwrap_or(0),
        );
        // A signature extended in place (`renew --mode cades`) may be a
        // later version accounted for elsewhere.
        let logged_version = later_version(f);
        if json!(f.role) != l["role"] {
            out.push(Finding::invalid(
                "record.json",
                &format!("files[{}].role", f.name),
                format!(
                    "record.json says {} is a {}, {} {}",
                    f.name,
                    json!(f.role),
                    source.files_say,
                    l["role"]
                ),
            ));
        }
        if (f.sha256 != sha || f.size != size) && !logged_version {
            out.push(Finding::invalid(
                "record.json",
                &format!("files[{}].sha256", f.name),
                format!(
                    "record.json says {} has SHA-256 {} ({} bytes), {} {sha} ({size} bytes): the file and record.json were replaced",
                    f.name, f.sha256, f.size, source.files_say
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditLog, GENESIS};
    use crate::record::{FileEntry, Kind, Role, State};

    fn meta() -> RecordMeta {
        let id = "0123456789abcdef0123456789abcdef";
        RecordMeta {
            format: crate::record::RecordFormat::V1,
            id: id.into(),
            source: "/in/a.txt".into(),
            sha256: "aa".repeat(32),
            kind: Kind::Document,
            class: None,
            level: Some(hozon_verify::Level::BB),
            state: State::Archived,
            failure: None,
            ingested: "2026-11-26T00:00:00Z".into(),
            retain_until: None,
            dir: format!("2026/11/{id}"),
            files: vec![
                FileEntry {
                    name: "a.txt".into(),
                    role: Role::Document,
                    sha256: "aa".repeat(32),
                    size: 3,
                },
                FileEntry {
                    name: "a.txt.p7s".into(),
                    role: Role::Signature,
                    sha256: "bb".repeat(32),
                    size: 900,
                },
            ],
            history: Vec::new(),
            metadata: None,
        }
    }

    fn index_of(m: &RecordMeta) -> AuditIndex {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let (mut log, _) = AuditLog::open(&path).unwrap();
        log.append(&[("archived", archived_fields(m))]).unwrap();
        let index = AuditIndex::read(&path).unwrap();
        assert_ne!(index.head, GENESIS);
        index
    }

    fn fields_of(found: &[Finding]) -> Vec<&str> {
        found.iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn an_unchanged_record_agrees_with_its_line() {
        let m = meta();
        assert!(check(&m, &index_of(&m)).is_empty());
    }

    #[test]
    fn each_edited_field_is_named() {
        let m = meta();
        let index = index_of(&m);
        let mut e = m.clone();
        e.state = State::AcceptedFailed;
        assert_eq!(fields_of(&check(&e, &index)), ["state"]);
        let mut e = m.clone();
        e.files[1].sha256 = "cc".repeat(32);
        assert_eq!(fields_of(&check(&e, &index)), ["files[a.txt.p7s].sha256"]);
        let mut e = m.clone();
        e.files.pop();
        assert_eq!(fields_of(&check(&e, &index)), ["files"]);
        let mut e = m.clone();
        e.class = Some("consent-form".into());
        assert_eq!(fields_of(&check(&e, &index)), ["class"]);
        let mut e = m.clone();
        e.id = "f".repeat(32);
        assert_eq!(fields_of(&check(&e, &index)), ["audit"]);
    }
}
