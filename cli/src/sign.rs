//! `hozon sign`: batch CAdES signing.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;

use hozon_io::Overwrite;
use hozon_ltv::{Augmenter, Target};
use hozon_sign::{CadesSigner, DigestCheck, Packaging, SignFileError, MAX_ENVELOPING_CONTENT};

use crate::args::{LevelArg, SignArgs};
use crate::batch::{self, Produced, ReportExt};
use crate::outcome::Outcome;
use crate::output;
use crate::signer::{check_setup, load_signer};
use hozon_batch::output_path;
use hozon_batch::resign::{changed_after_signing, existing_fits, keep_previous};
use hozon_batch::walk;

pub fn run(args: SignArgs) -> anyhow::Result<Outcome> {
    if args.format == crate::args::SignFormatArg::Xades {
        return crate::xades_sign::run(args);
    }
    let cades = load_signer(&args.signer)?;
    let target = match args.level {
        LevelArg::B => None,
        LevelArg::T => Some(Target::T),
        LevelArg::Lt => Some(Target::Lt),
        LevelArg::Lta => Some(Target::Lta),
    };
    // Everything above B-B is the same augmentation `extend` does, applied
    // before the signature is first written.
    let augmenter = match target {
        None => None,
        Some(target) => {
            let tsa =
                crate::tsa::client(&args.tsa)?.context("--level t, lt and lta need --tsa URL")?;
            Some(crate::augment::augmenter(
                target,
                Some(tsa),
                &args.validation,
            )?)
        }
    };
    // The options are complete: now, before the first signature, the
    // signer's own revocation status.
    let cleared = match crate::signer_check::gate(
        &cades,
        &check_setup(&args.validation, args.revocation),
        args.run.json,
    )? {
        Ok(cleared) => cleared,
        Err(outcome) => return Ok(outcome),
    };
    let extension = if args.enveloping { "p7m" } else { "p7s" };
    let walked = walk::collect(&args.paths, |p| !walk::is_signature(p));
    let temporaries = walked.temporaries.clone();
    let planned = batch::plan(walked, |input| {
        if walk::is_signature(&input.path) {
            return Err(
                "is a signature or evidence file; signatures are never signed again".into(),
            );
        }
        Ok(output_path(input, args.out_dir.as_deref(), extension))
    });
    batch::prepare_output_dirs(&planned, args.out_dir.is_some(), &temporaries)?;
    // Waiting for the TSA is not CPU work: with time stamps, enough threads
    // to keep --tsa-concurrency requests in flight.
    let threads = match &augmenter {
        Some(_) => args
            .run
            .jobs
            .unwrap_or(0)
            .max(args.tsa.concurrency())
            .max(num_cpus()),
        None => args.run.jobs.unwrap_or(0),
    };
    let halt = || augmenter.as_ref()?.tsa().and_then(crate::tsa::halt_reason);
    let stale = |task: &batch::Task| changed_after_signing(&task.input.path, &task.output);
    let resigned = AtomicUsize::new(0);
    let settings = batch::Settings {
        threads,
        overwrite: if args.force || args.resign {
            Overwrite::Replace
        } else {
            Overwrite::Never
        },
        skip_existing: !args.force && !args.resign,
        progress: &batch::Bar::new("signing", args.run.json || args.run.list.quiet),
        halt: augmenter
            .as_ref()
            .and_then(Augmenter::tsa)
            .map(|_| &halt as batch::Halt<'_>),
        check_existing: (!args.enveloping).then_some(&stale as batch::CheckExisting<'_>),
        raced: "signed by another run",
    };
    let report = batch::run(planned, &settings, |task| {
        // --resign: only documents changed since their signature.
        let replacing = args.resign && task.output.symlink_metadata().is_ok();
        if replacing {
            match existing_fits(&task.input.path, &task.output).map_err(|e| e.to_string())? {
                DigestCheck::Changed { .. } => {}
                DigestCheck::Matches | DigestCheck::NotComparable(_) => {
                    return Ok(Produced::Skip(format!(
                        "{} exists and still fits the document",
                        task.output.display()
                    )))
                }
            }
        }
        let signature = sign_one(&cades, &task.input.path, args.enveloping)?;
        let bytes = match &augmenter {
            None => signature,
            // Another run may have signed it since this one planned: a
            // time stamp is paid for, so look before asking the TSA.
            Some(_) if !args.force && !replacing && task.output.exists() => {
                return Ok(Produced::Skip(batch::raced_reason(task, &settings)));
            }
            Some(augmenter) => {
                let content = (!args.enveloping).then_some(task.input.path.as_path());
                let label = task.input.path.display().to_string();
                augmenter
                    .apply(&label, &signature, content)
                    .map_err(|e| e.to_string())?
            }
        };
        if replacing {
            keep_previous(&task.output).map_err(|e| e.to_string())?;
            resigned.fetch_add(1, Ordering::Relaxed);
        }
        Ok(Produced::Write(bytes))
    })?;
    let level = augmenter.as_ref().map_or("B-B", Augmenter::level_name);
    if args.run.json {
        let mut json = report.to_json("signed", "signature");
        json["signer_check"] = crate::signer_check::to_json(&cleared);
        if let Some(tsa) = augmenter.as_ref().and_then(Augmenter::tsa) {
            json["tsa"] = crate::tsa::health_json(tsa);
        }
        if args.run.list.failures_only {
            batch::BatchReport::failures_only(&mut json, "signed");
        }
        output::json(&json)?;
    } else {
        report.print_problems(args.run.list.quiet);
        if let Some(tsa) = augmenter.as_ref().and_then(Augmenter::tsa) {
            crate::tsa::print_health(tsa);
        }
        let t = crate::lang::cat();
        eprintln!(
            "{}",
            t.text_with(
                "cli-sign-summary",
                &[
                    ("done", &report.done.len().to_string()),
                    ("level", level),
                    ("signer", &cades.signer().certificate().subject()),
                    ("algorithm", &cades.signer().algorithm().to_string()),
                    ("skipped", &report.skipped.len().to_string()),
                    ("failed", &report.failed.len().to_string()),
                ],
            )
        );
        let resigned = resigned.load(Ordering::Relaxed);
        if resigned > 0 {
            eprintln!(
                "{}",
                t.text_with("cli-sign-resigned", &[("count", &resigned.to_string())])
            );
        }
        if !report.changed.is_empty() {
            eprintln!(
                "{}",
                t.text_with(
                    "cli-sign-changed",
                    &[("count", &report.changed.len().to_string())]
                )
            );
        }
    }
    Ok(report.outcome())
}

pub(crate) fn num_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The signature of one file (detached, or enveloping), not yet written;
/// a failure in the words of `hozon sign`.
pub(crate) fn sign_one(
    cades: &CadesSigner,
    path: &Path,
    enveloping: bool,
) -> Result<Vec<u8>, String> {
    let packaging = if enveloping {
        Packaging::Enveloping
    } else {
        Packaging::Detached
    };
    cades.sign_file(path, packaging).map_err(|e| match e {
        SignFileError::TooLarge { len } => format!(
            "{len} bytes is too large for --enveloping (limit {MAX_ENVELOPING_CONTENT}); sign it detached"
        ),
        e => e.to_string(),
    })
}
