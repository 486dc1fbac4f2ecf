//! `hozon verify` over PATH arguments: archive record directories verified
//! as wholes, every other signature file found by [`crate::walk`] verified in
//! parallel by [`crate::verify_any`], one report, the per-file reports of
//! `--report-dir`, and the coverage of `--require-signed`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use hozon_verify::{FileError, Report, SignatureReport, Summary, Verifier};

use crate::coverage::Coverage;
use crate::verify_any::{archive_records, is_xades_file, verify_file_with, VerifyFileError};
use crate::walk;
use crate::Progress;

/// What to verify and how.
pub struct VerifyRequest<'a> {
    /// The PATH arguments (files, directories, archive records).
    pub paths: &'a [PathBuf],
    /// `--content`: the detached content of the one signature file.
    pub content: &'a [PathBuf],
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// `--report-dir`: one JSON report per signature file, mirrored below it.
    pub report_dir: Option<&'a Path>,
    /// `--require-signed`: also find what is not covered.
    pub require_signed: bool,
    /// Told how the run advances.
    pub progress: &'a dyn Progress,
}

/// What a verification found.
#[derive(Debug)]
pub struct Verification {
    /// The report (signatures, file errors, unsigned PDFs, evidence records).
    pub report: Report,
    /// The coverage, when asked for.
    pub coverage: Option<Coverage>,
}

impl Verification {
    /// Whether `--require-signed` found something uncovered.
    pub fn uncovered(&self) -> bool {
        self.coverage.as_ref().is_some_and(|c| !c.is_empty())
    }
}

/// Why a verification could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// `--content` with other than one signature file.
    #[error("--content applies to exactly one signature file; {0} were given")]
    ContentNeedsOneFile(usize),
    /// The worker threads could not be started.
    #[error("cannot start worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
}

/// Verifies everything at `request.paths`.
pub fn verify_paths(
    verifier: &Verifier,
    request: &VerifyRequest<'_>,
) -> Result<Verification, VerifyError> {
    // An archive record directory (it holds record.json) is verified as a
    // whole: fixity, its evidence record, its signature with the evidence
    // record's proof of existence. A directory holding records (an
    // archive, its records/ or a month of it) is verified record by record.
    let mut record_dirs = Vec::new();
    let mut paths = Vec::new();
    for p in request.paths {
        let found = if p.is_dir() {
            archive_records(p)
        } else {
            Vec::new()
        };
        if found.is_empty() {
            paths.push(p.clone());
        } else {
            record_dirs.extend(found);
        }
    }
    let record_reports: Vec<SignatureReport> = record_dirs
        .par_iter()
        .flat_map_iter(|d| hozon_archive::verify::record_reports(d, verifier))
        .collect();
    // Previous signatures kept by `sign --resign` are history: they signed
    // an earlier version of the document.
    let walked = walk::collect(&paths, |p| {
        (walk::is_signature(p) && !walk::is_kept_previous(p))
            || hozon_pades::is_pdf_file(p)
            || is_xades_file(p)
    });
    let inputs = walked.inputs;
    if !request.content.is_empty() && inputs.len() != 1 {
        return Err(VerifyError::ContentNeedsOneFile(inputs.len()));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(request.threads)
        .build()
        .map_err(VerifyError::Threads)?;
    request.progress.start(inputs.len());
    type Verified = (PathBuf, Result<Vec<SignatureReport>, VerifyFileError>);
    let results: Vec<Verified> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| {
                let r = verify_file_with(verifier, &input.path, request.content);
                request.progress.advance();
                (input.path.clone(), r)
            })
            .collect()
    });
    request.progress.finish();

    let mut report = Report {
        validation_time: verifier.validation_time().rfc3339(),
        signatures: Vec::new(),
        summary: Summary::default(),
        file_errors: walked
            .errors
            .into_iter()
            .map(|(p, e)| FileError {
                file: p.display().to_string(),
                error: e,
            })
            .collect(),
        unsigned_files: Vec::new(),
        evidence_records: Vec::new(),
        evidence_summary: None,
    };
    for (path, result) in results {
        match result {
            // Only a file verified by content (a PDF) has no report.
            Ok(reports) if reports.is_empty() => {
                report.unsigned_files.push(path.display().to_string());
            }
            Ok(reports) => {
                if let Some(dir) = request.report_dir {
                    if let Err(e) = write_file_report(dir, &path, &report.validation_time, &reports)
                    {
                        report.file_errors.push(FileError {
                            file: path.display().to_string(),
                            error: format!("cannot write its report: {e}"),
                        });
                    }
                }
                report.signatures.extend(reports);
            }
            Err(e) => report.file_errors.push(FileError {
                file: path.display().to_string(),
                error: e.to_string(),
            }),
        }
    }
    report.signatures.extend(record_reports);
    report.summary = Summary::of(&report.signatures);
    report.collect_evidence_records();
    // A PDF whose signatures are inside it is signed, though nothing lies beside it.
    let signed_inside: HashSet<&str> = report
        .signatures
        .iter()
        .filter(|r| r.format == hozon_verify::SignatureFormat::Pades)
        .map(|r| r.file.as_str())
        .collect();
    let coverage = request
        .require_signed
        .then(|| Coverage::of(&paths, &signed_inside));
    let uncovered = coverage.as_ref().is_some_and(|c| !c.is_empty());
    if report.signatures.is_empty()
        && report.file_errors.is_empty()
        && report.unsigned_files.is_empty()
        && !uncovered
    {
        report.file_errors.push(FileError {
            file: request
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            error: "no signature files (.p7s, .p7m) found".into(),
        });
    }
    Ok(Verification { report, coverage })
}

/// Writes the report of one signature file below `dir`, at the signature's
/// path (its normal components) with `.json` added.
fn write_file_report(
    dir: &Path,
    sig: &Path,
    validation_time: &str,
    reports: &[SignatureReport],
) -> std::io::Result<()> {
    let relative: PathBuf = sig
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect();
    let mut name = relative.into_os_string();
    name.push(".json");
    let target = dir.join(name);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut single = Report {
        validation_time: validation_time.to_owned(),
        signatures: reports.to_vec(),
        summary: Summary::of(reports),
        file_errors: Vec::new(),
        unsigned_files: Vec::new(),
        evidence_records: Vec::new(),
        evidence_summary: None,
    };
    single.collect_evidence_records();
    let json = serde_json::to_vec_pretty(&single)?;
    hozon_io::write_atomic(&target, &json, hozon_io::Overwrite::Replace)
}
