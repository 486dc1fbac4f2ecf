//! `hozon verify`: batch validation and reports.

use std::path::{Path, PathBuf};

use anyhow::Context;

use hozon_pki::{RevocationPolicy, UnixTime};
use hozon_verify::{AlgorithmPolicy, Indication, Report, Verifier};

use crate::args::{RevocationArg, VerifyArgs};
use crate::outcome::Outcome;
use crate::output;
use hozon_batch::Coverage;

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

pub use hozon_batch::verify_any::verify_file;

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
    let bar = crate::batch::Bar::new("verifying", args.run.json || args.run.list.quiet);
    let verification = hozon_batch::verify_paths(
        &verifier,
        &hozon_batch::VerifyRequest {
            paths: &args.paths,
            content: &args.content,
            threads: args.run.jobs.unwrap_or(0),
            report_dir: args.report_dir.as_deref(),
            require_signed: args.require_signed,
            progress: &bar,
        },
    )?;
    let uncovered = verification.uncovered();
    let hozon_batch::Verification {
        mut report,
        coverage,
    } = verification;
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
            print_coverage(c);
        }
    }
    Ok(outcome)
}

/// The text report of `--require-signed` on stderr.
fn print_coverage(c: &Coverage) {
    let t = crate::lang::cat();
    for u in &c.unsigned {
        output::error(&t.text_with(
            "cli-not-signed",
            &[("file", &u.file), ("reason", &u.reason)],
        ));
    }
    for o in &c.orphaned {
        output::error(&t.text_with("cli-orphaned", &[("file", &o.file), ("reason", &o.reason)]));
    }
    if !c.is_empty() {
        eprintln!(
            "{}",
            t.text_with(
                "cli-uncovered-summary",
                &[
                    ("unsigned", &c.unsigned.len().to_string()),
                    ("orphaned", &c.orphaned.len().to_string()),
                ],
            )
        );
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
