//! `hozon archive ...`: arguments, progress bars and output around the
//! jobs of hozon-archive, which do the work (and which turns `hozon.toml`
//! into the signer, TSA clients and verifier the jobs use:
//! [`hozon_archive::Tools::from_config`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use clap::{Args, Subcommand};

use hozon_archive::config::{
    Config, RenewalConfig, RetentionConfig, ScanConfig, SignerConfig, TsaConfig, ValidationConfig,
    ValidationOverrides,
};
use hozon_archive::evidence::RenewKind;
use hozon_archive::ingest::{IngestOptions, IngestVerdict, Progress};
use hozon_archive::lock::Wait;
use hozon_archive::renew::RenewVerdict;
use hozon_archive::tools::{self, ToolOptions, Tools};
use hozon_archive::Session;
use hozon_ltv::{Target, UnknownStatus};

use crate::archive_replica::{
    auto_replicate, replica_add, replica_list, replicate, restore, verify_replica, ReplicaCommand,
    ReplicateArgs, RestoreArgs,
};
use crate::args::{DigestArg, SignRevocationArg, SignerArgs, TsaArgs, TsaTuningArgs};
use crate::lang::cat;
use crate::outcome::Outcome;
use crate::output;

/// `hozon archive`.
#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The archive directory (default: the HOZON_ARCHIVE environment variable).
    #[arg(long, global = true, value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: ArchiveCommand,
}

/// The archive subcommands.
#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Create an archive: layout, hozon.toml (signer, TSA, trust; paths and names, never
    /// secrets), catalog and audit log.
    Init(Box<InitArgs>),
    /// Archive files: signed documents (X + X.p7s, or X.p7m) are verified, unsigned
    /// documents signed, scans checked and (if passing) signed; then one evidence record
    /// batch is time-stamped over everything new.
    ///
    /// See docs/archive.md in the hozon documentation.
    Ingest(IngestArgs),
    /// Re-verify every record (fixity, signature, evidence records, scan report) and the
    /// audit log.
    Verify(ArchiveVerifyArgs),
    /// Counts by kind, level and state; records without evidence; renewal forecast.
    Status(StatusArgs),
    /// Renew the evidence of every record whose deadline falls within --before.
    ///
    /// See docs/archive.md and docs/evidence-records.md in the hozon documentation.
    Renew(RenewArgs),
    /// Rebuild the catalog from records/.
    Reindex(ReindexArgs),
    /// Acknowledge what a job repaired (a recovered record, a re-created catalog row, a
    /// cut torn audit line): RECORD is a record id, or `audit-log`. Audit-logged with
    /// the reason; `status` and `verify` stop flagging it.
    Acknowledge(AcknowledgeArgs),
    /// Write-once replicas: add one, list them.
    ///
    /// See docs/replicas.md in the hozon documentation.
    #[command(subcommand)]
    Replica(ReplicaCommand),
    /// Copy every record file, evidence record, the audit log and hozon.toml to the
    /// replicas (locked with Object Lock on S3); skips what is already there.
    ///
    /// See docs/replicas.md in the hozon documentation.
    Replicate(ReplicateArgs),
    /// Rebuild a complete archive from one replica into a new directory.
    ///
    /// See docs/replicas.md in the hozon documentation (after an incident).
    Restore(RestoreArgs),
    /// Find records by patient, document type, document date, signer or state (from the
    /// catalog; logged in the audit log as an access).
    ///
    /// See docs/intake.md in the hozon documentation.
    Search(crate::archive_search::SearchArgs),
    /// Export records (by id, or every record of a patient) as a BagIt bag: each record's
    /// directory and its verification report; logged in the audit log as an access.
    ///
    /// See docs/intake.md in the hozon documentation.
    Export(crate::archive_search::ExportArgs),
    /// Watch folders and archive what appears in them (a long-running service): complete
    /// files are ingested in windows (one evidence batch each), then moved to done/ or
    /// quarantine/ (with the reason). Stops cleanly on SIGTERM or SIGINT.
    ///
    /// See docs/intake.md in the hozon documentation.
    Watch(crate::archive_watch::WatchArgs),
    /// Serve the read-only web view (login, status dashboard, search, record pages,
    /// downloads; every view in the audit log) on loopback, or anywhere with TLS.
    ///
    /// See docs/web.md in the hozon documentation.
    Serve(crate::archive_serve::ServeArgs),
    /// Manage the web view's users (argon2 hashes in the file `[web] users` names).
    ///
    /// See docs/web.md in the hozon documentation.
    #[command(subcommand)]
    WebUser(crate::archive_serve::WebUserCommand),
}

/// `archive init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the archive.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub tsa: TsaArgs,
    /// Trust anchors (PEM); repeatable.
    #[arg(long, value_name = "ROOTS.pem", required = true)]
    pub trust: Vec<PathBuf>,
    /// CRL files to validate with; repeatable.
    #[arg(long, value_name = "CRL")]
    pub crl: Vec<PathBuf>,
    /// OCSP response files to validate with; repeatable.
    #[arg(long, value_name = "FILE")]
    pub ocsp: Vec<PathBuf>,
    /// Extra certificates for path building; repeatable.
    #[arg(long, value_name = "CERTS.pem")]
    pub certs: Vec<PathBuf>,
    /// Never fetch revocation data.
    #[arg(long)]
    pub offline: bool,
    /// What to do when the signer's revocation status cannot be told (as `hozon sign
    /// --revocation`; a revoked signer is always refused).
    #[arg(long, value_enum, value_name = "POLICY", default_value = "require")]
    pub revocation: SignRevocationArg,
    /// Scan policy (TOML) for scans (default: the built-in policy; see docs/scans.md in the
    /// hozon documentation).
    #[arg(long, value_name = "POLICY.toml")]
    pub scan_policy: Option<PathBuf>,
    /// Records per evidence batch (one TSA request each).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub batch_size: usize,
    /// Days before a TSA certificate expires that renewal is due.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub renew_margin_days: u32,
    /// Years each new record is kept from its ingest (`retain_until`); at
    /// least 5, the legal minimum for medical records (医師法 §24).
    #[arg(long, value_name = "YEARS", default_value_t = 10)]
    pub retention_years: u32,
    /// Years added to a record's retain-until for the Object Lock of its
    /// replicated copies.
    #[arg(long, value_name = "YEARS", default_value_t = 1)]
    pub lock_margin_years: u32,
}

/// Options every job that writes shares.
#[derive(Debug, Args)]
pub struct JobArgs {
    /// Wait for another job holding the archive's lock instead of failing.
    #[arg(long)]
    pub wait: bool,
    /// The TSA, trust, revocation and thread flags over hozon.toml's.
    #[command(flatten)]
    pub tools: ToolFlags,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The flags that override hozon.toml's tools for one run (every job that
/// writes, and `archive watch`).
#[derive(Clone, Debug, Default, Args)]
pub struct ToolFlags {
    /// Use this TSA instead of hozon.toml's; repeatable.
    #[arg(long = "tsa", value_name = "URL")]
    pub tsa: Vec<String>,
    /// TSA client settings over hozon.toml's `[tsa]` ones.
    #[command(flatten)]
    pub tsa_tuning: TsaTuningArgs,
    /// Use these trust anchors instead of hozon.toml's; repeatable.
    #[arg(long, value_name = "ROOTS.pem")]
    pub trust: Vec<PathBuf>,
    /// CRL files to validate with, besides hozon.toml's; repeatable.
    #[arg(long, value_name = "CRL")]
    pub crl: Vec<PathBuf>,
    /// Fetch no revocation data this run (whatever hozon.toml says).
    #[arg(long)]
    pub offline: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

/// `archive ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files and directories to archive.
    #[arg(value_name = "SRC")]
    pub sources: Vec<PathBuf>,
    /// A directory (or file) of scans: every file under it is checked as a scan (PDFs too).
    #[arg(long, value_name = "DIR")]
    pub scans: Vec<PathBuf>,
    /// Archive inputs whose signature or scan check failed, marked accepted-failed.
    #[arg(long)]
    pub accept_failed: bool,
    /// Scan policy class for every scan (default: by the policy's rules).
    #[arg(long, value_name = "CLASS")]
    pub class: Option<String>,
    /// Records per evidence batch (default: hozon.toml, 100000).
    #[arg(long, value_name = "N")]
    pub batch_size: Option<usize>,
    /// Move archived inputs (and inputs already archived) here afterwards, keeping their
    /// path relative to SRC, so the next run starts clean.
    #[arg(long, value_name = "DIR")]
    pub move_done: Option<PathBuf>,
    /// Move refused inputs here afterwards, each with a NAME.reason.txt saying why.
    #[arg(long, value_name = "DIR")]
    pub quarantine: Option<PathBuf>,
    /// Archive content already archived under another path again (otherwise it is
    /// refused as a duplicate of the first record).
    #[arg(long)]
    pub allow_duplicates: bool,
    #[command(flatten)]
    pub list: crate::args::ListArgs,
    #[command(flatten)]
    pub job: JobArgs,
}

/// `archive verify`.
#[derive(Debug, Args)]
pub struct ArchiveVerifyArgs {
    /// Verify a random sample of N records only.
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// Validate as of this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Dated algorithm policy (TOML with a `[crypto]` table) overriding entries of the
    /// built-in table; see docs/crypto-policy.md.
    #[arg(long, value_name = "FILE")]
    pub crypto_policy: Option<PathBuf>,
    /// List every record in --json output, not only those that did not pass.
    #[arg(long)]
    pub all: bool,
    /// Check this replica instead of the local archive: every object present, SHA-256
    /// equal, locked as required.
    #[arg(long, value_name = "NAME")]
    pub replica: Option<String>,
    /// Write nothing at all (no outcomes in the catalog, no summary line): for a
    /// read-only mount or a full disk. Verify never repairs, with or without it.
    #[arg(long)]
    pub read_only: bool,
    /// Also write a printable report (summary, what each outcome means, one section per
    /// record with its signature and evidence record, failures first; every record, also
    /// without --all) as HTML or PDF/A, by the file name's extension; see docs/reports.md.
    #[arg(long, value_name = "FILE.html|FILE.pdf", value_parser = crate::report::parse_report_path, conflicts_with = "replica")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub sign_report: crate::args::SignReportArgs,
    #[command(flatten)]
    pub list: crate::args::ListArgs,
    #[command(flatten)]
    pub job: JobArgs,
}

/// `archive status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    /// The time the forecast is relative to (RFC 3339; testing).
    #[arg(long, value_name = "RFC3339", hide = true)]
    pub now: Option<String>,
}

/// How `renew` renews.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RenewMode {
    /// RFC 4998 evidence records: one TSA request per batch.
    Ers,
    /// A B-LTA archive time stamp on each signature (one TSA request per record).
    Cades,
}

/// `archive renew`.
#[derive(Debug, Args)]
pub struct RenewArgs {
    /// Renew records whose deadline falls within this window (`90d`, `12w`, `0d`).
    #[arg(long, value_name = "DURATION", default_value = "90d")]
    pub before: String,
    /// How to renew.
    #[arg(long, value_enum, default_value = "ers")]
    pub mode: RenewMode,
    /// Hash-tree renewal with a stronger digest (RFC 4998 §5.2).
    #[arg(long, value_enum, value_name = "ALG")]
    pub digest: Option<DigestArg>,
    /// Records per evidence batch.
    #[arg(long, value_name = "N")]
    pub batch_size: Option<usize>,
    /// Act as if it were this time (RFC 3339; testing renewal past a certificate's expiry).
    #[arg(long, value_name = "RFC3339", hide = true)]
    pub now: Option<String>,
    /// Renew evidence records without verifying them first (an emergency:
    /// a deadline too close for reading every record's files).
    #[arg(long)]
    pub no_check: bool,
    #[command(flatten)]
    pub job: JobArgs,
}

/// `archive acknowledge`.
#[derive(Debug, Args)]
pub struct AcknowledgeArgs {
    /// The record id (or `audit-log`) whose repair was checked.
    #[arg(value_name = "RECORD")]
    pub record: String,
    /// Why it is in order (kept in the audit log).
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
    /// Wait for another job holding the archive's lock.
    #[arg(long)]
    pub wait: bool,
}

/// `archive reindex`.
#[derive(Debug, Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub job: JobArgs,
}

/// Runs `hozon archive ...`.
pub fn run(args: ArchiveArgs) -> anyhow::Result<Outcome> {
    let root = match (&args.archive, &args.command) {
        (_, ArchiveCommand::Init(init)) => init.dir.clone(),
        (None, ArchiveCommand::Restore(r)) if r.from.is_none() => r.target.clone(),
        (Some(dir), _) => dir.clone(),
        (None, _) => std::env::var_os("HOZON_ARCHIVE")
            .map(PathBuf::from)
            .context("which archive? Give --archive DIR or set HOZON_ARCHIVE")?,
    };
    match args.command {
        ArchiveCommand::Init(a) => init(&root, *a),
        ArchiveCommand::Ingest(a) => ingest(&root, a),
        ArchiveCommand::Verify(a) => verify(&root, a),
        ArchiveCommand::Status(a) => status(&root, a),
        ArchiveCommand::Renew(a) => renew(&root, a),
        ArchiveCommand::Reindex(a) => reindex(&root, a),
        ArchiveCommand::Acknowledge(a) => acknowledge(&root, a),
        ArchiveCommand::Replica(ReplicaCommand::Add(a)) => replica_add(&root, a),
        ArchiveCommand::Replica(ReplicaCommand::List(a)) => replica_list(&root, a),
        ArchiveCommand::Replicate(a) => replicate(&root, a),
        ArchiveCommand::Restore(a) => restore(&root, a),
        ArchiveCommand::Search(a) => crate::archive_search::search(&root, a),
        ArchiveCommand::Export(a) => crate::archive_search::export(&root, a),
        ArchiveCommand::Watch(a) => crate::archive_watch::watch(&root, a),
        ArchiveCommand::Serve(a) => crate::archive_serve::serve(&root, a),
        ArchiveCommand::WebUser(c) => crate::archive_serve::web_user(&root, c),
    }
}

fn digest_name(d: DigestArg) -> &'static str {
    match d {
        DigestArg::Sha256 => "sha256",
        DigestArg::Sha384 => "sha384",
        DigestArg::Sha512 => "sha512",
    }
}

fn init(root: &Path, a: InitArgs) -> anyhow::Result<Outcome> {
    use hozon_archive::create::{CreateError, Created};
    let config = Config {
        crypto: None,
        signer: SignerConfig {
            key: a.signer.key.clone(),
            cert: a.signer.cert.clone(),
            chain: a.signer.chain.clone(),
            pkcs12: a.signer.pkcs12.clone(),
            pass_env: a.signer.pass_env.clone(),
            pass_file: a.signer.pass_file.clone(),
            pkcs11_module: a.signer.pkcs11_module.clone(),
            pkcs11_token: a.signer.pkcs11_token.clone(),
            pkcs11_key: a.signer.pkcs11_key.clone(),
            pkcs11_sessions: a.signer.pkcs11_sessions,
            pin_env: a.signer.pin_env.clone(),
            pin_file: a.signer.pin_file.clone(),
            digest: a.signer.digest.map(|d| digest_name(d).to_string()),
            rsa_pss: a.signer.rsa_pss,
        },
        tsa: TsaConfig {
            urls: a.tsa.urls.clone(),
            user: a.tsa.tsa_user.clone(),
            pass_env: a.tsa.tsa_pass_env.clone(),
            pass_file: a.tsa.tsa_pass_file.clone(),
            client_cert: a.tsa.tsa_client_cert.clone(),
            client_pass_env: a.tsa.tsa_client_pass_env.clone(),
            client_pass_file: a.tsa.tsa_client_pass_file.clone(),
            ca: a.tsa.tsa_ca.clone(),
            policy: a.tsa.tsa_policy.clone(),
            timeout: a.tsa.tuning.tsa_timeout,
            retries: a.tsa.tuning.tsa_retries,
            concurrency: a.tsa.tuning.tsa_concurrency,
            breaker_threshold: a.tsa.tuning.tsa_breaker,
            reprobe_seconds: a.tsa.tuning.tsa_reprobe,
            max_retry_after_seconds: None,
        },
        validation: ValidationConfig {
            trust: a.trust.clone(),
            crls: a.crl.clone(),
            ocsp: a.ocsp.clone(),
            certs: a.certs.clone(),
            offline: a.offline,
        },
        scan: ScanConfig {
            policy: a.scan_policy.clone(),
        },
        renewal: RenewalConfig {
            batch_size: a.batch_size.max(1),
            margin_days: a.renew_margin_days,
        },
        retention: RetentionConfig {
            retention_years: a.retention_years,
            lock_margin_years: a.lock_margin_years,
        },
        replicas: Vec::new(),
        metadata: Default::default(),
        watch: Default::default(),
        web: Default::default(),
    };
    let unknown_status = match a.revocation {
        SignRevocationArg::Require => UnknownStatus::Refuse,
        SignRevocationArg::BestEffort => UnknownStatus::SignAnyway,
    };
    let options = hozon_archive::create::CreateOptions { unknown_status };
    // The library's own error leads the chain, as error_kinds expects.
    let created = hozon_archive::create::create(root, config, &options).map_err(|e| match e {
        CreateError::Tools(e) => anyhow::Error::from(e),
        CreateError::Signer(e) => (*e).into(),
        CreateError::Verifier(e) => e.into(),
        CreateError::Archive(e) => e.into(),
        e => e.into(),
    })?;
    let (signer, tsa_refused) = match created {
        Created::Created(signer) => (signer, None),
        Created::SignerRefused(refused) => {
            return crate::signer_check::print_refused(&refused, false);
        }
        Created::TsaRefused { signer, reason } => (signer, Some(reason)),
    };
    crate::signer_check::print_cleared(&signer, false);
    if let Some(e) = tsa_refused {
        output::error(&cat().text_with("archive-init-no-test-stamp", &[("error", &e.to_string())]));
        return Ok(Outcome::Error);
    }
    eprintln!(
        "{}",
        cat().text_with(
            "archive-init-created",
            &[("root", &root.display().to_string())]
        )
    );
    Ok(Outcome::Passed)
}

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
fn job_tools(
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
fn parse_time(flag: &str, text: Option<&str>) -> anyhow::Result<Option<hozon_cms::UnixTime>> {
    text.map(|t| {
        hozon_cms::UnixTime::parse_rfc3339(t)
            .map_err(anyhow::Error::msg)
            .with_context(|| flag.to_owned())
    })
    .transpose()
}

fn thread_pool(jobs: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
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

fn ingest(root: &Path, a: IngestArgs) -> anyhow::Result<Outcome> {
    if a.sources.is_empty() && a.scans.is_empty() {
        anyhow::bail!("nothing to ingest: give files or directories (SRC...) or --scans DIR");
    }
    // A source that is not there is a mistake in the command (exit 4, as
    // in sign, verify and scan), not a refused input.
    for p in a.sources.iter().chain(&a.scans) {
        std::fs::symlink_metadata(p).with_context(|| format!("{}", p.display()))?;
    }
    let mut session = open(root, &a.job, "ingest")?;
    let config = overridden(&session.config, &a.job)?;
    let tools = job_tools(
        &session,
        &config,
        &a.job,
        ToolOptions {
            signer: true,
            augment: Some(Target::Lt),
            ..ToolOptions::default()
        },
    )?;
    let options = IngestOptions {
        sources: a.sources.clone(),
        scans: a.scans.clone(),
        accept_failed: a.accept_failed,
        class: a.class.clone(),
        batch_size: a.batch_size.unwrap_or(config.renewal.batch_size).max(1),
        allow_duplicates: a.allow_duplicates,
        only: None,
    };
    let bars = Bars::new(a.job.json || a.list.quiet);
    let report = thread_pool(a.job.tools.jobs)?
        .install(|| hozon_archive::ingest::run(&mut session, &options, &tools, &bars))?;
    let roots: Vec<PathBuf> = a.sources.iter().chain(&a.scans).cloned().collect();
    let moved = hozon_archive::outbox::run(
        &report,
        &hozon_archive::outbox::Settle {
            roots: &roots,
            done: a.move_done.as_deref(),
            quarantine: a.quarantine.as_deref(),
        },
    )?;
    // --quiet / --failures-only: what was archived (or already was) is
    // not listed; the summary counts it.
    let list_done = !(a.list.quiet || a.list.failures_only);
    if !a.job.json && list_done {
        for m in &moved {
            let line = cat().text_with("archive-ingest-moved", &[("from", &m.from), ("to", &m.to)]);
            eprintln!("{line}");
        }
    }
    if a.job.json {
        let mut json = serde_json::to_value(&report)?;
        if a.list.failures_only {
            json["summary"] = serde_json::json!({
                "archived": report.archived.len(),
                "already_archived": report.already_archived.len(),
                "not_archived": report.not_archived.len(),
            });
            crate::batch::BatchReport::failures_only(&mut json, "archived");
            if let Some(map) = json.as_object_mut() {
                map.remove("already_archived");
            }
        }
        output::json(&json)?;
    } else {
        output::text(&report.to_text(cat(), list_done));
    }
    // Unreadable inputs are I/O errors (4); refused ones failed checks (1).
    let outcome = match report.verdict() {
        IngestVerdict::Failed => Outcome::Failed,
        IngestVerdict::IoError => Outcome::Error,
        IngestVerdict::Passed => Outcome::Passed,
    };
    Ok(outcome.worst(auto_replicate(&mut session, a.job.json)))
}

fn verify(root: &Path, a: ArchiveVerifyArgs) -> anyhow::Result<Outcome> {
    if let Some(name) = &a.replica {
        return verify_replica(root, name, &a);
    }
    let pending_report = crate::report::prepare(a.report.as_deref(), &a.sign_report)?;
    let wait = if a.job.wait { Wait::Yes } else { Wait::No };
    let mut session = hozon_archive::inspect::Inspection::open(
        root,
        wait,
        "hozon archive verify",
        a.read_only,
        &lock_waiting,
    )?;
    let config = overridden(&session.config, &a.job)?;
    let at = parse_time("--at", a.at.as_deref())?;
    let verifier = crate::verify::with_crypto_policy(
        tools::verifier_setup(&config, at).build()?,
        a.crypto_policy.as_deref(),
    )?;
    let bars = Bars::new(a.job.json || a.list.quiet);
    let mut report = thread_pool(a.job.tools.jobs)?
        .install(|| hozon_archive::verify::run(&mut session, &verifier, a.sample, &bars))?;
    if let Some(pending) = &pending_report {
        let ctx = crate::archive_report::ArchiveContext {
            root,
            config: &config,
            crypto_policy: a.crypto_policy.as_deref(),
        };
        crate::archive_report::write(pending, &report, &ctx)?;
    }
    // --failures-only wins over --all; --quiet lists no passing record
    // in text either.
    if !a.all || a.list.failures_only || (a.list.quiet && !a.job.json) {
        report
            .records
            .retain(|r| r.outcome != hozon_archive::verify::Outcome::Passed);
    }
    if a.job.json {
        output::json(&report)?;
    } else {
        output::text(&report.to_text(cat()));
    }
    for w in &report.warnings {
        eprintln!("hozon: {}: {w}", cat().text("term-warning"));
    }
    Ok(if report.failed() {
        Outcome::Failed
    } else if report.indeterminate() {
        Outcome::Indeterminate
    } else {
        Outcome::Passed
    })
}

fn status(root: &Path, a: StatusArgs) -> anyhow::Result<Outcome> {
    let now = match &a.now {
        Some(n) => hozon_cms::UnixTime::parse_rfc3339(n)
            .map_err(anyhow::Error::msg)
            .context("--now")?
            .rfc3339(),
        None => hozon_cms::UnixTime::now().rfc3339(),
    };
    let s = hozon_archive::status::run(root, &now)?;
    if a.json {
        output::json(&s)?;
        return Ok(Outcome::Passed);
    }
    output::text(&s.to_text(cat(), root));
    Ok(Outcome::Passed)
}

fn renew(root: &Path, a: RenewArgs) -> anyhow::Result<Outcome> {
    let before = hozon_archive::renew::parse_window(&a.before).context("--before")?;
    let now = match &a.now {
        Some(n) => hozon_cms::UnixTime::parse_rfc3339(n)
            .map_err(anyhow::Error::msg)
            .context("--now")?,
        None => hozon_cms::UnixTime::now(),
    };
    let mut session = open(root, &a.job, "renew")?;
    let config = overridden(&session.config, &a.job)?;
    if config.tsa.urls.is_empty() && a.job.tools.tsa.is_empty() {
        anyhow::bail!("renewal needs a TSA: hozon.toml has none; give --tsa URL");
    }
    let mode = match (a.mode, a.digest) {
        (RenewMode::Ers, None) => hozon_archive::renew::Mode::Ers(RenewKind::Timestamp),
        (RenewMode::Ers, Some(d)) => {
            hozon_archive::renew::Mode::Ers(RenewKind::HashTree(crate::tsa::digest_of(d)))
        }
        (RenewMode::Cades, None) => hozon_archive::renew::Mode::Cades,
        (RenewMode::Cades, Some(_)) => {
            anyhow::bail!("--digest is for hash-tree renewal of evidence records (--mode ers)")
        }
    };
    // Evidence is verified at the renewal's own time before it is renewed;
    // the same verifier gives each new token its validation data. B-LTA
    // goes through the same pipeline as `hozon extend --level lta`.
    let tools = job_tools(
        &session,
        &config,
        &a.job,
        ToolOptions {
            at: a.now.is_some().then_some(now),
            augment: (mode == hozon_archive::renew::Mode::Cades).then_some(Target::Lta),
            ..ToolOptions::default()
        },
    )?;
    let tsa = tools.stamper().context("renewal needs a TSA")?;
    let options = hozon_archive::renew::RenewOptions {
        before_secs: before,
        now,
        mode,
        batch_size: a.batch_size.unwrap_or(config.renewal.batch_size).max(1),
    };
    let validation = hozon_archive::evidence::Validation {
        verifier: &tools.verifier,
        check_first: !a.no_check,
    };
    let bars = Bars::new(a.job.json);
    let report = thread_pool(a.job.tools.jobs)?.install(|| {
        hozon_archive::renew::run(
            &mut session,
            tsa,
            tools.augmenter.as_ref(),
            &options,
            validation,
            &bars,
        )
    })?;
    if a.job.json {
        output::json(&report)?;
    } else {
        output::text(&report.to_text(cat()));
    }
    // A record left out because it disagrees (or its evidence fails) is a
    // failed check (1); a renewal the TSA or the disk stopped is 4.
    let outcome = match report.verdict() {
        RenewVerdict::Failed => Outcome::Failed,
        RenewVerdict::IoError => Outcome::Error,
        RenewVerdict::Refused => Outcome::Indeterminate,
        RenewVerdict::Passed => Outcome::Passed,
    };
    if let (Some(why), true) = (report.ineffective(), a.job.json) {
        // Loud on stderr too, whatever the output format.
        let line = cat().text_with("archive-renew-refused-stderr", &[("why", why)]);
        eprintln!("hozon: {line}");
    }
    Ok(outcome.worst(auto_replicate(&mut session, a.job.json)))
}

fn acknowledge(root: &Path, a: AcknowledgeArgs) -> anyhow::Result<Outcome> {
    let wait = if a.wait { Wait::Yes } else { Wait::No };
    let mut session = Session::open(root, wait, "hozon archive acknowledge", &lock_waiting)?;
    let done = hozon_archive::acknowledge::run(&mut session, &a.record, &a.reason)?;
    let line = cat().text_with(
        "archive-acknowledged",
        &[
            ("count", &done.len().to_string()),
            ("record", &a.record),
            ("repairs", &done.join("; ")),
        ],
    );
    eprintln!("{line}");
    Ok(Outcome::Passed)
}

fn reindex(root: &Path, a: ReindexArgs) -> anyhow::Result<Outcome> {
    let mut session = open(root, &a.job, "reindex")?;
    let n = hozon_archive::reindex::run(&mut session)?;
    if a.job.json {
        output::json(&serde_json::json!({ "records": n }))?;
    } else {
        let line = cat().text_with("archive-reindexed", &[("count", &n.to_string())]);
        eprintln!("{line}");
    }
    Ok(Outcome::Passed)
}
