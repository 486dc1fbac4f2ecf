//! `hozon sign --format pades` and `hozon extend FILE.pdf`: PAdES (ETSI
//! EN 319 142-1), each step an incremental update of the PDF, written back
//! in place atomically (the original bytes stay the prefix of the file).
//! The PDF operations are hozon-pades'; this file only walks, reports and
//! writes (docs/pades.md).

use std::path::{Path, PathBuf};

use anyhow::Context;
use hozon_cms::UnixTime;
use hozon_pades::prepare::Original;
use hozon_pades::{Pdf, PdfVerification};
use hozon_tsp::TsaClient;
use hozon_verify::Verifier;

use crate::args::{
    ExtendArgs, ExtendLevel, LevelArg, ProfileArg, RevocationArg, SignArgs, ValidationDataArgs,
};
use crate::batch::{code, BatchReport, Problem};
use crate::outcome::Outcome;
use crate::output;
use crate::verify::{build_verifier, VerifierSetup};

/// Whether every path given to `extend` is a PDF file (then PAdES extends
/// them; a mix with CMS signature files is refused by the CAdES path).
pub fn all_pdfs(paths: &[PathBuf]) -> bool {
    !paths.is_empty() && paths.iter().all(|p| hozon_pades::is_pdf_file(p))
}

/// A PDF being changed: a copy beside it (named as hozon-io names its
/// temporaries, so that walks skip it and a later run removes it if this
/// one is killed) that receives the updates, then replaces it atomically.
struct Work {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl Work {
    /// A copy of the PDF at `path`, streamed (constant memory).
    fn copy_of(path: &Path) -> Result<Work, String> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}.{}.", std::process::id()))
            .suffix(hozon_io::TEMP_SUFFIX)
            .tempfile_in(dir)
            .map_err(|e| format!("cannot write a temporary file in {}: {e}", dir.display()))?;
        let mut from = std::fs::File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
        // The replacement keeps the original's permissions.
        from.metadata()
            .and_then(|m| tmp.as_file().set_permissions(m.permissions()))
            .map_err(|e| format!("cannot copy its permissions: {e}"))?;
        std::io::copy(&mut from, tmp.as_file_mut())
            .map_err(|e| format!("cannot copy it to {}: {e}", tmp.path().display()))?;
        Ok(Work {
            path: path.to_path_buf(),
            tmp,
        })
    }

    /// The file as it stands, for reading.
    fn current(&self) -> &Path {
        self.tmp.path()
    }

    /// The file as it stands, parsed (in constant memory when large).
    fn pdf(&self) -> Result<Pdf, String> {
        Pdf::open(self.current()).map_err(|e| format!("cannot be read as a PDF: {e}"))
    }

    /// Appends an incremental update.
    fn append(&mut self, update: &[u8]) -> Result<(), String> {
        use std::io::{Seek, SeekFrom, Write};
        let f = self.tmp.as_file_mut();
        f.seek(SeekFrom::End(0))
            .and_then(|_| f.write_all(update))
            .map_err(|e| format!("cannot write {}: {e}", self.tmp.path().display()))
    }

    /// Replaces the PDF with the updated copy, durably.
    fn commit(self) -> Result<(), String> {
        let failed = |e: std::io::Error| format!("cannot write it: {e}");
        self.tmp.as_file().sync_all().map_err(failed)?;
        let path = self.path;
        self.tmp.persist(&path).map_err(|e| failed(e.error))?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(failed)
    }
}

/// What raises signed PDFs to a level: the TSA, and for B-LT and B-LTA a
/// verifier whose validation data goes into the DSS.
struct Steps {
    tsa: Option<TsaClient>,
    verifier: Option<Verifier>,
    lta: bool,
}

impl Steps {
    fn new(
        tsa: Option<TsaClient>,
        validation: &ValidationDataArgs,
        lt: bool,
        lta: bool,
    ) -> anyhow::Result<Steps> {
        if validation.profile == ProfileArg::Jis {
            anyhow::bail!("--profile jis applies to CAdES; a PDF keeps its validation data in the DSS (EN 319 142-1)");
        }
        let verifier = if lt {
            Some(build_verifier(&VerifierSetup {
                trust: &validation.trust,
                crls: &validation.crl,
                ocsp: &validation.ocsp,
                offline: validation.offline,
                certs: &validation.certs,
                revocation: RevocationArg::Require,
                at: None,
                accept_expired_tsa: false,
            })?)
        } else {
            None
        };
        Ok(Steps { tsa, verifier, lta })
    }

    /// B-LT (the DSS, from a verification of the file as it stands) and
    /// B-LTA (a document time stamp over it).
    fn long_term(&self, work: &mut Work) -> Result<(), String> {
        if let Some(verifier) = &self.verifier {
            let update = hozon_pades::add_validation_data(verifier, work.current())
                .map_err(|e| e.to_string())?;
            work.append(&update)?;
        }
        if self.lta {
            let tsa = self.tsa.as_ref().ok_or("--level lta needs --tsa URL")?;
            let pdf = work.pdf()?;
            let update =
                hozon_pades::add_document_timestamp(&pdf, Original::File(work.current()), tsa)
                    .map_err(|e| e.to_string())?;
            work.append(&update)?;
        }
        Ok(())
    }
}

fn finish(report: &BatchReport, json: bool, done_key: &str) -> anyhow::Result<Outcome> {
    if json {
        output::json(&report.to_json(done_key, "output"))?;
    } else {
        for (file, _) in &report.done {
            println!("{done_key} {file}");
        }
        report.print_problems(false);
    }
    Ok(report.outcome())
}

/// `hozon sign --format pades`: each PDF gets a new invisible signature.
pub fn sign(args: SignArgs) -> anyhow::Result<Outcome> {
    let cades = crate::sign::load_signer(&args.signer)?;
    if args.enveloping || args.resign || args.out_dir.is_some() {
        anyhow::bail!(
            "--format pades signs each PDF in place (an incremental update); --enveloping, --resign and --out-dir do not apply"
        );
    }
    let tsa = match args.level {
        LevelArg::B => None,
        _ => Some(crate::tsa::client(&args.tsa)?.context("--level t, lt and lta need --tsa URL")?),
    };
    let lt = matches!(args.level, LevelArg::Lt | LevelArg::Lta);
    let steps = Steps::new(tsa, &args.validation, lt, args.level == LevelArg::Lta)?;
    match crate::signer_check::gate(
        &cades,
        &crate::sign::check_setup(&args.validation, args.revocation),
        args.run.json,
    )? {
        Ok(_) => {}
        Err(outcome) => return Ok(outcome),
    }
    let mut report = BatchReport::default();
    for path in &args.paths {
        let file = path.display().to_string();
        let result = sign_one(&steps, &cades, path);
        match result {
            Ok(()) => report.done.push((file.clone(), file)),
            Err(reason) => report.failed.push(Problem::new(file, code::FAILED, reason)),
        }
    }
    finish(&report, args.run.json, "signed")
}

/// Signs one PDF in place, and raises it to the level.
fn sign_one(steps: &Steps, cades: &hozon_sign::CadesSigner, path: &Path) -> Result<(), String> {
    let mut work = Work::copy_of(path)?;
    let pdf = work.pdf()?;
    let update = hozon_pades::sign_pdf(
        &pdf,
        Original::File(work.current()),
        cades,
        steps.tsa.as_ref(),
        UnixTime::now(),
    )
    .map_err(|e| e.to_string())?;
    drop(pdf);
    work.append(&update)?;
    steps.long_term(&mut work)?;
    work.commit()
}

/// `hozon extend --level t|lt|lta FILE.pdf…`: B-T by a document time stamp
/// when a signature has no time stamp yet, B-LT by the DSS, B-LTA by a
/// document time stamp over it (again each time: renewal).
pub fn extend(args: ExtendArgs) -> anyhow::Result<Outcome> {
    let tsa = crate::tsa::client(&args.tsa)?;
    let lt = args.level != ExtendLevel::T;
    let lta = args.level == ExtendLevel::Lta;
    let steps = Steps::new(tsa, &args.validation, lt, lta)?;
    let mut report = BatchReport::default();
    for path in &args.paths {
        let file = path.display().to_string();
        match extend_one(&steps, &args, path) {
            Ok(true) => report.done.push((file.clone(), file)),
            Ok(false) => report.skipped.push(Problem::new(
                file,
                code::NOTHING_TO_DO,
                "already at the level".into(),
            )),
            Err(reason) => report.failed.push(Problem::new(file, code::FAILED, reason)),
        }
    }
    finish(&report, args.run.json, "extended")
}

/// Extends one PDF; `false` when there was nothing to do.
fn extend_one(steps: &Steps, args: &ExtendArgs, path: &Path) -> Result<bool, String> {
    if !hozon_pades::is_pdf_file(path) {
        return Err("is not a PDF".into());
    }
    // Which signatures lack a time stamp, and how old the newest document
    // time stamp is: from a verification of the file as it is.
    let verifier = match &steps.verifier {
        Some(v) => v,
        None => &build_verifier(&VerifierSetup {
            trust: &args.validation.trust,
            crls: &args.validation.crl,
            ocsp: &args.validation.ocsp,
            offline: true,
            certs: &args.validation.certs,
            revocation: RevocationArg::Skip,
            at: None,
            accept_expired_tsa: false,
        })
        .map_err(|e| e.to_string())?,
    };
    let reports = match hozon_pades::verify_pdf(verifier, path).map_err(|e| e.to_string())? {
        PdfVerification::Unsigned => return Err("the PDF has no signature to extend".into()),
        PdfVerification::Signed(r) => r,
    };
    let unstamped = reports.iter().any(|r| r.level.as_deref() == Some("B-B"));
    let newest_document_stamp = reports
        .iter()
        .flat_map(|r| &r.timestamps)
        .filter(|t| t.kind == "document" && t.indication == "PASSED")
        .filter_map(|t| UnixTime::parse_rfc3339(&t.gen_time).ok())
        .max();
    let fresh = newest_document_stamp.is_some_and(|t| {
        UnixTime::now().0 - t.0
            < i64::try_from(args.restamp_after.saturating_mul(3600)).unwrap_or(i64::MAX)
    });
    let nothing_to_do = match args.level {
        ExtendLevel::T => !unstamped,
        ExtendLevel::Lt => false,
        ExtendLevel::Lta => fresh && !unstamped,
    };
    if nothing_to_do {
        return Ok(false);
    }
    let mut work = Work::copy_of(path)?;
    if unstamped {
        let tsa = steps
            .tsa
            .as_ref()
            .ok_or("a signature has no time stamp: give --tsa URL to add a document time stamp")?;
        let pdf = work.pdf()?;
        let update = hozon_pades::add_document_timestamp(&pdf, Original::File(work.current()), tsa)
            .map_err(|e| e.to_string())?;
        work.append(&update)?;
    }
    if args.level != ExtendLevel::T {
        steps.long_term(&mut work)?;
    }
    work.commit()?;
    Ok(true)
}
