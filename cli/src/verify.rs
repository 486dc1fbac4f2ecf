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

/// `verifier` with the algorithm policy of `--crypto-policy FILE`, if given.
pub fn with_crypto_policy(verifier: Verifier, file: Option<&Path>) -> anyhow::Result<Verifier> {
    let Some(path) = file else {
        return Ok(verifier);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--crypto-policy {}", path.display()))?;
    Ok(verifier.with_algorithms(AlgorithmPolicy::from_toml(
        &text,
        &path.display().to_string(),
    )?))
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
        for r in &mut reports {
            r.warnings.push(note.clone());
        }
        return Ok(reports);
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
    let verifier = with_crypto_policy(verifier, args.crypto_policy.as_deref())?;
    // An archive record directory (it holds record.json) is verified as a
    // whole: fixity, its evidence record, its signature with the evidence
    // record's proof of existence.
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
    let walked = walk::collect(&paths, walk::is_signature);
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
    let bar = if args.run.json {
        indicatif::ProgressBar::hidden()
    } else {
        output::progress(inputs.len(), "verifying")
    };
    let results: Vec<(PathBuf, Result<Vec<SignatureReport>, String>)> = pool.install(|| {
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
    report.signatures.extend(record_reports);
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
            .unwrap_or_else(|| {
                if s.format == "ERS" {
                    format!(
                        "evidence record over {}",
                        s.content.as_deref().unwrap_or("no data object")
                    )
                } else {
                    "signer unknown".into()
                }
            });
        let level = s
            .level
            .as_deref()
            .unwrap_or(if s.format == "ERS" { "ERS" } else { "-" });
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
        for r in &s.evidence_records {
            if let Some(t) = &r.proven_time {
                let _ = writeln!(out, "    {} existed at {t}", r.data_object);
            }
        }
        if s.format == "ERS" {
            if let Some(r) = &s.renew_by {
                let _ = writeln!(
                    out,
                    "   renew_by {r}: the evidence record's next renewal is due before then"
                );
            }
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
