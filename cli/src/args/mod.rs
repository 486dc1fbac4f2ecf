//! Command-line arguments (DESIGN.md §3 is the contract). Parsing only: no
//! I/O happens here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod archive;
pub mod extend;
pub mod scan;
pub mod sign;
pub mod verify;
pub mod visible;

pub use extend::{ExtendArgs, ExtendLevel, TimestampArgs};
pub use scan::{ScanArgs, ScanFormatArg, ScanLevelArg};
pub use sign::{LevelArg, SignArgs, SignFormatArg, XadesPackagingArg};
pub use verify::VerifyArgs;

/// hozon (保存): keep signed clinical documents verifiable for decades.
///
/// Each command has a guide: see docs/README.md in the hozon documentation for the list.
#[derive(Debug, Parser)]
// The first line of `hozon --help`, spelt out: the package description (Cargo.toml, and so the
// Debian package's) must not start with the package name.
#[command(
    name = "hozon",
    version,
    about = "hozon (保存): sign, time-stamp, verify and preserve clinical documents for decades",
    max_term_width = 100
)]
pub struct Cli {
    /// Language of human output (terminal text, the --report file): ja or en. Default: from
    /// HOZON_LANG, else LC_ALL / LANG (ja_JP.* gives ja), else en. JSON is never translated.
    /// See docs/reports.md.
    #[arg(long, global = true, value_name = "ja|en", value_parser = crate::lang::parse_lang)]
    pub lang: Option<hozon_i18n::Lang>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign files (or every file under a directory) as CAdES B-B, or with --level t|lt|lta
    /// time-stamped (B-T) and with long-term validation data (B-LT, B-LTA).
    ///
    /// Keys: --key with --cert, --pkcs12, or a PKCS#11 token (--pkcs11-module: HPKI IC cards,
    /// HSMs). See docs/signing.md in the hozon documentation; for cards and HSMs
    /// docs/hpki-cards.md, for --level lt and lta docs/long-term-validation.md.
    Sign(SignArgs),
    /// Verify signatures and time stamps and report ETSI EN 319 102-1 indications.
    ///
    /// See docs/verifying.md in the hozon documentation for every check, the JSON report and
    /// the exit status; evidence records (.ers) in docs/evidence-records.md.
    Verify(VerifyArgs),
    /// Add to existing signatures in place: --level t (a signature time stamp), lt (validation
    /// data), lta (an archive time stamp).
    ///
    /// See docs/long-term-validation.md in the hozon documentation (time stamps:
    /// docs/timestamps.md).
    Extend(ExtendArgs),
    /// Time-stamp files on their own (RFC 3161): writes FILE.tsr.
    ///
    /// See docs/timestamps.md in the hozon documentation.
    Timestamp(TimestampArgs),
    /// Run the whole pipeline on the built-in test data and show what happens.
    ///
    /// See docs/installing.md in the hozon documentation for what the demo shows.
    Demo(DemoArgs),
    /// Check scanned paper records (TIFF, PNG, JPEG, PDF) against a scan policy: format,
    /// decoding, resolution, colour, blank pages, JPEG quality, fixity; --sign signs and
    /// time-stamps the passing ones.
    ///
    /// See docs/scans.md in the hozon documentation for the checks, the policy file and the
    /// report.
    Scan(ScanArgs),
    /// PKCS#11 tokens (HPKI IC cards, HSMs): list slots, tokens, keys and certificates.
    ///
    /// See docs/hpki-cards.md in the hozon documentation.
    #[command(subcommand)]
    Pkcs11(Pkcs11Command),
    /// The batch archive: init, ingest, verify, status, renew, reindex, replicas.
    ///
    /// See docs/archive.md in the hozon documentation; replicas: docs/replicas.md.
    Archive(archive::ArchiveArgs),
    /// Write the man pages and the bash, zsh and fish completions, generated from these
    /// definitions, under DIR (for packaging).
    #[command(hide = true)]
    GenerateAssets(GenerateAssetsArgs),
}

/// `hozon generate-assets DIR`.
#[derive(Debug, Args)]
pub struct GenerateAssetsArgs {
    /// Folder to write `man/` and `completions/` into (created if missing).
    pub dir: PathBuf,
}

/// `hozon pkcs11 …`.
#[derive(Debug, Subcommand)]
pub enum Pkcs11Command {
    /// List the module's slots and tokens, and each token's keys and certificates (label, id,
    /// type, size, subject). Never key material or PINs.
    List(Pkcs11ListArgs),
}

/// `hozon pkcs11 list`.
#[derive(Debug, Args)]
pub struct Pkcs11ListArgs {
    /// The PKCS#11 module (default: $HOZON_PKCS11_MODULE).
    #[arg(long, value_name = "LIB")]
    pub pkcs11_module: Option<PathBuf>,
    /// The token to log in to, by label or serial (default: the only token present). The PIN
    /// is never tried on another token.
    #[arg(long, value_name = "LABEL|SERIAL")]
    pub pkcs11_token: Option<String>,
    /// Log in with the user PIN from this environment variable (private keys are hidden
    /// otherwise).
    #[arg(long, value_name = "VAR", conflicts_with = "pin_file")]
    pub pin_env: Option<String>,
    /// Log in with the user PIN from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The private key and certificate to sign with: a software key (PEM or
/// PKCS#12) or a key on a PKCS#11 token (HPKI IC card, HSM).
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Signer")]
pub struct SignerArgs {
    /// Private key (PEM or DER; PKCS#8, PKCS#1 or SEC1; may be encrypted).
    #[arg(
        long,
        value_name = "KEY.pem",
        requires = "cert",
        conflicts_with_all = ["pkcs12", "pkcs11_module"]
    )]
    pub key: Option<PathBuf>,
    /// Signer's certificate (PEM; further certificates in the file are taken as its chain).
    /// With --pkcs11-module: overrides (or supplies) the certificate on the token.
    #[arg(long, value_name = "CERT.pem", conflicts_with = "pkcs12")]
    pub cert: Option<PathBuf>,
    /// Intermediate CA certificates to embed (PEM bundle). With --pkcs11-module: overrides (or
    /// supplies) the CA certificates on the token.
    #[arg(long, value_name = "CHAIN.pem", conflicts_with = "pkcs12")]
    pub chain: Option<PathBuf>,
    /// PKCS#12 file holding key, certificate and chain.
    #[arg(long, value_name = "FILE.p12", conflicts_with = "pkcs11_module")]
    pub pkcs12: Option<PathBuf>,
    /// Read the key password from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with_all = ["pass_file", "pkcs11_module"])]
    pub pass_env: Option<String>,
    /// Read the key password from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "pkcs11_module")]
    pub pass_file: Option<PathBuf>,
    /// Sign with a key on a PKCS#11 token through this module (the card or HSM vendor's
    /// library, e.g. /usr/lib/softhsm/libsofthsm2.so). Default: $HOZON_PKCS11_MODULE when
    /// neither --key nor --pkcs12 is given.
    #[arg(long, value_name = "LIB")]
    pub pkcs11_module: Option<PathBuf>,
    /// The token, by label or serial number (default: the only token present).
    #[arg(long, value_name = "LABEL|SERIAL")]
    pub pkcs11_token: Option<String>,
    /// The private key on the token, by label or hex id (`label:L` or `id:HEX` to force one;
    /// default: the only private key). Its certificate is the one with the same id (or label).
    #[arg(long, value_name = "LABEL|ID")]
    pub pkcs11_key: Option<String>,
    /// Open at most this many sessions on the token (default: one per core, capped by the
    /// token's own limit; 1 drives the token serially).
    #[arg(long, value_name = "N")]
    pub pkcs11_sessions: Option<usize>,
    /// Read the token's user PIN from this environment variable (otherwise: --pin-file, or a
    /// prompt on the terminal, or the reader's PIN pad).
    #[arg(long, value_name = "VAR", conflicts_with = "pin_file")]
    pub pin_env: Option<String>,
    /// Read the token's user PIN from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
    /// Digest algorithm (default SHA-256; SHA-384 for P-384 keys).
    #[arg(long, value_enum, value_name = "ALG")]
    pub digest: Option<DigestArg>,
    /// Sign with RSASSA-PSS instead of RSA PKCS#1 v1.5.
    #[arg(long)]
    pub rsa_pss: bool,
}

/// Digest choices offered for signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DigestArg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// How `extend` stores validation data: the two long-term formats that
/// `verify` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// ETSI EN 319 122-1 B-LT: certificates and CRLs in the SignedData
    /// `certificates` and `crls` fields.
    Etsi,
    /// JIS X 5092 / RFC 5126 CAdES-X Long (ES-XL): the unsigned attributes
    /// complete-certificate-references, complete-revocation-references,
    /// certificate-values and revocation-values on each SignerInfo. With
    /// --level lta, an archive-time-stamp-v3 is added over them.
    Jis,
}

/// Where time stamps come from.
#[derive(Debug, Args)]
#[command(next_help_heading = "Time-stamp authority")]
pub struct TsaArgs {
    /// RFC 3161 TSA (http:// or https://); repeat to fail over, in order.
    #[arg(long = "tsa", value_name = "URL")]
    pub urls: Vec<String>,
    /// HTTP Basic user name for the TSA.
    #[arg(long, value_name = "USER")]
    pub tsa_user: Option<String>,
    /// Read the TSA password from this environment variable.
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with = "tsa_pass_file",
        requires = "tsa_user"
    )]
    pub tsa_pass_env: Option<String>,
    /// Read the TSA password from the first line of this file.
    #[arg(long, value_name = "FILE", requires = "tsa_user")]
    pub tsa_pass_file: Option<PathBuf>,
    /// TLS client certificate and key for the TSA (PKCS#12).
    #[arg(long, value_name = "FILE.p12")]
    pub tsa_client_cert: Option<PathBuf>,
    /// Read the client certificate's password from this environment variable.
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with = "tsa_client_pass_file",
        requires = "tsa_client_cert"
    )]
    pub tsa_client_pass_env: Option<String>,
    /// Read the client certificate's password from the first line of this file.
    #[arg(long, value_name = "FILE", requires = "tsa_client_cert")]
    pub tsa_client_pass_file: Option<PathBuf>,
    /// Extra CA certificates (PEM) for an HTTPS TSA with a private CA; repeatable.
    #[arg(long, value_name = "CA.pem")]
    pub tsa_ca: Vec<PathBuf>,
    /// Request this TSA policy (OID); the token must carry it.
    #[arg(long, value_name = "OID")]
    pub tsa_policy: Option<String>,
    /// Digest of the message imprint sent to the TSA.
    #[arg(long, value_enum, value_name = "ALG", default_value = "sha256")]
    pub tsa_digest: DigestArg,
    #[command(flatten)]
    pub tuning: TsaTuningArgs,
    /// Settings from a configuration file (`hozon.toml` `[tsa]`), under the flags.
    #[arg(skip)]
    pub defaults: hozon_tsp::TsaSettings,
}

impl TsaArgs {
    /// The client settings: the flags, else the configuration file's.
    pub fn settings(&self) -> hozon_tsp::TsaSettings {
        self.tuning.settings().or(self.defaults)
    }

    /// Requests in flight at most.
    pub fn concurrency(&self) -> usize {
        self.settings().concurrency.unwrap_or(4).max(1)
    }
}

/// How the TSA client behaves: timeouts, retries, requests in flight, and
/// when a TSA is given up on for the run. Every command that asks a TSA
/// takes these (in the archive, `hozon.toml` `[tsa]` sets them too).
#[derive(Clone, Debug, Default, Args)]
#[command(next_help_heading = "Time-stamp authority")]
pub struct TsaTuningArgs {
    /// Seconds to wait for one TSA answer [default: 30].
    #[arg(long, value_name = "SECONDS")]
    pub tsa_timeout: Option<u64>,
    /// Retries per TSA on network errors, timeouts, HTTP 5xx and 429 (with backoff, or after
    /// the TSA's Retry-After) [default: 3].
    #[arg(long, value_name = "N")]
    pub tsa_retries: Option<u32>,
    /// Requests in flight at most [default: 4].
    #[arg(long, value_name = "N")]
    pub tsa_concurrency: Option<usize>,
    /// Connection failures or timeouts in a row after which a TSA is given up for the rest of
    /// the run (the next --tsa is used at once; 0: never) [default: 3].
    #[arg(long, value_name = "N")]
    pub tsa_breaker: Option<u32>,
    /// Seconds before a TSA given up is tried again [default: 30].
    #[arg(long, value_name = "SECONDS")]
    pub tsa_reprobe: Option<u64>,
}

impl TsaTuningArgs {
    /// The settings the flags give.
    pub fn settings(&self) -> hozon_tsp::TsaSettings {
        hozon_tsp::TsaSettings {
            timeout_secs: self.tsa_timeout,
            retries: self.tsa_retries,
            concurrency: self.tsa_concurrency,
            breaker_threshold: self.tsa_breaker,
            reprobe_secs: self.tsa_reprobe,
            max_retry_after_secs: None,
        }
    }
}

/// What validates a signature before its validation data is embedded
/// (`extend --level lt|lta`, `sign --level lt|lta`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Validation data (--level lt, lta)")]
pub struct ValidationDataArgs {
    /// Where the validation data goes.
    #[arg(long, value_enum, default_value = "etsi")]
    pub profile: ProfileArg,
    /// Trust anchors to validate with before embedding validation data.
    #[arg(long, value_name = "ROOTS.pem")]
    pub trust: Vec<PathBuf>,
    /// CRLs to validate with and embed; repeatable.
    #[arg(long, value_name = "CRL")]
    pub crl: Vec<PathBuf>,
    /// OCSP responses (DER OCSPResponse) to validate with and embed;
    /// repeatable.
    #[arg(long, value_name = "FILE")]
    pub ocsp: Vec<PathBuf>,
    /// Fetch no revocation data: validate and embed only what the signature
    /// carries and the --crl/--ocsp files give (--tsa is still used). By
    /// default, missing revocation data is fetched — OCSP from the
    /// certificate's AIA responder first, then CRLs from its distribution
    /// points, each URL (and OCSP CertID) once per run — and embedded.
    #[arg(long)]
    pub offline: bool,
    /// Extra certificates for path building; repeatable.
    #[arg(long, value_name = "CERTS.pem")]
    pub certs: Vec<PathBuf>,
}

/// Options shared by batch commands.
#[derive(Debug, Args)]
#[command(next_help_heading = "Batch")]
pub struct RunArgs {
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Print one JSON document on stdout instead of human-readable text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub list: ListArgs,
}

/// What a batch job lists (`sign`, `stamp`, `verify`, `archive ingest`, `archive verify`).
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct ListArgs {
    /// No progress bar, and in text only the problems and the summary (what passed or was
    /// done is not listed).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// List only what failed, was refused or is indeterminate (text and JSON); the summary
    /// still counts everything.
    #[arg(long)]
    pub failures_only: bool,
}

/// What signing does when the signer's own revocation status cannot be told
/// (no revocation data, or its source unreachable). A revoked signer is
/// always refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum SignRevocationArg {
    /// Refuse to sign (exit 4).
    #[default]
    Require,
    /// Sign anyway; the output says the signer's status was not known.
    BestEffort,
}

/// Revocation checking policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RevocationArg {
    /// Revocation data must cover every certificate, or the result is INDETERMINATE.
    Require,
    /// Use what revocation data there is; missing data is a warning.
    BestEffort,
    /// Do not check revocation (a warning says so).
    Skip,
}

/// `--sign-report` and the signer options it takes (as `hozon sign` does).
#[derive(Debug, Default, Args)]
pub struct SignReportArgs {
    /// Sign the --report file so that it is itself evidence: a PDF report gets a PAdES
    /// signature (an incremental update), an HTML report a detached CAdES signature
    /// FILE.html.p7s beside it. The signer is given as to `hozon sign` (--key/--cert,
    /// --pkcs12 or a PKCS#11 token; passwords and PINs from a variable, a file or the
    /// terminal, never the command line). See docs/reports.md.
    #[arg(long, requires = "report")]
    pub sign_report: bool,
    #[command(flatten, next_help_heading = "Signing the report (--sign-report)")]
    pub signer: Box<SignerArgs>,
}

/// `hozon demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Work in this directory (default: hozon-demo in the current directory, or hozon-demo-2,
    /// … when taken). The demo's files stay there for the commands it shows at the end.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// `--report`'s value parser: a file name ending in .html, .htm or .pdf
/// (anything else is a usage error, exit 2).
pub fn parse_report_path(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s);
    hozon_report::Format::of_path(&path).map_err(|e| e.to_string())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sign_needs_a_key_or_pkcs12() {
        let parsed = |args: &[&str]| Cli::try_parse_from(args).and_then(|c| c.validate());
        if std::env::var_os("HOZON_PKCS11_MODULE").is_none() {
            assert!(parsed(&["hozon", "sign", "a.pdf"]).is_err());
            assert!(parsed(&["hozon", "sign", "a.pdf", "--pkcs11-key", "k"]).is_err());
            assert!(
                parsed(&["hozon", "sign", "a.pdf", "--pin-env", "V", "--pkcs12", "p"]).is_err()
            );
        }
        assert!(parsed(&[
            "hozon",
            "sign",
            "a.pdf",
            "--pkcs11-module",
            "m",
            "--pin-env",
            "V"
        ])
        .is_ok());
        assert!(parsed(&[
            "hozon",
            "sign",
            "a.pdf",
            "--pkcs11-module",
            "m",
            "--cert",
            "c"
        ])
        .is_ok());
        assert!(parsed(&[
            "hozon",
            "sign",
            "a.pdf",
            "--pkcs11-module",
            "m",
            "--key",
            "k",
            "--cert",
            "c"
        ])
        .is_err());
        assert!(parsed(&[
            "hozon",
            "sign",
            "a.pdf",
            "--pkcs11-module",
            "m",
            "--pkcs12",
            "p"
        ])
        .is_err());
        assert!(
            Cli::try_parse_from(["hozon", "sign", "a.pdf", "--key", "k", "--cert", "c"]).is_ok()
        );
        assert!(Cli::try_parse_from(["hozon", "sign", "a.pdf", "--pkcs12", "p"]).is_ok());
        assert!(Cli::try_parse_from([
            "hozon", "sign", "a.pdf", "--pkcs12", "p", "--key", "k", "--cert", "c"
        ])
        .is_err());
        assert!(Cli::try_parse_from(["hozon", "sign", "a.pdf", "--key", "k"]).is_err());
    }

    #[test]
    fn passwords_have_no_value_flag() {
        // There is deliberately no --pass VALUE: secrets never go on argv.
        assert!(
            Cli::try_parse_from(["hozon", "sign", "a", "--pkcs12", "p", "--pass", "x"]).is_err()
        );
        assert!(Cli::try_parse_from([
            "hozon",
            "sign",
            "a",
            "--pkcs12",
            "p",
            "--pass-env",
            "V",
            "--pass-file",
            "f"
        ])
        .is_err());
    }

    #[test]
    fn level_t_needs_a_tsa() {
        let cli =
            Cli::try_parse_from(["hozon", "sign", "a", "--pkcs12", "p", "--level", "t"]).unwrap();
        assert!(cli.validate().is_err());
        let cli = Cli::try_parse_from(["hozon", "timestamp", "a"]).unwrap();
        assert!(cli.validate().is_err());
        assert!(Cli::try_parse_from([
            "hozon",
            "sign",
            "a",
            "--pkcs12",
            "p",
            "--level",
            "t",
            "--tsa",
            "http://127.0.0.1/"
        ])
        .is_ok());
        assert!(Cli::try_parse_from([
            "hozon",
            "sign",
            "a",
            "--pkcs12",
            "p",
            "--level",
            "t",
            "--tsa",
            "u",
            "--tsa-pass-env",
            "V"
        ])
        .is_err());
    }

    #[test]
    fn verify_needs_trust() {
        assert!(Cli::try_parse_from(["hozon", "verify", "a.p7s"]).is_err());
        assert!(Cli::try_parse_from(["hozon", "verify", "a.p7s", "--trust", "r.pem"]).is_ok());
    }

    #[test]
    fn report_paths_need_a_known_extension() {
        assert!(parse_report_path("r.pdf").is_ok());
        assert!(parse_report_path("out/r.HTML").is_ok());
        let e = parse_report_path("r.txt").unwrap_err();
        assert!(e.contains(".html or .pdf"), "{e}");
    }
}
