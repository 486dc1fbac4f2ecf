//! What the `hozon archive` commands share: opening the archive (with the
//! lock-wait and recovery lines), hozon.toml with this run's flags, the tools
//! for a job, the TSA options of `[tsa]`, progress bars, worker threads.

use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;

use hozon_archive::config::{Config, TsaConfig, ValidationOverrides};
use hozon_archive::ingest::Progress;
use hozon_archive::lock::Wait;
use hozon_archive::tools::{ToolOptions, Tools};
use hozon_archive::Session;

use crate::args::archive::JobArgs;
use crate::args::{DigestArg, TsaArgs, TsaTuningArgs};
use crate::lang::cat;
use crate::output;

/// The TSA options of hozon.toml's `[tsa]`, with `--tsa` URLs and the
/// client settings of `flags` over it.
pub(crate) fn tsa_args(c: &TsaConfig, urls: &[String], flags: &TsaTuningArgs) -> TsaArgs {
    TsaArgs {
        urls: if urls.is_empty() {
            c.urls.clone()
        } else {
            urls.to_vec()
        },
        tsa_user: c.user.clone(),
        tsa_pass_env: c.pass_env.clone(),
        tsa_pass_file: c.pass_file.clone(),
        tsa_client_cert: c.client_cert.clone(),
        tsa_client_pass_env: c.client_pass_env.clone(),
        tsa_client_pass_file: c.client_pass_file.clone(),
        tsa_ca: c.ca.clone(),
        tsa_policy: c.policy.clone(),
        tsa_digest: DigestArg::Sha256,
        tuning: flags.clone(),
        defaults: c.settings(),
    }
}

/// The lock-wait line on stderr, in the run's language.
pub(crate) fn lock_waiting(holder: &str) {
    let line = cat().text_with("archive-lock-waiting", &[("holder", holder)]);
    eprintln!("hozon: {line}");
}

pub(crate) fn open(root: &Path, job: &JobArgs, what: &str) -> anyhow::Result<Session> {
    let command = format!("hozon archive {what}");
    let wait = if job.wait { Wait::Yes } else { Wait::No };
    let session = Session::open(root, wait, &command, &lock_waiting)?;
    let r = &session.recovery;
    if r.any() {
        let line = cat().text_with(
            "archive-recovered",
            &[
                ("staging", &r.staging_removed.to_string()),
                ("rows", &r.rows_restored.to_string()),
                ("lines", &r.audit_lines_restored.to_string()),
                ("torn", &r.audit_torn_bytes.to_string()),
            ],
        );
        eprintln!("hozon: {line}");
    }
    Ok(session)
}

/// hozon.toml with this run's flags applied (flags override the file).
pub(crate) fn overridden(config: &Config, job: &JobArgs) -> anyhow::Result<Config> {
    let cwd = std::env::current_dir().context("the current directory")?;
    let flags = ValidationOverrides {
        trust: job.tools.trust.clone(),
        crls: job.tools.crl.clone(),
        offline: job.tools.offline,
    };
    Ok(config.with_overrides(&flags, &cwd))
}

/// The tools of hozon.toml for a job, with this run's TSA flags.
pub(crate) fn job_tools(
    session: &Session,
    config: &Config,
    job: &JobArgs,
    options: ToolOptions,
) -> anyhow::Result<Tools> {
    tools_for(&session.layout, config, job, options)
}

/// [`job_tools`] for an archive not held open (`archive watch` opens it per window).
pub(crate) fn tools_for(
    layout: &hozon_archive::Layout,
    config: &Config,
    job: &JobArgs,
    options: ToolOptions,
) -> anyhow::Result<Tools> {
    Ok(Tools::from_config(
        config,
        &ToolOptions {
            tsa_urls: job.tools.tsa.clone(),
            tsa_settings: job.tools.tsa_tuning.settings(),
            config_file: layout.config(),
            ..options
        },
    )?)
}

/// An RFC 3339 time given with `flag`.
pub(crate) fn parse_time(
    flag: &str,
    text: Option<&str>,
) -> anyhow::Result<Option<hozon_cms::UnixTime>> {
    text.map(|t| {
        hozon_cms::UnixTime::parse_rfc3339(t)
            .map_err(anyhow::Error::msg)
            .with_context(|| flag.to_owned())
    })
    .transpose()
}

pub(crate) fn thread_pool(jobs: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")
}

/// Progress bars on a terminal (nothing with --json or into a pipe).
pub(crate) struct Bars {
    quiet: bool,
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl Bars {
    pub(crate) fn new(quiet: bool) -> Bars {
        Bars {
            quiet,
            bar: Mutex::new(None),
        }
    }
}

impl Progress for Bars {
    fn phase(&self, name: &str, total: u64) {
        if self.quiet {
            return;
        }
        let bar = output::progress(usize::try_from(total).unwrap_or(usize::MAX), name);
        *self.bar.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar);
    }
    fn advance(&self, n: u64) {
        if let Some(b) = self.bar.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            b.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(b) = self.bar.lock().unwrap_or_else(|p| p.into_inner()).take() {
            b.finish_and_clear();
        }
    }
}
