//! `hozon archive`'s arguments: the subcommand enum and every archive subcommand's arguments.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{DigestArg, SignRevocationArg, SignerArgs, TsaArgs, TsaTuningArgs};

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
    Search(SearchArgs),
    /// Export records (by id, or every record of a patient) as a BagIt bag: each record's
    /// directory and its verification report; logged in the audit log as an access.
    ///
    /// See docs/intake.md in the hozon documentation.
    Export(ExportArgs),
    /// Watch folders and archive what appears in them (a long-running service): complete
    /// files are ingested in windows (one evidence batch each), then moved to done/ or
    /// quarantine/ (with the reason). Stops cleanly on SIGTERM or SIGINT.
    ///
    /// See docs/intake.md in the hozon documentation.
    Watch(WatchArgs),
    /// Serve the read-only web view (login, status dashboard, search, record pages,
    /// downloads; every view in the audit log) on loopback, or anywhere with TLS.
    ///
    /// See docs/web.md in the hozon documentation.
    Serve(ServeArgs),
    /// Manage the web view's users (argon2 hashes in the file `[web] users` names).
    ///
    /// See docs/web.md in the hozon documentation.
    #[command(subcommand)]
    WebUser(WebUserCommand),
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
    pub list: super::ListArgs,
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
    #[arg(long, value_name = "FILE.html|FILE.pdf", value_parser = super::parse_report_path, conflicts_with = "replica")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub sign_report: super::SignReportArgs,
    #[command(flatten)]
    pub list: super::ListArgs,
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

/// `archive replica ...`.
#[derive(Debug, Subcommand)]
pub enum ReplicaCommand {
    /// Add a replica to hozon.toml, after checking it (an S3 bucket must have Object Lock).
    /// S3 credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS profile
    /// files, never from the command line.
    Add(ReplicaAddArgs),
    /// List the replicas of hozon.toml.
    List(ReplicaListArgs),
}

/// Where a replica is (the flags of `replica add` and `restore`).
#[derive(Debug, Args)]
pub struct ReplicaPlace {
    /// A directory (NAS mount, removable disk).
    #[arg(long, value_name = "PATH", conflicts_with = "s3_endpoint")]
    pub dir: Option<PathBuf>,
    /// An S3-compatible endpoint URL.
    #[arg(long, value_name = "URL", requires = "bucket")]
    pub s3_endpoint: Option<String>,
    /// The bucket (created with Object Lock).
    #[arg(long, value_name = "B")]
    pub bucket: Option<String>,
    /// The region.
    #[arg(long, value_name = "R", default_value = "us-east-1")]
    pub region: String,
    /// Key prefix inside the bucket.
    #[arg(long, value_name = "P", default_value = "")]
    pub prefix: String,
    /// Virtual-hosted-style addressing (default: path-style, as on-premises servers need).
    #[arg(long)]
    pub virtual_hosted: bool,
    /// GOVERNANCE instead of COMPLIANCE locks (only if your policy allows removable locks).
    #[arg(long)]
    pub governance: bool,
}

/// `archive replica add`.
#[derive(Debug, Args)]
pub struct ReplicaAddArgs {
    /// The replica's name.
    #[arg(value_name = "NAME")]
    pub name: String,
    #[command(flatten)]
    pub place: ReplicaPlace,
    /// Do not replicate automatically at the end of ingest and renew.
    #[arg(long)]
    pub no_auto: bool,
    /// Wait for another job holding the archive's lock.
    #[arg(long)]
    pub wait: bool,
}

/// `archive replica list`.
#[derive(Debug, Args)]
pub struct ReplicaListArgs {
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `archive replicate`.
#[derive(Debug, Args)]
pub struct ReplicateArgs {
    /// Only this replica (default: all).
    #[arg(long, value_name = "NAME")]
    pub replica: Option<String>,
    /// Wait for another job holding the archive's lock.
    #[arg(long)]
    pub wait: bool,
    /// Uploads in flight at once.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 16)]
    pub jobs: usize,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `archive restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The replica, by its name in the hozon.toml of --archive.
    #[arg(long = "from", value_name = "NAME")]
    pub from: Option<String>,
    /// Or given by flags (when the archive's hozon.toml is lost).
    #[command(flatten)]
    pub place: ReplicaPlace,
    /// The new archive directory (must not exist, or be empty).
    #[arg(value_name = "DIR")]
    pub target: PathBuf,
    /// Downloads in flight at once.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 16)]
    pub jobs: usize,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `archive search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Records of this patient (the ID exactly as recorded).
    #[arg(long, value_name = "ID")]
    pub patient: Option<String>,
    /// Records of this document type.
    #[arg(long = "type", value_name = "TYPE")]
    pub document_type: Option<String>,
    /// Documents dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Documents dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Records whose signer's name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub signer: Option<String>,
    /// Records in this state: archived, accepted-failed.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// At most this many records.
    #[arg(long, value_name = "N", default_value_t = hozon_archive::search::DEFAULT_LIMIT)]
    pub limit: usize,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    /// Wait for another job holding the archive's lock instead of failing.
    #[arg(long)]
    pub wait: bool,
}

/// `archive export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Record ids to export.
    #[arg(value_name = "RECORD_ID")]
    pub records: Vec<String>,
    /// Every record of this patient; repeatable.
    #[arg(long, value_name = "ID")]
    pub patient: Vec<String>,
    /// The bag directory to write (must not exist).
    #[arg(long, value_name = "DIR", required = true)]
    pub to: PathBuf,
    #[command(flatten)]
    pub job: JobArgs,
}

/// `archive watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Folders of documents to watch (recursively).
    #[arg(value_name = "DIR")]
    pub folders: Vec<PathBuf>,
    /// A folder of scans: every file under it is checked against the scan policy (PDFs too).
    #[arg(long, value_name = "DIR")]
    pub scans: Vec<PathBuf>,
    /// Poll the folders every SECS seconds instead of inotify (network shares).
    #[arg(long, value_name = "SECS")]
    pub poll: Option<f64>,
    /// Seconds a file must stay unchanged before it is taken (default: hozon.toml, 5).
    #[arg(long, value_name = "SECS")]
    pub settle: Option<f64>,
    /// Ingest a window when it holds N inputs (default: hozon.toml, 1000).
    #[arg(long, value_name = "N")]
    pub batch_records: Option<usize>,
    /// ... or SECS seconds after its first input (default: hozon.toml, 60).
    #[arg(long, value_name = "SECS")]
    pub batch_seconds: Option<f64>,
    /// Move archived inputs here (default: hozon.toml, else done/ in each folder).
    #[arg(long, value_name = "DIR")]
    pub done: Option<PathBuf>,
    /// Move refused inputs here, each with NAME.reason.txt and NAME.reason.json (default:
    /// hozon.toml, else quarantine/ in each folder).
    #[arg(long, value_name = "DIR")]
    pub quarantine: Option<PathBuf>,
    /// The TSA, trust, revocation and thread flags over hozon.toml's.
    #[command(flatten)]
    pub tools: ToolFlags,
}

/// `archive serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0: any free port). A non-loopback address
    /// needs --tls-cert and --tls-key.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8400")]
    pub listen: SocketAddr,
    /// The server's certificate chain (PEM) for HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The server's private key (PEM) for HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

/// `archive web-user`.
#[derive(Debug, Subcommand)]
pub enum WebUserCommand {
    /// Add a web user (or set an existing user's password) in the users file named by
    /// `[web] users` in hozon.toml. The password is read from the terminal (asked twice),
    /// or as one line from standard input when that is not a terminal — never from the
    /// command line.
    ///
    /// See docs/web.md in the hozon documentation.
    Add(WebUserAddArgs),
}

/// `archive web-user add`.
#[derive(Debug, Args)]
pub struct WebUserAddArgs {
    /// The user name (letters, digits, '.', '_', '-'; at most 64).
    #[arg(value_name = "NAME")]
    pub name: String,
}
