//! `--level`, `--profile` and the validation options → the augmentation
//! pipeline of hozon-ltv ([`hozon_ltv::Augmenter`]), which `sign --level`,
//! `extend`, `scan --sign` and the archive share.

use hozon_io::Overwrite;
use hozon_ltv::{Augmenter, Profile, Target};
use hozon_tsp::TsaClient;

use crate::args::{ExtendArgs, ExtendLevel, ProfileArg, RevocationArg, ValidationDataArgs};
use crate::batch::{self, ReportExt};
use crate::outcome::Outcome;
use crate::output;
use crate::verify::{build_verifier, VerifierSetup};

/// The augmenter to `target` the options describe (a verifier only for
/// B-LT and B-LTA, which validate before they embed).
pub fn augmenter(
    target: Target,
    tsa: Option<TsaClient>,
    validation: &ValidationDataArgs,
) -> anyhow::Result<Augmenter> {
    let verifier = match target {
        Target::T => None,
        Target::Lt | Target::Lta => Some(build_verifier(&VerifierSetup {
            trust: &validation.trust,
            crls: &validation.crl,
            ocsp: &validation.ocsp,
            offline: validation.offline,
            certs: &validation.certs,
            revocation: RevocationArg::Require,
            at: None,
            accept_expired_tsa: false,
        })?),
    };
    let profile = match validation.profile {
        ProfileArg::Etsi => Profile::Etsi,
        ProfileArg::Jis => Profile::Jis,
    };
    Ok(Augmenter::new(target, profile, tsa, verifier)?)
}

/// The pipeline's target for `extend --level`.
pub fn target(level: ExtendLevel) -> Target {
    match level {
        ExtendLevel::T => Target::T,
        ExtendLevel::Lt => Target::Lt,
        ExtendLevel::Lta => Target::Lta,
    }
}

/// The batch settings of `extend` (every format): files replaced in place,
/// atomically; the batch stops when no TSA is left (`halt`).
pub fn extend_settings<'a>(
    threads: usize,
    halt: Option<batch::Halt<'a>>,
    progress: &'a batch::Bar,
) -> batch::Settings<'a> {
    batch::Settings {
        threads,
        overwrite: Overwrite::Replace,
        skip_existing: false,
        progress,
        halt,
        check_existing: None,
        raced: "extended by another run",
    }
}

/// Prints the result of an `extend` batch (JSON or text: the problems, the
/// TSAs' health, the counts) and returns its outcome. `format` is added to
/// the JSON when the batch was not CAdES; `what` names the files in the
/// text line ("signature(s)", "XAdES document(s)").
pub fn finish_extend(
    args: &ExtendArgs,
    augmenter: &Augmenter,
    report: &batch::BatchReport,
    format: Option<&str>,
    what: &str,
) -> anyhow::Result<Outcome> {
    if args.run.json {
        let mut json = report.to_json("extended", "signature");
        if let Some(tsa) = augmenter.tsa() {
            json["tsa"] = crate::tsa::health_json(tsa);
        }
        if let Some(format) = format {
            json["format"] = format.into();
        }
        if args.run.list.failures_only {
            batch::BatchReport::failures_only(&mut json, "extended");
        }
        output::json(&json)?;
    } else {
        report.print_problems(args.run.list.quiet);
        if let Some(tsa) = augmenter.tsa() {
            crate::tsa::print_health(tsa);
        }
        let t = crate::lang::cat();
        eprintln!(
            "{}",
            t.text_with(
                "cli-extend-summary",
                &[
                    ("done", &report.done.len().to_string()),
                    ("what", &t.text(what)),
                    ("level", augmenter.level_name()),
                    ("skipped", &report.skipped.len().to_string()),
                    ("failed", &report.failed.len().to_string()),
                ],
            )
        );
    }
    Ok(report.outcome())
}
