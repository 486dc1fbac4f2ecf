//! `hozon archive replica add|list`, `archive replicate`, `archive restore`
//! and `archive verify --replica`: the archive's copies elsewhere (a
//! directory or S3-compatible object storage with Object Lock). The work is
//! hozon-archive's `replicate` module; this file parses, calls and prints
//! (docs/replicas.md).

use std::path::Path;

use anyhow::Context;

use hozon_archive::config::{Config, ReplicaConfig, ReplicaKind};
use hozon_archive::lock::Wait;
use hozon_archive::Session;

use crate::archive_session::{open, Bars};
use crate::args::archive::{
    ArchiveVerifyArgs, JobArgs, ReplicaAddArgs, ReplicaListArgs, ReplicaPlace, ReplicateArgs,
    RestoreArgs, ToolFlags,
};
use crate::lang::cat;
use crate::outcome::Outcome;
use crate::output;

/// The `[[replica]]` entry the flags describe.
fn place_config(name: &str, p: &ReplicaPlace, auto: bool) -> anyhow::Result<ReplicaConfig> {
    let place = hozon_archive::replica_place::Place {
        dir: p.dir.as_deref(),
        s3_endpoint: p.s3_endpoint.as_deref(),
        bucket: p.bucket.as_deref(),
        region: &p.region,
        prefix: &p.prefix,
        virtual_hosted: p.virtual_hosted,
        governance: p.governance,
    };
    Ok(hozon_archive::replica_place::replica_config(
        name, &place, auto,
    )?)
}

pub(crate) fn replica_add(root: &Path, a: ReplicaAddArgs) -> anyhow::Result<Outcome> {
    if a.name.is_empty()
        || !a
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        anyhow::bail!(
            "replica name {:?}: use letters, digits, '-', '_' and '.'",
            a.name
        );
    }
    let wait = if a.wait { Wait::Yes } else { Wait::No };
    let mut session = Session::open(
        root,
        wait,
        "hozon archive replica add",
        &crate::archive_session::lock_waiting,
    )?;
    if session.config.replicas.iter().any(|r| r.name == a.name) {
        anyhow::bail!(
            "{}: a replica named {:?} already exists",
            session.layout.config().display(),
            a.name
        );
    }
    let entry = place_config(&a.name, &a.place, !a.no_auto)?;
    let replica = hozon_archive::replicate::open_replica(&entry)?;
    replica
        .check()
        .map_err(|e| hozon_archive::replicate::replica_err(&a.name, e))
        .context("the replica was not added (hozon.toml unchanged)")?;
    let mut config = session.config.clone();
    config.replicas.push(entry.clone());
    let text = config.to_toml()?;
    let path = session.layout.config();
    hozon_io::write_atomic(&path, text.as_bytes(), hozon_io::Overwrite::Replace)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    session.audit.append(&[(
        "replica-added",
        hozon_archive::audit::fields([
            ("replica", serde_json::json!(a.name)),
            ("where", serde_json::json!(replica.describe())),
            (
                "config_sha256",
                serde_json::json!(hozon_archive::sha256_hex(text.as_bytes())),
            ),
        ]),
    )])?;
    let auto = if a.no_auto {
        String::new()
    } else {
        cat().text("archive-replica-added-auto")
    };
    let line = cat().text_with(
        "archive-replica-added",
        &[
            ("name", &a.name),
            ("where", &replica.describe()),
            (
                "mode",
                if a.place.governance {
                    "GOVERNANCE"
                } else {
                    "COMPLIANCE"
                },
            ),
            ("auto", &auto),
        ],
    );
    eprintln!("{line}");
    Ok(Outcome::Passed)
}

pub(crate) fn replica_list(root: &Path, a: ReplicaListArgs) -> anyhow::Result<Outcome> {
    let config = Config::load(&root.join("hozon.toml"))?;
    if a.json {
        output::json(&serde_json::json!({
            "retention": config.retention,
            "replicas": config.replicas,
        }))?;
        return Ok(Outcome::Passed);
    }
    let mut text = String::new();
    for r in &config.replicas {
        let place = match r.kind {
            ReplicaKind::Dir => format!(
                "dir {}",
                r.path.as_deref().unwrap_or(Path::new("?")).display()
            ),
            ReplicaKind::S3 => format!(
                "s3://{}/{} at {}",
                r.bucket.as_deref().unwrap_or("?"),
                r.prefix,
                r.endpoint.as_deref().unwrap_or("?")
            ),
        };
        text.push_str(&format!(
            "{}  {}  lock {:?}  auto {}\n",
            r.name, place, r.lock, r.auto
        ));
    }
    text.push_str(&cat().text_with(
        "archive-replica-list-summary",
        &[
            ("count", &config.replicas.len().to_string()),
            ("years", &config.retention.retention_years.to_string()),
            ("margin", &config.retention.lock_margin_years.to_string()),
        ],
    ));
    text.push('\n');
    output::text(&text);
    Ok(Outcome::Passed)
}

/// Replicates to every replica in `names`; an unreachable replica is
/// reported and the others still run.
fn replicate_to(
    session: &mut Session,
    names: &[hozon_archive::config::ReplicaConfig],
    jobs: usize,
    json: bool,
) -> (Outcome, Vec<serde_json::Value>) {
    let mut outcome = Outcome::Passed;
    let mut reports = Vec::new();
    for entry in names {
        let bars = Bars::new(json);
        let result = hozon_archive::replicate::open_replica(entry).and_then(|replica| {
            hozon_archive::replicate::run(session, entry, replica.as_ref(), jobs, &bars)
        });
        match result {
            Ok(report) => {
                if !report.failed.is_empty() {
                    outcome = outcome.worst(Outcome::Error);
                }
                if !json {
                    output::text(&report.to_text(cat()));
                }
                reports.push(serde_json::json!(report));
            }
            Err(e) => {
                outcome = outcome.worst(Outcome::Error);
                eprintln!("hozon: {e}");
                reports.push(serde_json::json!({ "replica": entry.name, "error": e.to_string() }));
            }
        }
    }
    (outcome, reports)
}

/// Replication at the end of ingest and renew, to the replicas with auto.
pub(crate) fn auto_replicate(session: &mut Session, json: bool) -> Outcome {
    let autos: Vec<_> = session
        .config
        .replicas
        .iter()
        .filter(|r| r.auto)
        .cloned()
        .collect();
    if autos.is_empty() {
        return Outcome::Passed;
    }
    let (outcome, _) = replicate_to(session, &autos, 16, true);
    if outcome != Outcome::Passed {
        eprintln!("hozon: {}", cat().text("archive-replica-auto-incomplete"));
    } else if !json {
        let line = cat().text_with(
            "archive-replica-auto-done",
            &[("count", &autos.len().to_string())],
        );
        eprintln!("{line}");
    }
    outcome
}

pub(crate) fn replicate(root: &Path, a: ReplicateArgs) -> anyhow::Result<Outcome> {
    let job = JobArgs {
        wait: a.wait,
        tools: ToolFlags::default(),
        json: a.json,
    };
    let mut session = open(root, &job, "replicate")?;
    let targets: Vec<_> = match &a.replica {
        Some(name) => vec![hozon_archive::replicate::find_config(&session.config, name)?.clone()],
        None => session.config.replicas.clone(),
    };
    if targets.is_empty() {
        anyhow::bail!(
            "{}: no replica configured; add one with `hozon archive replica add NAME --dir PATH` or `--s3-endpoint URL --bucket B`",
            session.layout.config().display()
        );
    }
    let (outcome, reports) = replicate_to(&mut session, &targets, a.jobs, a.json);
    if a.json {
        output::json(&serde_json::json!({ "replicas": reports }))?;
    }
    Ok(outcome)
}

pub(crate) fn verify_replica(
    root: &Path,
    name: &str,
    a: &ArchiveVerifyArgs,
) -> anyhow::Result<Outcome> {
    let mut session = open(root, &a.job, "verify --replica")?;
    let entry = hozon_archive::replicate::find_config(&session.config, name)?.clone();
    let replica = hozon_archive::replicate::open_replica(&entry)?;
    let bars = Bars::new(a.job.json);
    let report = hozon_archive::replicate::verify_replica(
        &mut session,
        &entry,
        replica.as_ref(),
        a.job.tools.jobs.unwrap_or(16),
        &bars,
    )?;
    if a.job.json {
        output::json(&report)?;
    } else {
        output::text(&report.to_text(cat()));
    }
    Ok(if report.failed() {
        Outcome::Failed
    } else {
        Outcome::Passed
    })
}

pub(crate) fn restore(root: &Path, a: RestoreArgs) -> anyhow::Result<Outcome> {
    let entry = match &a.from {
        Some(name) => {
            let config = Config::load(&root.join("hozon.toml"))?;
            hozon_archive::replicate::find_config(&config, name)?.clone()
        }
        None => place_config("restore", &a.place, false)
            .context("archive restore: give --from NAME (a replica of --archive) or the replica's --dir / --s3-endpoint")?,
    };
    let replica = hozon_archive::replicate::open_replica(&entry)?;
    let bars = Bars::new(a.json);
    let report = hozon_archive::replicate::restore(replica.as_ref(), &a.target, a.jobs, &bars)?;
    if a.json {
        output::json(&report)?;
    } else {
        output::text(&report.to_text(cat()));
    }
    Ok(if report.failed.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed
    })
}
