//! "Verify whatever is at a path": a signature file is recognised by name
//! (`.p7s`/`.p7m` CAdES, `.tsr` time stamp, `.ers` evidence record) or by
//! content (a PDF: PAdES; an `.xml` holding XAdES), its detached content
//! found beside it (`X` for `X.p7s`), and an evidence record over the
//! signature file itself (`X.p7s.ers`) used as proof of existence.

use std::io::Read;
use std::path::{Path, PathBuf};

use hozon_cms::MAX_SIGNATURE_FILE_SIZE;
use hozon_verify::{SignatureReport, Verifier};
use hozon_xades::xml::MAX_XML_SIZE;
use hozon_xades::{looks_like_xades, XmlInput};

use crate::walk;

/// Why one file could not be verified (its signatures, if any, are then
/// not reported; the report lists the file with this reason).
#[derive(Debug, thiserror::Error)]
pub enum VerifyFileError {
    /// `--content` was given for a format that names its own data.
    #[error("{file}: {why}")]
    ContentNotApplicable {
        /// The signature file.
        file: String,
        /// Why the content does not apply.
        why: &'static str,
    },
    /// Several content files for a signature that is not an evidence record.
    #[error("{file}: several --content files apply only to an evidence record (.ers)")]
    SeveralContents {
        /// The signature file.
        file: String,
    },
    /// The signature file could not be read.
    #[error("{0}")]
    Read(#[from] std::io::Error),
    /// An XML file could not be read.
    #[error("{file}: {source}")]
    ReadXml {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// The PDF could not be read.
    #[error("{0}")]
    Pdf(#[from] hozon_pades::Error),
}

/// The detached content for signature `sig`: `X` for `X.p7s`, `X.tsr` or
/// `X.ers`.
pub fn default_content(sig: &Path) -> Option<PathBuf> {
    let ext = sig.extension()?.to_str()?.to_ascii_lowercase();
    (ext == "p7s" || ext == "tsr" || ext == "ers").then(|| sig.with_extension(""))
}

/// Whether `path` is an `.xml` file holding a XAdES signature (by content).
pub fn is_xades_file(path: &Path) -> bool {
    read_if_xades(path).is_some()
}

/// The bytes of `path` when it is an `.xml` file holding a XAdES signature.
pub fn read_if_xades(path: &Path) -> Option<Vec<u8>> {
    let xml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    if !xml {
        return None;
    }
    read_limited(path).ok().filter(|b| looks_like_xades(b))
}

/// The file's bytes, at most one byte more than an XML document may have.
pub fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_XML_SIZE as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The directory detached XAdES references of `path` resolve in.
pub fn base_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Verifies the XAdES signatures of `path`; detached references resolve in
/// its directory. `contents` must be empty (the references name the data).
pub fn verify_xades(
    verifier: &Verifier,
    path: &Path,
    contents: &[PathBuf],
) -> Result<Vec<SignatureReport>, VerifyFileError> {
    let bytes = read_limited(path).map_err(|source| VerifyFileError::ReadXml {
        file: path.display().to_string(),
        source,
    })?;
    verify_xades_bytes(verifier, path, &bytes, contents)
}

/// [`verify_xades`] of `path` whose `bytes` are already read.
pub fn verify_xades_bytes(
    verifier: &Verifier,
    path: &Path,
    bytes: &[u8],
    contents: &[PathBuf],
) -> Result<Vec<SignatureReport>, VerifyFileError> {
    let label = path.display().to_string();
    if !contents.is_empty() {
        return Err(VerifyFileError::ContentNotApplicable {
            file: label,
            why: "a XAdES signature names its data in its references; --content does not apply",
        });
    }
    let input = XmlInput {
        label: &label,
        bytes,
        base_dir: Some(base_dir(path)),
    };
    Ok(hozon_xades::verify(verifier, input))
}

/// Verifies one signature file. A file too large to be a signature is
/// refused from its size, before anything is read.
pub fn verify_file(
    verifier: &Verifier,
    sig: &Path,
    content: Option<&Path>,
) -> Result<Vec<SignatureReport>, VerifyFileError> {
    verify_file_with(verifier, sig, content.map(Path::to_path_buf).as_slice())
}

/// [`verify_file`] with any number of content files: several only for an
/// evidence record (`.ers`), whose data group they are. An unsigned PDF
/// gives no report.
pub fn verify_file_with(
    verifier: &Verifier,
    sig: &Path,
    contents: &[PathBuf],
) -> Result<Vec<SignatureReport>, VerifyFileError> {
    let label = sig.display().to_string();
    if !walk::is_signature(sig) && hozon_pades::is_pdf_file(sig) {
        return verify_pdf(verifier, sig, contents);
    }
    if let Some(bytes) = read_if_xades(sig) {
        return verify_xades_bytes(verifier, sig, &bytes, contents);
    }
    let is_evidence = sig
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ers"));
    if contents.len() > 1 && !is_evidence {
        return Err(VerifyFileError::SeveralContents { file: label });
    }
    let content = contents.first().cloned().or_else(|| default_content(sig));
    let file = std::fs::File::open(sig)?;
    let size = file.metadata()?.len();
    if size > MAX_SIGNATURE_FILE_SIZE {
        return Ok(vec![Verifier::format_failure(
            &label,
            content.map(|c| c.display().to_string()),
            &format!("{size} bytes is more than the {MAX_SIGNATURE_FILE_SIZE}-byte limit for a signature file"),
        )]);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_SIGNATURE_FILE_SIZE + 1)
        .read_to_end(&mut bytes)?;
    let is_timestamp = sig
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsr"));
    if is_evidence {
        let group: Vec<&Path> = if contents.is_empty() {
            content.as_deref().into_iter().collect()
        } else {
            contents.iter().map(PathBuf::as_path).collect()
        };
        return Ok(vec![verifier.verify_evidence_record(&label, &bytes, &group)]);
    }
    if is_timestamp {
        return Ok(vec![verifier.verify_timestamp_file(
            &label,
            &bytes,
            content.as_deref(),
        )]);
    }
    let mut evidence = sig.as_os_str().to_owned();
    evidence.push(".ers");
    let evidence = PathBuf::from(evidence);
    if evidence.is_file() {
        return Ok(verify_with_evidence_beside(
            verifier,
            sig,
            &bytes,
            content.as_deref(),
            &evidence,
        ));
    }
    Ok(verifier.verify(&label, &bytes, content.as_deref()))
}

/// An evidence record over the signature file itself (SIG.ers next to SIG)
/// that passes proves the signature existed at its time: past signature
/// validation at that time, as with a signature time stamp. Either way a
/// warning says whether it was used.
fn verify_with_evidence_beside(
    verifier: &Verifier,
    sig: &Path,
    bytes: &[u8],
    content: Option<&Path>,
    evidence: &Path,
) -> Vec<SignatureReport> {
    let label = sig.display().to_string();
    let ers_label = evidence.display().to_string();
    let ers = std::fs::read(evidence)
        .map_err(|e| format!("{ers_label}: {e}"))
        .map(|b| verifier.verify_evidence_record(&ers_label, &b, &[sig]));
    let poe = match &ers {
        Ok(r) if r.indication == hozon_verify::Indication::TotalPassed => r
            .best_signature_time
            .as_deref()
            .and_then(|t| hozon_pki::UnixTime::parse_rfc3339(t).ok()),
        _ => None,
    };
    let mut reports = match poe {
        Some(poe) => verifier.verify_with_poe(&label, bytes, content, poe),
        None => verifier.verify(&label, bytes, content),
    };
    let note = match (&ers, poe) {
        (_, Some(poe)) => {
            format!("the evidence record {ers_label} proves the signature file existed at {poe}")
        }
        (Ok(r), None) => format!(
            "the evidence record {ers_label} is not used as proof of existence: {}",
            r.sub_indication
                .map_or("no proven time".to_owned(), |s| s.to_string())
        ),
        (Err(e), None) => format!("the evidence record is not used: {e}"),
    };
    let code = if poe.is_some() {
        hozon_verify::Code::ExternalProofOfExistence
    } else {
        hozon_verify::Code::EvidenceRecordInvalid
    };
    for r in &mut reports {
        r.push_warning(code, note.clone());
    }
    reports
}

/// A PDF, recognised by content: its signatures (PAdES), or none when it
/// is unsigned.
pub fn verify_pdf(
    verifier: &Verifier,
    pdf: &Path,
    contents: &[PathBuf],
) -> Result<Vec<SignatureReport>, VerifyFileError> {
    if !contents.is_empty() {
        return Err(VerifyFileError::ContentNotApplicable {
            file: pdf.display().to_string(),
            why: "a PDF signature signs the PDF itself; --content does not apply",
        });
    }
    match hozon_pades::verify_pdf(verifier, pdf)? {
        hozon_pades::PdfVerification::Signed(reports) => Ok(reports),
        hozon_pades::PdfVerification::Unsigned => Ok(Vec::new()),
    }
}

/// The archive record directories at or below `dir` (directories holding
/// `record.json`; staging directories, whose names start with a dot,
/// excluded).
pub fn archive_records(dir: &Path) -> Vec<PathBuf> {
    if dir.join("record.json").is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut out = Vec::new();
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_dir() {
            continue;
        }
        if entry.file_name().to_string_lossy().starts_with('.') && entry.depth() > 0 {
            walker.skip_current_dir();
            continue;
        }
        if entry.path().join("record.json").is_file() {
            out.push(entry.path().to_path_buf());
            walker.skip_current_dir();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> Verifier {
        hozon_verify::VerifierSetup {
            trust: Vec::new(),
            crls: Vec::new(),
            ocsp: Vec::new(),
            certs: Vec::new(),
            offline: true,
            revocation: hozon_pki::RevocationPolicy::Skip,
            at: None,
            accept_expired_tsa: false,
            algorithms: hozon_verify::AlgorithmPolicy::default(),
        }
        .build()
        .unwrap()
    }

    #[test]
    fn detached_content_is_the_name_without_the_signature_extension() {
        assert_eq!(
            default_content(Path::new("a.pdf.p7s")),
            Some("a.pdf".into())
        );
        assert_eq!(
            default_content(Path::new("a.pdf.TSR")),
            Some("a.pdf".into())
        );
        assert_eq!(
            default_content(Path::new("a.pdf.ers")),
            Some("a.pdf".into())
        );
        assert_eq!(default_content(Path::new("a.p7m")), None, "enveloping");
        assert_eq!(default_content(Path::new("a.pdf")), None);
    }

    #[test]
    fn archive_records_are_found_below_a_directory_and_staging_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        for rec in ["records/2026/01/r1", "records/2026/02/r2", ".staging/r3"] {
            std::fs::create_dir_all(dir.path().join(rec)).unwrap();
            std::fs::write(dir.path().join(rec).join("record.json"), b"{}").unwrap();
        }
        let found = archive_records(dir.path());
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["r1", "r2"]);
        assert_eq!(
            archive_records(&found[0]),
            [found[0].clone()],
            "a record itself"
        );
    }

    #[test]
    fn several_contents_apply_only_to_an_evidence_record() {
        let dir = tempfile::tempdir().unwrap();
        let sig = dir.path().join("a.p7s");
        std::fs::write(&sig, b"not read").unwrap();
        let err = verify_file_with(&verifier(), &sig, &["x".into(), "y".into()]).unwrap_err();
        assert!(matches!(err, VerifyFileError::SeveralContents { .. }));
        assert_eq!(
            err.to_string(),
            format!(
                "{}: several --content files apply only to an evidence record (.ers)",
                sig.display()
            )
        );
    }

    #[test]
    fn a_pdf_takes_no_content_and_an_unsigned_pdf_has_no_report() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("a.pdf");
        std::fs::write(
            &pdf,
            b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        )
        .unwrap();
        let err = verify_file_with(&verifier(), &pdf, &["x".into()]).unwrap_err();
        assert!(err
            .to_string()
            .ends_with("a PDF signature signs the PDF itself; --content does not apply"));
        assert!(verify_file(&verifier(), &pdf, None).unwrap().is_empty());
    }

    #[test]
    fn a_missing_signature_file_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = verify_file(&verifier(), &dir.path().join("gone.p7s"), None).unwrap_err();
        assert!(matches!(err, VerifyFileError::Read(_)), "{err:?}");
    }

    #[test]
    fn an_oversized_signature_file_fails_from_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let sig = dir.path().join("big.p7s");
        let f = std::fs::File::create(&sig).unwrap();
        f.set_len(MAX_SIGNATURE_FILE_SIZE + 1).unwrap();
        let reports = verify_file(&verifier(), &sig, None).unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].indication, hozon_verify::Indication::TotalFailed);
    }
}
