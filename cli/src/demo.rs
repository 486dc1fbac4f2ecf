//! `hozon demo`: the whole pipeline on built-in test data, narrated.
//!
//! The test PKI and sample documents of `testdata/` are compiled into the
//! binary, so the demo runs from any directory with no set-up.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use hozon_ltv::Target;
use hozon_sign::{AlgorithmChoice, CadesSigner, SecretSource, SoftwareSigner};
use hozon_testkit::{Pki, TsaMode, TsaServer};
use hozon_tsp::{TsaClient, TsaConfig};
use hozon_verify::{Indication, Report, SubIndication, Summary};

use crate::args::{DemoArgs, ProfileArg, RevocationArg, ValidationDataArgs};
use crate::outcome::Outcome;
use crate::verify::{build_verifier, verify_file, VerifierSetup};
use crate::verify_text::print_human;

const PKI: &[(&str, &[u8])] = &[
    (
        "root-ca.crt",
        include_bytes!("../../testdata/pki/root-ca.crt"),
    ),
    ("chain.pem", include_bytes!("../../testdata/pki/chain.pem")),
    ("crls.pem", include_bytes!("../../testdata/pki/crls.pem")),
    (
        "signer-doctor.crt",
        include_bytes!("../../testdata/pki/signer-doctor.crt"),
    ),
    (
        "signer-doctor.key",
        include_bytes!("../../testdata/pki/signer-doctor.key"),
    ),
    ("tsa.crt", include_bytes!("../../testdata/pki/tsa.crt")),
    ("tsa.key", include_bytes!("../../testdata/pki/tsa.key")),
    (
        "tsa-noeku.crt",
        include_bytes!("../../testdata/pki/tsa-noeku.crt"),
    ),
    (
        "tsa-noeku.key",
        include_bytes!("../../testdata/pki/tsa-noeku.key"),
    ),
];

/// Scanned paper charts (made by testdata/docs/make-docs.py): one meets
/// the built-in scan policy, one was scanned at half the resolution.
const SCANS: &[(&str, &[u8])] = &[
    (
        "chart-scan-300dpi.png",
        include_bytes!("../../testdata/docs/chart-scan-300dpi.png"),
    ),
    (
        "chart-scan-150dpi.png",
        include_bytes!("../../testdata/docs/chart-scan-150dpi.png"),
    ),
];

const DOCS: &[(&str, &[u8])] = &[
    (
        "discharge-summary.xml",
        include_bytes!("../../testdata/docs/discharge-summary.xml"),
    ),
    (
        "referral-letter.txt",
        include_bytes!("../../testdata/docs/referral-letter.txt"),
    ),
    (
        "lab-report.pdf",
        include_bytes!("../../testdata/docs/lab-report.pdf"),
    ),
];

fn step(n: u32, text: &str) {
    println!("\n== {n}. {text}");
}

/// The folder the demo works in and leaves behind: `--keep DIR`, else
/// `hozon-demo` in the current directory (`hozon-demo-2`, … when taken), so
/// that the commands it shows at the end have their files.
fn work_dir(keep: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = keep {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        return Ok(dir.to_path_buf());
    }
    for n in 1u32..1000 {
        let dir = PathBuf::from(if n == 1 {
            "hozon-demo".to_string()
        } else {
            format!("hozon-demo-{n}")
        });
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "cannot create {} in the current directory (give --keep DIR)",
                        dir.display()
                    )
                })
            }
        }
    }
    anyhow::bail!("hozon-demo … hozon-demo-999 all exist here; give --keep DIR")
}

pub fn run(args: DemoArgs) -> anyhow::Result<Outcome> {
    let work = work_dir(args.keep.as_deref())?;
    let pki = work.join("pki");
    let records = work.join("records");
    std::fs::create_dir_all(&pki)?;
    std::fs::create_dir_all(&records)?;
    for (name, bytes) in PKI {
        std::fs::write(pki.join(name), bytes)?;
    }
    for (name, bytes) in DOCS {
        std::fs::write(records.join(name), bytes)?;
    }
    let scans = work.join("scans");
    std::fs::create_dir_all(&scans)?;
    for (name, bytes) in SCANS {
        std::fs::write(scans.join(name), bytes)?;
    }
    println!("hozon demo: working in {}", work.display());
    println!("(test PKI: 'hozon Test Root CA' → 'hozon Test HPKI Signing CA' → doctor 山田 太郎, hcRole Medical Doctor)");
    let tsa_server = TsaServer::start(&Pki { dir: pki.clone() }, TsaMode::Normal)
        .context("cannot start the loopback TSA (is the openssl command installed?)")?;
    println!(
        "(time-stamp authority: OpenSSL's own TSA on {}, loopback only)",
        tsa_server.url()
    );
    let tsa = TsaClient::new(TsaConfig::new(vec![tsa_server.url()]))?;

    step(1, "Check the scanned paper charts against the built-in scan policy (300 dpi; 24-bit colour or 8-bit grey; decodes completely; not blank)");
    let policy = hozon_scan::Policy::default();
    let mut scan_files = Vec::new();
    for (name, _) in SCANS {
        let path = scans.join(name);
        scan_files.push(
            hozon_scan::check_file(&path, &policy, "default")
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
    }
    let scan_report = hozon_scan::ScanReport::new(scan_files);
    crate::scan::print_human(&scan_report);
    let passing_scans: Vec<PathBuf> = scan_report
        .files
        .iter()
        .filter(|f| f.verdict != hozon_scan::Status::Failed)
        .map(|f| PathBuf::from(&f.file))
        .collect();
    let scans_as_expected = passing_scans.len() == 1
        && passing_scans
            .first()
            .is_some_and(|p| p.ends_with("chart-scan-300dpi.png"));
    println!("   only the scans that pass are signed below; the 150-dpi one must be rescanned.");

    step(2, "Sign each clinical document and each passing scan as CAdES B-T: the doctor's signature plus an RFC 3161 time stamp");
    let signer = SoftwareSigner::from_pem_files(
        &pki.join("signer-doctor.key"),
        &pki.join("signer-doctor.crt"),
        Some(&pki.join("chain.pem")),
        &SecretSource::prompt("", "an unencrypted key"),
        AlgorithmChoice::default(),
    )?;
    let cades = CadesSigner::new(Arc::new(signer))?;
    let mut signatures = Vec::new();
    let to_sign = DOCS
        .iter()
        .map(|(name, _)| records.join(name))
        .chain(passing_scans.iter().cloned());
    for doc in to_sign {
        let name = doc
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let sig = doc.with_file_name(format!("{name}.p7s"));
        let bytes = cades.sign_detached(std::fs::File::open(&doc)?)?;
        let augmented = hozon_ltv::add_signature_timestamps(&bytes, &tsa)?;
        hozon_io::write_atomic(&sig, &augmented.der, hozon_io::Overwrite::Replace)?;
        let gen_time = augmented
            .stamps
            .first()
            .map(|s| s.token.gen_time().rfc3339())
            .unwrap_or_default();
        println!(
            "   signed {name} → {name}.p7s ({} bytes, stamped at {gen_time})",
            augmented.der.len()
        );
        signatures.push(sig);
    }
    let scan = records.join("lab-report.pdf");
    let stamp = tsa.stamp_data(&std::fs::read(&scan)?)?;
    let tsr = records.join("lab-report.pdf.tsr");
    hozon_io::write_atomic(&tsr, &stamp.response, hozon_io::Overwrite::Replace)?;
    println!("   and a stand-alone time stamp of lab-report.pdf → lab-report.pdf.tsr");

    let (trust, crls) = ([pki.join("root-ca.crt")], [pki.join("crls.pem")]);
    let verifier = build_verifier(&VerifierSetup {
        trust: &trust,
        crls: &crls,
        ocsp: &[],
        // The demo's CRLs are given; it reaches no server but its own TSA.
        offline: true,
        certs: &[],
        revocation: RevocationArg::Require,
        at: None,
        accept_expired_tsa: false,
    })?;
    let verify_all = |sigs: &[PathBuf]| -> anyhow::Result<Report> {
        let mut report = Report {
            validation_time: verifier.validation_time().rfc3339(),
            signatures: Vec::new(),
            summary: Summary::default(),
            file_errors: Vec::new(),
            unsigned_files: Vec::new(),
            evidence_records: Vec::new(),
            evidence_summary: None,
        };
        for sig in sigs {
            let r = verify_file(&verifier, sig, None)
                .map_err(|e| anyhow::anyhow!("{}: {e}", sig.display()))?;
            report.signatures.extend(r);
        }
        report.summary = Summary::of(&report.signatures);
        Ok(report)
    };

    step(3, "Verify: signature, signing-certificate-v2, chain to the trusted root, CRLs, algorithms, time stamps");
    let mut all = signatures.clone();
    all.push(tsr);
    let before = verify_all(&all)?;
    print_human(&before, false);
    let all_passed = before
        .signatures
        .iter()
        .all(|s| s.indication == Indication::TotalPassed);

    step(4,
        "Long-term: make lab-report.pdf.p7s B-LTA (chain, CRLs and an archive time stamp inside), verify with only the root, offline",
    );
    let augmenter = crate::augment::augmenter(
        Target::Lta,
        Some(TsaClient::new(TsaConfig::new(vec![tsa_server.url()]))?),
        &ValidationDataArgs {
            profile: ProfileArg::Etsi,
            trust: trust.to_vec(),
            crl: crls.to_vec(),
            ocsp: Vec::new(),
            offline: true,
            certs: Vec::new(),
        },
    )?;
    let long_term = records.join("lab-report.pdf.p7s");
    let b_lta = augmenter
        .apply(
            &long_term.display().to_string(),
            &std::fs::read(&long_term)?,
            Some(&scan),
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", long_term.display()))?;
    hozon_io::write_atomic(&long_term, &b_lta, hozon_io::Overwrite::Replace)?;
    let anchor_only = build_verifier(&VerifierSetup {
        trust: &trust,
        crls: &[],
        ocsp: &[],
        offline: true,
        certs: &[],
        revocation: RevocationArg::Require,
        at: None,
        accept_expired_tsa: false,
    })?;
    let lta_reports = verify_file(&anchor_only, &long_term, None)
        .map_err(|e| anyhow::anyhow!("{}: {e}", long_term.display()))?;
    let lta_report = Report {
        validation_time: anchor_only.validation_time().rfc3339(),
        summary: Summary::of(&lta_reports),
        signatures: lta_reports,
        file_errors: Vec::new(),
        unsigned_files: Vec::new(),
        evidence_records: Vec::new(),
        evidence_summary: None,
    };
    print_human(&lta_report, false);
    let long_term_ok = lta_report.signatures.iter().all(|s| {
        s.indication == Indication::TotalPassed && s.level == Some(hozon_verify::Level::BLta)
    });
    if let Some(renew_by) = lta_report
        .signatures
        .first()
        .and_then(|s| s.renew_by.clone())
    {
        println!("   renew_by {renew_by}: the next archive time stamp is due before then (hozon extend --level lta)");
    }

    step(
        5,
        "Tamper with one document (one byte of referral-letter.txt) and verify again",
    );
    let victim = records.join("referral-letter.txt");
    let mut bytes = std::fs::read(&victim)?;
    if let Some(b) = bytes.get_mut(10) {
        *b ^= 0x01;
    }
    std::fs::write(&victim, &bytes)?;
    let after = verify_all(&[records.join("referral-letter.txt.p7s")])?;
    print_human(&after, false);
    let caught = after
        .signatures
        .iter()
        .all(|s| s.sub_indication == Some(SubIndication::HashFailure));

    report_step(&work, &trust, [&before, &lta_report, &after])?;

    step(
        6,
        "XAdES: sign the e-prescription and the CDA discharge summary enveloped as B-LTA, verify with only the root, offline",
    );
    let (xades_report, xades_ok) = crate::xades_demo::run(&crate::xades_demo::Step {
        dir: &work.join("xml"),
        signer: cades.signer(),
        augmenter: &augmenter,
        verifier: &anchor_only,
    })?;
    print_human(&xades_report, false);

    step(
        7,
        "The archive: init, ingest the documents and both scans, renew, verify, status",
    );
    let archive_ok = archive_step(&work, &pki, &tsa_server.url())?;

    step(8, "Result");
    let ok = scans_as_expected && all_passed && long_term_ok && caught && xades_ok && archive_ok;
    if ok {
        println!("   the under-resolved scan was refused, every genuine document, scan and time stamp verified TOTAL_PASSED, the B-LTA signatures (CAdES and XAdES) verified from their own contents, the altered document was caught (HASH_FAILURE), and the archive stamped every record, refused a renewal that could not move the deadline (same RSA-2048 TSA), and re-verified every record offline.");
    } else {
        println!("   UNEXPECTED: the demo did not behave as designed (see above).");
    }
    println!(
        "   the demo's files are kept in {} (remove it when done)",
        work.display()
    );
    show_commands(&work);
    Ok(if ok { Outcome::Passed } else { Outcome::Failed })
}

/// Step 5, continued: the printable reports of steps 3 to 5 (docs/reports.md), in the run's
/// language (`--lang`): HTML always, PDF/A when a Japanese font is installed.
fn report_step(work: &Path, trust: &[PathBuf], reports: [&Report; 3]) -> anyhow::Result<()> {
    let mut all = Report {
        validation_time: reports[0].validation_time.clone(),
        signatures: reports.iter().flat_map(|r| r.signatures.clone()).collect(),
        summary: Summary::default(),
        file_errors: Vec::new(),
        unsigned_files: Vec::new(),
        evidence_records: Vec::new(),
        evidence_summary: None,
    };
    all.summary = Summary::of(&all.signatures);
    all.collect_evidence_records();
    let policy = crate::report::Policy {
        trust,
        crypto_policy: crate::report::crypto_policy(None),
        revocation: "require".to_owned(),
        offline: true,
    };
    for name in ["report.html", "report.pdf"] {
        let path = work.join(name);
        match crate::report::prepare(Some(&path), &Default::default()) {
            Ok(Some(pending)) => {
                pending.write(&all, &policy)?;
                println!(
                    "   {}",
                    crate::lang::cat().text_with(
                        "term-report-written",
                        &[("file", &path.display().to_string())]
                    )
                );
            }
            Ok(None) => {}
            Err(e) => println!(
                "   {}",
                crate::lang::cat().text_with(
                    "cli-demo-report-not-written",
                    &[("file", name), ("reason", &format!("{e:#}"))]
                )
            ),
        }
    }
    println!("   {}", crate::lang::cat().text("cli-demo-report-hint"));
    Ok(())
}

/// Step 7: a whole archive run through the `hozon archive` commands
/// themselves (they print what they do). Returns whether it behaved as
/// designed: the 150-dpi scan refused, everything else archived, renewed
/// and verified.
fn archive_step(work: &Path, pki: &Path, tsa_url: &str) -> anyhow::Result<bool> {
    use crate::args::archive::{
        ArchiveArgs, ArchiveCommand, ArchiveVerifyArgs, IngestArgs, InitArgs, JobArgs, RenewArgs,
        RenewMode, StatusArgs,
    };
    let incoming = work.join("incoming");
    std::fs::create_dir_all(&incoming)?;
    for (name, bytes) in DOCS.iter().chain(SCANS) {
        std::fs::write(incoming.join(name), bytes)?;
    }
    let dir = work.join("archive");
    let job = |json: bool| JobArgs {
        wait: false,
        tools: crate::args::archive::ToolFlags::default(),
        json,
    };
    let run = |command: ArchiveCommand| {
        crate::archive::run(ArchiveArgs {
            archive: Some(dir.clone()),
            command,
        })
    };
    println!("   hozon archive init {} --key … --cert … --tsa {tsa_url} --trust root-ca.crt --crl crls.pem --offline", dir.display());
    let init = run(ArchiveCommand::Init(Box::new(InitArgs {
        dir: dir.clone(),
        signer: crate::args::SignerArgs {
            key: Some(pki.join("signer-doctor.key")),
            cert: Some(pki.join("signer-doctor.crt")),
            chain: Some(pki.join("chain.pem")),
            pkcs12: None,
            pass_env: None,
            pass_file: None,
            pkcs11_module: None,
            pkcs11_token: None,
            pkcs11_key: None,
            pkcs11_sessions: None,
            pin_env: None,
            pin_file: None,
            digest: None,
            rsa_pss: false,
        },
        tsa: crate::archive_session::tsa_args(
            &hozon_archive::config::TsaConfig {
                urls: vec![tsa_url.to_string()],
                ..Default::default()
            },
            &[],
            &crate::args::TsaTuningArgs::default(),
        ),
        trust: vec![pki.join("root-ca.crt")],
        crl: vec![pki.join("crls.pem")],
        ocsp: Vec::new(),
        certs: Vec::new(),
        offline: true,
        revocation: crate::args::SignRevocationArg::Require,
        scan_policy: None,
        batch_size: 100_000,
        renew_margin_days: 90,
        retention_years: 10,
        lock_margin_years: 1,
    })))?;
    println!("   hozon archive ingest {}", incoming.display());
    let ingest = run(ArchiveCommand::Ingest(IngestArgs {
        list: Default::default(),
        sources: vec![incoming.clone()],
        scans: Vec::new(),
        accept_failed: false,
        class: None,
        batch_size: None,
        move_done: None,
        quarantine: None,
        allow_duplicates: false,
        job: job(false),
    }))?;
    println!("   hozon archive renew --before 36500d   (everything counts as due; the same RSA-2048 TSA cannot move the deadline, so the renewal is refused with exit 3, naming what to change)");
    let renew = run(ArchiveCommand::Renew(RenewArgs {
        before: "36500d".into(),
        mode: RenewMode::Ers,
        digest: None,
        batch_size: None,
        now: None,
        no_check: false,
        job: job(false),
    }))?;
    println!("   hozon archive verify");
    let verify = run(ArchiveCommand::Verify(ArchiveVerifyArgs {
        list: Default::default(),
        sample: None,
        at: None,
        crypto_policy: None,
        all: false,
        replica: None,
        read_only: false,
        report: None,
        sign_report: Default::default(),
        job: job(false),
    }))?;
    println!("   hozon archive status");
    run(ArchiveCommand::Status(StatusArgs {
        json: false,
        now: None,
    }))?;
    let _ = init;
    // The refused 150-dpi scan makes ingest report a failure, and the
    // renewal by the same TSA is refused as ineffective, by design.
    Ok(ingest == Outcome::Failed && renew == Outcome::Indeterminate && verify == Outcome::Passed)
}

/// Commands to try next, on the demo's own files (they need nothing but
/// the binary and the folder the demo kept).
fn show_commands(work: &Path) {
    for line in next_commands(work) {
        println!("{line}");
    }
}

/// The closing hints: a heading, then one `   hozon …` line per command.
fn next_commands(work: &Path) -> Vec<String> {
    let f = |rel: &str| shell_quote(&work.join(rel));
    vec![
        format!(
            "\nTry it with the command line, on the files the demo kept in {}:",
            work.display()
        ),
        "   (verify finds the altered referral letter: exit 1)".to_string(),
        format!(
            "   hozon verify {} --trust {} --crl {} --offline",
            f("records"),
            f("pki/root-ca.crt"),
            f("pki/crls.pem")
        ),
        "   (sign reports it as changed after signing; add --resign to sign the new version and keep the old signature)".to_string(),
        format!(
            "   hozon sign {} --key {} --cert {} --chain {} --crl {}",
            f("records"),
            f("pki/signer-doctor.key"),
            f("pki/signer-doctor.crt"),
            f("pki/chain.pem"),
            f("pki/crls.pem")
        ),
        format!("   hozon archive --archive {} status", f("archive")),
    ]
}

/// `path` as one shell word.
fn shell_quote(path: &Path) -> String {
    let s = path.display().to_string();
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+:,=@".contains(&b))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_only_the_kept_folder() {
        let lines = next_commands(Path::new("/tmp/my demo"));
        let commands: Vec<&String> = lines
            .iter()
            .filter(|l| l.starts_with("   hozon "))
            .collect();
        assert_eq!(commands.len(), 3);
        for c in commands {
            assert!(!c.contains("testdata"), "{c}");
            assert!(c.contains("'/tmp/my demo/"), "{c}");
        }
    }
}
