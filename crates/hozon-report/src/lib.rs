//! Printable verification reports (issue 20): the data of `hozon verify
//! --json` plus the run's metadata, rendered for people — records
//! managers, auditors, patients' lawyers — in Japanese or English.
//!
//! - [`render_html`]: one self-contained HTML page (inline CSS, no script,
//!   no external resource), from a compiled askama template; prints well.
//! - [`render_pdf`]: a PDF/A-2b document (krilla) with a Japanese OpenType
//!   font embedded as a subset ([`ReportFont`]), a table of contents, an
//!   outline (bookmarks), a running header and page numbers.
//!
//! Both show the same [`model::Model`]: a summary first (counts by
//! verdict, level, signer and role, folder; validation time and policy;
//! hozon's version and the host), what each verdict that occurs means and
//! what to do, then one section per signature, failures first, grouped by
//! verdict and sub-indication.
//!
//! [`render_archive_html`] and [`render_archive_pdf`] do the same for
//! `hozon archive verify` ([`ArchiveRun`]): one section per record.

mod archive;
mod font;
mod html;
pub mod model;
mod pdf;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use archive::{ArchiveRun, AuditRun, RecordOutcome, RecordRun};
pub use font::{ReportFont, FONT_PATHS};
use hozon_i18n::{Catalog, Lang};
use hozon_verify::Report;

/// A report's format, from the output file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.html` / `.htm`.
    Html,
    /// `.pdf`.
    Pdf,
}

impl Format {
    /// The format `path`'s extension names (case-insensitive).
    pub fn of_path(path: &Path) -> Result<Format, ReportError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("html" | "htm") => Ok(Format::Html),
            Some("pdf") => Ok(Format::Pdf),
            _ => Err(ReportError::UnknownFormat(path.to_path_buf())),
        }
    }
}

/// A trust anchor as the report's policy section lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchorInfo {
    /// Subject DN.
    pub subject: String,
    /// SHA-256 of the certificate (upper-case hex, colon-separated or not).
    pub sha256: String,
}

/// The revocation evidence rows come from the verifier's reports
/// ([`hozon_verify::SignatureReport::revocation_used`]), for every format.
pub use hozon_verify::{RevocationKind, RevocationSource, RevocationUsed};

/// What the report says about the run besides the results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunMeta {
    /// hozon's version.
    pub hozon_version: String,
    /// The host name.
    pub host: String,
    /// When the report was made (RFC 3339).
    pub generated_at: String,
    /// Trust anchors.
    pub trust_anchors: Vec<AnchorInfo>,
    /// The crypto policy (built-in, or the file given).
    pub crypto_policy: String,
    /// The revocation mode (`require`, `best-effort`, `skip`) and whether
    /// fetching was allowed.
    pub revocation: String,
    /// SHA-256 (hex) of each signed document, by the name the report
    /// data gives it (`content`).
    pub document_digests: HashMap<String, String>,
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The output file's extension names no format.
    #[error("{0}: unknown report format (use a file name ending in .html or .pdf)")]
    UnknownFormat(PathBuf),
    /// No Japanese font was found for the PDF.
    #[error(
        "no Japanese font for the PDF report: install fonts-ipaexfont (Debian/Ubuntu) or set \
         HOZON_FONT to an OpenType/TrueType font file (looked for {searched})"
    )]
    NoFont {
        /// The paths looked at.
        searched: String,
    },
    /// The font file given could not be read or is not a font.
    #[error("{path}: not a usable font: {reason}")]
    BadFont {
        /// The font file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The HTML template failed.
    #[error("HTML report: {0}")]
    Html(#[from] askama::Error),
    /// krilla refused the PDF (for instance a PDF/A rule).
    #[error("PDF report: {0}")]
    Pdf(String),
}

/// The HTML report of `report`.
pub fn render_html(report: &Report, meta: RunMeta, lang: Lang) -> Result<String, ReportError> {
    let cat = Catalog::get(lang);
    let model = model::Model::build(report, meta, cat);
    html::render(&model, cat)
}

/// The PDF/A-2b report of `report`, with `font`.
pub fn render_pdf(
    report: &Report,
    meta: RunMeta,
    lang: Lang,
    font: &ReportFont,
) -> Result<Vec<u8>, ReportError> {
    let cat = Catalog::get(lang);
    let model = model::Model::build(report, meta, cat);
    pdf::render(&model, cat, font)
}

/// The HTML report of an `archive verify` run.
pub fn render_archive_html(
    run: &ArchiveRun,
    meta: RunMeta,
    lang: Lang,
) -> Result<String, ReportError> {
    let cat = Catalog::get(lang);
    let model = model::Model::build_archive(run, meta, cat);
    html::render(&model, cat)
}

/// The PDF/A-2b report of an `archive verify` run, with `font`.
pub fn render_archive_pdf(
    run: &ArchiveRun,
    meta: RunMeta,
    lang: Lang,
    font: &ReportFont,
) -> Result<Vec<u8>, ReportError> {
    let cat = Catalog::get(lang);
    let model = model::Model::build_archive(run, meta, cat);
    pdf::render(&model, cat, font)
}

#[cfg(test)]
mod tests;
