//! `hozon archive ...`: the dispatcher, and output around the
//! jobs of hozon-archive, which do the work (and which turns `hozon.toml`
//! into the signer, TSA clients and verifier the jobs use:
//! [`hozon_archive::Tools::from_config`]).

use std::path::{Path, PathBuf};

use anyhow::Context;

use hozon_archive::config::{
    Config, RenewalConfig, RetentionConfig, ScanConfig, SignerConfig, TsaConfig, ValidationConfig,
};
use hozon_archive::evidence::RenewKind;
use hozon_archive::ingest::{IngestOptions, IngestVerdict};
use hozon_archive::lock::Wait;
use hozon_archive::renew::RenewVerdict;
use hozon_archive::tools::{self, ToolOptions};
use hozon_archive::Session;
use hozon_ltv::{Target, UnknownStatus};

use crate::archive_replica::{
    auto_replicate, replica_add, replica_list, replicate, restore, verify_replica,
};
use crate::archive_session::{
    job_tools, lock_waiting, open, overridden, parse_time, thread_pool, Bars,
};
use crate::args::archive::{
    AcknowledgeArgs, ArchiveArgs, ArchiveCommand, ArchiveVerifyArgs, IngestArgs, InitArgs,
    ReindexArgs, RenewArgs, RenewMode, ReplicaCommand, StatusArgs,
};
use crate::args::{DigestArg, SignRevocationArg};
use crate::lang::cat;
use crate::outcome::Outcome;
use crate::output;

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
