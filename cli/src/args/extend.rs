//! `hozon extend` and `hozon timestamp`: their arguments.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{RunArgs, TsaArgs, ValidationDataArgs};

/// `hozon extend`.
#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// Signature files (.p7s, .p7m; signed PDFs; XML documents holding XAdES, docs/xades.md) or
    /// directories to search for .p7s/.p7m files.
    #[arg(required = true, value_name = "SIG")]
    pub paths: Vec<PathBuf>,
    /// The level to add.
    #[arg(long, value_enum)]
    pub level: ExtendLevel,
    /// With --level lta: leave alone a signature whose newest archive time stamp is younger
    /// than this many hours (a rerun after an interrupted run does only what is left; renewal
    /// is due years apart). 0 stamps every one again.
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub restamp_after: u64,
    #[command(flatten)]
    pub validation: ValidationDataArgs,
    #[command(flatten)]
    pub tsa: TsaArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Levels `extend` can add.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExtendLevel {
    /// B-T: a signature time stamp on every SignerInfo that has none.
    T,
    /// B-LT: B-T plus every certificate and CRL validation relies on, inside
    /// the signature (validates offline). Needs --trust; --tsa adds missing
    /// signature time stamps first.
    Lt,
    /// B-LTA: B-LT plus an archive time stamp (archive-time-stamp-v3) over
    /// all of it; run again before `renew_by` to renew. Needs --trust and --tsa.
    Lta,
}

/// `hozon timestamp`.
#[derive(Debug, Args)]
pub struct TimestampArgs {
    /// Files or directories (walked; signature and evidence files are skipped).
    #[arg(required = true, value_name = "FILE")]
    pub paths: Vec<PathBuf>,
    /// Replace existing FILE.tsr.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub tsa: TsaArgs,
    #[command(flatten)]
    pub run: RunArgs,
}
