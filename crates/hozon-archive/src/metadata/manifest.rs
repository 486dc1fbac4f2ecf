//! The per-folder CSV manifest `hozon-metadata.csv`: one row per file of
//! its folder (RFC 4180 CSV, UTF-8, a byte-order mark allowed), the first
//! row the header. Column `file` names the file (a plain name in that
//! folder); the others are among `patient_id`, `document_type`,
//! `department`, `author`, `document_date` and `tags` (separated by `;`).
//! An unknown column, a file named twice or a malformed value is refused
//! for every file of the folder, naming the manifest and the line.

use std::collections::HashMap;
use std::path::Path;

use super::{normalise, Fields, MetadataError};

/// The manifest's file name.
pub const NAME: &str = "hozon-metadata.csv";

/// Largest manifest read.
const MAX_MANIFEST: u64 = 64 << 20;

/// The columns a manifest can have besides `file`.
const COLUMNS: [&str; 6] = [
    "patient_id",
    "document_type",
    "department",
    "author",
    "document_date",
    "tags",
];

/// A folder's manifest: fields by file name.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    rows: HashMap<String, Fields>,
}

impl Manifest {
    /// Reads `folder/hozon-metadata.csv`; `None` when there is none.
    pub fn read_in(folder: &Path) -> Result<Option<Manifest>, MetadataError> {
        let path = folder.join(NAME);
        let io = |source| MetadataError::Io {
            path: path.clone(),
            source,
        };
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        if meta.len() > MAX_MANIFEST {
            return Err(MetadataError::invalid(
                &path,
                format!("larger than {MAX_MANIFEST} bytes"),
            ));
        }
        let bytes = std::fs::read(&path).map_err(io)?;
        Manifest::parse(&bytes, &path).map(Some)
    }

    /// Parses manifest bytes (`path` names it in errors).
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Manifest, MetadataError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let csv_err = |e: csv::Error| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            let what = match e.kind() {
                csv::ErrorKind::Utf8 { .. } => {
                    "not UTF-8 (save the manifest as UTF-8 CSV)".to_string()
                }
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!("{len} column(s) where the header has {expected_len}"),
                _ => "malformed CSV".to_string(),
            };
            MetadataError::invalid(path, format!("line {line}: {what}"))
        };
        let header: Vec<String> = reader
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if header.first().map(String::as_str) != Some("file") {
            return Err(MetadataError::invalid(
                path,
                "line 1: the first column must be `file`",
            ));
        }
        for (i, h) in header.iter().enumerate().skip(1) {
            if !COLUMNS.contains(&h.as_str()) {
                return Err(MetadataError::invalid(
                    path,
                    format!(
                        "line 1: unknown column {h:?} (known: file, {})",
                        COLUMNS.join(", ")
                    ),
                ));
            }
            if header[..i].contains(h) {
                return Err(MetadataError::invalid(
                    path,
                    format!("line 1: column {h:?} appears twice"),
                ));
            }
        }
        let mut rows = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(csv_err)?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let mut fields = Fields::default();
            let mut file = String::new();
            for (h, value) in header.iter().zip(record.iter()) {
                let v = Some(value.to_string()).filter(|v| !v.trim().is_empty());
                match h.as_str() {
                    "file" => file = value.trim().to_string(),
                    "patient_id" => fields.patient_id = v,
                    "document_type" => fields.document_type = v,
                    "department" => fields.department = v,
                    "author" => fields.author = v,
                    "document_date" => fields.document_date = v,
                    _ => fields.tags = v.map(|t| t.split(';').map(str::to_string).collect()),
                }
            }
            if !crate::record::is_plain_name(&file) {
                return Err(MetadataError::invalid(
                    path,
                    format!("line {line}: file {file:?} is not a file name in this folder"),
                ));
            }
            let fields = normalise(fields, path).map_err(|e| match e {
                MetadataError::Invalid { path, reason } => MetadataError::Invalid {
                    path,
                    reason: format!("line {line}: {reason}"),
                },
                other => other,
            })?;
            if rows.insert(file.clone(), fields).is_some() {
                return Err(MetadataError::invalid(
                    path,
                    format!("line {line}: file {file:?} is listed twice"),
                ));
            }
        }
        Ok(Manifest { rows })
    }

    /// The row of the file `name`.
    pub fn row(&self, name: &str) -> Option<&Fields> {
        self.rows.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Manifest, MetadataError> {
        Manifest::parse(s.as_bytes(), Path::new("/in/hozon-metadata.csv"))
    }

    #[test]
    fn rows_are_read_by_file_name() {
        let m = parse(
            "\u{feff}file,patient_id,document_date,tags\n\
             a.pdf,123,2026-04-01,x;y\n\
             \"b, c.pdf\",456,,\n",
        )
        .unwrap();
        let a = m.row("a.pdf").unwrap();
        assert_eq!(a.patient_id.as_deref(), Some("123"));
        assert_eq!(a.document_date.as_deref(), Some("2026-04-01"));
        assert_eq!(a.tags, Some(vec!["x".to_string(), "y".to_string()]));
        let b = m.row("b, c.pdf").unwrap();
        assert_eq!(b.document_date, None);
        assert!(m.row("c.pdf").is_none());
    }

    #[test]
    fn an_unknown_column_is_refused() {
        let e = parse("file,patient\na.pdf,1\n").unwrap_err().to_string();
        assert!(e.contains("line 1: unknown column \"patient\""), "{e}");
    }

    #[test]
    fn the_file_column_comes_first() {
        let e = parse("patient_id,file\n1,a.pdf\n").unwrap_err().to_string();
        assert!(e.contains("the first column must be `file`"), "{e}");
    }

    #[test]
    fn a_file_listed_twice_is_refused_with_its_line() {
        let e = parse("file,author\na.pdf,x\na.pdf,y\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3: file \"a.pdf\" is listed twice"), "{e}");
    }

    #[test]
    fn a_row_of_the_wrong_length_is_refused() {
        let e = parse("file,author\na.pdf,x,y\n").unwrap_err().to_string();
        assert!(
            e.contains("line 2: 3 column(s) where the header has 2"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_date_names_its_line() {
        let e = parse("file,document_date\na.pdf,2026-13-01\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2: document_date"), "{e}");
    }

    #[test]
    fn a_path_instead_of_a_name_is_refused() {
        let e = parse("file,author\n../a.pdf,x\n").unwrap_err().to_string();
        assert!(e.contains("is not a file name in this folder"), "{e}");
    }

    #[test]
    fn shift_jis_is_refused_as_not_utf8() {
        let mut bytes = b"file,author\na.pdf,".to_vec();
        bytes.extend_from_slice(&[0x93, 0xfa, 0x96, 0x7b]);
        bytes.push(b'\n');
        let e = Manifest::parse(&bytes, Path::new("m.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not UTF-8"), "{e}");
    }
}
