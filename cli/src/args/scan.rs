//! `hozon scan`'s arguments.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::visible;
use super::{RunArgs, SignRevocationArg, SignerArgs, TsaArgs, ValidationDataArgs};

/// `hozon scan`. The signer options are optional here (only `--sign` uses them; `validate`
/// requires them then).
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scan files, or directories to search for them (signature files are skipped).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Scan policy (TOML; see docs/scans.md in the hozon documentation). Default: the built-in
    /// policy (300 dpi, 24-bit colour or 8-bit grey, TIFF/PNG/JPEG/PDF).
    #[arg(long, value_name = "POLICY.toml")]
    pub policy: Option<PathBuf>,
    /// Check every file against this policy class instead of choosing it by the
    /// policy's class_rules globs.
    #[arg(long, value_name = "CLASS")]
    pub class: Option<String>,
    /// After checking, sign and time-stamp each PASSING file (FILE.p7s beside it) with the
    /// signer options below; failing files are left untouched and listed. Needs --tsa.
    #[arg(long)]
    pub sign: bool,
    /// Signature level for --sign (B-T or higher: the guideline wants a time stamp).
    #[arg(long, value_enum, default_value = "t", requires = "sign")]
    pub level: ScanLevelArg,
    /// Signature format for --sign: `cades` (FILE.p7s beside each passing file, the default) or
    /// `pades` (each passing PDF signed inside the file, an incremental update in place; other
    /// passing scans still get FILE.p7s; docs/scans.md).
    #[arg(long, value_enum, default_value = "cades")]
    pub format: ScanFormatArg,
    /// Replace existing signatures when signing (default: skip files that have one).
    #[arg(long, requires = "sign")]
    pub force: bool,
    /// With --sign --format pades: the visible stamp on each signed PDF (docs/pades.md).
    #[command(flatten)]
    pub visible: visible::VisibleArgs,
    /// With --sign: what to do when the signer's revocation status cannot be told before
    /// signing (as `hozon sign --revocation`; a revoked signer never signs).
    #[arg(
        long,
        value_enum,
        value_name = "POLICY",
        default_value = "require",
        requires = "sign"
    )]
    pub revocation: SignRevocationArg,
    #[command(flatten)]
    pub signer: Option<SignerArgs>,
    /// Trust anchors, CRLs and --offline: verify FILE.p7s next to each scan (without --trust a
    /// signature is reported as not verified), and, for --level lt/lta, what to embed.
    #[command(flatten)]
    pub validation: ValidationDataArgs,
    #[command(flatten)]
    pub tsa: TsaArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `scan --sign --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormatArg {
    /// CAdES: FILE.p7s beside each passing file.
    Cades,
    /// PAdES: passing PDFs signed inside the file.
    Pades,
}

/// Signature levels `scan --sign` produces (never B-B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanLevelArg {
    /// CAdES B-T.
    T,
    /// CAdES B-LT (needs --trust).
    Lt,
    /// CAdES B-LTA (needs --trust).
    Lta,
}
