//! `--report FILE.html|FILE.pdf`: the printable report of `hozon verify`
//! (hozon-report). See docs/reports.md.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::lang::lang;

use hozon_report::{AnchorInfo, Format, ReportFont, RunMeta};
use hozon_verify::Report;

/// What the report's policy section says about the run.
pub struct Policy<'a> {
    /// `--trust` files.
    pub trust: &'a [PathBuf],
    /// The crypto policy in words (from [`crypto_policy`]).
    pub crypto_policy: String,
    /// The revocation mode as typed (`require`, `best-effort`, `skip`).
    pub revocation: String,
    /// `--offline`.
    pub offline: bool,
}

/// The crypto policy in words: `FILE + built-in`, or the built-in table.
pub fn crypto_policy(file: Option<&Path>) -> String {
    match file {
        Some(p) => format!("{} + built-in", p.display()),
        None => "built-in (docs/crypto-policy.md)".to_owned(),
    }
}

/// The metadata of this run for the report, with the signed documents'
/// digests.
fn run_meta(
    policy: &Policy<'_>,
    document_digests: std::collections::HashMap<String, String>,
) -> anyhow::Result<RunMeta> {
    let mut trust_anchors = Vec::new();
    for t in policy.trust {
        let bytes = std::fs::read(t).with_context(|| format!("{}", t.display()))?;
        for cert in hozon_cms::Cert::read_bundle(&bytes)
            .with_context(|| format!("{}: not a certificate file", t.display()))?
        {
            trust_anchors.push(AnchorInfo {
                subject: cert.subject(),
                sha256: cert
                    .sha256()
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect::<Vec<_>>()
                    .join(":"),
            });
        }
    }
    Ok(RunMeta {
        hozon_version: env!("CARGO_PKG_VERSION").to_owned(),
        host: host_name(),
        generated_at: hozon_pki::UnixTime::now().rfc3339(),
        trust_anchors,
        crypto_policy: policy.crypto_policy.clone(),
        revocation: format!(
            "{}{}",
            policy.revocation,
            if policy.offline { " (--offline)" } else { "" }
        ),
        document_digests,
    })
}

/// The signed documents' digests of a `hozon verify` report (each
/// document once; one that cannot be read has none: its signature's
/// errors say why).
fn document_digests(report: &Report) -> std::collections::HashMap<String, String> {
    let mut digests = std::collections::HashMap::new();
    for s in &report.signatures {
        if let Some(c) = &s.content {
            if !digests.contains_key(c) {
                if let Ok((hex, _)) = hozon_archive::sha256_file(Path::new(c)) {
                    digests.insert(c.clone(), hex);
                }
            }
        }
    }
    digests
}

/// This machine's name.
fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A report to write at the end of the run: its file and, for a PDF,
/// the font, found before any work is done so that a missing font fails
/// the run at once (exit 4) rather than after verifying everything.
pub struct Pending {
    path: PathBuf,
    font: Option<ReportFont>,
    /// `--sign-report`'s signer, loaded (and its password read) before
    /// any work is done.
    signer: Option<hozon_sign::CadesSigner>,
}

/// `--sign-report`'s signer failed the signer's revocation pre-check
/// (already reported on stderr, and as `{"refused": …}` with `--json`):
/// the run ends with this outcome (exit 1 for a revoked or otherwise
/// invalid signer, 4 for an unknown status under `--revocation require`),
/// before anything is verified.
#[derive(Debug)]
pub struct SignerRefused(pub crate::outcome::Outcome);

impl std::fmt::Display for SignerRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("--sign-report: the signer's revocation pre-check refused the signer")
    }
}

impl std::error::Error for SignerRefused {}

/// The signer's revocation pre-check `--sign-report` runs with `verify`'s
/// validation options: its trust anchors, CRL, OCSP and certificate files
/// and `--offline`; an unknown status refuses under `--revocation require`
/// and is warned about otherwise.
pub fn report_signer_check(args: &crate::args::VerifyArgs) -> hozon_ltv::SignerCheck {
    use crate::args::RevocationArg;
    hozon_ltv::SignerCheck {
        trust: args.trust.clone(),
        crls: args.crl.clone(),
        ocsp: args.ocsp.clone(),
        certs: args.certs.clone(),
        offline: args.offline,
        unknown: match args.revocation {
            RevocationArg::Require => hozon_ltv::UnknownStatus::Refuse,
            RevocationArg::BestEffort | RevocationArg::Skip => hozon_ltv::UnknownStatus::SignAnyway,
        },
    }
}

/// The report `--report` asks for, if any, signed by `sign`'s signer
/// when `--sign-report` is given — after the signer's revocation
/// pre-check as `hozon sign` runs it (cli/src/signer_check.rs), with the
/// signer's own chain and fetched revocation data (an unknown status is
/// warned about). [`prepare_checked`] takes the check's options.
pub fn prepare(
    path: Option<&Path>,
    sign: &crate::args::SignReportArgs,
) -> anyhow::Result<Option<Pending>> {
    let check = hozon_ltv::SignerCheck {
        trust: Vec::new(),
        crls: Vec::new(),
        ocsp: Vec::new(),
        certs: Vec::new(),
        offline: false,
        unknown: hozon_ltv::UnknownStatus::SignAnyway,
    };
    prepare_checked(path, sign, &check, false)
}

/// [`prepare`] with the signer's revocation pre-check `check`; `json`
/// also reports a refusal as JSON on stdout. A refusal is a
/// [`SignerRefused`] error.
pub fn prepare_checked(
    path: Option<&Path>,
    sign: &crate::args::SignReportArgs,
    check: &hozon_ltv::SignerCheck,
    json: bool,
) -> anyhow::Result<Option<Pending>> {
    let Some(path) = path else { return Ok(None) };
    let font = match Format::of_path(path)? {
        Format::Html => None,
        Format::Pdf => Some(ReportFont::find(
            std::env::var_os("HOZON_FONT").as_deref().map(Path::new),
        )?),
    };
    let signer = if sign.sign_report {
        if let Err((_, message)) = crate::signer::signer_complete(&sign.signer) {
            anyhow::bail!("--sign-report: {message}");
        }
        let signer = crate::signer::load_signer(&sign.signer).context("--sign-report")?;
        if let Err(outcome) = crate::signer_check::gate(&signer, check, json)? {
            return Err(SignerRefused(outcome).into());
        }
        Some(signer)
    } else {
        None
    };
    Ok(Some(Pending {
        path: path.to_path_buf(),
        font,
        signer,
    }))
}

impl Pending {
    /// Writes the report of a `hozon verify` run.
    pub fn write_verify(
        &self,
        report: &Report,
        args: &crate::args::VerifyArgs,
    ) -> anyhow::Result<()> {
        use clap::ValueEnum;
        let policy = Policy {
            trust: &args.trust,
            crypto_policy: crypto_policy(args.crypto_policy.as_deref()),
            revocation: args
                .revocation
                .to_possible_value()
                .map(|v| v.get_name().to_owned())
                .unwrap_or_default(),
            offline: args.offline,
        };
        self.write(report, &policy)
    }

    /// Writes the report, atomically: a reader finds the whole report or
    /// none.
    pub fn write(&self, report: &Report, policy: &Policy<'_>) -> anyhow::Result<()> {
        let meta = run_meta(policy, document_digests(report))?;
        let bytes = match &self.font {
            None => hozon_report::render_html(report, meta, lang())?.into_bytes(),
            Some(font) => hozon_report::render_pdf(report, meta, lang(), font)?,
        };
        self.store(bytes)
    }

    /// Writes the report of a `hozon archive verify` run, atomically.
    pub fn write_archive(
        &self,
        run: &hozon_report::ArchiveRun,
        policy: &Policy<'_>,
    ) -> anyhow::Result<()> {
        let meta = run_meta(policy, std::collections::HashMap::new())?;
        let bytes = match &self.font {
            None => hozon_report::render_archive_html(run, meta, lang())?.into_bytes(),
            Some(font) => hozon_report::render_archive_pdf(run, meta, lang(), font)?,
        };
        self.store(bytes)
    }

    /// Signs the report as `--sign-report` asks, then writes it (and an
    /// HTML report's detached signature) atomically; nothing is written
    /// when signing fails.
    fn store(&self, bytes: Vec<u8>) -> anyhow::Result<()> {
        let (bytes, detached) = match (&self.signer, &self.font) {
            (None, _) => (bytes, None),
            (Some(signer), Some(_)) => (sign_pdf_report(bytes, signer)?, None),
            (Some(signer), None) => {
                let p7s = signer
                    .sign_detached(&bytes[..])
                    .context("--sign-report: cannot sign the HTML report")?;
                (bytes, Some(p7s))
            }
        };
        hozon_io::write_atomic(&self.path, &bytes, hozon_io::Overwrite::Replace)
            .with_context(|| format!("cannot write the report {}", self.path.display()))?;
        if let Some(p7s) = detached {
            let mut name = self.path.clone().into_os_string();
            name.push(".p7s");
            let sig_path = PathBuf::from(name);
            if let Err(e) = hozon_io::write_atomic(&sig_path, &p7s, hozon_io::Overwrite::Replace) {
                // No report without the signature it was asked to have.
                let _ = std::fs::remove_file(&self.path);
                return Err(anyhow::Error::new(e)
                    .context(format!("cannot write the signature {}", sig_path.display())));
            }
        }
        Ok(())
    }
}

/// The PDF report with a PAdES B-B signature by `signer` appended (an
/// incremental update; the PDF/A-2 file stays PDF/A-2, which allows
/// signature fields).
fn sign_pdf_report(
    mut bytes: Vec<u8>,
    signer: &hozon_sign::CadesSigner,
) -> anyhow::Result<Vec<u8>> {
    let pdf = hozon_pades::Pdf::parse(bytes.clone())
        .context("--sign-report: the PDF report cannot be read back")?;
    let update = hozon_pades::sign_pdf(
        &pdf,
        hozon_pades::prepare::Original::Bytes(&bytes),
        signer,
        None,
        hozon_cms::UnixTime::now(),
    )
    .context("--sign-report: cannot sign the PDF report")?;
    drop(pdf);
    bytes.extend_from_slice(&update);
    Ok(bytes)
}
