//! `hozon sign --format xades`: an enveloped XAdES signature inside each XML
//! document, written as a signed copy `NAME.signed.xml` beside `NAME.xml`
//! (or under `--out-dir`); the original is never touched. B-B, or B-T with
//! `--level t --tsa URL` (a SignatureTimeStamp). See docs/xades.md.

use std::path::{Path, PathBuf};

use anyhow::Context;
use hozon_io::Overwrite;
use hozon_xades::sign::{add_signature_time_stamp, sign_enveloped, signature_time_stamp_input};
use hozon_xades::sign::{SignError, SignInput};

use crate::args::{LevelArg, SignArgs};
use crate::batch::{self, Produced};
use crate::outcome::Outcome;
use crate::output;
use crate::walk::{self, Input};

/// The largest XML document signed (bytes).
const MAX_XML: u64 = hozon_xades::xml::MAX_XML_SIZE as u64;

/// `NAME.signed.xml` for `NAME.xml` (any other name: `NAME.signed.xml` after
/// the whole name), beside the input or under `out_dir`.
fn signed_copy(input: &Input, out_dir: Option<&Path>) -> PathBuf {
    let target = crate::sign::output_path(input, out_dir, "signed.xml");
    let s = target.to_string_lossy();
    match s.strip_suffix(".xml.signed.xml") {
        Some(stem) => PathBuf::from(format!("{stem}.signed.xml")),
        None => target,
    }
}

pub fn run(args: SignArgs) -> anyhow::Result<Outcome> {
    if args.enveloping || args.resign {
        anyhow::bail!("--enveloping and --resign apply to CAdES; --format xades signs enveloped into a copy of each XML document");
    }
    let tsa = match args.level {
        LevelArg::B => None,
        LevelArg::T => Some(
            crate::tsa::client(&args.tsa)?.context("--level t needs --tsa URL")?,
        ),
        LevelArg::Lt | LevelArg::Lta => anyhow::bail!(
            "--format xades signs at level b or t; B-LT and B-LTA for XAdES are not available yet (docs/xades.md)"
        ),
    };
    let cades = crate::sign::load_signer(&args.signer)?;
    let cleared = match crate::signer_check::gate(
        &cades,
        &crate::sign::check_setup(&args.validation, args.revocation),
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
        label: "signing",
        quiet: args.run.json || args.run.list.quiet,
        halt: None,
        check_existing: None,
        raced: "signed by another run",
    };
    let sign = |m: &[u8]| signer.sign(m).map_err(|e| SignError::Signer(e.to_string()));
    let report = batch::run(planned, &settings, |task| {
        let len = std::fs::metadata(&task.input.path)
            .map_err(|e| format!("cannot read: {e}"))?
            .len();
        if len > MAX_XML {
            return Err(format!(
                "{len} bytes is more than the {MAX_XML}-byte limit for an XML document"
            ));
        }
        let document = std::fs::read(&task.input.path).map_err(|e| format!("cannot read: {e}"))?;
        let signed = sign_enveloped(&SignInput {
            document: &document,
            certificate: signer.certificate(),
            algorithm: signer.algorithm(),
            signing_time: hozon_pki::UnixTime::now(),
            sign: &sign,
        })
        .map_err(|e| e.to_string())?;
        let bytes = match &tsa {
            None => signed,
            Some(tsa) => {
                let input = signature_time_stamp_input(&signed).map_err(|e| e.to_string())?;
                let stamp = tsa.stamp_data(&input).map_err(|e| e.to_string())?;
                add_signature_time_stamp(&signed, stamp.token.der()).map_err(|e| e.to_string())?
            }
        };
        Ok(Produced::Write(bytes))
    })?;
    let level = if tsa.is_some() { "B-T" } else { "B-B" };
    if args.run.json {
        let mut json = report.to_json("signed", "signature");
        json["signer_check"] = crate::signer_check::to_json(&cleared);
        json["format"] = "XAdES".into();
        output::json(&json)?;
    } else {
        report.print_problems(args.run.list.quiet);
        eprintln!(
            "signed {} file(s) as XAdES {level} (enveloped, NAME.signed.xml) with {} ({}); {} skipped, {} failed",
            report.done.len(),
            signer.certificate().subject(),
            signer.algorithm(),
            report.skipped.len(),
            report.failed.len()
        );
    }
    Ok(report.outcome())
}
