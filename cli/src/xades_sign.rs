//! `hozon sign --format xades`: an enveloped XAdES signature inside each XML
//! document, written as a signed copy `NAME.signed.xml` beside `NAME.xml`
//! (or under `--out-dir`); the original is never touched. With
//! `--xades-packaging detached`, a detached signature `FILE.xades.xml`
//! beside any `FILE`, whose reference names `FILE`. B-B, or with
//! `--level t|lt|lta --tsa URL` the same augmentation as `hozon extend`
//! (hozon-ltv's pipeline over [`hozon_xades::augment::XadesDocument`]).
//! See docs/xades.md.

use std::path::{Path, PathBuf};

use anyhow::Context;
use hozon_io::Overwrite;
use hozon_ltv::{Augmenter, Target};
use hozon_xades::augment::XadesDocument;
use hozon_xades::sign::{sign_detached, sign_enveloped_over, DataObject, SignError, SignInput};

use crate::args::{LevelArg, SignArgs, XadesPackagingArg};
use crate::batch::{self, Produced, ReportExt};
use crate::outcome::Outcome;
use crate::output;
use hozon_batch::walk::{self, Input};

/// The largest XML document signed (bytes).
const MAX_XML: u64 = hozon_xades::xml::MAX_XML_SIZE as u64;

/// `NAME.signed.xml` for `NAME.xml` (any other name: `NAME.signed.xml` after
/// the whole name), beside the input or under `out_dir`.
fn signed_copy(input: &Input, out_dir: Option<&Path>) -> PathBuf {
    let target = hozon_batch::output_path(input, out_dir, "signed.xml");
    let s = target.to_string_lossy();
    match s.strip_suffix(".xml.signed.xml") {
        Some(stem) => PathBuf::from(format!("{stem}.signed.xml")),
        None => target,
    }
}

/// A usage error (exit 2), as clap reports its own.
fn usage(message: &str) -> ! {
    clap::Error::raw(
        clap::error::ErrorKind::ArgumentConflict,
        format!("{message}\n"),
    )
    .exit()
}

/// `FILE.xades.xml` beside `FILE`: a detached signature must lie beside the
/// file its reference names.
fn detached_signature(input: &Input) -> PathBuf {
    let mut name = input.path.clone().into_os_string();
    name.push(".xades.xml");
    name.into()
}

pub fn run(args: SignArgs) -> anyhow::Result<Outcome> {
    if args.enveloping || args.resign {
        anyhow::bail!("--enveloping and --resign apply to CAdES; --format xades signs enveloped into a copy of each XML document, or detached with --xades-packaging detached");
    }
    let detached = args.xades_packaging == XadesPackagingArg::Detached;
    if detached && args.out_dir.is_some() {
        usage("--xades-packaging detached writes FILE.xades.xml beside FILE (its reference names FILE by its relative name); --out-dir does not apply");
    }
    if detached && args.xades_data_id.is_some() {
        usage("--xades-data-id names an element of an XML document signed enveloped; it does not apply to --xades-packaging detached");
    }
    let target = match args.level {
        LevelArg::B => None,
        LevelArg::T => Some(Target::T),
        LevelArg::Lt => Some(Target::Lt),
        LevelArg::Lta => Some(Target::Lta),
    };
    let augmenter = match target {
        None => None,
        Some(target) => {
            let tsa =
                crate::tsa::client(&args.tsa)?.context("--level t, lt and lta need --tsa URL")?;
            Some(crate::augment::augmenter(
                target,
                Some(tsa),
                &args.validation,
            )?)
        }
    };
    let cades = crate::signer::load_signer(&args.signer)?;
    let cleared = match crate::signer_check::gate(
        &cades,
        &crate::signer::check_setup(&args.validation, args.revocation),
        args.run.json,
    )? {
        Ok(cleared) => cleared,
        Err(outcome) => return Ok(outcome),
    };
    let signer = cades.signer();
    let walked = walk::collect(&args.paths, |p| {
        !walk::is_signature(p) && !crate::xades::is_xades_file(p)
    });
    let temporaries = walked.temporaries.clone();
    let planned = batch::plan(walked, |input| {
        if crate::xades::is_xades_file(&input.path) {
            return Err("already holds a XAdES signature; hozon signs unsigned XML".into());
        }
        if detached {
            return Ok(detached_signature(input));
        }
        Ok(signed_copy(input, args.out_dir.as_deref()))
    });
    batch::prepare_output_dirs(&planned, args.out_dir.is_some(), &temporaries)?;
    let settings = batch::Settings {
        threads: args.run.jobs.unwrap_or(0),
        overwrite: if args.force {
            Overwrite::Replace
        } else {
            Overwrite::Never
        },
        skip_existing: !args.force,
        progress: &batch::Bar::new("signing", args.run.json || args.run.list.quiet),
        halt: None,
        check_existing: None,
        raced: "signed by another run",
    };
    let sign = |m: &[u8]| signer.sign(m).map_err(|e| SignError::Signer(e.to_string()));
    let report = batch::run(planned, &settings, |task| {
        let len = std::fs::metadata(&task.input.path)
            .map_err(|e| format!("cannot read: {e}"))?
            .len();
        let limit = if detached {
            hozon_xades::reference::MAX_DETACHED_SIZE
        } else {
            MAX_XML
        };
        if len > limit {
            return Err(format!(
                "{len} bytes is more than the {limit}-byte limit for a document signed as XAdES"
            )
            .into());
        }
        let document = std::fs::read(&task.input.path).map_err(|e| format!("cannot read: {e}"))?;
        let input = SignInput {
            document: &document,
            certificate: signer.certificate(),
            chain: signer.chain(),
            algorithm: signer.algorithm(),
            signing_time: hozon_pki::UnixTime::now(),
            sign: &sign,
        };
        let signed = if detached {
            let name = task
                .input
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            sign_detached(&input, &name, &document)
        } else {
            let data = match args.xades_data_id.as_deref() {
                Some(id) => DataObject::Element(id),
                None => DataObject::Document,
            };
            sign_enveloped_over(&input, data)
        }
        .map_err(|e| e.to_string())?;
        let bytes = match &augmenter {
            None => signed,
            Some(augmenter) => {
                let label = task.output.display().to_string();
                let base = crate::xades_extend::base_dir(&task.output);
                let mut document = XadesDocument::new(&label, signed, Some(base));
                augmenter
                    .augment(&label, &mut document)
                    .map_err(|e| e.to_string())?;
                document.into_bytes()
            }
        };
        Ok(Produced::Write(bytes))
    })?;
    let level = augmenter.as_ref().map_or("B-B", Augmenter::level_name);
    if args.run.json {
        let mut json = report.to_json("signed", "signature");
        json["signer_check"] = crate::signer_check::to_json(&cleared);
        json["format"] = "XAdES".into();
        output::json(&json)?;
    } else {
        report.print_problems(args.run.list.quiet);
        let form = if detached {
            "cli-xades-detached"
        } else {
            "cli-xades-enveloped"
        };
        let cat = crate::lang::cat();
        eprintln!(
            "{}",
            cat.text_with(
                "cli-xades-sign-summary",
                &[
                    ("done", &report.done.len().to_string()),
                    ("level", level),
                    ("form", &cat.text(form)),
                    ("signer", &signer.certificate().subject()),
                    ("algorithm", &signer.algorithm().to_string()),
                    ("skipped", &report.skipped.len().to_string()),
                    ("failed", &report.failed.len().to_string()),
                ],
            )
        );
    }
    Ok(report.outcome())
}
