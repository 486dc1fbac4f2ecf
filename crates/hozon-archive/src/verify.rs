//! `archive verify` and `hozon verify RECORD_DIR`: every record checked
//! again on its own — fixity of every file against `record.json`, the
//! signature (strictly), every evidence record, the scan report of a scan —
//! plus the audit log's chain and the catalog against `records/`.
//!
//! Outcomes per record: `passed`; `failed` (a file missing or altered, a
//! signature or evidence record that fails); `indeterminate` (a signature or
//! evidence record that cannot be decided now); `accepted-failed` records
//! are checked for fixity only (their signature or scan was known bad).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use hozon_verify::{Indication, Verifier};

use crate::audit::{fields, AuditLog};
use crate::checks::{Context, FindingKind};
use crate::inspect::Inspection;
use crate::progress::Progress;
use crate::record::{evidence_files, Kind, RecordMeta, Role, State};
use crate::session::{months, record_dirs};
use crate::Result;

/// The outcome of one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Everything holds.
    Passed,
    /// Kept as failed at ingest; its files are intact.
    AcceptedFailed,
    /// Something cannot be decided now.
    Indeterminate,
    /// Missing, altered or invalid.
    Failed,
}

impl Outcome {
    /// Catalog name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::AcceptedFailed => "accepted-failed",
            Outcome::Indeterminate => "indeterminate",
            Outcome::Failed => "failed",
        }
    }
}

/// A record's last verification as the catalog stores it (`verify_state`):
/// its [`Outcome`], or that its evidence record is missing (a failure that
/// `archive status` also counts as without evidence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerifyState {
    /// [`Outcome::Passed`].
    Passed,
    /// [`Outcome::AcceptedFailed`].
    AcceptedFailed,
    /// [`Outcome::Indeterminate`].
    Indeterminate,
    /// [`Outcome::Failed`], for another reason than a missing evidence record.
    Failed,
    /// Failed: its evidence record is missing.
    EvidenceMissing,
}

impl VerifyState {
    /// Every state.
    pub const ALL: [VerifyState; 5] = [
        VerifyState::Passed,
        VerifyState::AcceptedFailed,
        VerifyState::Indeterminate,
        VerifyState::Failed,
        VerifyState::EvidenceMissing,
    ];

    /// Catalog name.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyState::Passed => Outcome::Passed.as_str(),
            VerifyState::AcceptedFailed => Outcome::AcceptedFailed.as_str(),
            VerifyState::Indeterminate => Outcome::Indeterminate.as_str(),
            VerifyState::Failed => Outcome::Failed.as_str(),
            VerifyState::EvidenceMissing => "evidence-missing",
        }
    }

    /// The state a catalog name stands for.
    pub fn parse(name: &str) -> Option<VerifyState> {
        VerifyState::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for VerifyState {
    /// The catalog name (padded as the formatter asks).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

crate::vocabulary::stored_vocabulary!(VerifyState, "verification state");

impl From<Outcome> for VerifyState {
    fn from(o: Outcome) -> VerifyState {
        match o {
            Outcome::Passed => VerifyState::Passed,
            Outcome::AcceptedFailed => VerifyState::AcceptedFailed,
            Outcome::Indeterminate => VerifyState::Indeterminate,
            Outcome::Failed => VerifyState::Failed,
        }
    }
}

/// What was found wrong, by category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemKind {
    /// A file (or the whole record) is gone.
    Missing,
    /// A file's bytes differ from its recorded SHA-256.
    Altered,
    /// A signature, evidence record, record.json or scan report is wrong.
    Invalid,
    /// Cannot be decided now (INDETERMINATE).
    Indeterminate,
}

/// One problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Category.
    pub kind: ProblemKind,
    /// The file concerned.
    pub file: String,
    /// The field that disagrees (`state`, `files[x].sha256`, `evidence`,
    /// ...) when two sources were compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What.
    pub detail: String,
}

/// One record's check.
#[derive(Clone, Debug, Serialize)]
pub struct RecordCheck {
    /// Record id (the directory name).
    pub id: String,
    /// Record directory.
    pub dir: String,
    /// Source path at ingest.
    pub source: Option<String>,
    /// Outcome.
    pub outcome: Outcome,
    /// What is wrong.
    pub problems: Vec<Problem>,
    /// What deserves a look.
    pub warnings: Vec<String>,
    /// Signature level found.
    pub level: Option<hozon_verify::Level>,
    /// Evidence records checked.
    pub evidence_records: usize,
    /// The signature's validation reports (for the printable report of
    /// `archive verify --report`; not in `--json`, which keeps its shape).
    #[serde(skip)]
    pub signatures: Vec<hozon_verify::SignatureReport>,
    /// The newest evidence record's validation report, when it was
    /// validated (likewise only for the printable report).
    #[serde(skip)]
    pub evidence: Option<hozon_verify::SignatureReport>,
}

/// Checks one record directory on its own.
pub fn verify_record(dir: &Path, verifier: &Verifier) -> RecordCheck {
    check_record(dir, verifier, None)
}

/// [`verify_record`] with the archive around it: the comparisons of
/// [`crate::checks`] added as problems naming the field, and a state of
/// `accepted-failed` honoured only when the record's `archived` line says
/// so.
pub fn verify_in_archive(dir: &Path, verifier: &Verifier, ctx: &Context) -> RecordCheck {
    let meta = RecordMeta::read(dir).ok();
    let logged_state = meta.as_ref().and_then(|m| {
        ctx.index
            .archived
            .get(&m.id)
            .and_then(|l| l.fields.get("state"))
            .and_then(|v| serde_json::from_value::<State>(v.clone()).ok())
    });
    let mut check = check_record(dir, verifier, logged_state);
    if let Some(meta) = meta {
        for f in crate::checks::compare_record(ctx, dir, &meta) {
            check.problems.push(Problem {
                kind: match f.kind {
                    FindingKind::Missing => ProblemKind::Missing,
                    FindingKind::Invalid => ProblemKind::Invalid,
                },
                file: if f.file == "catalog" || f.file == "audit" {
                    f.file
                } else {
                    dir.join(&f.file).display().to_string()
                },
                field: Some(f.field),
                detail: f.detail,
            });
        }
        check.outcome = outcome_of(&check, meta.state);
    }
    check
}

fn outcome_of(check: &RecordCheck, state: State) -> Outcome {
    if check
        .problems
        .iter()
        .any(|p| p.kind != ProblemKind::Indeterminate)
    {
        Outcome::Failed
    } else if !check.problems.is_empty() {
        Outcome::Indeterminate
    } else if state == State::AcceptedFailed {
        Outcome::AcceptedFailed
    } else {
        Outcome::Passed
    }
}

fn check_record(dir: &Path, verifier: &Verifier, logged_state: Option<State>) -> RecordCheck {
    let id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut check = RecordCheck {
        id,
        dir: dir.display().to_string(),
        source: None,
        outcome: Outcome::Passed,
        problems: Vec::new(),
        warnings: Vec::new(),
        level: None,
        evidence_records: 0,
        signatures: Vec::new(),
        evidence: None,
    };
    let problem = |check: &mut RecordCheck, kind, file: &Path, detail: String| {
        check.problems.push(Problem {
            kind,
            file: file.display().to_string(),
            field: None,
            detail,
        });
    };
    let meta = match RecordMeta::read(dir) {
        Ok(m) => m,
        Err(e) => {
            let kind = if dir.join("record.json").exists() {
                ProblemKind::Invalid
            } else {
                ProblemKind::Missing
            };
            problem(&mut check, kind, &dir.join("record.json"), e.to_string());
            check.outcome = Outcome::Failed;
            return check;
        }
    };
    check.source = Some(meta.source.clone());
    if Some(meta.id.as_str()) != dir.file_name().and_then(|n| n.to_str()) {
        problem(
            &mut check,
            ProblemKind::Invalid,
            &dir.join("record.json"),
            format!(
                "record.json names record {} but lies in another record's directory",
                meta.id
            ),
        );
    }
    // Fixity.
    let mut intact = true;
    for f in meta.files.iter().chain(meta.history.iter()) {
        let path = dir.join(&f.name);
        match crate::sha256_file(&path) {
            Err(e) => {
                intact = false;
                let kind = if path.exists() {
                    ProblemKind::Invalid
                } else {
                    ProblemKind::Missing
                };
                problem(&mut check, kind, &path, e.to_string());
            }
            Ok((sha, size)) if sha != f.sha256 || size != f.size => {
                intact = false;
                problem(
                    &mut check,
                    ProblemKind::Altered,
                    &path,
                    format!(
                        "SHA-256 {sha} ({size} bytes), record.json says {} ({} bytes): the file was altered",
                        f.sha256, f.size
                    ),
                );
            }
            Ok(_) => {}
        }
    }
    if let Some(doc) = meta.file(Role::Document) {
        if doc.sha256 != meta.sha256 {
            problem(
                &mut check,
                ProblemKind::Invalid,
                &dir.join("record.json"),
                "the document's SHA-256 differs from the record's".into(),
            );
        }
    }
    // A signed document's first generation is the content that came in.
    if let Some((_, first)) = crate::embedded::generations(&meta) {
        if first.sha256 != meta.sha256 {
            problem(
                &mut check,
                ProblemKind::Invalid,
                &dir.join("record.json"),
                format!(
                    "the signed document as it came in ({}) has another SHA-256 than the record's",
                    first.name
                ),
            );
        }
    }
    if meta.kind == Kind::Scan && meta.file(Role::ScanReport).is_none() {
        problem(
            &mut check,
            ProblemKind::Missing,
            &dir.join("scan.json"),
            "a scanned record without its scan report".into(),
        );
    }
    // Evidence first: its proven time is the signature's proof of
    // existence. The newest evidence record is validated in full (it
    // contains and renews the older ones); older files are checked for
    // structure only (their newest stamps may have expired by design).
    let mut poe = None;
    match evidence_files(dir) {
        Err(e) => problem(
            &mut check,
            ProblemKind::Invalid,
            &dir.join("evidence"),
            e.to_string(),
        ),
        Ok(files) => {
            check.evidence_records = files.len();
            if files.is_empty() {
                check
                    .warnings
                    .push("no evidence record yet: `hozon archive renew` stamps it".into());
            }
            if let Some((newest, older)) = files.split_last() {
                for f in older {
                    if let Some(detail) = crate::evidence::structure_problem(f, dir, &meta) {
                        problem(&mut check, ProblemKind::Invalid, f, detail);
                    }
                }
                let (found, report) =
                    crate::evidence::verify_newest_report(newest, dir, &meta, verifier);
                check.evidence = report;
                match found {
                    Ok(found) => {
                        if found.covers_current {
                            poe = Some(found.proven);
                        }
                        check.warnings.extend(found.warnings);
                    }
                    Err((indication, detail)) => {
                        let kind = if indication == Indication::TotalFailed {
                            ProblemKind::Invalid
                        } else {
                            ProblemKind::Indeterminate
                        };
                        problem(&mut check, kind, newest, detail);
                    }
                }
            }
        }
    }
    // Signature, strictly, with the evidence record's proof of existence
    // (also when record.json says accepted-failed but the audit log says
    // it was archived as passing).
    let embedded = crate::embedded::Embedded::of_kind(meta.kind).is_some();
    if (meta.state == State::Archived || logged_state == Some(State::Archived)) && embedded {
        // The document's own signatures (the PDF's, its document time
        // stamps), strictly.
        if let Some((path, reports)) = intact
            .then(|| crate::embedded::record_reports(dir, &meta, verifier))
            .flatten()
        {
            check.level = reports.iter().find_map(|r| r.level);
            for r in &reports {
                let detail = || crate::evidence::indication_text(r);
                match r.indication {
                    Indication::TotalPassed => {}
                    Indication::TotalFailed => {
                        problem(&mut check, ProblemKind::Invalid, &path, detail())
                    }
                    _ => problem(&mut check, ProblemKind::Indeterminate, &path, detail()),
                }
                check.warnings.extend(r.warnings.iter().cloned());
            }
        }
    } else if meta.state == State::Archived || logged_state == Some(State::Archived) {
        match meta.file(Role::Signature) {
            None => problem(
                &mut check,
                ProblemKind::Missing,
                dir,
                "record.json lists no signature".into(),
            ),
            Some(sig) if intact => {
                let sig_path = dir.join(&sig.name);
                let content = meta.file(Role::Document).map(|d| dir.join(&d.name));
                match std::fs::read(&sig_path) {
                    Err(e) => problem(&mut check, ProblemKind::Missing, &sig_path, e.to_string()),
                    Ok(bytes) => {
                        let label = sig_path.display().to_string();
                        let reports = match poe {
                            Some(t) => {
                                verifier.verify_with_poe(&label, &bytes, content.as_deref(), t)
                            }
                            None => verifier.verify(&label, &bytes, content.as_deref()),
                        };
                        check.level = reports.first().and_then(|r| r.level);
                        for r in &reports {
                            let detail = || crate::evidence::indication_text(r);
                            match r.indication {
                                Indication::TotalPassed => {}
                                Indication::TotalFailed => {
                                    problem(&mut check, ProblemKind::Invalid, &sig_path, detail())
                                }
                                _ => problem(
                                    &mut check,
                                    ProblemKind::Indeterminate,
                                    &sig_path,
                                    detail(),
                                ),
                            }
                            check.warnings.extend(r.warnings.iter().cloned());
                        }
                        check.signatures = reports;
                    }
                }
            }
            Some(_) => {}
        }
    }
    check.outcome = outcome_of(&check, meta.state);
    check
}

/// Totals.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Records checked.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Accepted as failed at ingest, files intact.
    pub accepted_failed: usize,
    /// Failed.
    pub failed: usize,
    /// Indeterminate.
    pub indeterminate: usize,
    /// Files or records missing.
    pub missing: usize,
    /// Files altered.
    pub altered: usize,
    /// Signatures, evidence records or metadata invalid.
    pub invalid: usize,
}

/// The audit log's check.
#[derive(Clone, Debug, Serialize)]
pub struct AuditSummary {
    /// Lines.
    pub lines: u64,
    /// Head hash.
    pub head_sha256: String,
    /// When the newest time-stamped line is proven to have existed (its
    /// evidence record under `audit/`).
    pub proven_time: Option<String>,
    /// Breaks (the chain, or its evidence record failed).
    pub problems: Vec<String>,
    /// Its evidence record cannot be decided now, a torn final line, an
    /// unacknowledged repair of the log.
    pub indeterminate: Vec<String>,
    /// Repairs of records not yet acknowledged (`archive acknowledge`).
    pub repairs: Vec<String>,
}

/// `archive verify --json`.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    /// Validation time.
    pub validation_time: String,
    /// Records that did not pass (all of them with `all`).
    pub records: Vec<RecordCheck>,
    /// Catalog rows whose record directory is gone.
    pub missing_records: Vec<String>,
    /// Totals.
    pub summary: Summary,
    /// The audit log.
    pub audit: AuditSummary,
    /// What verify could not do as usual (no summary line written, no
    /// lock, read-only catalog).
    pub warnings: Vec<String>,
}

impl VerifyReport {
    /// Whether anything failed (exit 1).
    pub fn failed(&self) -> bool {
        self.summary.failed > 0
            || !self.audit.problems.is_empty()
            || !self.missing_records.is_empty()
    }
    /// Whether anything is indeterminate (exit 3 when nothing failed).
    pub fn indeterminate(&self) -> bool {
        self.summary.indeterminate > 0 || !self.audit.indeterminate.is_empty()
    }
}

/// Verifies the whole archive, or a random sample of `sample` records.
/// Reads and compares; writes nothing but the outcomes in the catalog and
/// its summary line in the audit log, and not those with `read_only` (or
/// when they cannot be written: a warning says so).
pub fn run(
    session: &mut Inspection,
    verifier: &Verifier,
    sample: Option<usize>,
    progress: &dyn Progress,
) -> Result<VerifyReport> {
    let mut dirs = Vec::new();
    for month in months(&session.layout)? {
        for name in record_dirs(&session.layout.records().join(&month))? {
            dirs.push(format!("{month}/{name}"));
        }
    }
    let ctx = Context::read(&session.layout, &session.catalog)?;
    let on_disk: HashSet<&str> = dirs.iter().map(String::as_str).collect();
    let ids_on_disk: HashSet<&str> = dirs.iter().filter_map(|d| d.rsplit('/').next()).collect();
    let mut catalog_rows: Vec<_> = ctx.rows.values().collect();
    catalog_rows.sort_by(|a, b| a.dir.cmp(&b.dir));
    let mut missing_records: Vec<String> = catalog_rows
        .iter()
        .filter(|r| !on_disk.contains(r.dir.as_str()))
        .map(|r| {
            format!(
                "{} (record {})",
                session.layout.records().join(&r.dir).display(),
                r.id
            )
        })
        .collect();
    let mut gone: Vec<(&String, u64)> = ctx
        .index
        .archived
        .iter()
        .filter(|(id, _)| !ids_on_disk.contains(id.as_str()) && !ctx.rows.contains_key(*id))
        .map(|(id, l)| (id, l.seq))
        .collect();
    gone.sort_by_key(|g| g.1);
    missing_records.extend(gone.into_iter().map(|(id, seq)| {
        format!("record {id} (archived at audit line {seq}): neither its directory nor its catalog row exists")
    }));
    let whole = sample.is_none_or(|n| n >= dirs.len());
    let chosen: Vec<String> = if whole {
        dirs.clone()
    } else {
        pick(dirs.clone(), sample.unwrap_or(0))
    };
    progress.phase("verifying", chosen.len() as u64);
    let records = session.layout.records();
    let checked: Vec<(RecordCheck, Vec<String>)> = chosen
        .par_iter()
        .map(|rel| {
            let dir = records.join(rel);
            let c = verify_in_archive(&dir, verifier, &ctx);
            progress.advance(1);
            (c, crate::checks::evidence_expected::batches_of(&dir))
        })
        .collect();
    progress.finish();
    let mut held: HashMap<String, u64> = HashMap::new();
    let mut checks = Vec::with_capacity(checked.len());
    for (c, batches) in checked {
        for b in batches {
            *held.entry(b).or_default() += 1;
        }
        checks.push(c);
    }
    let mut summary = Summary {
        total: checks.len(),
        ..Summary::default()
    };
    for c in &checks {
        match c.outcome {
            Outcome::Passed => summary.passed += 1,
            Outcome::AcceptedFailed => summary.accepted_failed += 1,
            Outcome::Failed => summary.failed += 1,
            Outcome::Indeterminate => summary.indeterminate += 1,
        }
        for p in &c.problems {
            match p.kind {
                ProblemKind::Missing => summary.missing += 1,
                ProblemKind::Altered => summary.altered += 1,
                ProblemKind::Invalid => summary.invalid += 1,
                ProblemKind::Indeterminate => {}
            }
        }
    }
    summary.missing += missing_records.len();
    let heads = crate::checks::audit_heads::check(
        &ctx.index,
        &session.layout.audit_dir(),
        &session.catalog.batch_ids()?,
    );
    let mut audit_problems = heads.problems;
    if whole {
        audit_problems.extend(crate::checks::evidence_expected::check_batches(
            &held, &ctx.index,
        ));
    }
    let mut audit_indeterminate = heads.indeterminate;
    let audit_proven = match crate::evidence::verify_audit(&session.layout, verifier) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err((true, e))) => {
            audit_indeterminate.push(e);
            None
        }
        Some(Err((false, e))) => {
            audit_problems.push(e);
            None
        }
    };
    let now = verifier.validation_time().rfc3339();
    let mut warnings = session.warnings.clone();
    if session.read_only {
        warnings.push("read-only: outcomes not stored in the catalog, no summary line written to the audit log".into());
    } else {
        let outcomes: Vec<(String, &'static str)> = checks
            .iter()
            .map(|c| (c.id.clone(), stored_outcome(c).as_str()))
            .collect();
        if let Err(e) = session.catalog.set_verified(&outcomes, &now) {
            warnings.push(format!("outcomes not stored in the catalog: {e}"));
        }
        if !ctx.index.intact() {
            warnings.push(
                "the audit log is damaged: no summary line appended to it (see the audit problems)"
                    .into(),
            );
        } else {
            let line = fields([
                ("records", json!(summary.total)),
                ("passed", json!(summary.passed)),
                ("failed", json!(summary.failed)),
                ("indeterminate", json!(summary.indeterminate)),
                ("missing_records", json!(missing_records.len())),
                ("audit_problems", json!(audit_problems.len())),
                (
                    "failed_records",
                    json!(checks
                        .iter()
                        .filter(|c| c.outcome == Outcome::Failed)
                        .take(1000)
                        .map(|c| &c.id)
                        .collect::<Vec<_>>()),
                ),
            ]);
            let written = AuditLog::open(&session.layout.audit_log())
                .and_then(|(mut log, _)| log.append(&[("verify", line)]));
            if let Err(e) = written {
                warnings.push(format!(
                    "summary line not written to the audit log: {}",
                    crate::disk_full::explain(&e.to_string())
                ));
            }
        }
    }
    Ok(VerifyReport {
        validation_time: now,
        records: checks,
        missing_records,
        summary,
        audit: AuditSummary {
            proven_time: audit_proven,
            indeterminate: audit_indeterminate,
            repairs: heads.warnings,
            lines: ctx.index.lines,
            head_sha256: ctx.index.head.clone(),
            problems: audit_problems,
        },
        warnings,
    })
}

/// What the catalog stores for a record: its outcome, or that its
/// evidence record is missing.
fn stored_outcome(c: &RecordCheck) -> VerifyState {
    if c.problems
        .iter()
        .any(|p| p.kind == ProblemKind::Missing && p.field.as_deref() == Some("evidence"))
    {
        VerifyState::EvidenceMissing
    } else {
        c.outcome.into()
    }
}

/// `n` of `items`, chosen at random (partial Fisher–Yates with a seed from
/// the clock and pid: a sample is meant to differ between runs).
fn pick(mut items: Vec<String>, n: usize) -> Vec<String> {
    let mut state = hozon_cms::UnixTime::now().0 as u64
        ^ (u64::from(std::process::id()) << 32)
        ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..n {
        let j = i + (next() % (items.len() - i) as u64) as usize;
        items.swap(i, j);
    }
    items.truncate(n);
    items
}

/// `hozon verify RECORD_DIR`: the record as verification reports — one per
/// file that fails its fixity (HASH_FAILURE), the newest evidence record's
/// (format "ERS") and the signature's, validated with the evidence
/// record's proof of existence.
pub fn record_reports(dir: &Path, verifier: &Verifier) -> Vec<hozon_verify::SignatureReport> {
    use hozon_verify::SubIndication;
    let mut out = Vec::new();
    let failure = |file: &Path, message: String, sub: SubIndication| {
        let mut r = Verifier::format_failure(&file.display().to_string(), None, &message);
        r.sub_indication = Some(sub);
        r.errors = vec![format!("{message} [{sub}]")];
        r
    };
    let meta = match RecordMeta::read(dir) {
        Ok(m) => m,
        Err(e) => {
            out.push(failure(
                &dir.join("record.json"),
                e.to_string(),
                SubIndication::FormatFailure,
            ));
            return out;
        }
    };
    // Inside an archive, record.json is compared with its archived audit
    // line (and the directory with record.json).
    if let Some(index) = archive_of(dir).and_then(|root| audit_index_of(&root)) {
        let found = crate::checks::manifest::check(&meta, &index)
            .into_iter()
            .chain(crate::checks::dir_listing::check(dir, &meta));
        for f in found {
            out.push(failure(
                &dir.join(&f.file),
                format!("{} [{}]", f.detail, f.field),
                SubIndication::HashFailure,
            ));
        }
    }
    for f in meta.files.iter().chain(meta.history.iter()) {
        let path = dir.join(&f.name);
        match crate::sha256_file(&path) {
            Ok((sha, _)) if sha == f.sha256 => {}
            Ok((sha, _)) => out.push(failure(
                &path,
                format!(
                    "SHA-256 {sha} differs from record.json's {}: the file was altered",
                    f.sha256
                ),
                SubIndication::HashFailure,
            )),
            Err(e) => out.push(failure(
                &path,
                e.to_string(),
                SubIndication::SignedDataNotFound,
            )),
        }
    }
    let mut poe = None;
    if let Ok(files) = evidence_files(dir) {
        if let Some((newest, older)) = files.split_last() {
            for f in older {
                if let Some(detail) = crate::evidence::structure_problem(f, dir, &meta) {
                    out.push(failure(f, detail, SubIndication::HashFailure));
                }
            }
            let (proof, report) =
                crate::evidence::verify_newest_report(newest, dir, &meta, verifier);
            if let Ok(p) = proof {
                if p.covers_current {
                    poe = Some(p.proven);
                }
            }
            out.extend(report);
        }
    }
    if let Some((_, reports)) = crate::embedded::record_reports(dir, &meta, verifier) {
        out.extend(reports);
    } else if let Some(sig) = meta.file(Role::Signature) {
        let sig_path = dir.join(&sig.name);
        let content = meta.file(Role::Document).map(|d| dir.join(&d.name));
        match std::fs::read(&sig_path) {
            Ok(bytes) => {
                let label = sig_path.display().to_string();
                out.extend(match poe {
                    Some(t) => verifier.verify_with_poe(&label, &bytes, content.as_deref(), t),
                    None => verifier.verify(&label, &bytes, content.as_deref()),
                });
            }
            Err(e) => out.push(failure(
                &sig_path,
                e.to_string(),
                SubIndication::SignedDataNotFound,
            )),
        }
    }
    out
}

/// The archive a record directory (`ARCHIVE/records/YYYY/MM/<id>`) lies
/// in, if it lies in one.
fn archive_of(dir: &Path) -> Option<std::path::PathBuf> {
    let records = dir.parent()?.parent()?.parent()?;
    let root = records.parent()?;
    let layout = crate::Layout::new(root);
    (records.file_name()? == "records" && layout.config().is_file() && layout.audit_log().is_file())
        .then(|| root.to_path_buf())
}

/// The audit index of the archive at `root`, read once per process (`hozon
/// verify ARCHIVE` asks for it once per record).
fn audit_index_of(root: &Path) -> Option<std::sync::Arc<crate::checks::AuditIndex>> {
    use std::sync::{Arc, Mutex, OnceLock};
    type Cache = Mutex<HashMap<std::path::PathBuf, Arc<crate::checks::AuditIndex>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(i) = map.get(root) {
        return Some(i.clone());
    }
    let index =
        Arc::new(crate::checks::AuditIndex::read(&crate::Layout::new(root).audit_log()).ok()?);
    map.insert(root.to_path_buf(), index.clone());
    Some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_and_verify_states_serialise_to_their_catalog_names() {
        for o in [
            Outcome::Passed,
            Outcome::AcceptedFailed,
            Outcome::Indeterminate,
            Outcome::Failed,
        ] {
            assert_eq!(
                serde_json::to_string(&o).unwrap(),
                format!("\"{}\"", o.as_str())
            );
            assert_eq!(VerifyState::from(o).as_str(), o.as_str());
        }
        for v in VerifyState::ALL {
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{v}\""));
            assert_eq!(VerifyState::parse(v.as_str()), Some(v));
        }
        assert_eq!(VerifyState::EvidenceMissing.as_str(), "evidence-missing");
    }
}
