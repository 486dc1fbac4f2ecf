//! Record metadata (issue 21, item 2): `patient_id`, `document_type`,
//! `department`, `author`, `document_date` and free `tags`, gathered at
//! ingest from, in order of precedence (the first source that gives a
//! field wins):
//!
//! 1. a sidecar next to the input, `X.meta.json` or `X.meta.toml`
//!    ([`sidecar`]);
//! 2. the per-folder CSV manifest `hozon-metadata.csv` ([`manifest`]);
//! 3. the file name, by the pattern `[metadata] pattern` of `hozon.toml`
//!    ([`pattern`]);
//! 4. the CDA header of an HL7 CDA R2 XML document ([`cda`]);
//! 5. a PDF's document information dictionary ([`pdf`]).
//!
//! The signer's subject is taken from the record's own signature
//! ([`signer`]) so that records can be searched by who signed them.
//!
//! The result is stored in `record.json` (`metadata`) and, through a
//! SHA-256 of it, in the record's `archived` audit line and its stamped
//! fields (`record.fields.json`), so an edit is found by `archive verify`
//! and by `hozon verify RECORD_DIR`; the catalog indexes it for search.
//! Patient IDs are personal data: no error message here quotes one.

pub mod cda;
pub mod manifest;
pub mod pattern;
pub mod pdf;
pub mod sidecar;
pub mod signer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

pub use crate::record_metadata::{Fields, Metadata};

/// Longest value of a field (characters).
pub const MAX_VALUE_CHARS: usize = 256;

/// Most tags a record can carry.
pub const MAX_TAGS: usize = 64;

/// The `[metadata]` table of `hozon.toml`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MetadataConfig {
    /// File name pattern (`{patient_id}_{document_type}_{document_date}.pdf`);
    /// see [`pattern`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

impl MetadataConfig {
    /// Whether nothing is configured (the table is then not written).
    pub fn is_default(&self) -> bool {
        *self == MetadataConfig::default()
    }
}

/// Why an input's metadata could not be read. No variant quotes a
/// patient ID.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// A metadata file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A metadata source is malformed or holds an invalid value.
    #[error("{}: {reason}", path.display())]
    Invalid {
        /// The file (sidecar, manifest, the document itself).
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The folder's manifest is unreadable or malformed (the message names
    /// it and the line).
    #[error("{0}")]
    Manifest(String),
    /// `[metadata]` in `hozon.toml` is wrong.
    #[error("hozon.toml [metadata]: {0}")]
    Config(String),
}

impl MetadataError {
    fn invalid(path: &Path, reason: impl Into<String>) -> MetadataError {
        MetadataError::Invalid {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// Checks and normalises every value of `fields` (from `path`): text
/// trimmed, non-empty, without control characters, at most
/// [`MAX_VALUE_CHARS`]; `document_date` a calendar date as `YYYY-MM-DD`
/// (given as `YYYY-MM-DD`, `YYYYMMDD`, or either followed by a time).
pub fn normalise(fields: Fields, path: &Path) -> Result<Fields, MetadataError> {
    let text = |v: Option<String>, name: &str| -> Result<Option<String>, MetadataError> {
        let Some(v) = v else { return Ok(None) };
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if t.chars().any(char::is_control) {
            return Err(MetadataError::invalid(
                path,
                format!("{name} holds a control character"),
            ));
        }
        if t.chars().count() > MAX_VALUE_CHARS {
            return Err(MetadataError::invalid(
                path,
                format!("{name} is longer than {MAX_VALUE_CHARS} characters"),
            ));
        }
        Ok(Some(t.to_string()))
    };
    let document_date = match text(fields.document_date, "document_date")? {
        None => None,
        Some(d) => Some(normalise_date(&d).ok_or_else(|| {
            MetadataError::invalid(
                path,
                format!("document_date {d:?} is not a date (YYYY-MM-DD or YYYYMMDD)"),
            )
        })?),
    };
    let tags = match fields.tags {
        None => None,
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for t in list {
                if let Some(t) = text(Some(t), "a tag")? {
                    if !out.contains(&t) {
                        out.push(t);
                    }
                }
            }
            if out.len() > MAX_TAGS {
                return Err(MetadataError::invalid(
                    path,
                    format!("more than {MAX_TAGS} tags"),
                ));
            }
            Some(out).filter(|o| !o.is_empty())
        }
    };
    Ok(Fields {
        patient_id: text(fields.patient_id, "patient_id")?,
        document_type: text(fields.document_type, "document_type")?,
        department: text(fields.department, "department")?,
        author: text(fields.author, "author")?,
        document_date,
        tags,
    })
}

/// `YYYY-MM-DD` for a date given as `YYYY-MM-DD` or `YYYYMMDD`, alone or
/// followed by a time (`T…`, or the digits of an HL7/PDF date-time), if it
/// is a real calendar date.
pub fn normalise_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let (y, m, d) = if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        if b.len() > 10 && !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        (&s[0..4], &s[5..7], &s[8..10])
    } else if b.len() >= 8 && b[..8].iter().all(u8::is_ascii_digit) {
        if b.len() > 8 && !b[8].is_ascii_digit() && !matches!(b[8], b'+' | b'-' | b'Z' | b'T') {
            return None;
        }
        (&s[0..4], &s[4..6], &s[6..8])
    } else {
        return None;
    };
    if ![y, m, d]
        .iter()
        .all(|p| p.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let month: u8 = m.parse().ok()?;
    let day: u8 = d.parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    time::Date::from_calendar_date(year, month, day).ok()?;
    Some(format!("{y}-{m}-{d}"))
}

/// What ingest does with a file found among its inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputRole {
    /// An input like any other.
    Input,
    /// A sidecar next to its document, or a folder's manifest: metadata,
    /// never a record of its own.
    Metadata,
    /// A sidecar whose document is not beside it: refused with the reason.
    Orphan(String),
}

/// Whether `path` is a sidecar (`X.meta.json`, `X.meta.toml`) or a
/// manifest (`hozon-metadata.csv`) rather than an input.
pub fn input_role(path: &Path) -> InputRole {
    if path.file_name().and_then(|n| n.to_str()) == Some(manifest::NAME) {
        return InputRole::Metadata;
    }
    match sidecar::document_of(path) {
        None => InputRole::Input,
        Some(doc) if doc.is_file() => InputRole::Metadata,
        Some(_) => InputRole::Orphan("a metadata sidecar without its document beside it".into()),
    }
}

/// A folder's manifest as first read (none, or why it cannot be used).
type ReadManifest = Arc<Result<Option<manifest::Manifest>, String>>;

/// Gathers the metadata of inputs during one ingest run (a manifest is
/// read once per folder).
pub struct Gatherer {
    pattern: Option<pattern::Pattern>,
    manifests: Mutex<HashMap<PathBuf, ReadManifest>>,
}

impl Gatherer {
    /// A gatherer for the archive's `[metadata]` configuration.
    pub fn new(config: &MetadataConfig) -> Result<Gatherer, MetadataError> {
        let pattern = match &config.pattern {
            Some(p) => {
                Some(pattern::Pattern::parse(p).map_err(|e| MetadataError::Config(e.to_string()))?)
            }
            None => None,
        };
        Ok(Gatherer {
            pattern,
            manifests: Mutex::new(HashMap::new()),
        })
    }

    /// The metadata of the input `input` (as given), whose copy in the
    /// record directory is `stored` and whose signature there (if any) is
    /// `signature`. `None` when nothing is known.
    pub fn gather(
        &self,
        input: &Path,
        stored: &Path,
        signature: Option<&Path>,
    ) -> Result<Option<Metadata>, MetadataError> {
        let mut meta = Metadata::default();
        if let Some(fields) = sidecar::read(input)? {
            meta.fill(fields, "sidecar");
        }
        if let Some(fields) = self.manifest_row(input)? {
            meta.fill(fields, "manifest");
        }
        if let Some(p) = &self.pattern {
            if let Some(name) = input.file_name().and_then(|n| n.to_str()) {
                if let Some(fields) = p.extract(name) {
                    meta.fill(normalise(fields, input)?, "pattern");
                }
            }
        }
        if let Some(fields) = cda::read(stored, input)? {
            meta.fill(fields, "cda");
        }
        if let Some(fields) = pdf::read(stored, input)? {
            meta.fill(fields, "pdf");
        }
        if let Some(sig) = signature {
            if let Some(subject) = signer::subject(sig) {
                meta.signer = Some(subject);
                meta.sources.insert("signer".into(), "signature".into());
            }
        }
        Ok(Some(meta).filter(|m| !m.is_empty()))
    }

    /// The metadata of the record being built in `dir` (its `record.json`
    /// fields `meta`) from the input `input`.
    pub fn for_record(
        &self,
        input: &Path,
        dir: &Path,
        meta: &crate::record::RecordMeta,
    ) -> Result<Option<Metadata>, MetadataError> {
        use crate::record::Role;
        let stored = meta
            .file(Role::Document)
            .or_else(|| meta.file(Role::Signature))
            .or_else(|| meta.file(Role::SignedDocument))
            .map(|f| dir.join(&f.name));
        let signature = meta.file(Role::Signature).map(|f| dir.join(&f.name));
        match stored {
            Some(stored) => self.gather(input, &stored, signature.as_deref()),
            None => Ok(None),
        }
    }

    fn manifest_row(&self, input: &Path) -> Result<Option<Fields>, MetadataError> {
        let folder = input.parent().unwrap_or(Path::new(".")).to_path_buf();
        let manifest = {
            let mut cache = self
                .manifests
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            cache
                .entry(folder.clone())
                .or_insert_with(|| {
                    Arc::new(manifest::Manifest::read_in(&folder).map_err(|e| e.to_string()))
                })
                .clone()
        };
        match manifest.as_ref() {
            Err(message) => Err(MetadataError::Manifest(message.clone())),
            Ok(None) => Ok(None),
            Ok(Some(m)) => Ok(input
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| m.row(n))
                .cloned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_normalised_and_checked() {
        assert_eq!(normalise_date("2026-04-01").as_deref(), Some("2026-04-01"));
        assert_eq!(normalise_date("20260401").as_deref(), Some("2026-04-01"));
        assert_eq!(
            normalise_date("20260401093000+0900").as_deref(),
            Some("2026-04-01")
        );
        assert_eq!(
            normalise_date("2026-04-01T09:30:00Z").as_deref(),
            Some("2026-04-01")
        );
        for bad in [
            "2026-02-30",
            "20261301",
            "2026-4-1",
            "April",
            "2026-04-01x",
            "",
        ] {
            assert_eq!(normalise_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_first_source_of_a_field_wins() {
        let mut m = Metadata::default();
        m.fill(
            Fields {
                patient_id: Some("P1".into()),
                ..Fields::default()
            },
            "sidecar",
        );
        m.fill(
            Fields {
                patient_id: Some("P2".into()),
                document_type: Some("discharge".into()),
                ..Fields::default()
            },
            "pattern",
        );
        assert_eq!(m.patient_id.as_deref(), Some("P1"));
        assert_eq!(m.document_type.as_deref(), Some("discharge"));
        assert_eq!(m.sources["patient_id"], "sidecar");
        assert_eq!(m.sources["document_type"], "pattern");
    }

    #[test]
    fn sources_are_taken_in_order_sidecar_manifest_pattern_cda() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let doc = d.join("P-9_referral_20260101.xml");
        std::fs::write(&doc, cda::tests::CDA).unwrap();
        let mut sidecar = doc.as_os_str().to_owned();
        sidecar.push(".meta.toml");
        std::fs::write(&sidecar, "department = \"外科\"\n").unwrap();
        std::fs::write(
            d.join(manifest::NAME),
            "file,author,document_date\nP-9_referral_20260101.xml,Dr. Manifest,\n",
        )
        .unwrap();
        let g = Gatherer::new(&MetadataConfig {
            pattern: Some("{patient_id}_{document_type}_{document_date}.xml".into()),
        })
        .unwrap();
        let m = g.gather(&doc, &doc, None).unwrap().unwrap();
        assert_eq!(m.department.as_deref(), Some("外科"));
        assert_eq!(m.author.as_deref(), Some("Dr. Manifest"));
        assert_eq!(m.patient_id.as_deref(), Some("P-9"));
        assert_eq!(m.document_type.as_deref(), Some("referral"));
        assert_eq!(m.document_date.as_deref(), Some("2026-01-01"));
        assert_eq!(m.sources["department"], "sidecar");
        assert_eq!(m.sources["author"], "manifest");
        assert_eq!(m.sources["patient_id"], "pattern");
        // Without the pattern, the CDA header gives what the others do not.
        let g = Gatherer::new(&MetadataConfig::default()).unwrap();
        let m = g.gather(&doc, &doc, None).unwrap().unwrap();
        assert_eq!(m.patient_id.as_deref(), Some("P-00123"));
        assert_eq!(m.sources["patient_id"], "cda");
        assert_eq!(m.author.as_deref(), Some("Dr. Manifest"));
    }

    #[test]
    fn a_malformed_manifest_refuses_every_file_of_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("a.pdf");
        std::fs::write(&doc, b"x").unwrap();
        std::fs::write(dir.path().join(manifest::NAME), "file,nope\na.pdf,1\n").unwrap();
        let g = Gatherer::new(&MetadataConfig::default()).unwrap();
        let e = g.gather(&doc, &doc, None).unwrap_err().to_string();
        assert!(
            e.contains("hozon-metadata.csv") && e.contains("unknown column"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_pattern_is_a_configuration_error() {
        let e = Gatherer::new(&MetadataConfig {
            pattern: Some("{nope}.pdf".into()),
        })
        .err()
        .unwrap()
        .to_string();
        assert!(e.starts_with("hozon.toml [metadata]:"), "{e}");
    }

    #[test]
    fn sidecars_and_manifests_are_not_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("a.pdf");
        std::fs::write(&doc, b"x").unwrap();
        assert_eq!(input_role(&doc), InputRole::Input);
        assert_eq!(
            input_role(&dir.path().join("a.pdf.meta.json")),
            InputRole::Metadata
        );
        assert_eq!(
            input_role(&dir.path().join(manifest::NAME)),
            InputRole::Metadata
        );
        assert!(matches!(
            input_role(&dir.path().join("b.pdf.meta.toml")),
            InputRole::Orphan(_)
        ));
    }

    #[test]
    fn control_characters_and_long_values_are_refused_without_quoting_them() {
        let p = Path::new("x.meta.json");
        let e = normalise(
            Fields {
                patient_id: Some("12\n34".into()),
                ..Fields::default()
            },
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("patient_id holds a control character"), "{e}");
        assert!(!e.contains("12"), "{e}");
        let e = normalise(
            Fields {
                author: Some("a".repeat(MAX_VALUE_CHARS + 1)),
                ..Fields::default()
            },
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("longer than"), "{e}");
    }
}
