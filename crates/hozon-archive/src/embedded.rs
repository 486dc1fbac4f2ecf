//! Records whose document carries its own signature: a signed PDF (PAdES,
//! ETSI EN 319 142-1), or an XML document with XAdES signatures (ETSI EN
//! 319 132-1: an enveloped-signed e-prescription or CDA document, kind
//! `xades`, role `signed-document`). A detached XAdES signature
//! `FILE.xades.xml` beside `FILE` is a `xades` record too: `FILE` is kept
//! as the record's `document` and the signature file, role `signature`, is
//! what is verified, extended and renewed (its reference names `FILE`,
//! resolved in the record directory) — [`signed_file`].
//!
//! Such a document is not signed again. At ingest it is verified like any
//! existing signature (TOTAL_PASSED, else refused with the reason, or kept
//! as accepted-failed), stored byte for byte, and — when it has a time
//! stamp — raised to B-LT through the augmentation pipeline
//! ([`hozon_ltv::Augmenter`]). Each augmentation makes a new **generation**
//! of the file: the record's file (role `signed-document`) is the newest
//! generation, and the one it replaced is kept as `history/NAME.N` (role
//! `signed-document` too), oldest first, exactly as `renew --mode cades`
//! keeps a CAdES signature's earlier versions. `history/NAME.1` is
//! therefore the document as it came in, whose SHA-256 is the record's
//! `sha256`; every later generation holds it as its prefix (an incremental
//! update never changes earlier bytes). The evidence batch covers the
//! current generation; an evidence record made before a renewal covers the
//! generation it was made over (in `history/`).
//!
//! A B-B signed PDF (no time stamp) gets, like a B-B CAdES signature, the
//! validation data its check used (a DSS), and its proof of existence
//! from the evidence record; one at B-LTA already is kept as it came.

use std::path::{Path, PathBuf};

use hozon_ltv::{Augmentable, Augmenter, Profile};
use hozon_pades::PadesDocument;
use hozon_verify::{Indication, SignatureReport, SubIndication, Verifier};
use hozon_xades::augment::XadesDocument;

use crate::record::{FileEntry, Kind, RecordMeta, Role};

/// Why a document that carries its own signature is not archived, or not
/// renewed.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// The record's metadata lists no file with role `signed-document`.
    #[error("the record has no signed document")]
    NoSignedDocument,
    /// The document carries no signature.
    #[error("no signature found")]
    NoSignature,
    /// A signature of the document is not TOTAL_PASSED.
    #[error("signature {indication}{}: {message}", sub_indication.map(|s| format!("/{s}")).unwrap_or_default())]
    NotPassed {
        /// The signature's indication.
        indication: Indication,
        /// Its sub-indication.
        sub_indication: Option<SubIndication>,
        /// Its first error.
        message: String,
    },
    /// The pipeline was needed but none is configured.
    #[error("no augmentation pipeline")]
    NoPipeline,
    /// The pipeline failed to bring the document to `level`.
    #[error("cannot extend to {level}: {source}")]
    Augment {
        /// The level aimed at ("B-LT", "B-LTA").
        level: &'static str,
        /// Why.
        source: hozon_ltv::Error,
    },
    /// The validation data could not be embedded, or the result encoded.
    #[error("cannot embed validation data: {0}")]
    ValidationData(hozon_ltv::Error),
    /// The renewed document could not be produced.
    #[error("{0}")]
    Renewal(hozon_ltv::Error),
    /// The PDF could not be opened or written.
    #[error("{0}")]
    Pdf(#[from] hozon_pades::Error),
    /// The XML document could not be read or written.
    #[error("{}: {source}", path.display())]
    Xml {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file of the record could not be read, moved or hashed.
    #[error("{0}")]
    Archive(#[from] crate::Error),
}

/// A format whose document carries its own signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Embedded {
    /// A PDF with signature dictionaries (PAdES, PAdES-Basic).
    Pades,
    /// An XML document with XAdES signatures (enveloped, enveloping, or a
    /// detached `FILE.xades.xml` whose document is kept beside it).
    Xades,
}

impl Embedded {
    /// The format the file at `path` carries its signature in, if any: a
    /// PDF with a signature dictionary, or one that mentions a
    /// `/ByteRange` but cannot be read as signed (verification then says
    /// why, and it is refused rather than signed again as a document).
    /// An `.xml` file whose content carries an XML-DSig signature with
    /// XAdES qualifying properties is [`Embedded::Xades`].
    pub fn detect(path: &Path) -> Option<Embedded> {
        if hozon_pades::is_pdf_file(path) && hozon_pades::augment::claims_signatures(path) {
            return Some(Embedded::Pades);
        }
        let xml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
        (xml && read_xml(path).is_ok_and(|b| hozon_xades::looks_like_xades(&b)))
            .then_some(Embedded::Xades)
    }

    /// The format of a record of `kind`, if its document signs itself.
    pub fn of_kind(kind: Kind) -> Option<Embedded> {
        match kind {
            Kind::Pades => Some(Embedded::Pades),
            Kind::Xades => Some(Embedded::Xades),
            Kind::Signed | Kind::Document | Kind::Scan => None,
        }
    }

    /// The record kind.
    pub fn kind(self) -> Kind {
        match self {
            Embedded::Pades => Kind::Pades,
            Embedded::Xades => Kind::Xades,
        }
    }

    /// Every signature (and document time stamp) of the file at `path`,
    /// verified strictly; `label` names it in the reports.
    pub fn verify(self, verifier: &Verifier, path: &Path, label: &str) -> Vec<SignatureReport> {
        let mut reports = match self {
            Embedded::Pades => match hozon_pades::verify_pdf(verifier, path) {
                Ok(hozon_pades::PdfVerification::Signed(r)) => r,
                Ok(hozon_pades::PdfVerification::Unsigned) => vec![Verifier::format_failure(
                    label,
                    None,
                    "the PDF has no signature",
                )],
                Err(e) => vec![Verifier::format_failure(
                    label,
                    None,
                    &format!("cannot be read: {e}"),
                )],
            },
            // Detached references resolve in the file's own directory.
            Embedded::Xades => match read_xml(path) {
                Ok(bytes) => {
                    let shown = path.display().to_string();
                    let input = hozon_xades::XmlInput {
                        label: &shown,
                        bytes: &bytes,
                        base_dir: Some(parent_of(path)),
                    };
                    hozon_xades::verify(verifier, input)
                }
                Err(e) => vec![Verifier::format_failure(
                    label,
                    None,
                    &format!("cannot be read: {e}"),
                )],
            },
        };
        let shown = path.display().to_string();
        for r in &mut reports {
            r.file = label.to_owned();
            if r.content.as_deref() == Some(shown.as_str()) {
                r.content = Some(label.to_owned());
            }
        }
        reports
    }

    /// The working copy of the file at `path`, in `dir`, for the pipeline.
    fn open(self, path: &Path, dir: &Path) -> Result<Work, EmbeddedError> {
        match self {
            Embedded::Pades => Ok(Work::Pades(PadesDocument::open_in(path, dir)?)),
            Embedded::Xades => {
                let bytes = read_xml(path).map_err(|source| EmbeddedError::Xml {
                    path: path.to_path_buf(),
                    source,
                })?;
                let label = path.display().to_string();
                let doc = XadesDocument::new(&label, bytes.clone(), Some(parent_of(path)));
                Ok(Work::Xades {
                    doc,
                    original: bytes,
                })
            }
        }
    }
}

/// The directory a file is in (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// An XML file's bytes, refused past the largest XML document hozon-xades
/// reads.
fn read_xml(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let limit = hozon_xades::xml::MAX_XML_SIZE as u64;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes"),
        ));
    }
    Ok(bytes)
}

/// The file of the record that carries its signature: the signed
/// document (a signed PDF, an enveloped XAdES XML), or — for a detached
/// XAdES record — its `FILE.xades.xml` (role `signature`).
pub fn signed_file(meta: &RecordMeta) -> Option<&FileEntry> {
    meta.file(Role::SignedDocument).or_else(|| match meta.kind {
        Kind::Xades => meta.file(Role::Signature),
        Kind::Signed | Kind::Document | Kind::Scan | Kind::Pades => None,
    })
}

/// A file of an [`Embedded`] format being augmented.
enum Work {
    Pades(PadesDocument),
    /// The document being augmented and its bytes as they were.
    Xades {
        doc: XadesDocument,
        original: Vec<u8>,
    },
}

impl Work {
    fn augmentable(&mut self) -> &mut dyn Augmentable {
        match self {
            Work::Pades(d) => d,
            Work::Xades { doc, .. } => doc,
        }
    }

    fn changed(&self) -> bool {
        match self {
            Work::Pades(d) => d.updates() > 0,
            Work::Xades { doc, original } => doc.bytes() != original.as_slice(),
        }
    }

    fn persist(self, to: &Path) -> Result<(), EmbeddedError> {
        match self {
            Work::Pades(d) => Ok(d.persist(to)?),
            Work::Xades { doc, .. } => {
                hozon_io::write_atomic(to, doc.bytes(), hozon_io::Overwrite::Never).map_err(
                    |source| EmbeddedError::Xml {
                        path: to.to_path_buf(),
                        source,
                    },
                )
            }
        }
    }
}

/// How a verified document is brought to the archive's level at ingest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Through the pipeline to its target (B-LT at ingest).
    Augment,
    /// Only the validation data its check used (a B-B signature: no time
    /// stamp to protect the data's time; the evidence record gives it).
    ValidationData,
    /// Nothing (B-LTA already, or no pipeline configured).
    Keep,
}

/// The step for a document whose check gave `reports`, with `augmenter`.
pub fn step(reports: &[SignatureReport], augmenter: Option<&Augmenter>) -> Step {
    let stamped = reports.iter().all(|r| !r.timestamps.is_empty());
    let lta = reports
        .iter()
        .any(|r| r.level == Some(hozon_verify::Level::BLta));
    match (stamped, augmenter) {
        (false, _) => Step::ValidationData,
        (true, Some(_)) if !lta => Step::Augment,
        _ => Step::Keep,
    }
}

/// The record's current generation of its signed document, and the
/// generation it came in as (the first `history/` entry, else the current
/// one).
pub fn generations(meta: &RecordMeta) -> Option<(&FileEntry, &FileEntry)> {
    let current = meta.file(Role::SignedDocument)?;
    let first = meta
        .history
        .iter()
        .find(|h| h.role == Role::SignedDocument)
        .unwrap_or(current);
    Some((current, first))
}

/// Makes a new generation of the record's signed document in `dir`:
/// `work` (already augmented) replaces `dir/<current name>`, and the file
/// it replaces is kept as `history/<name>.<n>`. Updates `meta`. Used at
/// ingest (the record is staged, not yet published).
fn new_generation(dir: &Path, meta: &mut RecordMeta, work: Work) -> Result<(), EmbeddedError> {
    let current = signed_file(meta)
        .cloned()
        .ok_or(EmbeddedError::NoSignedDocument)?;
    let history = dir.join("history");
    std::fs::create_dir_all(&history).map_err(crate::io_err(&history))?;
    let n = meta.history.len() + 1;
    let old_name = format!("history/{}.{n}", current.name);
    let path = dir.join(&current.name);
    std::fs::rename(&path, dir.join(&old_name)).map_err(crate::io_err(&dir.join(&old_name)))?;
    work.persist(&path)?;
    let (sha256, size) = crate::sha256_file(&path)?;
    let (role, name) = (current.role, current.name.clone());
    meta.history.push(FileEntry {
        name: old_name,
        ..current
    });
    for f in &mut meta.files {
        if f.role == role && f.name == name {
            f.sha256 = sha256.clone();
            f.size = size;
        }
    }
    Ok(())
}

/// What ingest needs to adopt a self-signed document.
pub struct Adopt<'a> {
    /// The format.
    pub format: Embedded,
    /// The strict verifier.
    pub verifier: &'a Verifier,
    /// The pipeline (to B-LT), if configured.
    pub augmenter: Option<&'a Augmenter>,
    /// Keep a document whose signature fails, as accepted-failed.
    pub accept_failed: bool,
    /// The input's name in reports and messages.
    pub label: &'a str,
}

/// Adopts the document stored as `dir/<name>` (listed in `meta.files` with
/// role `signed-document`): verifies it, and brings a passing one to the
/// archive's level as a new generation. `Err` with the reason when it is
/// not archived.
pub fn adopt(a: &Adopt<'_>, dir: &Path, meta: &mut RecordMeta) -> Result<(), EmbeddedError> {
    meta.kind = a.format.kind();
    let current = signed_file(meta)
        .map(|f| dir.join(&f.name))
        .ok_or(EmbeddedError::NoSignedDocument)?;
    let reports = a.format.verify(a.verifier, &current, a.label);
    meta.level = level_of(&reports);
    if let Err(reason) = verdict(&reports) {
        if !a.accept_failed {
            return Err(reason);
        }
        meta.state = crate::record::State::AcceptedFailed;
        meta.failure = Some(reason.to_string());
        return Ok(());
    }
    match step(&reports, a.augmenter) {
        Step::Keep => {}
        Step::Augment => {
            let augmenter = a.augmenter.ok_or(EmbeddedError::NoPipeline)?;
            let mut work = a.format.open(&current, dir)?;
            augmenter
                .augment(a.label, work.augmentable())
                .map_err(|source| EmbeddedError::Augment {
                    level: augmenter.level_name(),
                    source,
                })?;
            if work.changed() {
                new_generation(dir, meta, work)?;
                meta.level = augmenter.level();
            }
        }
        Step::ValidationData => {
            let mut work = a.format.open(&current, dir)?;
            let doc = work.augmentable();
            let (reports, evidence) = doc.validate(a.verifier, a.label);
            verdict(&reports)?;
            let added = doc
                .add_validation_data(&evidence, Profile::Etsi)
                .map_err(EmbeddedError::ValidationData)?;
            if added {
                new_generation(dir, meta, work)?;
            }
        }
    }
    Ok(())
}

/// The level of the document's first signature that has one.
fn level_of(reports: &[SignatureReport]) -> Option<hozon_verify::Level> {
    reports.iter().find_map(|r| r.level)
}

/// Every report TOTAL_PASSED, or the first problem.
fn verdict(reports: &[SignatureReport]) -> Result<(), EmbeddedError> {
    if reports.is_empty() {
        return Err(EmbeddedError::NoSignature);
    }
    match reports
        .iter()
        .find(|r| r.indication != Indication::TotalPassed)
    {
        Some(r) => Err(EmbeddedError::NotPassed {
            indication: r.indication,
            sub_indication: r.sub_indication,
            message: r.errors.first().cloned().unwrap_or_default(),
        }),
        None => Ok(()),
    }
}

/// The record's signed document, verified (for `archive verify` and `hozon
/// verify RECORD_DIR`): its path and the reports. `None` when the record
/// is not of an embedded format.
pub fn record_reports(
    dir: &Path,
    meta: &RecordMeta,
    verifier: &Verifier,
) -> Option<(PathBuf, Vec<SignatureReport>)> {
    let format = Embedded::of_kind(meta.kind)?;
    let Some(current) = signed_file(meta) else {
        let path = dir.join("record.json");
        let label = path.display().to_string();
        let r = Verifier::format_failure(
            &label,
            None,
            "a signed-document record lists no signed document",
        );
        return Some((path, vec![r]));
    };
    let path = dir.join(&current.name);
    let reports = format.verify(verifier, &path, &path.display().to_string());
    Some((path, reports))
}

/// A new generation of the record's signed document in `dir` by
/// `augmenter` (renewal: a document time stamp over the file and the
/// validation data of the stamps before it), as bytes; the caller keeps
/// the old one under `history/` and publishes the new one.
pub fn renewed(
    augmenter: &Augmenter,
    format: Embedded,
    path: &Path,
) -> Result<Vec<u8>, EmbeddedError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut work = format.open(path, dir)?;
    let doc = work.augmentable();
    augmenter
        .augment(&path.display().to_string(), &mut *doc)
        .map_err(|source| EmbeddedError::Augment {
            level: augmenter.level_name(),
            source,
        })?;
    doc.encode().map_err(EmbeddedError::Renewal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: Kind, files: &[(&str, Role)]) -> RecordMeta {
        let mut meta: RecordMeta = serde_json::from_value(serde_json::json!({
            "format": "hozon-record/1", "id": "r", "source": "s", "sha256": "00",
            "kind": kind.as_str(), "level": null, "state": "archived", "failure": null,
            "ingested": "2026-01-01T00:00:00Z", "retain_until": null, "dir": "2026/01/r",
            "files": [], "history": [], "metadata": null
        }))
        .unwrap();
        meta.files = files
            .iter()
            .map(|(name, role)| FileEntry {
                name: (*name).into(),
                role: *role,
                sha256: "00".into(),
                size: 1,
            })
            .collect();
        meta
    }

    #[test]
    fn the_signed_file_of_a_detached_xades_record_is_its_signature() {
        let detached = record(
            Kind::Xades,
            &[
                ("a.pdf", Role::Document),
                ("a.pdf.xades.xml", Role::Signature),
            ],
        );
        assert_eq!(signed_file(&detached).unwrap().name, "a.pdf.xades.xml");
        let enveloped = record(Kind::Xades, &[("rx.xml", Role::SignedDocument)]);
        assert_eq!(signed_file(&enveloped).unwrap().name, "rx.xml");
        // A CAdES record's signature is not a self-signed document.
        let cades = record(
            Kind::Signed,
            &[("a.pdf", Role::Document), ("a.pdf.p7s", Role::Signature)],
        );
        assert!(signed_file(&cades).is_none());
        assert_eq!(Embedded::of_kind(Kind::Xades), Some(Embedded::Xades));
        assert_eq!(Kind::parse("xades"), Some(Kind::Xades));
    }

    #[test]
    fn an_xml_is_xades_by_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let signed = dir.path().join("rx.xml");
        std::fs::write(
            &signed,
            br#"<r><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Object><q xmlns="http://uri.etsi.org/01903/v1.3.2#"/></ds:Object></ds:Signature></r>"#,
        )
        .unwrap();
        assert_eq!(Embedded::detect(&signed), Some(Embedded::Xades));
        let plain = dir.path().join("cda.xml");
        std::fs::write(&plain, b"<ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>").unwrap();
        assert_eq!(Embedded::detect(&plain), None);
        // By extension too: the same bytes in a .txt are a document.
        let txt = dir.path().join("rx.txt");
        std::fs::copy(&signed, &txt).unwrap();
        assert_eq!(Embedded::detect(&txt), None);
    }
}
