//! Sidecar files: `X.meta.json` or `X.meta.toml` next to the input `X`,
//! holding [`Fields`] (`patient_id`, `document_type`, `department`,
//! `author`, `document_date`, `tags`; any other key is refused). Both next
//! to one input is ambiguous and refused.

use std::path::{Path, PathBuf};

use super::{normalise, Fields, MetadataError};

/// Largest sidecar read.
const MAX_SIDECAR: u64 = 1 << 20;

/// The sidecar names of `input`: (`X.meta.json`, `X.meta.toml`).
pub fn paths_of(input: &Path) -> (PathBuf, PathBuf) {
    let with = |ext: &str| {
        let mut s = input.as_os_str().to_owned();
        s.push(ext);
        PathBuf::from(s)
    };
    (with(".meta.json"), with(".meta.toml"))
}

/// The document a sidecar `X.meta.json` / `X.meta.toml` belongs to, when
/// `path` is named so (whether or not `X` exists).
pub fn document_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let base = name
        .strip_suffix(".meta.json")
        .or_else(|| name.strip_suffix(".meta.toml"))?;
    if base.is_empty() {
        return None;
    }
    Some(path.with_file_name(base))
}

/// The fields of `input`'s sidecar, if it has one.
pub fn read(input: &Path) -> Result<Option<Fields>, MetadataError> {
    let (json, toml_path) = paths_of(input);
    let (has_json, has_toml) = (json.is_file(), toml_path.is_file());
    if has_json && has_toml {
        return Err(MetadataError::invalid(
            &json,
            format!(
                "both {} and {} are present: keep one",
                file_name(&json),
                file_name(&toml_path)
            ),
        ));
    }
    let (fields, path) = if has_json {
        let bytes = read_limited(&json)?;
        let fields = serde_json::from_slice::<Fields>(&bytes)
            .map_err(|e| MetadataError::invalid(&json, format!("not a metadata sidecar: {e}")))?;
        (fields, json)
    } else if has_toml {
        let bytes = read_limited(&toml_path)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| MetadataError::invalid(&toml_path, "not UTF-8"))?;
        (parse_toml(text, &toml_path)?, toml_path)
    } else {
        return Ok(None);
    };
    normalise(fields, &path).map(Some)
}

/// TOML sidecar: a `document_date` may be written as a TOML date.
fn parse_toml(text: &str, path: &Path) -> Result<Fields, MetadataError> {
    let mut table: toml::Table = toml::from_str(text)
        .map_err(|e| MetadataError::invalid(path, format!("not a metadata sidecar: {e}")))?;
    if let Some(toml::Value::Datetime(d)) = table.get("document_date") {
        let s = d.to_string();
        table.insert("document_date".into(), toml::Value::String(s));
    }
    Fields::deserialize_from_table(table)
        .map_err(|e| MetadataError::invalid(path, format!("not a metadata sidecar: {e}")))
}

impl Fields {
    fn deserialize_from_table(table: toml::Table) -> Result<Fields, toml::de::Error> {
        use serde::Deserialize;
        Fields::deserialize(toml::Value::Table(table))
    }
}

fn read_limited(path: &Path) -> Result<Vec<u8>, MetadataError> {
    use std::io::Read;
    let io = |source| MetadataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_SIDECAR + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| MetadataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > MAX_SIDECAR {
        return Err(MetadataError::invalid(
            path,
            format!("larger than {MAX_SIDECAR} bytes"),
        ));
    }
    Ok(bytes)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_sidecar_is_read_and_normalised() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("a.pdf");
        std::fs::write(&doc, b"x").unwrap();
        std::fs::write(
            dir.path().join("a.pdf.meta.json"),
            br#"{"patient_id":" 12345 ","document_type":"discharge","document_date":"20260401","tags":["x","x","y"]}"#,
        )
        .unwrap();
        let f = read(&doc).unwrap().unwrap();
        assert_eq!(f.patient_id.as_deref(), Some("12345"));
        assert_eq!(f.document_date.as_deref(), Some("2026-04-01"));
        assert_eq!(f.tags, Some(vec!["x".to_string(), "y".to_string()]));
    }

    #[test]
    fn a_toml_sidecar_may_hold_a_toml_date() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("a.pdf");
        std::fs::write(
            dir.path().join("a.pdf.meta.toml"),
            "patient_id = \"P-9\"\ndocument_date = 2026-05-06\ndepartment = \"内科\"\n",
        )
        .unwrap();
        let f = read(&doc).unwrap().unwrap();
        assert_eq!(f.document_date.as_deref(), Some("2026-05-06"));
        assert_eq!(f.department.as_deref(), Some("内科"));
    }

    #[test]
    fn an_unknown_key_is_refused_naming_the_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("a.pdf");
        std::fs::write(dir.path().join("a.pdf.meta.json"), br#"{"patient":"1"}"#).unwrap();
        let e = read(&doc).unwrap_err().to_string();
        assert!(e.contains("a.pdf.meta.json"), "{e}");
        assert!(e.contains("unknown field `patient`"), "{e}");
    }

    #[test]
    fn two_sidecars_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("a.pdf");
        std::fs::write(dir.path().join("a.pdf.meta.json"), b"{}").unwrap();
        std::fs::write(dir.path().join("a.pdf.meta.toml"), b"").unwrap();
        let e = read(&doc).unwrap_err().to_string();
        assert!(e.contains("keep one"), "{e}");
    }

    #[test]
    fn an_invalid_date_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("a.pdf");
        std::fs::write(
            dir.path().join("a.pdf.meta.json"),
            br#"{"document_date":"2026-02-30"}"#,
        )
        .unwrap();
        let e = read(&doc).unwrap_err().to_string();
        assert!(
            e.contains("document_date \"2026-02-30\" is not a date"),
            "{e}"
        );
    }

    #[test]
    fn sidecar_names_map_to_their_document() {
        assert_eq!(
            document_of(Path::new("/d/a.pdf.meta.json")),
            Some(PathBuf::from("/d/a.pdf"))
        );
        assert_eq!(document_of(Path::new("/d/.meta.toml")), None);
        assert_eq!(document_of(Path::new("/d/a.json")), None);
    }
}
