//! `hozon timestamp` (stand-alone RFC 3161 stamps, FILE.tsr) and
//! `hozon extend --level t` (signature time stamps added in place).

use std::fs::File;

use anyhow::Context;

use hozon_cms::MAX_SIGNATURE_FILE_SIZE;
use hozon_io::Overwrite;

use crate::args::{ExtendArgs, ExtendLevel, ProfileArg, RevocationArg, TimestampArgs};
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
    let level = match (args.level, args.profile) {
        (ExtendLevel::T, _) => "B-T",
        (ExtendLevel::Lt, ProfileArg::Etsi) => "B-LT",
        (ExtendLevel::Lt, ProfileArg::Jis) => "ES-XL",
        (ExtendLevel::Lta, ProfileArg::Etsi) => "B-LTA",
        (ExtendLevel::Lta, ProfileArg::Jis) => "ES-A",
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
            bytes = with_validation_data(verifier, path, &bytes, args.profile)?;
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
            bytes = archive_timestamp(args.profile, &bytes, tsa, &digest)?;
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

/// The archive time stamp each profile adds: the one place that chooses.
/// Both use archive-time-stamp-v3 (EN 319 122-1 §5.5.3) for now; JIS X
/// 5092:2008 ES-A signatures of other tools carry archive-time-stamp v2,
/// which verification reads, and `jis` may switch to writing it here.
fn archive_timestamp(
    profile: ProfileArg,
    bytes: &[u8],
    tsa: &hozon_tsp::TsaClient,
    digest: &dyn Fn(hozon_cms::DigestAlgorithm) -> Result<Vec<u8>, String>,
) -> Result<Vec<u8>, String> {
    match profile {
        ProfileArg::Etsi | ProfileArg::Jis => hozon_ltv::add_archive_timestamp(bytes, tsa, digest)
            .map(|(der, _)| der)
            .map_err(|e| e.to_string()),
    }
}

/// B-LT: validates `bytes` (the signature at `path`, its content beside it)
/// and embeds the certificates and CRLs that validation relied on, in the
/// SignedData fields (`etsi`) or as ES-XL attributes (`jis`). Refuses
/// a signature that does not validate or has no signature time stamp.
fn with_validation_data(
    verifier: &hozon_verify::Verifier,
    path: &std::path::Path,
    bytes: &[u8],
    profile: ProfileArg,
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
    let augmented = match profile {
        ProfileArg::Etsi => hozon_ltv::add_validation_data(bytes, &evidence.certs, &evidence.crls)
            .map(|w| w.der)
            .map_err(|e| e.to_string())?,
        // OCSP responses join when the verifier's evidence carries them.
        ProfileArg::Jis => {
            hozon_ltv::add_validation_data_jis(bytes, &evidence.certs, &evidence.crls, &[])
                .map(|w| w.der)
                .map_err(|e| e.to_string())?
        }
    };
    // An archive-time-stamp v2 (or v1) hashes the certificates, CRLs and
    // unsigned attributes whole: anything added now would break it, and
    // with it the proof it carries. Refuse rather than damage the file.
    if augmented != bytes
        && hozon_ltv::has_archive_timestamp_v1_or_v2(bytes).map_err(|e| e.to_string())?
    {
        return Err("it carries an archive-time-stamp v2 (JIS X 5092:2008 / TS 101 733 ES-A) that covers its certificates, CRLs and unsigned attributes as they are now, and validation data is missing (for the time stamps' TSAs, or revocation data); adding it would invalidate that archive stamp, so the file was left unchanged".into());
    }
    Ok(augmented)
}
