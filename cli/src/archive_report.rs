//! `hozon archive verify --report FILE.html|FILE.pdf`: the printable
//! report of an archive's check (hozon-report), one section per record,
//! from the same result as `--json`. See docs/reports.md.

use std::path::Path;

use hozon_archive::record::{RecordMeta, Role};
use hozon_archive::verify::{Outcome, ProblemKind, RecordCheck, VerifyReport};
use hozon_report::{ArchiveRun, AuditRun, RecordOutcome, RecordRun};

use crate::lang::cat;
use crate::report::{crypto_policy, Pending, Policy};

/// What a report needs besides the result: the archive and its settings.
pub struct ArchiveContext<'a> {
    /// The archive's root.
    pub root: &'a Path,
    /// The archive's configuration (with the command line's overrides).
    pub config: &'a hozon_archive::Config,
    /// `--crypto-policy`, when given.
    pub crypto_policy: Option<&'a Path>,
}

/// Writes the report of `report` (every record, passing ones too).
pub fn write(
    pending: &Pending,
    report: &VerifyReport,
    ctx: &ArchiveContext<'_>,
) -> anyhow::Result<()> {
    let run = run_of(ctx.root, report);
    let trust: Vec<std::path::PathBuf> = ctx
        .config
        .validation
        .trust
        .iter()
        .map(|t| {
            if t.is_absolute() {
                t.clone()
            } else {
                ctx.root.join(t)
            }
        })
        .collect();
    let policy = Policy {
        trust: &trust,
        crypto_policy: match (ctx.crypto_policy, &ctx.config.crypto) {
            (None, Some(_)) => "hozon.toml [crypto] + built-in".to_owned(),
            (file, _) => crypto_policy(file),
        },
        revocation: "require".to_owned(),
        offline: ctx.config.validation.offline,
    };
    pending.write_archive(&run, &policy)
}

fn outcome(o: Outcome) -> RecordOutcome {
    match o {
        Outcome::Passed => RecordOutcome::Passed,
        Outcome::AcceptedFailed => RecordOutcome::AcceptedFailed,
        Outcome::Indeterminate => RecordOutcome::Indeterminate,
        Outcome::Failed => RecordOutcome::Failed,
    }
}

/// `path` relative to the archive's root when it lies inside it.
fn relative(root: &Path, path: &str) -> String {
    Path::new(path)
        .strip_prefix(root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_owned())
}

fn problem_word(kind: ProblemKind) -> String {
    cat().text(match kind {
        ProblemKind::Missing => "problem-missing",
        ProblemKind::Altered => "problem-altered",
        ProblemKind::Invalid => "problem-invalid",
        ProblemKind::Indeterminate => "problem-indeterminate",
    })
}

fn record(root: &Path, c: &RecordCheck) -> RecordRun {
    let meta = RecordMeta::read(Path::new(&c.dir)).ok();
    let problems = c
        .problems
        .iter()
        .map(|p| {
            let file = relative(root, &p.file);
            match &p.field {
                Some(field) => format!("{}: {file} [{field}]: {}", problem_word(p.kind), p.detail),
                None => format!("{}: {file}: {}", problem_word(p.kind), p.detail),
            }
        })
        .collect();
    RecordRun {
        id: c.id.clone(),
        dir: relative(root, &c.dir),
        document: meta
            .as_ref()
            .and_then(|m| m.file(Role::Document))
            .map(|f| f.name.clone()),
        document_sha256: meta.as_ref().map(|m| m.sha256.clone()),
        source: c.source.clone(),
        class: meta.as_ref().and_then(|m| {
            m.class
                .clone()
                .or_else(|| m.metadata.as_ref().and_then(|d| d.document_type.clone()))
        }),
        outcome: outcome(c.outcome),
        problems,
        warnings: c.warnings.clone(),
        signatures: c.signatures.clone(),
        evidence: c.evidence.clone(),
        evidence_files: c.evidence_records,
    }
}

/// The report's data from `archive verify`'s result.
pub fn run_of(root: &Path, report: &VerifyReport) -> ArchiveRun {
    let s = &report.summary;
    ArchiveRun {
        validation_time: report.validation_time.clone(),
        records: report.records.iter().map(|c| record(root, c)).collect(),
        missing_records: report.missing_records.clone(),
        problem_counts: (s.missing, s.altered, s.invalid),
        audit: AuditRun {
            lines: report.audit.lines,
            proven_time: report.audit.proven_time.clone(),
            problems: report.audit.problems.clone(),
            indeterminate: report.audit.indeterminate.clone(),
        },
    }
}
