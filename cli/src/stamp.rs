//! `hozon timestamp` (stand-alone RFC 3161 stamps, FILE.tsr) and
//! `hozon extend --level t` (signature time stamps added in place).

use std::fs::File;

use anyhow::Context;

use hozon_cms::MAX_SIGNATURE_FILE_SIZE;
use hozon_io::Overwrite;

use crate::args::{ExtendArgs, TimestampArgs};

use crate::batch::{self, Produced, ReportExt};
use crate::outcome::Outcome;
use crate::output;
use hozon_batch::walk;

/// Threads for network-bound work: enough to keep the TSA requests in
/// flight, and `-j` (one per core by default) to hash large files in
/// parallel. A `-j` below the number of cores is kept: a thread more than
/// there are requests only waits for a slot, and handing the slot to it
/// costs a wake-up per stamp.
fn threads(jobs: Option<usize>, concurrency: usize) -> usize {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    jobs.unwrap_or(cpus).max(concurrency)
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
    let halt = || crate::tsa::halt_reason(&tsa);
    let settings = batch::Settings {
        threads: threads(args.run.jobs, args.tsa.concurrency()),
        overwrite: if args.force {
            Overwrite::Replace
        } else {
            Overwrite::Never
        },
        skip_existing: !args.force,
        progress: &batch::Bar::new("time-stamping", args.run.json || args.run.list.quiet),
        halt: Some(&halt),
        check_existing: None,
        raced: "time-stamped by another run",
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
        let mut json = report.to_json("stamped", "timestamp");
        json["tsa"] = crate::tsa::health_json(&tsa);
        if args.run.list.failures_only {
            batch::BatchReport::failures_only(&mut json, "stamped");
        }
        output::json(&json)?;
    } else {
        report.print_problems(args.run.list.quiet);
        crate::tsa::print_health(&tsa);
        eprintln!(
            "{}",
            crate::lang::cat().text_with(
                "cli-timestamp-summary",
                &[
                    ("done", &report.done.len().to_string()),
                    ("skipped", &report.skipped.len().to_string()),
                    ("failed", &report.failed.len().to_string()),
                ],
            )
        );
    }
    Ok(report.outcome())
}

pub fn extend(args: ExtendArgs) -> anyhow::Result<Outcome> {
    let target = crate::augment::target(args.level);
    let augmenter =
        crate::augment::augmenter(target, crate::tsa::client(&args.tsa)?, &args.validation)?;
    let walked = walk::collect(&args.paths, |p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("p7s") || e.eq_ignore_ascii_case("p7m"))
    });
    let temporaries = walked.temporaries.clone();
    // Augmentation replaces each signature in place, atomically.
    let planned = batch::plan(walked, |input| Ok(input.path.clone()));
    batch::prepare_output_dirs(&planned, false, &temporaries)?;
    let halt = || augmenter.tsa().and_then(crate::tsa::halt_reason);
    let bar = batch::Bar::new("extending", args.run.json || args.run.list.quiet);
    let settings = crate::augment::extend_settings(
        threads(args.run.jobs, args.tsa.concurrency()),
        augmenter.tsa().map(|_| &halt as batch::Halt<'_>),
        &bar,
    );
    let level = augmenter.level_name();
    let restamp = hozon_ltv::RestampRule::new(target, args.restamp_after);
    let report = batch::run(planned, &settings, |task| {
        let path = &task.input.path;
        let size = std::fs::metadata(path)
            .map_err(|e| format!("cannot read: {e}"))?
            .len();
        if size > MAX_SIGNATURE_FILE_SIZE {
            return Err(format!("{size} bytes is too large for a signature file").into());
        }
        let original = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        if let Some(why) = restamp.skip_reason(level, hozon_ltv::newest_archive_stamp(&original)) {
            return Ok(Produced::Skip(why));
        }
        let content = detached_content(path);
        let bytes = augmenter
            .apply(&path.display().to_string(), &original, content.as_deref())
            .map_err(|e| e.to_string())?;
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
        None,
        "cli-extend-what-signatures",
    )
}

/// `X` for `X.p7s`.
fn detached_content(path: &std::path::Path) -> Option<std::path::PathBuf> {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("p7s"))
        .then(|| path.with_extension(""))
}
