//! `hozon sign`: batch CAdES signing.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use hozon_io::{BatchWriter, Overwrite};
use hozon_sign::{
    AlgorithmChoice, CadesSigner, SecretSource, SoftwareSigner, MAX_ENVELOPING_CONTENT,
};

use crate::args::{DigestArg, SignArgs, SignerArgs};
use crate::outcome::Outcome;
use crate::output;
use crate::walk::{self, Input};

/// Files per group commit: enough to amortise one `syncfs`, few enough that
/// an interrupted run loses little work.
const GROUP_COMMIT: usize = 256;

/// The JSON document `hozon sign --json` prints.
#[derive(Debug, Default, Serialize)]
pub struct SignReport {
    /// Signatures written.
    pub signed: Vec<Signed>,
    /// Inputs left alone, with why.
    pub skipped: Vec<Problem>,
    /// Inputs that could not be signed, with why.
    pub failed: Vec<Problem>,
    /// Counts.
    pub summary: SignSummary,
}

/// One signature written.
#[derive(Debug, Serialize)]
pub struct Signed {
    /// The signed file.
    pub file: String,
    /// The signature file.
    pub signature: String,
}

/// A file and a reason.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// Counts.
#[derive(Debug, Default, Serialize)]
pub struct SignSummary {
    /// Inputs considered.
    pub total: usize,
    /// Signed.
    pub signed: usize,
    /// Skipped.
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
}

/// Loads the signer the arguments describe, ready to make CAdES signatures.
pub fn load_signer(args: &SignerArgs) -> anyhow::Result<CadesSigner> {
    let password = match (&args.pass_env, &args.pass_file) {
        (Some(var), _) => SecretSource::Env(var.clone()),
        (None, Some(file)) => SecretSource::File(file.clone()),
        (None, None) => SecretSource::Prompt("Key password: ".into()),
    };
    let choice = AlgorithmChoice {
        digest: args.digest.map(|d| match d {
            DigestArg::Sha256 => hozon_cms::DigestAlgorithm::Sha256,
            DigestArg::Sha384 => hozon_cms::DigestAlgorithm::Sha384,
            DigestArg::Sha512 => hozon_cms::DigestAlgorithm::Sha512,
        }),
        rsa_pss: args.rsa_pss,
    };
    // Errors that do not name a file yet are prefixed with the one at fault.
    let named = |file: &std::path::Path, e: hozon_sign::Error| -> anyhow::Error {
        use hozon_sign::Error as E;
        match e {
            E::Io { .. }
            | E::BadKey { .. }
            | E::WrongPassword { .. }
            | E::BadCertificate { .. } => e.into(),
            other => anyhow::anyhow!("{}: {other}", file.display()),
        }
    };
    let (signer, source) = match (&args.pkcs12, &args.key, &args.cert) {
        (Some(p12), _, _) => (
            SoftwareSigner::from_pkcs12_file(p12, &password, choice).map_err(|e| named(p12, e))?,
            p12,
        ),
        (None, Some(key), Some(cert)) => (
            SoftwareSigner::from_pem_files(key, cert, args.chain.as_deref(), &password, choice)
                .map_err(|e| named(key, e))?,
            cert,
        ),
        _ => anyhow::bail!("give --key KEY --cert CERT, or --pkcs12 FILE"),
    };
    CadesSigner::new(Arc::new(signer)).map_err(|e| named(source, e))
}

/// What happened to a file that was to be signed.
enum Done {
    Signed,
    Exists,
}

enum Job {
    Sign { input: Input, output: PathBuf },
    Skip { input: Input, reason: String },
    Fail { file: PathBuf, reason: String },
}

pub fn run(args: SignArgs) -> anyhow::Result<Outcome> {
    let cades = load_signer(&args.signer)?;
    let extension = if args.enveloping { "p7m" } else { "p7s" };
    let walked = walk::collect(&args.paths, |p| !walk::is_signature(p));
    let mut jobs: Vec<Job> = walked
        .errors
        .into_iter()
        .map(|(file, reason)| Job::Fail { file, reason })
        .collect();
    let mut planned = HashSet::new();
    for input in walked.inputs {
        if walk::is_signature(&input.path) {
            jobs.push(Job::Skip {
                reason: "is a signature or evidence file; signatures are never signed again".into(),
                input,
            });
            continue;
        }
        let output = output_path(&input, args.out_dir.as_deref(), extension);
        if !planned.insert(output.clone()) {
            jobs.push(Job::Fail {
                file: input.path,
                reason: format!("another input also maps to {}", output.display()),
            });
        } else {
            jobs.push(Job::Sign { input, output });
        }
    }

    prepare_output_dirs(&jobs, args.out_dir.is_some(), &walked.temporaries)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.run.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let writer = BatchWriter::new(GROUP_COMMIT);
    let overwrite = if args.force {
        Overwrite::Replace
    } else {
        Overwrite::Never
    };
    let to_sign = jobs
        .iter()
        .filter(|j| matches!(j, Job::Sign { .. }))
        .count();
    let bar = if args.run.json {
        indicatif::ProgressBar::hidden()
    } else {
        output::progress(to_sign, "signing")
    };
    // The existence check runs in the parallel phase: on a batch of 10^4
    // small files, a sequential pass of stat calls would leave a core idle.
    let results: Vec<Result<Done, String>> = pool.install(|| {
        jobs.par_iter()
            .map(|job| match job {
                Job::Sign { input, output } => {
                    let r = if !args.force && output.exists() {
                        Ok(Done::Exists)
                    } else {
                        sign_one(
                            &cades,
                            &input.path,
                            output,
                            args.enveloping,
                            &writer,
                            overwrite,
                        )
                        .map(|()| Done::Signed)
                    };
                    bar.inc(1);
                    r
                }
                _ => Ok(Done::Signed),
            })
            .collect()
    });
    let commit_failures = writer.finish();
    bar.finish_and_clear();

    let failed_outputs: std::collections::HashMap<PathBuf, String> = commit_failures
        .into_iter()
        .map(|f| (f.path, format!("writing the signature failed: {}", f.error)))
        .collect();
    let mut report = SignReport::default();
    for (job, result) in jobs.into_iter().zip(results) {
        match job {
            Job::Sign { input, output } => {
                if matches!(result, Ok(Done::Exists)) {
                    report.skipped.push(Problem {
                        file: input.path.display().to_string(),
                        reason: format!("{} exists (use --force to replace it)", output.display()),
                    });
                    continue;
                }
                let error = result
                    .err()
                    .or_else(|| failed_outputs.get(&output).cloned());
                match error {
                    None => report.signed.push(Signed {
                        file: input.path.display().to_string(),
                        signature: output.display().to_string(),
                    }),
                    Some(reason) => report.failed.push(Problem {
                        file: input.path.display().to_string(),
                        reason,
                    }),
                }
            }
            Job::Skip { input, reason } => report.skipped.push(Problem {
                file: input.path.display().to_string(),
                reason,
            }),
            Job::Fail { file, reason } => report.failed.push(Problem {
                file: file.display().to_string(),
                reason,
            }),
        }
    }
    report.summary = SignSummary {
        total: report.signed.len() + report.skipped.len() + report.failed.len(),
        signed: report.signed.len(),
        skipped: report.skipped.len(),
        failed: report.failed.len(),
    };
    if args.run.json {
        output::json(&report)?;
    } else {
        for p in &report.failed {
            output::error(&format!("{}: {}", p.file, p.reason));
        }
        for p in &report.skipped {
            eprintln!("hozon: skipped {}: {}", p.file, p.reason);
        }
        let s = &report.summary;
        eprintln!(
            "signed {} file(s) as CAdES B-B with {} ({}); {} skipped, {} failed",
            s.signed,
            cades.signer().certificate().subject(),
            cades.signer().algorithm(),
            s.skipped,
            s.failed
        );
    }
    Ok(if report.failed.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Error
    })
}

fn sign_one(
    cades: &CadesSigner,
    path: &Path,
    output: &Path,
    enveloping: bool,
    writer: &BatchWriter,
    overwrite: Overwrite,
) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let signature = if enveloping {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > MAX_ENVELOPING_CONTENT {
            return Err(format!(
                "{len} bytes is too large for --enveloping (limit {MAX_ENVELOPING_CONTENT}); sign it detached"
            ));
        }
        let mut content = Vec::new();
        file.take(MAX_ENVELOPING_CONTENT + 1)
            .read_to_end(&mut content)
            .map_err(|e| format!("cannot read: {e}"))?;
        cades.sign_enveloping(&content).map_err(|e| e.to_string())?
    } else {
        cades.sign_detached(file).map_err(|e| e.to_string())?
    };
    writer
        .write(output, &signature, overwrite)
        .map_err(|e| format!("cannot write {}: {e}", output.display()))
}

/// Creates the output directories (under --out-dir) and removes named
/// temporaries that interrupted earlier runs left there: in every output
/// directory outside the walked trees, and in walked directories where the
/// walk saw one.
fn prepare_output_dirs(
    jobs: &[Job],
    out_dir: bool,
    seen_temporaries: &[PathBuf],
) -> anyhow::Result<()> {
    let dirs: std::collections::BTreeSet<&Path> = jobs
        .iter()
        .filter_map(|j| match j {
            Job::Sign { output, .. } => output.parent(),
            _ => None,
        })
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .collect();
    let mut clean: std::collections::BTreeSet<&Path> =
        seen_temporaries.iter().filter_map(|t| t.parent()).collect();
    for dir in dirs {
        if out_dir {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clean.insert(dir);
        }
    }
    for dir in clean {
        hozon_io::remove_stale_temporaries(dir)
            .with_context(|| format!("cannot clean up temporaries in {}", dir.display()))?;
    }
    Ok(())
}

/// `FILE.p7s` beside the input, or under `out_dir` mirroring the input's
/// place below the directory argument it was found in.
pub fn output_path(input: &Input, out_dir: Option<&Path>, extension: &str) -> PathBuf {
    let with_ext = |p: &Path| {
        let mut s = p.as_os_str().to_owned();
        s.push(".");
        s.push(extension);
        PathBuf::from(s)
    };
    match out_dir {
        None => with_ext(&input.path),
        Some(dir) => {
            let relative = input
                .root
                .as_ref()
                .and_then(|root| input.path.strip_prefix(root).ok())
                .map(Path::to_path_buf)
                .or_else(|| input.path.file_name().map(PathBuf::from))
                .unwrap_or_else(|| input.path.clone());
            with_ext(&dir.join(relative))
        }
    }
}
