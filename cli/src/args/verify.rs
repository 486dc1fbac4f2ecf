//! `hozon verify`'s arguments.

use std::path::PathBuf;

use clap::Args;

use super::{parse_report_path, RevocationArg, RunArgs, SignReportArgs};

/// `hozon verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Signature files (.p7s, .p7m, or any CMS file), time stamps (.tsr), or directories to search for them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The detached content (default: X for X.p7s, X.tsr and X.ers). Only with a single
    /// file; repeat it for an evidence record (.ers) over several files (a data group).
    #[arg(long, value_name = "FILE")]
    pub content: Vec<PathBuf>,
    /// Trust anchors (PEM bundle); repeatable. Nothing else is trusted.
    #[arg(long, value_name = "ROOTS.pem", required = true)]
    pub trust: Vec<PathBuf>,
    /// CRLs (PEM or DER) besides those embedded in signatures; repeatable.
    #[arg(long, value_name = "CRL")]
    pub crl: Vec<PathBuf>,
    /// OCSP responses (DER OCSPResponse) besides those embedded in
    /// signatures; repeatable.
    #[arg(long, value_name = "FILE")]
    pub ocsp: Vec<PathBuf>,
    /// Extra certificates (PEM bundle): intermediates, or a TSA certificate
    /// a time stamp does not carry; repeatable. Never trusted as anchors.
    #[arg(long, value_name = "CERTS.pem")]
    pub certs: Vec<PathBuf>,
    /// Revocation policy.
    #[arg(long, value_enum, default_value = "require")]
    pub revocation: RevocationArg,
    /// Validate as of this time (RFC 3339, e.g. 2026-11-26T09:00:00Z) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Never fetch anything over the network: validate only from the
    /// signature's embedded data and the --crl/--ocsp files (a B-LT or B-LTA
    /// signature must pass this way). Without it, revocation data that is
    /// missing is fetched: OCSP from the certificate's AIA responder first,
    /// then CRLs from its distribution points, each URL (and OCSP CertID)
    /// once per run, with timeouts; a failed fetch gives INDETERMINATE
    /// naming the URL.
    #[arg(long)]
    pub offline: bool,
    /// Accept signature time stamps whose TSA certificate has expired since
    /// (valid at genTime) without a later archive time stamp.
    #[arg(long)]
    pub accept_expired_tsa: bool,
    /// Also list every regular file under the directories given that has no signature
    /// (FILE.p7s, FILE.p7m), time stamp (FILE.tsr) or evidence record (FILE.ers) beside it,
    /// every symlink or special file, and every signature whose document is gone; any of them
    /// fails the run (exit 1).
    #[arg(long)]
    pub require_signed: bool,
    /// Dated algorithm policy (TOML with a `[crypto]` table) overriding entries of the
    /// built-in table; see docs/crypto-policy.md.
    #[arg(long, value_name = "FILE")]
    pub crypto_policy: Option<PathBuf>,
    /// Also write one JSON report per signature file under this directory.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Also write a printable report (summary, what each verdict means, one section per
    /// signature, failures first) as HTML or PDF/A, chosen by the file name's extension, in
    /// the --lang language; see docs/reports.md.
    #[arg(long, value_name = "FILE.html|FILE.pdf", value_parser = parse_report_path)]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub sign_report: SignReportArgs,
    #[command(flatten)]
    pub run: RunArgs,
}
