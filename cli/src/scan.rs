//! `hozon scan`: checks scanned paper records against the scan policy (hozon-scan) in parallel
//! and prints the DESIGN.md §5 report. Exit 1 if any file FAILED, 4 for unreadable files or a bad
//! policy or class.
//!
//! With `--trust`, a `FILE.p7s` next to a scan is verified (authenticity); with `--sign`, every
//! PASSING file is then signed and time-stamped as the scan operator (the guideline wants each
//! scan signed and stamped without delay), through the same atomic batch writer as `hozon sign`;
//! failing files are left untouched and listed.

use anyhow::Context;

use hozon_batch::scan::{settle_required_signatures, ScanRequest, ScanRunError, Scanned};
use hozon_io::Overwrite;
use hozon_ltv::{Augmenter, Target};
use hozon_scan::{CheckOptions, Policy, ScanReport, SignatureSource, Status};

use crate::args::{RevocationArg, ScanArgs, ScanFormatArg, ScanLevelArg};
use crate::batch::{self, BatchReport, Problem, Produced, ReportExt};
use crate::outcome::Outcome;
use crate::output;
use crate::verify::{build_verifier, VerifierSetup};
use hozon_batch::walk::{Input, Walked};

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
            let cades = crate::signer::load_signer(signer)?;
            let target = match args.level {
                ScanLevelArg::T => Target::T,
                ScanLevelArg::Lt => Target::Lt,
                ScanLevelArg::Lta => Target::Lta,
            };
            let tsa = crate::tsa::client(&args.tsa)?.context("--sign needs --tsa URL")?;
            let augmenter = crate::augment::augmenter(target, Some(tsa), &args.validation)?;
            // Before the first signature: is the signer revoked?
            let setup = crate::signer::check_setup(&args.validation, args.revocation);
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
    // With --sign, a class's require_signature is met by the signature made below.
    let options = CheckOptions {
        verifier: verifier.as_ref(),
        signature: if signing.is_some() {
            SignatureSource::ByCaller
        } else {
            SignatureSource::Beside
        },
    };
    let bar = crate::batch::Bar::new("scanning", args.run.json);
    let scanned = hozon_batch::scan::check_paths(&ScanRequest {
        paths: &args.paths,
        policy: &policy,
        class: args.class.as_deref(),
        options,
        threads: args.run.jobs.unwrap_or(0),
        progress: &bar,
    })
    .map_err(|e| match e {
        // The policy's own error leads the chain, as before.
        ScanRunError::Classify(e) => anyhow::Error::from(e),
        e => e.into(),
    })?;
    let Scanned {
        mut report,
        passing,
        temporaries,
    } = scanned;
    let mut outcome = outcome_of(&report);
    let Some((cades, augmenter)) = signing else {
        if args.run.json {
            output::json(&report)?;
        } else {
            print_human(&report);
        }
        return Ok(outcome);
    };
    // --format pades: passing PDFs are signed inside the file.
    let (pdfs, passing): (Vec<Input>, Vec<Input>) = passing
        .into_iter()
        .partition(|i| args.format == ScanFormatArg::Pades && hozon_pades::is_pdf_file(&i.path));
    let stamp = args.visible.stamp()?;
    let look = crate::pades::look(&cades, &args.visible, stamp.as_ref(), &pdfs_paths(&pdfs));
    let mut signed = sign_passing(&cades, &augmenter, passing, temporaries, &args)?;
    sign_pdfs_inside(&cades, &augmenter, &pdfs, (args.force, &look), &mut signed);
    outcome = outcome.worst(signed.outcome());
    settle_required_signatures(&mut report, &signed);
    outcome = outcome.worst(outcome_of(&report));
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
        signed.print_problems(args.run.list.quiet);
        let t = crate::lang::cat();
        let format = t.text(match args.format {
            ScanFormatArg::Cades => "cli-scan-format-cades",
            ScanFormatArg::Pades => "cli-scan-format-pades",
        });
        eprintln!(
            "{}",
            t.text_with(
                "cli-scan-signed",
                &[
                    ("done", &signed.done.len().to_string()),
                    ("format", &format),
                    ("level", augmenter.level_name()),
                    ("signer", &cades.signer().certificate().subject()),
                    ("skipped", &signed.skipped.len().to_string()),
                    ("failed", &signed.failed.len().to_string()),
                ],
            )
        );
        if !not_signed.is_empty() {
            eprintln!(
                "{}",
                t.text_with("cli-scan-not-signed", &[("files", &not_signed.join(", "))])
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
        |input| Ok(hozon_batch::output_path(input, None, "p7s")),
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
        progress: &batch::Bar::new("signing", args.run.json),
        halt: None,
        check_existing: None,
        raced: "signed by another run",
    };
    let report = batch::run(planned, &settings, |task| {
        let signature = crate::sign::sign_one(cades, &task.input.path, false)?;
        let label = task.input.path.display().to_string();
        augmenter
            .apply(&label, &signature, Some(task.input.path.as_path()))
            .map(Produced::Write)
            .map_err(|e| e.to_string().into())
    })?;
    Ok(report)
}

/// `--format pades`: signs each passing PDF inside the file (B-T with its
/// signature time stamp in the CMS; B-LT and B-LTA then through the
/// pipeline), in place. Without `--force` a PDF that carries a signature
/// already is skipped.
fn sign_pdfs_inside(
    cades: &hozon_sign::CadesSigner,
    augmenter: &Augmenter,
    pdfs: &[Input],
    (force, look): (bool, &crate::pades::Look<'_>),
    report: &mut BatchReport,
) {
    let pipeline = (augmenter.target() != Target::T).then_some(augmenter);
    for input in pdfs {
        let file = input.path.display().to_string();
        if !force && hozon_pades::augment::has_signatures(&input.path) {
            report.skipped.push(Problem::new(
                file,
                batch::code::EXISTS,
                "the PDF carries a signature already (--force signs it again)".into(),
            ));
            continue;
        }
        match crate::pades::sign_one(cades, augmenter.tsa(), pipeline, &input.path, look) {
            Ok(()) => report.done.push((file.clone(), file)),
            Err(reason) => report
                .failed
                .push(Problem::new(file, batch::code::FAILED, reason)),
        }
    }
}

fn pdfs_paths(pdfs: &[Input]) -> Vec<std::path::PathBuf> {
    pdfs.iter().map(|i| i.path.clone()).collect()
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
    let t = crate::lang::cat();
    let word = |s: Status| t.text(&format!("cli-scan-{}", status(s)));
    let mut out = String::new();
    for f in &report.files {
        let pages = f.pages.to_string();
        let decoded = match f
            .checks
            .iter()
            .find(|c| c.check == hozon_scan::CheckName::Decode && c.status == Status::Failed)
        {
            Some(c) => match c.page {
                Some(p) => t.text_with(
                    "cli-scan-pages-failed-at",
                    &[("pages", &pages), ("page", &p.to_string())],
                ),
                None => t.text_with("cli-scan-pages-failed", &[("pages", &pages)]),
            },
            None => t.text_with("cli-scan-pages", &[("pages", &pages)]),
        };
        let how = match &f.class_match {
            Some(m) if m.by == "rule" => t.text_with(
                "cli-scan-by-rule",
                &[
                    (
                        "rule",
                        &m.rule.map(|r| r + 1).unwrap_or_default().to_string(),
                    ),
                    ("glob", m.glob.as_deref().unwrap_or_default()),
                    ("path", m.path.as_deref().unwrap_or_default()),
                ],
            ),
            Some(m) if m.by == "default" => t.text_with(
                "cli-scan-no-rule",
                &[("path", m.path.as_deref().unwrap_or_default())],
            ),
            Some(_) => t.text("cli-scan-by-flag"),
            None => String::new(),
        };
        // The explanation follows the class after a space in English,
        // directly after it (full-width parentheses) in Japanese.
        let how = match (how.is_empty(), t.lang()) {
            (false, hozon_i18n::Lang::En) => format!(" {how}"),
            _ => how,
        };
        let _ = writeln!(
            out,
            "{}",
            t.text_with(
                "cli-scan-line",
                &[
                    ("status", &word(f.verdict)),
                    ("file", &f.file),
                    ("format", &f.format.to_string()),
                    ("decoded", &decoded),
                    ("class", &f.class),
                    ("how", &how),
                ],
            )
        );
        for c in f.checks.iter().filter(|c| c.status != Status::Passed) {
            let page = c
                .page
                .map(|p| {
                    format!(
                        " {}",
                        t.text_with("cli-scan-page", &[("page", &p.to_string())])
                    )
                })
                .unwrap_or_default();
            let standard = serde_json::to_value(c.standard)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} {standard}/{}{page}: {}",
                word(c.status),
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
        "{}",
        t.text_with(
            "cli-scan-summary",
            &[
                ("total", &s.total.to_string()),
                ("passed", &s.passed.to_string()),
                ("failed", &s.failed.to_string()),
            ],
        )
    );
    output::text(&out);
}
