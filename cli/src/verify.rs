//! `hozon verify`: batch validation and reports.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rayon::prelude::*;

use hozon_cms::MAX_SIGNATURE_FILE_SIZE;
use hozon_pki::{
    ChainValidator, Crl, CrlSet, FetchConfig, Fetcher, OcspResponse, RevocationPolicy,
    TrustAnchors, UnixTime,
};
use hozon_verify::{
    AlgorithmPolicy, FileError, Indication, Report, SignatureReport, Summary, Verifier,
    VerifierConfig,
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
    let mut anchors = TrustAnchors::new();
    for t in setup.trust {
        anchors.add_file(t)?;
    }
    let mut crls = CrlSet::new();
    for path in setup.crls {
        for crl in Crl::read_file(path)? {
            crls.add(Arc::new(crl));
        }
    }
    for path in setup.ocsp {
        let resp = OcspResponse::read_file(path)?;
        if !resp.is_successful() {
            anyhow::bail!(
                "{}: the OCSP responseStatus is {}, not successful",
                path.display(),
                resp.response_status()
            );
        }
        crls.add_ocsp(Arc::new(resp));
    }
    let mut extra_certs = Vec::new();
    for path in setup.certs {
        let bytes = hozon_pki::read_limited(path, hozon_pki::MAX_CERT_FILE_SIZE)?;
        extra_certs.extend(
            hozon_cms::Cert::read_bundle(&bytes)
                .with_context(|| format!("{}: not a certificate file", path.display()))?,
        );
    }
    let now = UnixTime::now();
    let validation_time = match setup.at {
        Some(s) => UnixTime::parse_rfc3339(s)
            .map_err(anyhow::Error::msg)
            .context("--at")?,
        None => now,
    };
    let policy = match setup.revocation {
        RevocationArg::Require => RevocationPolicy::Require,
        RevocationArg::BestEffort => RevocationPolicy::BestEffort,
        RevocationArg::Skip => RevocationPolicy::Skip,
    };
    let mut chains = ChainValidator::new(anchors, crls, policy, now);
    if !setup.offline {
        chains = chains.with_fetcher(Arc::new(Fetcher::new(FetchConfig::default())?));
    }
    Ok(Verifier::new(
        chains,
        VerifierConfig {
            validation_time,
            algorithms: AlgorithmPolicy::default(),
            accept_expired_tsa: setup.accept_expired_tsa,
            extra_certs,
        },
    ))
}

/// The detached content for signature `sig`: `X` for `X.p7s`.
fn default_content(sig: &Path) -> Option<PathBuf> {
    let ext = sig.extension()?.to_str()?.to_ascii_lowercase();
    (ext == "p7s" || ext == "tsr").then(|| sig.with_extension(""))
}

/// Verifies one signature file. A file too large to be a signature is
/// refused from its size, before anything is read.
pub fn verify_file(
    verifier: &Verifier,
    sig: &Path,
    content: Option<&Path>,
) -> Result<Vec<SignatureReport>, String> {
    let label = sig.display().to_string();
    let content = content
        .map(Path::to_path_buf)
        .or_else(|| default_content(sig));
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
    if is_timestamp {
        return Ok(vec![verifier.verify_timestamp_file(
            &label,
            &bytes,
            content.as_deref(),
        )]);
    }
    Ok(verifier.verify(&label, &bytes, content.as_deref()))
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
    let walked = walk::collect(&args.paths, walk::is_signature);
    let walk_errors = walked.errors;
    let inputs: Vec<_> = walked
        .inputs
        .into_iter()
        .filter(|i| i.path.extension().is_none_or(|e| e != "ers"))
        .collect();
    if args.content.is_some() && inputs.len() != 1 {
        anyhow::bail!(
            "--content applies to exactly one signature file; {} were given",
            inputs.len()
        );
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.run.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let bar = if args.run.json {
        indicatif::ProgressBar::hidden()
    } else {
        output::progress(inputs.len(), "verifying")
    };
    let results: Vec<(PathBuf, Result<Vec<SignatureReport>, String>)> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| {
                let r = verify_file(&verifier, &input.path, args.content.as_deref());
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
    };
    for (path, result) in results {
        match result {
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
    report.summary = Summary::of(&report.signatures);
    if report.signatures.is_empty() && report.file_errors.is_empty() {
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
    if args.run.json {
        output::json(&report)?;
    } else {
        print_human(&report);
    }
    Ok(outcome_of(&report))
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
    let single = Report {
        validation_time: validation_time.to_owned(),
        signatures: reports.to_vec(),
        summary: Summary::of(reports),
        file_errors: Vec::new(),
    };
    let json = serde_json::to_vec_pretty(&single)?;
    hozon_io::write_atomic(&target, &json, hozon_io::Overwrite::Replace)?;
    Ok(())
}

/// Human-readable report on stdout.
pub fn print_human(report: &Report) {
    use std::fmt::Write;
    let mut out = String::new();
    for s in &report.signatures {
        let verdict = match s.sub_indication {
            Some(sub) => format!("{} ({sub})", s.indication),
            None => s.indication.to_string(),
        };
        let who = s
            .signer
            .as_ref()
            .map(|w| match &w.hc_role {
                Some(role) => format!("{} [{role}]", w.subject),
                None => w.subject.clone(),
            })
            .unwrap_or_else(|| "signer unknown".into());
        let level = s.level.as_deref().unwrap_or("-");
        let _ = writeln!(out, "{verdict}  {}  {level}  {who}", s.file);
        for e in &s.errors {
            let _ = writeln!(out, "    error: {e}");
        }
        for t in &s.timestamps {
            let tsa = if t.tsa.is_empty() {
                "an unidentified TSA"
            } else {
                &t.tsa
            };
            let _ = writeln!(
                out,
                "    {} time stamp {} by {tsa}: {}",
                t.kind, t.gen_time, t.indication
            );
        }
        for w in &s.warnings {
            let _ = writeln!(out, "    warning: {w}");
        }
    }
    for e in &report.file_errors {
        output::error(&format!("{}: {}", e.file, e.error));
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} signature(s): {} passed, {} failed, {} indeterminate (validation time {})",
        s.total, s.passed, s.failed, s.indeterminate, report.validation_time
    );
    output::text(&out);
}
