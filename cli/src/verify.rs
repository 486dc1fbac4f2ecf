//! `hozon verify`: batch validation and reports.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use hozon_cms::MAX_SIGNATURE_FILE_SIZE;
use hozon_pki::{RevocationPolicy, UnixTime};
use hozon_verify::{
    AlgorithmPolicy, FileError, Indication, Report, SignatureReport, Summary, Verifier,
};

use crate::args::{RevocationArg, VerifyArgs};
use crate::outcome::Outcome;
use crate::output;
use crate::walk;

/// What a verifier is built from.
pub struct VerifierSetup<'a> {
    /// Trust anchor files.
    pub trust: &'a [PathBuf],
    /// CRL files.
    pub crls: &'a [PathBuf],
    /// OCSP response files (DER).
    pub ocsp: &'a [PathBuf],
    /// Fetch nothing.
    pub offline: bool,
    /// Extra certificate files (intermediates, TSA certificates).
    pub certs: &'a [PathBuf],
    /// Revocation policy.
    pub revocation: RevocationArg,
    /// `--at`.
    pub at: Option<&'a str>,
    /// `--accept-expired-tsa`.
    pub accept_expired_tsa: bool,
}

/// Builds the verifier the arguments describe.
pub fn build_verifier(setup: &VerifierSetup<'_>) -> anyhow::Result<Verifier> {
    let at = match setup.at {
        Some(s) => Some(
            UnixTime::parse_rfc3339(s)
                .map_err(anyhow::Error::msg)
                .context("--at")?,
        ),
        None => None,
    };
    Ok(hozon_verify::VerifierSetup {
        trust: setup.trust.to_vec(),
        crls: setup.crls.to_vec(),
        ocsp: setup.ocsp.to_vec(),
        certs: setup.certs.to_vec(),
        offline: setup.offline,
        revocation: match setup.revocation {
            RevocationArg::Require => RevocationPolicy::Require,
            RevocationArg::BestEffort => RevocationPolicy::BestEffort,
            RevocationArg::Skip => RevocationPolicy::Skip,
        },
        at,
        accept_expired_tsa: setup.accept_expired_tsa,
        algorithms: AlgorithmPolicy::default(),
    }
    .build()?)
}

/// `verifier` with the algorithm policy of `--crypto-policy FILE`, if given.
pub fn with_crypto_policy(verifier: Verifier, file: Option<&Path>) -> anyhow::Result<Verifier> {
    Ok(match file {
        Some(path) => verifier.with_algorithms(hozon_verify::builder::read_crypto_policy(path)?),
        None => verifier,
    })
}

/// The archive record directories at or below `dir` (directories holding
/// `record.json`; staging directories excluded).
fn archive_records(dir: &Path) -> Vec<PathBuf> {
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

/// The detached content for signature `sig`: `X` for `X.p7s`.
fn default_content(sig: &Path) -> Option<PathBuf> {
    let ext = sig.extension()?.to_str()?.to_ascii_lowercase();
    (ext == "p7s" || ext == "tsr" || ext == "ers").then(|| sig.with_extension(""))
}

/// Verifies one signature file. A file too large to be a signature is
/// refused from its size, before anything is read.
pub fn verify_file(
    verifier: &Verifier,
    sig: &Path,
    content: Option<&Path>,
) -> Result<Vec<SignatureReport>, String> {
    verify_file_with(verifier, sig, content.map(Path::to_path_buf).as_slice())
}

/// [`verify_file`] with any number of content files: several only for an
/// evidence record (`.ers`), whose data group they are.
pub fn verify_file_with(
    verifier: &Verifier,
    sig: &Path,
    contents: &[PathBuf],
) -> Result<Vec<SignatureReport>, String> {
    let label = sig.display().to_string();
    if !walk::is_signature(sig) && hozon_pades::is_pdf_file(sig) {
        return verify_pdf(verifier, sig, contents);
    }
    if let Some(bytes) = crate::xades::read_if_xades(sig) {
        return crate::xades::verify_bytes(verifier, sig, &bytes, contents);
    }
    let is_evidence = sig
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ers"));
    if contents.len() > 1 && !is_evidence {
        return Err(format!(
            "{label}: several --content files apply only to an evidence record (.ers)"
        ));
    }
    let content = contents.first().cloned().or_else(|| default_content(sig));
    let file = std::fs::File::open(sig).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    if size > MAX_SIGNATURE_FILE_SIZE {
        return Ok(vec![Verifier::format_failure(
            &label,
            content.map(|c| c.display().to_string()),
            &format!("{size} bytes is more than the {MAX_SIGNATURE_FILE_SIZE}-byte limit for a signature file"),
        )]);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_SIGNATURE_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
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
    // An evidence record over the signature file itself (SIG.ers next to
    // SIG) that passes proves the signature existed at its time: past
    // signature validation at that time, as with a signature time stamp.
    let mut evidence = sig.as_os_str().to_owned();
    evidence.push(".ers");
    let evidence = PathBuf::from(evidence);
    if evidence.is_file() {
        let ers_label = evidence.display().to_string();
        let ers = std::fs::read(&evidence)
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
            Some(poe) => verifier.verify_with_poe(&label, &bytes, content.as_deref(), poe),
            None => verifier.verify(&label, &bytes, content.as_deref()),
        };
        let note = match (&ers, poe) {
            (_, Some(poe)) => {
                format!(
                    "the evidence record {ers_label} proves the signature file existed at {poe}"
                )
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
        return Ok(reports);
    }
    Ok(verifier.verify(&label, &bytes, content.as_deref()))
}

/// A PDF, recognised by content: its signatures (PAdES), or none when it
/// is unsigned.
fn verify_pdf(
    verifier: &Verifier,
    pdf: &Path,
    contents: &[PathBuf],
) -> Result<Vec<SignatureReport>, String> {
    if !contents.is_empty() {
        return Err(format!(
            "{}: a PDF signature signs the PDF itself; --content does not apply",
            pdf.display()
        ));
    }
    match hozon_pades::verify_pdf(verifier, pdf) {
        Ok(hozon_pades::PdfVerification::Signed(reports)) => Ok(reports),
        Ok(hozon_pades::PdfVerification::Unsigned) => Ok(Vec::new()),
        Err(e) => Err(e.to_string()),
    }
}

pub fn run(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let verifier = build_verifier(&VerifierSetup {
        trust: &args.trust,
        crls: &args.crl,
        ocsp: &args.ocsp,
        offline: args.offline,
        certs: &args.certs,
        revocation: args.revocation,
        at: args.at.as_deref(),
        accept_expired_tsa: args.accept_expired_tsa,
    })?;
    let verifier = with_crypto_policy(verifier, args.crypto_policy.as_deref())?;
    let pending_report = crate::report::prepare_checked(
        args.report.as_deref(),
        &args.sign_report,
        &crate::report::report_signer_check(&args),
        args.run.json,
    )?;
    // An archive record directory (it holds record.json) is verified as a
    // whole: fixity, its evidence record, its signature with the evidence
    // record's proof of existence. A directory holding records (an
    // archive, its records/ or a month of it) is verified record by record.
    let mut record_dirs = Vec::new();
    let mut paths = Vec::new();
    for p in &args.paths {
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
        .flat_map_iter(|d| hozon_archive::verify::record_reports(d, &verifier))
        .collect();
    // Previous signatures kept by `sign --resign` are history: they signed
    // an earlier version of the document.
    let walked = walk::collect(&paths, |p| {
        (walk::is_signature(p) && !walk::is_kept_previous(p))
            || hozon_pades::is_pdf_file(p)
            || crate::xades::is_xades_file(p)
    });
    let walk_errors = walked.errors;
    let inputs: Vec<_> = walked.inputs;
    if !args.content.is_empty() && inputs.len() != 1 {
        anyhow::bail!(
            "--content applies to exactly one signature file; {} were given",
            inputs.len()
        );
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.run.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let bar = if args.run.json || args.run.list.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        output::progress(inputs.len(), "verifying")
    };
    type Verified = (PathBuf, Result<Vec<SignatureReport>, String>);
    let results: Vec<Verified> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| {
                let r = verify_file_with(&verifier, &input.path, &args.content);
                bar.inc(1);
                (input.path.clone(), r)
            })
            .collect()
    });
    bar.finish_and_clear();

    let mut report = Report {
        validation_time: verifier.validation_time().rfc3339(),
        signatures: Vec::new(),
        summary: Summary::default(),
        file_errors: walk_errors
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
                if let Some(dir) = &args.report_dir {
                    if let Err(e) = write_file_report(dir, &path, &report.validation_time, &reports)
                    {
                        report.file_errors.push(FileError {
                            file: path.display().to_string(),
                            error: format!("cannot write its report: {e:#}"),
                        });
                    }
                }
                report.signatures.extend(reports);
            }
            Err(e) => report.file_errors.push(FileError {
                file: path.display().to_string(),
                error: e,
            }),
        }
    }
    report.signatures.extend(record_reports);
    report.summary = Summary::of(&report.signatures);
    report.collect_evidence_records();
    // A PDF whose signatures are inside it is signed, though nothing lies beside it.
    let signed_inside: std::collections::HashSet<&str> = report
        .signatures
        .iter()
        .filter(|r| r.format == hozon_verify::SignatureFormat::Pades)
        .map(|r| r.file.as_str())
        .collect();
    let coverage = args
        .require_signed
        .then(|| Coverage::of(&paths, &signed_inside));
    let uncovered = coverage.as_ref().is_some_and(|c| !c.is_empty());
    if report.signatures.is_empty()
        && report.file_errors.is_empty()
        && report.unsigned_files.is_empty()
        && !uncovered
    {
        report.file_errors.push(FileError {
            file: args
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            error: "no signature files (.p7s, .p7m) found".into(),
        });
    }
    let outcome = outcome_of(&report).worst(if uncovered {
        Outcome::Failed
    } else {
        Outcome::Passed
    });
    if let Some(r) = &pending_report {
        r.write_verify(&report, &args)?;
    }
    if args.run.list.failures_only {
        report
            .signatures
            .retain(|s| s.indication != Indication::TotalPassed);
    }
    if args.run.json {
        let mut json = serde_json::to_value(&report)?;
        if let Some(c) = &coverage {
            json["unsigned"] = serde_json::to_value(&c.unsigned)?;
            json["orphaned"] = serde_json::to_value(&c.orphaned)?;
        }
        output::json(&json)?;
    } else {
        crate::verify_text::print_human(&report, args.run.list.quiet);
        if let Some(c) = &coverage {
            c.print();
        }
    }
    Ok(outcome)
}

/// A file `verify --require-signed` reports, with a stable code.
#[derive(Debug, serde::Serialize)]
pub struct Uncovered {
    /// The file.
    pub file: String,
    /// `NOT_SIGNED`, `NOT_REGULAR_FILE` or `SIGNED_DATA_NOT_FOUND`.
    pub code: &'static str,
    /// Why, in words.
    pub reason: String,
}

/// What `--require-signed` finds under the PATH arguments: documents
/// without signature, time stamp or evidence record, entries that are not
/// regular files, and detached signatures whose document is gone.
#[derive(Debug, Default)]
pub struct Coverage {
    /// Documents (and symlinks, special files) without a signature.
    pub unsigned: Vec<Uncovered>,
    /// Signatures, time stamps and evidence records whose document is gone.
    pub orphaned: Vec<Uncovered>,
}

impl Coverage {
    /// Walks `paths` (symlinks not followed). `signed_inside` names the
    /// files that carry their signatures inside them (signed PDFs).
    pub fn of(paths: &[PathBuf], signed_inside: &std::collections::HashSet<&str>) -> Coverage {
        let walked = walk::collect(paths, |_| true);
        let present: std::collections::HashSet<&Path> =
            walked.inputs.iter().map(|i| i.path.as_path()).collect();
        let mut c = Coverage::default();
        for input in &walked.inputs {
            let path = &input.path;
            if walk::is_signature(path) {
                let kept = walk::is_kept_previous(path);
                let detached = default_content(path);
                if let (false, Some(doc)) = (kept, detached) {
                    if !present.contains(doc.as_path()) && !doc.exists() {
                        c.orphaned.push(Uncovered {
                            file: path.display().to_string(),
                            code: "SIGNED_DATA_NOT_FOUND",
                            reason: format!("its document {} is gone", doc.display()),
                        });
                    }
                }
                continue;
            }
            let inside = signed_inside.contains(path.display().to_string().as_str());
            let covered = inside
                || ["p7s", "p7m", "tsr", "ers"].iter().any(|ext| {
                    let mut name = path.as_os_str().to_owned();
                    name.push(".");
                    name.push(ext);
                    present.contains(Path::new(&name))
                });
            if !covered {
                c.unsigned.push(Uncovered {
                    file: path.display().to_string(),
                    code: "NOT_SIGNED",
                    reason: "no signature, time stamp or evidence record beside it".into(),
                });
            }
        }
        for (path, reason) in walked.not_regular {
            c.unsigned.push(Uncovered {
                file: path.display().to_string(),
                code: "NOT_REGULAR_FILE",
                reason,
            });
        }
        c
    }

    /// Whether nothing is uncovered.
    pub fn is_empty(&self) -> bool {
        self.unsigned.is_empty() && self.orphaned.is_empty()
    }

    /// The text report on stderr.
    pub fn print(&self) {
        let t = crate::report::cat();
        for u in &self.unsigned {
            output::error(&t.text_with(
                "cli-not-signed",
                &[("file", &u.file), ("reason", &u.reason)],
            ));
        }
        for o in &self.orphaned {
            output::error(
                &t.text_with("cli-orphaned", &[("file", &o.file), ("reason", &o.reason)]),
            );
        }
        if !self.is_empty() {
            eprintln!(
                "{}",
                t.text_with(
                    "cli-uncovered-summary",
                    &[
                        ("unsigned", &self.unsigned.len().to_string()),
                        ("orphaned", &self.orphaned.len().to_string()),
                    ],
                )
            );
        }
    }
}

/// The exit outcome of a verification report.
pub fn outcome_of(report: &Report) -> Outcome {
    let mut outcome = if report.file_errors.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Error
    };
    for s in &report.signatures {
        outcome = outcome.worst(match s.indication {
            Indication::TotalPassed => Outcome::Passed,
            Indication::TotalFailed => Outcome::Failed,
            Indication::Indeterminate => Outcome::Indeterminate,
        });
    }
    outcome
}

fn write_file_report(
    dir: &Path,
    sig: &Path,
    validation_time: &str,
    reports: &[SignatureReport],
) -> anyhow::Result<()> {
    // Mirror the signature's path below the report directory.
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
    hozon_io::write_atomic(&target, &json, hozon_io::Overwrite::Replace)?;
    Ok(())
}
