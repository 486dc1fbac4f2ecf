//! `record.json`: what one record is — the source it came from, its files
//! with their SHA-256 (fixity), how it was classified, signed and checked.
//! It is the source of truth the catalog is rebuilt from.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::vocabulary::stored_vocabulary;
use crate::{io_err, sha256_hex, Error, Result};

/// The `format` value of a record.json this version writes.
pub const RECORD_FORMAT: &str = "hozon-record/1";

/// The format of a `record.json` (its `format` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecordFormat {
    /// [`RECORD_FORMAT`], the only one so far.
    #[serde(rename = "hozon-record/1")]
    V1,
}

impl RecordFormat {
    /// Every format.
    pub const ALL: [RecordFormat; 1] = [RecordFormat::V1];

    /// The name in `record.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordFormat::V1 => RECORD_FORMAT,
        }
    }
}

impl std::fmt::Display for RecordFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

stored_vocabulary!(RecordFormat, "record format");

/// How an input was classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// It came with its own signature (`X.p7s` beside `X`, or `X.p7m`).
    Signed,
    /// An unsigned clinical document, signed at ingest.
    Document,
    /// A scanned paper record, checked against the scan policy.
    Scan,
    /// A PDF carrying its own signatures (PAdES), verified and kept byte
    /// for byte, not signed again ([`crate::embedded`]).
    Pades,
    /// An XML document with its own XAdES signatures (enveloped), or a
    /// document with a detached XAdES signature `FILE.xades.xml`: verified
    /// and kept, not signed again ([`crate::embedded`]).
    Xades,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 5] = [
        Kind::Signed,
        Kind::Document,
        Kind::Scan,
        Kind::Pades,
        Kind::Xades,
    ];

    /// The name stored in the catalog.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Signed => "signed",
            Kind::Document => "document",
            Kind::Scan => "scan",
            Kind::Pades => "pades",
            Kind::Xades => "xades",
        }
    }

    /// The kind a catalog name stands for.
    pub fn parse(name: &str) -> Option<Kind> {
        name.parse().ok()
    }
}

impl std::fmt::Display for Kind {
    /// The catalog name (padded as the formatter asks).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

stored_vocabulary!(Kind, "record kind");

/// Whether a record passed its checks at ingest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Passed: signed (or its signature verified), scan checks passed.
    Archived,
    /// Kept although its signature or scan check failed (`--accept-failed`).
    AcceptedFailed,
}

impl State {
    /// Every state.
    pub const ALL: [State; 2] = [State::Archived, State::AcceptedFailed];

    /// The name stored in the catalog.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Archived => "archived",
            State::AcceptedFailed => "accepted-failed",
        }
    }

    /// The state a catalog name stands for.
    pub fn parse(name: &str) -> Option<State> {
        name.parse().ok()
    }
}

impl std::fmt::Display for State {
    /// The catalog name (padded as the formatter asks).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

stored_vocabulary!(State, "record state");

/// What a file of a record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The document, byte for byte.
    Document,
    /// Its CAdES signature.
    Signature,
    /// The scan check report.
    ScanReport,
    /// A document that carries its own signature (a signed PDF): document
    /// and signature in one file ([`crate::embedded`]).
    SignedDocument,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::Document,
        Role::Signature,
        Role::ScanReport,
        Role::SignedDocument,
    ];

    /// The name in `record.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Document => "document",
            Role::Signature => "signature",
            Role::ScanReport => "scan-report",
            Role::SignedDocument => "signed-document",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

stored_vocabulary!(Role, "file role");

/// One file of a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Name inside the record directory.
    pub name: String,
    /// What it is.
    pub role: Role,
    /// SHA-256 (hex).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// `record.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMeta {
    /// [`RECORD_FORMAT`] (a record.json of another format is refused
    /// when read, naming the file).
    pub format: RecordFormat,
    /// The record id.
    pub id: String,
    /// Canonical source path at ingest.
    pub source: String,
    /// SHA-256 of the source content (hex).
    pub sha256: String,
    /// Classification.
    pub kind: Kind,
    /// Scan policy class (scans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Signature level at ingest (`B-B`, `B-T`, `B-LT`, `B-LTA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<hozon_verify::Level>,
    /// Checks passed, or kept as failed.
    pub state: State,
    /// Why it failed (state `accepted-failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Ingest time (RFC 3339 UTC).
    pub ingested: String,
    /// End of the retention period (RFC 3339 UTC): ingest time plus the
    /// archive's `retention_years` at ingest. Records from before this
    /// field have none; theirs is computed from the configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_until: Option<String>,
    /// Directory relative to `records/` (`YYYY/MM/<id>`).
    pub dir: String,
    /// The files, with their fixity.
    pub files: Vec<FileEntry>,
    /// Earlier versions of files that renewal replaced (`history/NAME.N`),
    /// oldest first: older evidence records cover them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<FileEntry>,
    /// What the record is about (patient, document type, date, ...), from
    /// the sources of [`crate::metadata`]; covered by the audit line and
    /// the stamped fields through its SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<crate::record_metadata::Metadata>,
}

impl RecordMeta {
    /// The file with `role`, if any.
    pub fn file(&self, role: Role) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.role == role)
    }

    /// Reads `dir/record.json`.
    pub fn read(dir: &Path) -> Result<RecordMeta> {
        let path = dir.join("record.json");
        let bytes = std::fs::read(&path).map_err(io_err(&path))?;
        let meta: RecordMeta = serde_json::from_slice(&bytes).map_err(|e| Error::Record {
            path: path.clone(),
            reason: format!("not a record.json: {e}"),
        })?;
        if !is_record_id(&meta.id) || !is_record_dir(&meta.dir, &meta.id) {
            return Err(Error::Record {
                path,
                reason: format!(
                    "id {:?} / dir {:?} are not a record id and its YYYY/MM/<id> directory",
                    meta.id, meta.dir
                ),
            });
        }
        for f in &meta.history {
            let plain = f.name.strip_prefix("history/").is_some_and(is_plain_name);
            if !plain {
                return Err(Error::Record {
                    path,
                    reason: format!("history file name {:?} is not history/NAME", f.name),
                });
            }
        }
        for f in &meta.files {
            if !is_plain_name(&f.name) {
                return Err(Error::Record {
                    path,
                    reason: format!("file name {:?} is not a plain name", f.name),
                });
            }
        }
        Ok(meta)
    }

    /// The JSON bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// 32 lowercase hex digits.
pub fn is_record_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `YYYY/MM/<id>`.
pub fn is_record_dir(dir: &str, id: &str) -> bool {
    let mut parts = dir.split('/');
    let year = parts.next().unwrap_or_default();
    let month = parts.next().unwrap_or_default();
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && month.len() == 2
        && month.bytes().all(|b| b.is_ascii_digit())
        && parts.next() == Some(id)
        && parts.next().is_none()
}

/// A name that stays inside its directory.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains('\0')
        && name != "record.json"
        && name != crate::layout::STAMPED_FIELDS
        && name != "evidence"
        && name != "history"
}

/// The id of the record for `source` (canonical path) with content
/// SHA-256 `sha256`: the first 128 bits of SHA-256 over both, hex.
pub fn record_id(source: &str, sha256: &str) -> String {
    let mut input = Vec::with_capacity(source.len() + sha256.len() + 24);
    input.extend_from_slice(b"hozon-record-id/1\0");
    input.extend_from_slice(source.as_bytes());
    input.push(0);
    input.extend_from_slice(sha256.as_bytes());
    sha256_hex(&input)[..32].to_string()
}

/// Evidence record files of a record, oldest batch first (batch names sort
/// by time).
pub fn evidence_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let ev = dir.join("evidence");
    let mut out = Vec::new();
    match std::fs::read_dir(&ev) {
        Ok(rd) => {
            for entry in rd {
                let entry = entry.map_err(io_err(&ev))?;
                let p = entry.path();
                if p.extension().is_some_and(|e| e == "ers") {
                    out.push(p);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&ev)(e)),
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_round_trip_through_their_catalog_and_json_names() {
        for k in [Kind::Signed, Kind::Document, Kind::Scan, Kind::Pades] {
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{k}\""));
            assert_eq!(
                serde_json::from_str::<Kind>(&format!("\"{k}\"")).unwrap(),
                k
            );
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        for s in [State::Archived, State::AcceptedFailed] {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
            assert_eq!(
                serde_json::from_str::<State>(&format!("\"{s}\"")).unwrap(),
                s
            );
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(State::AcceptedFailed.as_str(), "accepted-failed");
        assert_eq!(Kind::parse("other"), None);
    }

    #[test]
    fn ids_depend_on_path_and_content() {
        let a = record_id("/a/x.pdf", "00");
        assert_eq!(a.len(), 32);
        assert_eq!(a, record_id("/a/x.pdf", "00"));
        assert_ne!(a, record_id("/a/x.pdf", "01"));
        assert_ne!(a, record_id("/a/y.pdf", "00"));
    }

    #[test]
    fn record_dirs_are_year_month_id() {
        let id = "0123456789abcdef0123456789abcdef";
        assert!(is_record_id(id));
        assert!(is_record_dir(&format!("2026/11/{id}"), id));
        assert!(!is_record_dir(&format!("../11/{id}"), id));
        assert!(!is_record_dir(&format!("2026/11/{id}/x"), id));
        assert!(!is_record_id("../../etc"));
    }

    #[test]
    fn names_that_leave_the_directory_are_refused() {
        for bad in ["", "..", "a/b", "record.json", "evidence"] {
            assert!(!is_plain_name(bad), "{bad}");
        }
        assert!(is_plain_name("lab-report.pdf.p7s"));
    }

    fn written(dir: &Path) -> serde_json::Value {
        let meta = crate::search::synthetic::record(8, 100);
        let rdir = dir.join(&meta.dir);
        std::fs::create_dir_all(&rdir).unwrap();
        std::fs::write(rdir.join("record.json"), meta.to_bytes()).unwrap();
        let read = RecordMeta::read(&rdir).unwrap();
        assert_eq!(read, meta);
        serde_json::from_slice(&std::fs::read(rdir.join("record.json")).unwrap()).unwrap()
    }

    #[test]
    fn record_json_keeps_todays_strings() {
        let dir = tempfile::tempdir().unwrap();
        let json = written(dir.path());
        assert_eq!(json["format"], "hozon-record/1");
        assert_eq!(json["level"], "B-LT");
        assert_eq!(json["kind"], "signed");
        assert_eq!(json["state"], "archived");
    }

    #[test]
    fn an_unknown_format_or_level_is_an_error_naming_the_file() {
        for (field, value) in [("format", "hozon-record/2"), ("level", "ES-A")] {
            let dir = tempfile::tempdir().unwrap();
            let mut json = written(dir.path());
            json[field] = value.into();
            let rdir = dir.path().join(json["dir"].as_str().unwrap());
            std::fs::write(rdir.join("record.json"), json.to_string()).unwrap();
            let e = RecordMeta::read(&rdir).unwrap_err().to_string();
            assert!(
                e.contains(&rdir.join("record.json").display().to_string()),
                "{e}"
            );
            assert!(e.contains(value), "{e}");
        }
    }
}
