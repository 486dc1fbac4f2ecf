//! `hozon scan`: checks scanned paper records against the scan policy (hozon-scan) in parallel
//! and prints the DESIGN.md §5 report. Exit 1 if any file FAILED, 4 for unreadable files or a bad
//! policy or class.
//!
//! With `--trust`, a `FILE.p7s` next to a scan is verified (authenticity); with `--sign`, every
//! PASSING file is then signed and time-stamped as the scan operator (the guideline wants each
//! scan signed and stamped without delay), through the same atomic batch writer as `hozon sign`;
//! failing files are left untouched and listed.

use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;

use hozon_io::Overwrite;
use hozon_scan::{check_file_with, FileError, FileReport, Policy, ScanError, ScanReport, Status};

use crate::args::{RevocationArg, ScanArgs, ScanLevelArg};
use crate::augment::{Augmenter, Target};
use crate::batch::{self, BatchReport, Produced};
use crate::outcome::Outcome;
use crate::output;
use crate::verify::{build_verifier, VerifierSetup};
use crate::walk::{self, Input, Walked};

/// The class for a file: `--class`, else the policy's first glob on the path relative to the
/// directory argument it was found under (its file name when named directly).
fn class_for<'a>(policy: &'a Policy, forced: Option<&'a str>, input: &Input) -> &'a str {
    if let Some(c) = forced {
        return c;
    }
    let relative = match &input.root {
        Some(root) => input.path.strip_prefix(root).unwrap_or(&input.path),
        None => input.path.file_name().map(Path::new).unwrap_or(&input.path),
    };
    let relative: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    policy.class_for(&relative.join("/"))
}

pub fn run(args: ScanArgs) -> anyhow::Result<Outcome> {
    let policy = match &args.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::default(),
    };
    if let Some(c) = &args.class {
        if policy.class(c).is_none() {
            let known: Vec<&str> = policy.classes.keys().map(String::as_str).collect();
            anyhow::bail!(
                "--class {c}: the policy has no such class (it has: {})",
                known.join(", ")
            );
        }
    }
    // Signer and TSA first: a bad key or TSA setting stops the run before any work.
    // Without signer options, --sign may still name the module in $HOZON_PKCS11_MODULE.
    let env_signer = crate::args::SignerArgs::default();
    let signing = match (args.signer.as_ref().or(Some(&env_signer)), args.sign) {
        (Some(signer), true) => {
            let cades = crate::sign::load_signer(signer)?;
            let target = match args.level {
                ScanLevelArg::T => Target::T,
                ScanLevelArg::Lt => Target::Lt,
                ScanLevelArg::Lta => Target::Lta,
            };
            let tsa = crate::tsa::client(&args.tsa)?.context("--sign needs --tsa URL")?;
            let augmenter = Augmenter::new(target, Some(tsa), &args.validation)?;
            // Before the first signature: is the signer revoked?
            let setup = crate::sign::check_setup(&args.validation, args.revocation);
            if let Err(outcome) = crate::signer_check::gate(&cades, &setup, args.run.json)? {
                return Ok(outcome);
            }
            Some((cades, augmenter))
        }
        _ => None,
    };
    let v = &args.validation;
    let verifier = if v.trust.is_empty() {
        None
    } else {
        Some(build_verifier(&VerifierSetup {
            trust: &v.trust,
            crls: &v.crl,
            ocsp: &v.ocsp,
            offline: v.offline,
            certs: &v.certs,
            revocation: RevocationArg::Require,
            at: None,
            accept_expired_tsa: false,
        })?)
    };
    let walked = walk::collect(&args.paths, |p| !walk::is_signature(p));
    let temporaries = walked.temporaries.clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.run.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let bar = if args.run.json {
        indicatif::ProgressBar::hidden()
    } else {
        output::progress(walked.inputs.len(), "scanning")
    };
    let results: Vec<Result<FileReport, ScanError>> = pool.install(|| {
        walked
            .inputs
            .par_iter()
            .map(|input| {
                let class = class_for(&policy, args.class.as_deref(), input);
                let r = check_file_with(&input.path, &policy, class, verifier.as_ref());
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();

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
            file: args
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
    let mut outcome = outcome_of(&report);
    let Some((cades, augmenter)) = signing else {
        if args.run.json {
            output::json(&report)?;
        } else {
            print_human(&report);
        }
        return Ok(outcome);
    };
    let signed = sign_passing(&cades, &augmenter, passing, temporaries, &args)?;
    outcome = outcome.worst(signed.outcome());
    let not_signed: Vec<&str> = report
        .files
        .iter()
        .filter(|f| f.verdict != Status::Passed)
        .map(|f| f.file.as_str())
        .chain(report.file_errors.iter().map(|e| e.file.as_str()))
        .collect();
    if args.run.json {
        let mut doc = serde_json::to_value(&report)?;
        if let Some(map) = doc.as_object_mut() {
            map.insert("signing".into(), signed.to_json("signed", "signature"));
            map.insert("not_signed".into(), serde_json::json!(not_signed));
        }
        output::json(&doc)?;
    } else {
        print_human(&report);
        signed.print_problems(args.run.quiet);
        eprintln!(
            "signed {} passing file(s) as CAdES {} with {}; {} skipped, {} failed",
            signed.done.len(),
            augmenter.level_name(),
            cades.signer().certificate().subject(),
            signed.skipped.len(),
            signed.failed.len()
        );
        if !not_signed.is_empty() {
            eprintln!(
                "not signed (failed the checks or unreadable), left untouched: {}",
                not_signed.join(", ")
            );
        }
    }
    Ok(outcome)
}

/// Signs and stamps the files that passed, `FILE.p7s` beside each, as `hozon sign` does.
fn sign_passing(
    cades: &hozon_sign::CadesSigner,
    augmenter: &Augmenter,
    passing: Vec<Input>,
    temporaries: Vec<std::path::PathBuf>,
    args: &ScanArgs,
) -> anyhow::Result<BatchReport> {
    let planned = batch::plan(
        Walked {
            inputs: passing,
            errors: Vec::new(),
            temporaries: temporaries.clone(),
            // Whether each FILE.p7s exists is asked of the file system.
            ..Walked::default()
        },
        |input| Ok(crate::sign::output_path(input, None, "p7s")),
    );
    batch::prepare_output_dirs(&planned, false, &temporaries)?;
    let settings = batch::Settings {
        threads: args
            .run
            .jobs
            .unwrap_or(0)
            .max(args.tsa.concurrency())
            .max(crate::sign::num_cpus()),
        overwrite: if args.force {
            Overwrite::Replace
        } else {
            Overwrite::Never
        },
        skip_existing: !args.force,
        label: "signing",
        quiet: args.run.json,
        halt: None,
        check_existing: None,
        raced: "signed by another run",
    };
    batch::run(planned, &settings, |task| {
        let signature = crate::sign::sign_one(cades, &task.input.path, false)?;
        let label = task.input.path.display().to_string();
        augmenter
            .apply(&label, &signature, Some(task.input.path.as_path()))
            .map(Produced::Write)
    })
}

/// Exit outcome: any FAILED file is 1, else any file that could not be checked is 4.
pub fn outcome_of(report: &ScanReport) -> Outcome {
    let mut outcome = if report.file_errors.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Error
    };
    if report.files.iter().any(|f| f.verdict == Status::Failed) {
        outcome = outcome.worst(Outcome::Failed);
    }
    outcome
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Passed => "PASSED",
        Status::Failed => "FAILED",
        Status::Warning => "WARNING",
    }
}

/// Human-readable report: one line per file, then its failures and warnings.
pub fn print_human(report: &ScanReport) {
    use std::fmt::Write;
    let mut out = String::new();
    for f in &report.files {
        let _ = writeln!(
            out,
            "{}  {}  {}, {} page(s), class {}",
            status(f.verdict),
            f.file,
            f.format,
            f.pages,
            f.class
        );
        for c in f.checks.iter().filter(|c| c.status != Status::Passed) {
            let page = c.page.map(|p| format!(" page {p}")).unwrap_or_default();
            let standard = serde_json::to_value(c.standard)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} {standard}/{}{page}: {}",
                status(c.status),
                c.check,
                c.detail
            );
        }
    }
    for e in &report.file_errors {
        output::error(&format!("{}: {}", e.file, e.error));
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} file(s): {} passed, {} failed",
        s.total, s.passed, s.failed
    );
    output::text(&out);
}
