//! `hozon archive watch`: the watch-folder intake service around
//! [`hozon_archive::watch`] (docs/intake.md): flags over hozon.toml's
//! `[watch]`, the signer, TSA and verifier of hozon.toml, SIGTERM/SIGINT,
//! and one log line per event on stderr (for the journal).

use std::path::Path;

use hozon_archive::tools::ToolOptions;
use hozon_archive::watch::{self, Stop, WatchOptions};
use hozon_ltv::Target;

use crate::args::archive::{JobArgs, WatchArgs};
use crate::outcome::Outcome;

/// A usage error (exit 2), as clap reports its own.
fn usage(message: impl std::fmt::Display) -> ! {
    clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{message}\n")).exit()
}

/// Runs `hozon archive watch` until SIGTERM or SIGINT.
pub fn watch(root: &Path, a: WatchArgs) -> anyhow::Result<Outcome> {
    if a.folders.is_empty() && a.scans.is_empty() {
        usage("archive watch: give the folders to watch (DIR...) or --scans DIR");
    }
    let layout = hozon_archive::Layout::new(root);
    let config = hozon_archive::Config::load(&layout.config())?;
    // hozon.toml's values are a configuration error (4), the flags' a usage error (2).
    config
        .watch
        .timing()
        .map_err(|e| hozon_archive::Error::Config {
            path: layout.config(),
            reason: e.to_string(),
        })?;
    let mut settings = config.watch.clone();
    if let Some(s) = a.settle {
        settings.settle_seconds = s;
    }
    if let Some(n) = a.batch_records {
        settings.batch_records = n;
    }
    if let Some(s) = a.batch_seconds {
        settings.batch_seconds = s;
    }
    if a.poll.is_some() {
        settings.poll_seconds = a.poll;
    }
    let timing = settings.timing().unwrap_or_else(|e| usage(e));
    let job = JobArgs {
        wait: true,
        tools: a.tools.clone(),
        json: false,
    };
    let effective = crate::archive_session::overridden(&config, &job)?;
    let tools = crate::archive_session::tools_for(
        &layout,
        &effective,
        &job,
        ToolOptions {
            signer: true,
            augment: Some(Target::Lt),
            ..ToolOptions::default()
        },
    )?;
    let options = WatchOptions {
        sources: a.folders.clone(),
        scans: a.scans.clone(),
        timing,
        done: a.done.clone().or(settings.done),
        quarantine: a.quarantine.clone().or(settings.quarantine),
        lang: crate::lang::lang(),
    };
    let stop = Stop::on_signals()?;
    let log = |line: &str| eprintln!("hozon archive watch: {line}");
    rayon::ThreadPoolBuilder::new()
        .num_threads(a.tools.jobs.unwrap_or(0))
        .build()?
        .install(|| watch::run(root, &options, &tools, &stop, &log))?;
    Ok(Outcome::Passed)
}
