//! `hozon sign --format pades` and `hozon extend FILE.pdf`: PAdES (ETSI
//! EN 319 142-1), each step an incremental update of the PDF, written back
//! in place atomically (the original bytes stay the prefix of the file).
//! Signing is hozon-pades' [`hozon_pades::sign_pdf`]; B-LT and B-LTA go
//! through the augmentation pipeline ([`hozon_ltv::Augmenter`] over a
//! [`hozon_pades::PadesDocument`]), as for CAdES. This file only walks, reports and
//! writes (docs/pades.md).

use std::path::{Path, PathBuf};

use anyhow::Context;
use hozon_cms::UnixTime;
use hozon_ltv::{Augmenter, Target};
use hozon_pades::appearance::Stamp;
use hozon_pades::Signing;

use crate::args::visible::VisibleArgs;
use crate::args::{ExtendArgs, ExtendLevel, LevelArg, ProfileArg, SignArgs, ValidationDataArgs};
use crate::batch::{code, BatchReport, Problem, ReportExt};
use crate::outcome::Outcome;
use crate::output;

/// Whether every path given to `extend` is a PDF file (then PAdES extends
/// them; a mix with CMS signature files is refused by the CAdES path).
pub fn all_pdfs(paths: &[PathBuf]) -> bool {
    !paths.is_empty() && paths.iter().all(|p| hozon_pades::is_pdf_file(p))
}

/// The pipeline to `target` for PDFs (refuses `--profile jis`, a CAdES
/// form).
fn augmenter(
    target: Target,
    tsa: Option<hozon_tsp::TsaClient>,
    validation: &ValidationDataArgs,
) -> anyhow::Result<Augmenter> {
    if validation.profile == ProfileArg::Jis {
        anyhow::bail!("--profile jis applies to CAdES; a PDF keeps its validation data in the DSS (EN 319 142-1)");
    }
    crate::augment::augmenter(target, tsa, validation)
}

/// Prints the run: JSON with `done_key` for the files done, or a line per
/// file (catalogue message `line`) and the problems.
fn finish(report: &BatchReport, json: bool, done_key: &str, line: &str) -> anyhow::Result<Outcome> {
    if json {
        output::json(&report.to_json(done_key, "output"))?;
    } else {
        let cat = crate::lang::cat();
        for (file, _) in &report.done {
            println!("{}", cat.text_with(line, &[("file", file)]));
        }
        report.print_problems(false);
    }
    Ok(report.outcome())
}

/// `hozon sign --format pades`: each PDF gets a new signature, invisible or
/// with a visible stamp (B-B, or B-T with its signature time stamp inside
/// the CMS), then the pipeline raises it to B-LT or B-LTA.
pub fn sign(args: SignArgs) -> anyhow::Result<Outcome> {
    let cades = crate::signer::load_signer(&args.signer)?;
    if args.enveloping || args.resign || args.out_dir.is_some() {
        anyhow::bail!(
            "--format pades signs each PDF in place (an incremental update); --enveloping, --resign and --out-dir do not apply"
        );
    }
    let tsa = match args.level {
        LevelArg::B => None,
        _ => Some(crate::tsa::client(&args.tsa)?.context("--level t, lt and lta need --tsa URL")?),
    };
    let (tsa, pipeline) = match args.level {
        LevelArg::B | LevelArg::T => (tsa, None),
        LevelArg::Lt => (None, Some(augmenter(Target::Lt, tsa, &args.validation)?)),
        LevelArg::Lta => (None, Some(augmenter(Target::Lta, tsa, &args.validation)?)),
    };
    match crate::signer_check::gate(
        &cades,
        &crate::signer::check_setup(&args.validation, args.revocation),
        args.run.json,
    )? {
        Ok(_) => {}
        Err(outcome) => return Ok(outcome),
    }
    let tsa = tsa.as_ref().or(pipeline.as_ref().and_then(Augmenter::tsa));
    let stamp = args.visible.stamp()?;
    let look = look(&cades, &args.visible, stamp.as_ref(), &args.paths);
    let mut report = BatchReport::default();
    for path in &args.paths {
        let file = path.display().to_string();
        match sign_one(&cades, tsa, pipeline.as_ref(), path, &look) {
            Ok(()) => report.done.push((file.clone(), file)),
            Err(reason) => report.failed.push(Problem::new(file, code::FAILED, reason)),
        }
    }
    finish(&report, args.run.json, "signed", "cli-pades-signed")
}

/// What a signature shows besides its CMS: a reason, a visible stamp.
#[derive(Default)]
pub(crate) struct Look<'a> {
    /// `/Reason`.
    pub reason: Option<&'a str>,
    /// The visible stamp, or `None` for an invisible signature.
    pub stamp: Option<&'a Stamp>,
}

/// What the signatures of `paths` show, as `visible` asks; with a stamp,
/// its placement on each PDF is checked first ([`check_placement`]: a usage
/// error, exit 2, when it cannot be).
pub(crate) fn look<'a>(
    cades: &hozon_sign::CadesSigner,
    visible: &'a VisibleArgs,
    stamp: Option<&'a Stamp>,
    paths: &[PathBuf],
) -> Look<'a> {
    if let Some(stamp) = stamp {
        check_placement(stamp, cades.signer().certificate(), paths);
    }
    Look {
        reason: visible.reason.as_deref(),
        stamp,
    }
}

/// Before anything is signed: the stamp must fit every PDF given (the page
/// exists, the rectangle lies on it, the lines fit it), else a usage error
/// (exit 2) names the file, and no file is touched. A PDF that cannot be
/// read is left to the signing loop to report.
fn check_placement(stamp: &Stamp, cert: &hozon_cms::Cert, paths: &[PathBuf]) {
    for path in paths {
        let Ok(pdf) = hozon_pades::Pdf::open(path) else {
            continue;
        };
        match stamp.appearance(&pdf, cert, UnixTime::now()) {
            Err(e) if e.is_usage() => usage(&format!("{}: {e}", path.display())),
            _ => {}
        }
    }
}

/// A usage error (exit 2), as clap reports its own.
fn usage(message: &str) -> ! {
    clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{message}\n")).exit()
}

/// Signs one PDF in place as `look` says, and raises it to the pipeline's
/// level.
pub(crate) fn sign_one(
    cades: &hozon_sign::CadesSigner,
    tsa: Option<&hozon_tsp::TsaClient>,
    pipeline: Option<&Augmenter>,
    path: &Path,
    look: &Look<'_>,
) -> Result<(), String> {
    let signing = Signing {
        cades,
        tsa,
        time: UnixTime::now(),
        reason: look.reason,
        stamp: look.stamp,
    };
    hozon_pades::sign_in_place(path, &signing, pipeline).map_err(|e| e.to_string())
}

/// `hozon extend --level t|lt|lta FILE.pdf…`: B-T by a document time stamp
/// when a signature has no time stamp yet, B-LT by the DSS, B-LTA by a
/// document time stamp over it (again each time: renewal).
pub fn extend(args: ExtendArgs) -> anyhow::Result<Outcome> {
    let tsa = crate::tsa::client(&args.tsa)?;
    let target = match args.level {
        ExtendLevel::T => Target::T,
        ExtendLevel::Lt => Target::Lt,
        ExtendLevel::Lta => Target::Lta,
    };
    let pipeline = augmenter(target, tsa, &args.validation)?;
    let mut report = BatchReport::default();
    for path in &args.paths {
        let file = path.display().to_string();
        match extend_one(&pipeline, &args, path) {
            Ok(true) => report.done.push((file.clone(), file)),
            Ok(false) => report.skipped.push(Problem::new(
                file,
                code::NOTHING_TO_DO,
                "already at the level".into(),
            )),
            Err(reason) => report.failed.push(Problem::new(file, code::FAILED, reason)),
        }
    }
    finish(&report, args.run.json, "extended", "cli-pades-extended")
}

/// Extends one PDF; `false` when there was nothing to do (a document time
/// stamp newer than `--restamp-after` for B-LTA, a DSS that holds all the
/// validation data already for B-LT).
fn extend_one(pipeline: &Augmenter, args: &ExtendArgs, path: &Path) -> Result<bool, String> {
    if !hozon_pades::is_pdf_file(path) {
        return Err("is not a PDF".into());
    }
    if !hozon_pades::augment::has_signatures(path) {
        return Err("the PDF has no signature to extend".into());
    }
    let unstamped = hozon_pades::augment::needs_timestamp(path).map_err(|e| e.to_string())?;
    if unstamped && pipeline.tsa().is_none() {
        return Err(
            "a signature has no time stamp: give --tsa URL to add a document time stamp".into(),
        );
    }
    let fresh = hozon_ltv::RestampRule::new(hozon_ltv::Target::Lta, args.restamp_after)
        .fresh(hozon_pades::augment::newest_document_timestamp(path));
    let nothing_to_do = match args.level {
        ExtendLevel::T => !unstamped,
        ExtendLevel::Lt => false,
        ExtendLevel::Lta => fresh && !unstamped,
    };
    if nothing_to_do {
        return Ok(false);
    }
    let done = hozon_pades::augment_in_place(pipeline, path).map_err(|e| e.to_string())?;
    Ok(done.updates > 0)
}
