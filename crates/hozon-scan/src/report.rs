//! The scan check report (DESIGN.md §5): one entry per file with its checks, and a summary.
//!
//! Each check names the guideline standard it serves (authenticity, legibility, preservability —
//! the three conditions of electronic storage in Ver 6.0 企16), its status, the page it concerns
//! (none for file-level checks) and a human detail such as "150x150 dpi, policy minimum 300".

use serde::{Deserialize, Serialize};

/// The standard a check serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Standard {
    /// 真正性: who made it, when, unaltered.
    Authenticity,
    /// 見読性: can be read clearly.
    Legibility,
    /// 保存性: survives and stays readable for the retention period.
    Preservability,
}

/// The status of one check, or a file's verdict (never WARNING as a verdict).
/// The archive keeps a scan whose verdict is FAILED only with
/// `--accept-failed`, in state `accepted-failed` (docs/scans.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Meets the policy.
    Passed,
    /// Does not meet the policy.
    Failed,
    /// Meets the policy but deserves a look.
    Warning,
}

/// What a check looks at: the report's `check` field, serialised as
/// today's names (`format`, `blank-page`, `scan-to-stamp`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckName {
    /// The format identified by content, against the policy (preservability).
    Format,
    /// The file name's extension against the content (preservability).
    FileName,
    /// Every page decodes completely (preservability).
    Decode,
    /// The file's SHA-256 (preservability).
    Fixity,
    /// A page's dpi against the class minimum (legibility).
    Resolution,
    /// A page's colour mode and depth (legibility).
    Colour,
    /// A bilevel page where the class allows it (legibility).
    Bitonal,
    /// A blank or near-blank page (legibility).
    BlankPage,
    /// A JPEG's estimated quality (legibility).
    JpegQuality,
    /// How a PDF page image's dpi was measured (legibility).
    PdfImage,
    /// PDF/A markers (preservability).
    Pdfa,
    /// The scan's signature (authenticity).
    Signature,
    /// Whether the signer is one the class allows (authenticity).
    Signer,
    /// Scan time to time stamp, in business days (authenticity).
    ScanToStamp,
}

impl CheckName {
    /// The name as the report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::Format => "format",
            CheckName::FileName => "file-name",
            CheckName::Decode => "decode",
            CheckName::Fixity => "fixity",
            CheckName::Resolution => "resolution",
            CheckName::Colour => "colour",
            CheckName::Bitonal => "bitonal",
            CheckName::BlankPage => "blank-page",
            CheckName::JpegQuality => "jpeg-quality",
            CheckName::PdfImage => "pdf-image",
            CheckName::Pdfa => "pdfa",
            CheckName::Signature => "signature",
            CheckName::Signer => "signer",
            CheckName::ScanToStamp => "scan-to-stamp",
        }
    }
}

impl std::fmt::Display for CheckName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<str> for CheckName {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CheckName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Standard served.
    pub standard: Standard,
    /// What the check looks at.
    pub check: CheckName,
    /// Outcome.
    pub status: Status,
    /// 1-based page, or none for a file-level check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// What was found, in words.
    pub detail: String,
}

impl Check {
    /// A check serving `standard`, with its outcome, the page it concerns
    /// (none for a file-level check) and what was found.
    pub fn new(
        standard: Standard,
        check: CheckName,
        status: Status,
        page: Option<u32>,
        detail: impl Into<String>,
    ) -> Check {
        Check {
            standard,
            check,
            status,
            page,
            detail: detail.into(),
        }
    }
}

/// The report for one file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    /// Path as given.
    pub file: String,
    /// Format identified from the content ("TIFF", "PNG", ...).
    pub format: crate::Format,
    /// Policy class the file was checked against.
    pub class: String,
    /// How the class was chosen: the rule and the path it matched (absent when the caller did
    /// not say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_match: Option<crate::policy::ClassMatch>,
    /// Pages fully decoded.
    pub pages: u32,
    /// FAILED if any check failed, else PASSED.
    pub verdict: Status,
    /// SHA-256 of the file's bytes (hex), for fixity; none if the file could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Checks in order.
    pub checks: Vec<Check>,
}

impl FileReport {
    /// Sets the verdict from the checks: FAILED if any failed.
    pub fn decide(&mut self) {
        self.verdict = if self.checks.iter().any(|c| c.status == Status::Failed) {
            Status::Failed
        } else {
            Status::Passed
        };
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.status == Status::Failed)
    }
}

/// Counts over a batch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Files checked.
    pub total: usize,
    /// Files PASSED.
    pub passed: usize,
    /// Files FAILED.
    pub failed: usize,
}

/// A file that could not be checked at all (unreadable, vanished during the walk).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileError {
    /// Path as given.
    pub file: String,
    /// Why.
    pub error: String,
}

/// The whole report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// One entry per file.
    pub files: Vec<FileReport>,
    /// Counts.
    pub summary: Summary,
    /// Files that could not be checked; absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_errors: Vec<FileError>,
}

impl ScanReport {
    /// Builds a report and its summary from file reports.
    pub fn new(files: Vec<FileReport>) -> ScanReport {
        let passed = files.iter().filter(|f| f.verdict == Status::Passed).count();
        let summary = Summary {
            total: files.len(),
            passed,
            failed: files.len() - passed,
        };
        ScanReport {
            files,
            summary,
            file_errors: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_serialise_as_the_report_writes_them() {
        for name in [
            CheckName::Format,
            CheckName::FileName,
            CheckName::Decode,
            CheckName::Fixity,
            CheckName::Resolution,
            CheckName::Colour,
            CheckName::Bitonal,
            CheckName::BlankPage,
            CheckName::JpegQuality,
            CheckName::PdfImage,
            CheckName::Pdfa,
            CheckName::Signature,
            CheckName::Signer,
            CheckName::ScanToStamp,
        ] {
            let json = serde_json::to_string(&name).unwrap();
            assert_eq!(json, format!("\"{}\"", name.as_str()));
            assert_eq!(serde_json::from_str::<CheckName>(&json).unwrap(), name);
            assert!(name == name.as_str());
            assert_eq!(format!("{name:<14}|"), format!("{:<14}|", name.as_str()));
        }
    }

    #[test]
    fn statuses_serialise_upper_case() {
        assert_eq!(
            serde_json::to_string(&Status::Passed).unwrap(),
            "\"PASSED\""
        );
        assert_eq!(
            serde_json::to_string(&Status::Failed).unwrap(),
            "\"FAILED\""
        );
        assert_eq!(
            serde_json::to_string(&Status::Warning).unwrap(),
            "\"WARNING\""
        );
    }
}
