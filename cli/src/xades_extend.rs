//! `hozon extend FILE.xml --level t|lt|lta`: the XAdES signatures of XML
//! documents raised in place (atomically) through hozon-ltv's augmentation
//! pipeline, as CAdES signatures are. See docs/xades.md.

use hozon_xades::augment::{newest_archive_stamp, XadesDocument};

use crate::args::ExtendArgs;
use crate::batch::{self, Produced};
use crate::outcome::Outcome;
use hozon_batch::walk;

pub use hozon_batch::verify_any::base_dir;

/// Whether every path given is an XML file holding a XAdES signature:
/// `extend` then works on XAdES (a directory walk stays CAdES).
pub fn all_xades(paths: &[std::path::PathBuf]) -> bool {
    !paths.is_empty() && paths.iter().all(|p| crate::xades::is_xades_file(p))
}

pub fn extend(args: ExtendArgs) -> anyhow::Result<Outcome> {
    let target = crate::augment::target(args.level);
    let augmenter =
        crate::augment::augmenter(target, crate::tsa::client(&args.tsa)?, &args.validation)?;
    let walked = walk::collect(&args.paths, crate::xades::is_xades_file);
    let temporaries = walked.temporaries.clone();
    // Augmentation replaces each document in place, atomically.
    let planned = batch::plan(walked, |input| Ok(input.path.clone()));
    batch::prepare_output_dirs(&planned, false, &temporaries)?;
    let halt = || augmenter.tsa().and_then(crate::tsa::halt_reason);
    let bar = batch::Bar::new("extending", args.run.json || args.run.list.quiet);
    let settings = crate::augment::extend_settings(
        args.run.jobs.unwrap_or(0),
        augmenter.tsa().map(|_| &halt as batch::Halt<'_>),
        &bar,
    );
    let level = augmenter.level_name();
    let restamp = hozon_ltv::RestampRule::new(target, args.restamp_after);
    let report = batch::run(planned, &settings, |task| {
        let path = &task.input.path;
        let original = crate::xades::read_limited(path).map_err(|e| format!("cannot read: {e}"))?;
        if original.len() > hozon_xades::xml::MAX_XML_SIZE {
            return Err(format!(
                "more than the {}-byte limit for an XML document",
                hozon_xades::xml::MAX_XML_SIZE
            )
            .into());
        }
        if let Some(why) = restamp.skip_reason(level, newest_archive_stamp(&original)) {
            return Ok(Produced::Skip(why));
        }
        let label = path.display().to_string();
        let mut document = XadesDocument::new(&label, original.clone(), Some(base_dir(path)));
        augmenter
            .augment(&label, &mut document)
            .map_err(|e| e.to_string())?;
        let bytes = document.into_bytes();
        if bytes == original {
            Ok(Produced::Skip(format!("already {level}")))
        } else {
            Ok(Produced::Write(bytes))
        }
    })?;
    crate::augment::finish_extend(
        &args,
        &augmenter,
        &report,
        Some("XAdES"),
        "cli-extend-what-xades",
    )
}
