//! A PDF's document information dictionary (ISO 32000-1 §14.3.3):
//! `/Author` → `author`, `/CreationDate` → `document_date`, `/Keywords`
//! (separated by `,` or `;`) → `tags`, and the custom entries
//! `/PatientID`, `/DocumentType` and `/Department` that EHR exports can
//! write. Read with lopdf's metadata loader (the trailer and the Info
//! dictionary, not the whole document). A PDF whose dictionary cannot be
//! read gives nothing: the metadata is optional, and the document's own
//! checks are elsewhere.

use std::io::Read;
use std::path::Path;

use super::{normalise, Fields, MetadataError};

/// The fields of the PDF `stored` (a copy of `input`, which errors name),
/// if it is a PDF with any.
pub fn read(stored: &Path, input: &Path) -> Result<Option<Fields>, MetadataError> {
    let mut head = [0u8; 1024];
    let n = std::fs::File::open(stored)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|source| MetadataError::Io {
            path: input.to_path_buf(),
            source,
        })?;
    if !head[..n].windows(5).any(|w| w == b"%PDF-") {
        return Ok(None);
    }
    // lopdf reads hostile input; a panic inside it must not take the
    // ingest run down.
    let loaded = std::panic::catch_unwind(|| lopdf::Document::load_metadata(stored));
    let Ok(Ok(info)) = loaded else {
        return Ok(None);
    };
    let custom = |key: &[u8]| {
        info.custom
            .get(key)
            .and_then(|o| lopdf::decode_text_string(o).ok())
    };
    let fields = Fields {
        patient_id: custom(b"PatientID".as_slice()),
        document_type: custom(b"DocumentType".as_slice()),
        department: custom(b"Department".as_slice()),
        author: info.author.clone(),
        document_date: info
            .creation_date
            .as_deref()
            .map(|d| d.trim_start_matches("D:").to_string()),
        tags: info
            .keywords
            .as_deref()
            .map(|k| k.split([',', ';']).map(str::to_string).collect::<Vec<_>>()),
    };
    if fields == Fields::default() {
        return Ok(None);
    }
    // A malformed CreationDate is the producer's, not a claim about the
    // record: it is dropped rather than refusing the document.
    let mut fields = fields;
    if fields
        .document_date
        .as_deref()
        .is_some_and(|d| super::normalise_date(d).is_none())
    {
        fields.document_date = None;
    }
    normalise(fields, input).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF with an Info dictionary holding `info` (a PDF
    /// dictionary body), with a correct cross-reference table.
    pub(crate) fn pdf_with_info(info: &str) -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>".to_string(),
            format!("<< {info} >>"),
        ];
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn the_info_dictionary_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("lab.pdf");
        std::fs::write(
            &p,
            pdf_with_info(
                "/Author (Dr. Sato) /CreationDate (D:20260402083000+09'00') /Keywords (lab, blood) /PatientID (P-77) /DocumentType (lab-report)",
            ),
        )
        .unwrap();
        let f = read(&p, &p).unwrap().unwrap();
        assert_eq!(f.author.as_deref(), Some("Dr. Sato"));
        assert_eq!(f.document_date.as_deref(), Some("2026-04-02"));
        assert_eq!(f.patient_id.as_deref(), Some("P-77"));
        assert_eq!(f.document_type.as_deref(), Some("lab-report"));
        assert_eq!(f.tags, Some(vec!["lab".to_string(), "blood".to_string()]));
    }

    #[test]
    fn a_pdf_without_info_or_not_a_pdf_gives_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.pdf");
        std::fs::write(&p, pdf_with_info("/Producer (x)")).unwrap();
        assert_eq!(read(&p, &p).unwrap(), None);
        std::fs::write(&p, b"plain text").unwrap();
        assert_eq!(read(&p, &p).unwrap(), None);
        std::fs::write(&p, b"%PDF-1.7\ngarbage").unwrap();
        assert_eq!(read(&p, &p).unwrap(), None);
    }
}
