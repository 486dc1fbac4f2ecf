//! `hozon sign`'s arguments.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::visible;
use super::{RunArgs, SignRevocationArg, SignerArgs, TsaArgs, ValidationDataArgs};

/// `hozon sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Files or directories to sign (directories are walked; symlinks are not followed).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub signer: SignerArgs,
    /// Signature level to produce.
    #[arg(long, value_enum, default_value = "b")]
    pub level: LevelArg,
    /// Write enveloping FILE.p7m (content inside) instead of detached FILE.p7s.
    #[arg(long)]
    pub enveloping: bool,
    /// Write signatures under this directory (mirroring the input tree) instead of beside each file.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Replace existing signatures (default: keep them and skip the file).
    #[arg(long)]
    pub force: bool,
    /// Sign again the documents changed since their signature was made (a correction, 訂正),
    /// keeping each previous signature as FILE.p7s.1, FILE.p7s.2, … beside it; never deletes
    /// one. Without it, a changed document is reported as "changed after signing" (exit 1).
    #[arg(long, conflicts_with_all = ["force", "enveloping"])]
    pub resign: bool,
    /// Before the first signature, the signer's certificate path is checked for revocation
    /// (--crl/--ocsp files, else fetched unless --offline; against --trust, else the root in
    /// the signer's chain). A revoked signer never signs (exit 1); when its status cannot be
    /// told: `require` refuses (exit 4), `best-effort` signs and says so.
    #[arg(long, value_enum, value_name = "POLICY", default_value = "require")]
    pub revocation: SignRevocationArg,
    #[command(flatten)]
    pub validation: ValidationDataArgs,
    #[command(flatten)]
    pub tsa: TsaArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// Signature format: `cades` (detached FILE.p7s or enveloping FILE.p7m, the default), `pades`
    /// (each PDF signed inside the file, as an incremental update in place; docs/pades.md) or
    /// `xades` (an enveloped XAdES signature in a signed copy NAME.signed.xml of each XML
    /// document, or with --xades-packaging detached FILE.xades.xml beside any FILE;
    /// docs/xades.md).
    #[arg(long, value_enum, default_value = "cades")]
    pub format: SignFormatArg,
    /// With --format xades: `enveloped` (the signature inside a signed copy NAME.signed.xml of
    /// each XML document) or `detached` (FILE.xades.xml beside any FILE, whose reference names
    /// FILE; keep the two together).
    #[arg(
        long,
        value_enum,
        value_name = "PACKAGING",
        default_value = "enveloped"
    )]
    pub xades_packaging: XadesPackagingArg,
    /// With --format xades, enveloped: the first reference signs the element with this Id
    /// instead of the whole document — the e-prescription layout (references to the data
    /// element, KeyInfo and SignedProperties).
    #[arg(long, value_name = "ID")]
    pub xades_data_id: Option<String>,
    #[command(flatten)]
    pub visible: visible::VisibleArgs,
}

/// Signature levels `sign` can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// CAdES B-B (CAdES-BES): signed attributes, no time stamp.
    B,
    /// CAdES B-T (CAdES-T): B-B plus a signature time stamp from --tsa.
    T,
    /// CAdES B-LT (ES-XL with --profile jis): B-T plus the certificates and
    /// revocation data validation relies on. Needs --tsa and --trust.
    Lt,
    /// CAdES B-LTA (ES-A with --profile jis): B-LT plus an archive time
    /// stamp. Needs --tsa and --trust.
    Lta,
}

/// `sign --xades-packaging`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum XadesPackagingArg {
    /// Inside a signed copy of the XML document.
    Enveloped,
    /// A separate FILE.xades.xml beside FILE.
    Detached,
}

/// `sign --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SignFormatArg {
    /// CAdES (CMS): FILE.p7s or FILE.p7m.
    Cades,
    /// PAdES: the signature inside the PDF (SubFilter ETSI.CAdES.detached).
    Pades,
    /// XAdES, enveloped in XML documents.
    Xades,
}
