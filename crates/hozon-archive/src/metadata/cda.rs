//! The header of an HL7 CDA R2 document (`ClinicalDocument` in the
//! `urn:hl7-org:v3` namespace; the format of Japanese 診療情報提供書 and
//! 退院時サマリー exchanges): the patient's `id` (`recordTarget/patientRole/
//! id/@extension`), the document `code/@code`, the first author's name
//! (`author/assignedAuthor/assignedPerson/name`) and `effectiveTime/@value`.
//!
//! Parsed with roxmltree with DTDs refused (so no entity is ever
//! expanded and nothing is fetched). An XML file that is not a CDA
//! document gives nothing; one that looks like CDA but cannot be read
//! (a DTD, not UTF-8, malformed, too large) is refused with the reason.

use std::io::Read;
use std::path::Path;

use super::{normalise, Fields, MetadataError};

/// The HL7 v3 namespace.
pub const HL7_V3: &str = "urn:hl7-org:v3";

/// Largest XML document whose header is read.
const MAX_XML: u64 = 64 << 20;

/// Most XML nodes parsed (bounds memory on hostile input).
const MAX_NODES: u32 = 4_000_000;

/// How much of the start is looked at to tell XML and CDA.
const HEAD: usize = 4096;

/// The CDA header fields of the file `stored` (a copy of `input`, which
/// errors name), if it is a CDA document.
pub fn read(stored: &Path, input: &Path) -> Result<Option<Fields>, MetadataError> {
    let io = |source| MetadataError::Io {
        path: input.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(stored).map_err(io)?;
    let mut head = vec![0u8; HEAD];
    let n = read_up_to(&mut file, &mut head).map_err(io)?;
    head.truncate(n);
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'<') {
        return Ok(None);
    }
    let looks_cda = contains(&head, b"ClinicalDocument");
    let refuse = |reason: String| {
        if looks_cda {
            Err(MetadataError::invalid(
                input,
                format!("a CDA document whose header cannot be read: {reason}"),
            ))
        } else {
            Ok(None)
        }
    };
    let size = std::fs::metadata(stored).map_err(io)?.len();
    if size > MAX_XML {
        return refuse(format!("larger than {MAX_XML} bytes"));
    }
    let bytes = std::fs::read(stored).map_err(io)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return refuse("not UTF-8".into());
    };
    match parse(text) {
        Ok(Some(fields)) => normalise(fields, input).map(Some),
        Ok(None) => Ok(None),
        Err(reason) => refuse(reason.to_string()),
    }
}

/// Why a document whose root may be a CDA `ClinicalDocument` cannot be
/// read as XML.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CdaError {
    /// It declares a DTD, which is refused so that no entity is expanded.
    #[error("it has a DTD (refused: no DTDs or entities)")]
    Dtd,
    /// roxmltree does not accept it.
    #[error("not well-formed XML: {0}")]
    NotXml(roxmltree::Error),
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = file.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The header fields of the XML `text`: `None` if its root is not a CDA
/// `ClinicalDocument`, an error if it is not XML roxmltree accepts with
/// DTDs refused.
pub fn parse(text: &str) -> Result<Option<Fields>, CdaError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => CdaError::Dtd,
        other => CdaError::NotXml(other),
    })?;
    let root = doc.root_element();
    if !is(root, "ClinicalDocument") {
        return Ok(None);
    }
    let patient_id = path(root, &["recordTarget", "patientRole"]).and_then(|role| {
        children(role, "id").find_map(|id| id.attribute("extension").map(str::to_string))
    });
    let document_type = child(root, "code").and_then(|c| c.attribute("code").map(str::to_string));
    let document_date =
        child(root, "effectiveTime").and_then(|t| t.attribute("value").map(str::to_string));
    let author = path(
        root,
        &["author", "assignedAuthor", "assignedPerson", "name"],
    )
    .map(|name| {
        let parts: Vec<String> = name
            .children()
            .filter(|c| c.is_element())
            .filter_map(|c| c.text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if parts.is_empty() {
            name.text().unwrap_or_default().trim().to_string()
        } else {
            parts.join(" ")
        }
    });
    Ok(Some(Fields {
        patient_id,
        document_type,
        department: None,
        author,
        document_date,
        tags: None,
    }))
}

fn is(node: roxmltree::Node<'_, '_>, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace() == Some(HL7_V3)
}

fn children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> + 'a {
    node.children().filter(move |c| is(*c, name))
}

fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &'a str,
) -> Option<roxmltree::Node<'a, 'input>> {
    children(node, name).next()
}

fn path<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    names: &[&'a str],
) -> Option<roxmltree::Node<'a, 'input>> {
    names
        .iter()
        .copied()
        .try_fold(node, |n, name| child(n, name))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const CDA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <code code="18842-5" codeSystem="2.16.840.1.113883.6.1" displayName="退院時サマリー"/>
  <effectiveTime value="20260415103000+0900"/>
  <recordTarget><patientRole>
    <id root="1.2.392.200119.6.101.100000000" extension="P-00123"/>
  </patientRole></recordTarget>
  <author><time value="20260415"/><assignedAuthor>
    <id extension="D-9"/>
    <assignedPerson><name><family>山田</family><given>花子</given></name></assignedPerson>
  </assignedAuthor></author>
</ClinicalDocument>
"#;

    #[test]
    fn the_header_fields_are_read() {
        let f = parse(CDA).unwrap().unwrap();
        assert_eq!(f.patient_id.as_deref(), Some("P-00123"));
        assert_eq!(f.document_type.as_deref(), Some("18842-5"));
        assert_eq!(f.author.as_deref(), Some("山田 花子"));
        let f = normalise(f, Path::new("x.xml")).unwrap();
        assert_eq!(f.document_date.as_deref(), Some("2026-04-15"));
    }

    #[test]
    fn other_xml_gives_nothing() {
        assert_eq!(parse("<a><b/></a>").unwrap(), None);
        // The right name in another namespace is not CDA.
        assert_eq!(
            parse("<ClinicalDocument xmlns=\"urn:other\"/>").unwrap(),
            None
        );
    }

    #[test]
    fn malformed_xml_is_named_as_such() {
        let e = parse("<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><code></ClinicalDocument>")
            .unwrap_err();
        assert!(matches!(e, CdaError::NotXml(_)), "{e}");
        assert!(e.to_string().starts_with("not well-formed XML: "), "{e}");
    }

    #[test]
    fn a_dtd_is_refused() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE ClinicalDocument [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">&x;</ClinicalDocument>";
        let e = parse(xml).unwrap_err();
        assert!(matches!(e, CdaError::Dtd), "{e}");
        assert!(e.to_string().contains("DTD"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cda.xml");
        std::fs::write(&p, xml).unwrap();
        let e = read(&p, &p).unwrap_err().to_string();
        assert!(
            e.contains("a CDA document whose header cannot be read"),
            "{e}"
        );
        assert!(e.contains("cda.xml"), "{e}");
    }

    #[test]
    fn files_that_are_not_xml_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.pdf");
        std::fs::write(&p, b"%PDF-1.7\n").unwrap();
        assert_eq!(read(&p, &p).unwrap(), None);
        let p = dir.path().join("broken.xml");
        std::fs::write(&p, b"<note><unclosed></note>").unwrap();
        assert_eq!(read(&p, &p).unwrap(), None);
    }

    #[test]
    fn a_cda_document_on_disk_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("summary.xml");
        std::fs::write(&p, CDA).unwrap();
        let f = read(&p, &p).unwrap().unwrap();
        assert_eq!(f.document_date.as_deref(), Some("2026-04-15"));
    }
}
