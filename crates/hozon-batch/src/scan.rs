//! `hozon scan` as a batch: the files under the PATH arguments classified
//! by the policy, checked in parallel (hozon-scan), one report; and, once
//! the passing files are signed, the classes' `require_signature` settled
//! by what the signing batch did.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use hozon_scan::authenticity::SIGNED_BY_CALLER;
use hozon_scan::{
    check_file_opts, CheckOptions, ClassMatch, ClassifyError, FileError, FileReport, Policy,
    ScanError, ScanReport, Status,
};

use crate::walk::{self, Input};
use crate::{BatchReport, Progress};

/// The class for a file: `forced` (`--class`), else the policy's first glob
/// on the file's path relative to the class root (the policy's `root`, else
/// its folder; for the built-in policy, which has no rules, the directory
/// argument) — the same whichever folder was typed.
pub fn class_for(
    policy: &Policy,
    forced: Option<&str>,
    input: &Input,
) -> Result<ClassMatch, ClassifyError> {
    match forced {
        Some(c) => Ok(ClassMatch::chosen(c)),
        None => policy.classify(&input.path, input.root.as_deref()),
    }
}

/// What to check and how.
pub struct ScanRequest<'a> {
    /// The PATH arguments.
    pub paths: &'a [PathBuf],
    /// The scan policy.
    pub policy: &'a Policy,
    /// `--class`: one class for every file.
    pub class: Option<&'a str>,
    /// Signature verification and where the signature comes from.
    pub options: CheckOptions<'a>,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Told how the run advances.
    pub progress: &'a dyn Progress,
}

/// What the checks found.
#[derive(Debug)]
pub struct Scanned {
    /// The report (files checked, files that could not be).
    pub report: ScanReport,
    /// The files that PASSED, in walk order (what `--sign` signs).
    pub passing: Vec<Input>,
    /// hozon temporaries the walk saw (left by interrupted runs).
    pub temporaries: Vec<PathBuf>,
}

/// Why the checks could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanRunError {
    /// A file outside the policy's class root: a configuration error.
    #[error(transparent)]
    Classify(ClassifyError),
    /// The worker threads could not be started.
    #[error("cannot start worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
}

/// Checks every file under `request.paths` (signature files left out).
pub fn check_paths(request: &ScanRequest<'_>) -> Result<Scanned, ScanRunError> {
    let mut walked = walk::collect(request.paths, |p| !walk::is_signature(p));
    let temporaries = walked.temporaries.clone();
    // Classes first: a file outside the policy's class root is a configuration error that
    // stops the run before any work; a file that vanished is that file's error.
    let mut classes = Vec::with_capacity(walked.inputs.len());
    let mut vanished = Vec::new();
    for input in std::mem::take(&mut walked.inputs) {
        match class_for(request.policy, request.class, &input) {
            Ok(m) => {
                classes.push(m);
                walked.inputs.push(input);
            }
            Err(e @ ClassifyError::OutsideRoot { .. }) => return Err(ScanRunError::Classify(e)),
            Err(ClassifyError::Io { source, .. }) => {
                vanished.push((input.path, source.to_string()))
            }
        }
    }
    walked.errors.extend(vanished);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(request.threads)
        .build()
        .map_err(ScanRunError::Threads)?;
    request.progress.start(walked.inputs.len());
    let results: Vec<Result<FileReport, ScanError>> = pool.install(|| {
        walked
            .inputs
            .par_iter()
            .zip(classes.par_iter())
            .map(|(input, class)| {
                let r =
                    check_file_opts(&input.path, request.policy, &class.class, &request.options)
                        .map(|mut report| {
                            report.class_match = Some(class.clone());
                            report
                        });
                request.progress.advance();
                r
            })
            .collect()
    });
    request.progress.finish();

    let mut files = Vec::new();
    let mut file_errors: Vec<FileError> = walked
        .errors
        .into_iter()
        .map(|(p, e)| FileError {
            file: p.display().to_string(),
            error: e,
        })
        .collect();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(e) => file_errors.push(FileError {
                file: match &e {
                    ScanError::Io { path, .. } | ScanError::UnknownClass { path, .. } => {
                        path.display().to_string()
                    }
                },
                error: match e {
                    ScanError::Io { source, .. } => source.to_string(),
                    other => other.to_string(),
                },
            }),
        }
    }
    if files.is_empty() && file_errors.is_empty() {
        file_errors.push(FileError {
            file: request
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            error: "no files to check found".into(),
        });
    }
    let passing: Vec<Input> = walked
        .inputs
        .iter()
        .filter(|i| {
            files
                .iter()
                .any(|f| f.verdict == Status::Passed && Path::new(&f.file) == i.path)
        })
        .cloned()
        .collect();
    let mut report = ScanReport::new(files);
    report.file_errors = file_errors;
    Ok(Scanned {
        report,
        passing,
        temporaries,
    })
}

/// A class's `require_signature` was taken as met by the signature this run makes: each such
/// check now says what happened, and a file whose signing failed fails it.
pub fn settle_required_signatures(report: &mut ScanReport, signed: &BatchReport) {
    for file in &mut report.files {
        let Some(check) = file
            .checks
            .iter_mut()
            .find(|c| c.check == hozon_scan::CheckName::Signature && c.detail == SIGNED_BY_CALLER)
        else {
            continue;
        };
        if let Some((_, out)) = signed.done.iter().find(|(f, _)| *f == file.file) {
            check.detail = format!("the class requires a signature: signed by this run ({out})");
        } else {
            let why = signed
                .failed
                .iter()
                .chain(&signed.skipped)
                .find(|p| p.file == file.file)
                .map_or("the file was not signed", |p| p.reason.as_str());
            check.status = Status::Failed;
            check.detail = format!("the class requires a signature, and signing failed: {why}");
            file.decide();
        }
    }
    let errors = std::mem::take(&mut report.file_errors);
    *report = ScanReport::new(std::mem::take(&mut report.files));
    report.file_errors = errors;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{code, Problem};
    use crate::NoProgress;
    use hozon_scan::{Check, CheckName, Standard};

    fn file_signed_by_caller(name: &str) -> FileReport {
        let mut f = FileReport {
            file: name.into(),
            format: hozon_scan::Format::Png,
            class: "default".into(),
            class_match: None,
            pages: 1,
            verdict: Status::Passed,
            sha256: None,
            checks: vec![Check::new(
                Standard::Authenticity,
                CheckName::Signature,
                Status::Passed,
                None,
                SIGNED_BY_CALLER,
            )],
        };
        f.decide();
        f
    }

    #[test]
    fn a_forced_class_is_chosen_by_option() {
        let input = Input {
            path: "a.png".into(),
            root: None,
        };
        let m = class_for(&Policy::default(), Some("chart"), &input).unwrap();
        assert_eq!(m, ClassMatch::chosen("chart"));
    }

    #[test]
    fn nothing_to_check_is_a_file_error_naming_the_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let policy = Policy::default();
        let scanned = check_paths(&ScanRequest {
            paths: &[dir.path().to_path_buf()],
            policy: &policy,
            class: None,
            options: CheckOptions::default(),
            threads: 1,
            progress: &NoProgress,
        })
        .unwrap();
        assert!(scanned.report.files.is_empty() && scanned.passing.is_empty());
        assert_eq!(scanned.report.file_errors.len(), 1);
        assert_eq!(
            scanned.report.file_errors[0].error,
            "no files to check found"
        );
        assert_eq!(
            scanned.report.file_errors[0].file,
            dir.path().display().to_string()
        );
    }

    #[test]
    fn a_signature_made_by_the_run_meets_the_requirement() {
        let mut report = ScanReport::new(vec![file_signed_by_caller("a.png")]);
        let signed = BatchReport {
            done: vec![("a.png".into(), "a.png.p7s".into())],
            ..BatchReport::default()
        };
        settle_required_signatures(&mut report, &signed);
        assert_eq!(report.files[0].verdict, Status::Passed);
        assert_eq!(
            report.files[0].checks[0].detail,
            "the class requires a signature: signed by this run (a.png.p7s)"
        );
        assert_eq!(report.summary.passed, 1);
    }

    #[test]
    fn a_failed_signing_fails_the_requirement_with_its_reason() {
        let mut report = ScanReport::new(vec![
            file_signed_by_caller("a.png"),
            file_signed_by_caller("b.png"),
        ]);
        let signed = BatchReport {
            failed: vec![Problem::new(
                "a.png".into(),
                code::FAILED,
                "the TSA is down".into(),
            )],
            ..BatchReport::default()
        };
        settle_required_signatures(&mut report, &signed);
        assert_eq!(report.files[0].verdict, Status::Failed);
        assert_eq!(
            report.files[0].checks[0].detail,
            "the class requires a signature, and signing failed: the TSA is down"
        );
        assert_eq!(
            report.files[1].checks[0].detail,
            "the class requires a signature, and signing failed: the file was not signed"
        );
        assert_eq!(report.summary.failed, 2);
    }
}
