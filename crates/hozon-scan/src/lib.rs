//! Checks scanned paper records against the hospital's scan policy.
//!
//! The MHLW guideline (Ver 6.0, 企16 and シス16; Q&A 企Q-58/59, シQ-67) lets a hospital keep scans
//! of paper charts instead of the paper if the scans meet the three conditions of electronic
//! storage. What each check here serves:
//!
//! - **preservability** (保存性): the format is identified by its bytes and must be one the policy
//!   allows (open, long-lived formats); every page must decode completely (a scan that does not
//!   decode has lost its content); the file's SHA-256 is recorded for fixity.
//! - **legibility** (見読性): each page's resolution meets the class minimum (the hospital's standard,
//!   historically 300 dpi; tax law's floor 200 dpi) and an unknown resolution fails; the colour mode
//!   and bit depth meet the class requirement (24-bit colour or 8-bit grey by default; tax law's
//!   floor 256 levels per channel); a blank or near-blank page is flagged (a misfeed loses a page);
//!   heavy JPEG compression is warned (シQ-67: compression must not harm legibility).
//! - **authenticity** (真正性): signature and time stamp within one business day of the scan — the
//!   policy already carries the delay, holidays and allowed signers; the checks come later.
//!
//! One page is decoded at a time ([`raster`]), so memory is bounded by the largest page. PDF scans
//! ([`pdf`]) feed the images their pages draw to the same page checks.
//!
//! # Example
//!
//! Check one scanned page against the built-in policy (300 dpi, 24-bit colour or 8-bit grey):
//!
//! ```no_run
//! use std::path::Path;
//!
//! use hozon_scan::{check_file, Policy, Status};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let policy = Policy::default(); // or Policy::load(Path::new("scan-policy.toml"))?
//! let report = check_file(Path::new("scans/chart-001.tif"), &policy, "default")?;
//! for check in report.checks.iter().filter(|c| c.status != Status::Passed) {
//!     println!("{:?} {} {:?}: {}", check.status, check.check, check.page, check.detail);
//! }
//! println!("{}: {:?}", report.file, report.verdict);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod authenticity;
pub mod ccitt;
mod exif;
pub mod format;
pub mod jp2;
pub mod pdf;
pub mod policy;
pub mod raster;
pub mod report;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

pub use format::Format;
pub use policy::{Class, ClassMatch, ClassifyError, InvalidPolicy, Policy, PolicyError};
pub use report::{Check, CheckName, FileError, FileReport, ScanReport, Standard, Status, Summary};

use raster::Page;

/// Errors that stop a file from being checked at all (configuration or I/O), as opposed to a
/// FAILED check.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The class is not in the policy.
    #[error("{path}: policy has no class {class:?}")]
    UnknownClass {
        /// File being checked.
        path: PathBuf,
        /// Class asked for.
        class: String,
    },
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// SHA-256 of a file, streamed, and its first bytes for format identification.
fn fixity(path: &Path) -> std::io::Result<(String, Vec<u8>, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = openssl::sha::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut head = Vec::with_capacity(format::MAGIC_LEN);
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if head.len() < format::MAGIC_LEN {
            let take = (format::MAGIC_LEN - head.len()).min(n);
            head.extend_from_slice(&buf[..take]);
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((hex::encode(hasher.finish()), head, len))
}

/// Where a scan's signature comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignatureSource {
    /// `FILE.p7s` beside the scan, verified when a verifier is given; a class that requires a
    /// signature fails a scan without one.
    #[default]
    Beside,
    /// The caller signs the scan once it passes (`hozon scan --sign`, archive ingest) or
    /// verifies the signature it came with itself (archive ingest): with no `FILE.p7s` beside
    /// the checked file, a class's `require_signature` is met by that signature, and the
    /// caller reports the signing's outcome. A `FILE.p7s` that is there is checked as usual.
    ByCaller,
}

/// What [`check_file_opts`] needs besides the file, the policy and the class.
#[derive(Clone, Copy, Default)]
pub struct CheckOptions<'a> {
    /// Verifies `FILE.p7s` when present (see [`authenticity`]); without one a `.p7s` is a
    /// WARNING, never PASSED.
    pub verifier: Option<&'a hozon_verify::Verifier>,
    /// Where the signature comes from.
    pub signature: SignatureSource,
}

/// Checks one file against a class of the policy, without verifying a signature next to it
/// (a `.p7s` present is reported as a WARNING, never PASSED).
pub fn check_file(path: &Path, policy: &Policy, class: &str) -> Result<FileReport, ScanError> {
    check_file_opts(path, policy, class, &CheckOptions::default())
}

/// Checks one file against a class of the policy; `verifier` verifies `FILE.p7s` when present
/// (see [`authenticity`]).
pub fn check_file_with(
    path: &Path,
    policy: &Policy,
    class: &str,
    verifier: Option<&hozon_verify::Verifier>,
) -> Result<FileReport, ScanError> {
    let options = CheckOptions {
        verifier,
        signature: SignatureSource::Beside,
    };
    check_file_opts(path, policy, class, &options)
}

/// Checks one file against a class of the policy, with [`CheckOptions`].
pub fn check_file_opts(
    path: &Path,
    policy: &Policy,
    class: &str,
    options: &CheckOptions<'_>,
) -> Result<FileReport, ScanError> {
    let rules = policy.class(class).ok_or_else(|| ScanError::UnknownClass {
        path: path.to_path_buf(),
        class: class.to_string(),
    })?;
    let (sha256, head, len) = fixity(path).map_err(|source| ScanError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let format = format::identify(&head);
    let mut report = FileReport {
        file: path.display().to_string(),
        format,
        class: class.to_string(),
        class_match: None,
        pages: 0,
        verdict: Status::Failed,
        sha256: Some(sha256.clone()),
        checks: Vec::new(),
    };
    let p = Standard::Preservability;
    if len == 0 {
        report.checks.push(Check::new(
            p,
            CheckName::Format,
            Status::Failed,
            None,
            "file is empty",
        ));
        report.decide();
        return Ok(report);
    }
    report.checks.push(format_check(path, format, rules));
    if let Some(claimed) = Format::from_extension(path) {
        if claimed != format && format != Format::Unknown {
            report.checks.push(Check::new(
                p,
                CheckName::FileName,
                Status::Warning,
                None,
                format!("name says {claimed} but the content is {format}"),
            ));
        }
    }
    if format != Format::Unknown {
        let (decoded, pages, pdf_checks) = if format == Format::Pdf {
            let scan = pdf::decode(path);
            (scan.decoded, scan.page_count, scan.checks)
        } else {
            let decoded = raster::decode(path, format);
            let pages = u32::try_from(decoded.pages.len()).unwrap_or(u32::MAX);
            (decoded, pages, Vec::new())
        };
        report.pages = pages;
        for page in &decoded.pages {
            page_checks(page, format, rules, &mut report.checks);
        }
        report.checks.extend(pdf_checks);
        report.checks.push(match &decoded.failure {
            None => Check::new(
                p,
                CheckName::Decode,
                Status::Passed,
                None,
                format!("all {pages} page(s) decoded completely"),
            ),
            Some(f) => Check::new(
                p,
                CheckName::Decode,
                Status::Failed,
                Some(f.page),
                format!("does not decode completely: {}", f.reason),
            ),
        });
    }
    report.checks.push(Check::new(
        p,
        CheckName::Fixity,
        Status::Passed,
        None,
        format!("sha256 {sha256}, {len} bytes"),
    ));
    report.checks.extend(authenticity::checks(
        path,
        format,
        rules,
        &policy.holidays,
        options,
    ));
    report.decide();
    Ok(report)
}

fn format_check(path: &Path, format: Format, rules: &Class) -> Check {
    let p = Standard::Preservability;
    if format == Format::Unknown {
        let _ = path;
        return Check::new(
            p,
            CheckName::Format,
            Status::Failed,
            None,
            "not a recognised scan format (TIFF, PNG, JPEG, JPEG 2000, PDF) by its content",
        );
    }
    let allowed: Vec<&str> = rules.formats.iter().map(|f| f.policy_name()).collect();
    if rules.formats.contains(&format) {
        Check::new(
            p,
            CheckName::Format,
            Status::Passed,
            None,
            format!("{format} by content, allowed ({})", allowed.join(", ")),
        )
    } else {
        Check::new(
            p,
            CheckName::Format,
            Status::Failed,
            None,
            format!(
                "{format} by content, not allowed by the policy ({})",
                allowed.join(", ")
            ),
        )
    }
}

fn page_checks(page: &Page, format: Format, rules: &Class, out: &mut Vec<Check>) {
    let l = Standard::Legibility;
    let n = Some(page.number);
    let size = format!("{}x{} px", page.width, page.height);
    out.push(match &page.dpi {
        Ok(d) => {
            let (x, y) = (d.x.round(), d.y.round());
            let ok = x >= f64::from(rules.min_dpi) && y >= f64::from(rules.min_dpi);
            Check::new(
                l,
                CheckName::Resolution,
                if ok { Status::Passed } else { Status::Failed },
                n,
                format!("{x}x{y} dpi, policy minimum {} ({size})", rules.min_dpi),
            )
        }
        Err(reason) => Check::new(
            l,
            CheckName::Resolution,
            Status::Failed,
            n,
            format!("resolution unknown: {reason} ({size})"),
        ),
    });
    let ok = rules.colour.allows(page.colour, page.bits);
    out.push(Check::new(
        l,
        CheckName::Colour,
        if ok { Status::Passed } else { Status::Failed },
        n,
        format!(
            "{} {}-bit per channel, policy {}",
            page.colour.name(),
            page.bits,
            rules.colour.name()
        ),
    ));
    if page.colour == raster::ColourMode::Bilevel
        && rules.colour == policy::ColourRequirement::Rgb24
    {
        // Named on its own as the issue's warning: a black-and-white scan
        // of a page kept in colour loses stamps, highlighting and colour
        // charts, whatever else the policy says.
        out.push(Check::new(
            l,
            CheckName::Bitonal,
            Status::Warning,
            n,
            "bitonal (1-bit) scan of a page the class requires in colour: colour marks are lost"
                .to_owned(),
        ));
    }
    let blank = page.ink < rules.blank_page.max_ink;
    let status = match (blank, rules.blank_page.action) {
        (false, _) => Status::Passed,
        (true, policy::BlankAction::Warn) => Status::Warning,
        (true, policy::BlankAction::Fail) => Status::Failed,
    };
    out.push(Check::new(
        l,
        CheckName::BlankPage,
        status,
        n,
        format!(
            "{}ink on {:.2}% of the page, blank below {:.2}%",
            if blank { "blank or near-blank: " } else { "" },
            page.ink * 100.0,
            rules.blank_page.max_ink * 100.0
        ),
    ));
    // JPEG files, and DCT-compressed page images inside PDFs.
    if format == Format::Jpeg || page.jpeg_quality.is_some() {
        out.push(match page.jpeg_quality {
            Some(q) if q < rules.jpeg_min_quality => Check::new(
                l,
                CheckName::JpegQuality,
                Status::Warning,
                n,
                format!(
                    "estimated JPEG quality {q}, policy minimum {}: heavy compression",
                    rules.jpeg_min_quality
                ),
            ),
            Some(q) => Check::new(
                l,
                CheckName::JpegQuality,
                Status::Passed,
                n,
                format!(
                    "estimated JPEG quality {q}, policy minimum {}",
                    rules.jpeg_min_quality
                ),
            ),
            None => Check::new(
                l,
                CheckName::JpegQuality,
                Status::Warning,
                n,
                "no luminance quantisation table found; quality unknown",
            ),
        });
    }
}
