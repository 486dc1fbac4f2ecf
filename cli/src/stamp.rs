//! `hozon timestamp` (stand-alone RFC 3161 stamps, FILE.tsr) and
//! `hozon extend --level t` (signature time stamps added in place).

use std::fs::File;

use anyhow::Context;

use hozon_cms::MAX_SIGNATURE_FILE_SIZE;
use hozon_io::Overwrite;

use crate::args::{ExtendArgs, ExtendLevel, RevocationArg, TimestampArgs};
use crate::batch::{self, Produced};
use crate::outcome::Outcome;
use crate::output;
use crate::verify::{build_verifier, VerifierSetup};
use crate::walk;

/// Threads for network-bound work: enough to keep the TSA requests in flight.
fn threads(jobs: Option<usize>, concurrency: usize) -> usize {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    jobs.unwrap_or(0).max(concurrency).max(cpus)
}

pub fn timestamp(args: TimestampArgs) -> anyhow::Result<Outcome> {
    let tsa = crate::tsa::client(&args.tsa)?.context("hozon timestamp needs --tsa URL")?;
    let walked = walk::collect(&args.paths, |p| !walk::is_signature(p));
    let temporaries = walked.temporaries.clone();
    let planned = batch::plan(walked, |input| {
        if walk::is_signature(&input.path) {
            return Err("is a signature or evidence file; it is not stamped again".into());
        }
        let mut name = input.path.clone().into_os_string();
        name.push(".tsr");
        Ok(name.into())
    });
    batch::prepare_output_dirs(&planned, false, &temporaries)?;
    let settings = batch::Settings {
        threads: threads(args.run.jobs, args.tsa.tsa_concurrency),
        overwrite: if args.force {
            Overwrite::Replace
        } else {
            Overwrite::Never
        },
        skip_existing: !args.force,
        label: "time-stamping",
        quiet: args.run.json,
    };
    let report = batch::run(planned, &settings, |task| {
        let file = File::open(&task.input.path).map_err(|e| format!("cannot open: {e}"))?;
        let digest = tsa
            .digest()
            .digest_reader(file)
            .map_err(|e| format!("cannot read: {e}"))?;
        let stamp = tsa.stamp_digest(&digest).map_err(|e| e.to_string())?;
        Ok(Produced::Write(stamp.response))
    })?;
    if args.run.json {
        output::json(&report.to_json("stamped", "timestamp"))?;
    } else {
        report.print_problems();
        eprintln!(
            "time-stamped {} file(s); {} skipped, {} failed",
            report.done.len(),
            report.skipped.len(),
            report.failed.len()
        );
    }
    Ok(report.outcome())
}

pub fn extend(args: ExtendArgs) -> anyhow::Result<Outcome> {
    let tsa = crate::tsa::client(&args.tsa)?;
    let verifier = match args.level {
        ExtendLevel::T => None,
        ExtendLevel::Lt | ExtendLevel::Lta => Some(build_verifier(&VerifierSetup {
            trust: &args.trust,
            crls: &args.crl,
            ocsp: &args.ocsp,
            offline: args.offline,
            certs: &args.certs,
            revocation: RevocationArg::Require,
            at: None,
            accept_expired_tsa: false,
        })?),
    };
    let walked = walk::collect(&args.paths, |p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("p7s") || e.eq_ignore_ascii_case("p7m"))
    });
    let temporaries = walked.temporaries.clone();
    // Augmentation replaces each signature in place, atomically.
    let planned = batch::plan(walked, |input| Ok(input.path.clone()));
    batch::prepare_output_dirs(&planned, false, &temporaries)?;
    let settings = batch::Settings {
        threads: threads(args.run.jobs, args.tsa.tsa_concurrency),
        overwrite: Overwrite::Replace,
        skip_existing: false,
        label: "extending",
        quiet: args.run.json,
    };
    let level = match args.level {
        ExtendLevel::T => "B-T",
        ExtendLevel::Lt => "B-LT",
        ExtendLevel::Lta => "B-LTA",
    };
    let report = batch::run(planned, &settings, |task| {
        let path = &task.input.path;
        let size = std::fs::metadata(path)
            .map_err(|e| format!("cannot read: {e}"))?
            .len();
        if size > MAX_SIGNATURE_FILE_SIZE {
            return Err(format!("{size} bytes is too large for a signature file"));
        }
        let original = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        let mut bytes = original.clone();
        if let Some(tsa) = &tsa {
            bytes = hozon_ltv::add_signature_timestamps(&bytes, tsa)
                .map_err(|e| e.to_string())?
                .der;
        }
        if let Some(verifier) = &verifier {
            bytes = with_validation_data(verifier, path, &bytes)?;
        }
        if let (ExtendLevel::Lta, Some(tsa)) = (args.level, &tsa) {
            let content = detached_content(path);
            let digest = |alg: hozon_cms::DigestAlgorithm| -> Result<Vec<u8>, String> {
                let content = content
                    .as_ref()
                    .ok_or("a detached signature needs its document beside it")?;
                std::fs::File::open(content)
                    .and_then(|f| alg.digest_reader(f))
                    .map_err(|e| format!("{}: {e}", content.display()))
            };
            bytes = hozon_ltv::add_archive_timestamp(&bytes, tsa, &digest)
                .map_err(|e| e.to_string())?
                .0;
        }
        if bytes == original {
            Ok(Produced::Skip(format!("already {level}")))
        } else {
            Ok(Produced::Write(bytes))
        }
    })?;
    if args.run.json {
        output::json(&report.to_json("extended", "signature"))?;
    } else {
        report.print_problems();
        eprintln!(
            "extended {} signature(s) to {level}; {} skipped, {} failed",
            report.done.len(),
            report.skipped.len(),
            report.failed.len()
        );
    }
    Ok(report.outcome())
}

/// `X` for `X.p7s`.
fn detached_content(path: &std::path::Path) -> Option<std::path::PathBuf> {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("p7s"))
        .then(|| path.with_extension(""))
}

/// B-LT: validates `bytes` (the signature at `path`, its content beside it)
/// and embeds the certificates and CRLs that validation relied on. Refuses
/// a signature that does not validate or has no signature time stamp.
fn with_validation_data(
    verifier: &hozon_verify::Verifier,
    path: &std::path::Path,
    bytes: &[u8],
) -> Result<Vec<u8>, String> {
    let content = detached_content(path);
    let (reports, evidence) =
        verifier.verify_with_evidence(&path.display().to_string(), bytes, content.as_deref());
    for r in &reports {
        if r.indication != hozon_verify::Indication::TotalPassed {
            return Err(format!(
                "it does not validate ({}{}), so there is no validation data to embed: {}",
                r.indication,
                r.sub_indication
                    .map(|s| format!("/{s}"))
                    .unwrap_or_default(),
                r.errors.first().cloned().unwrap_or_default()
            ));
        }
        if r.timestamps.is_empty() {
            return Err("B-LT needs a signature time stamp first: add --tsa URL".into());
        }
    }
    hozon_ltv::add_validation_data(bytes, &evidence.certs, &evidence.crls, &evidence.ocsp)
        .map(|w| w.der)
        .map_err(|e| e.to_string())
}
