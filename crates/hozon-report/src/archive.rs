//! The printable report of `hozon archive verify --report`: one section
//! per record (its document, signature and evidence record with their
//! verdicts, the problems found), failures first; the summary counts
//! records by outcome, signature level, signer and role, and document
//! class, and says what the audit log's check found.
//!
//! The archive's verify result is handed over as [`ArchiveRun`] (plain
//! data, so that this crate does not depend on hozon-archive).

use std::collections::BTreeMap;

use hozon_i18n::{Catalog, Explanation};
use hozon_verify::{Indication, SignatureReport};

use crate::model::{
    code_meanings, code_of, collect_codes, entry, explanation, CountRow, Entry, Group, Meaning,
    Model, VerdictRow,
};
use crate::RunMeta;

/// A record's outcome (`archive verify --json`'s `outcome`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordOutcome {
    /// Missing, altered or invalid.
    Failed,
    /// Something cannot be decided now.
    Indeterminate,
    /// Kept as failed at ingest; its files are intact.
    AcceptedFailed,
    /// Everything holds.
    Passed,
}

impl RecordOutcome {
    /// Every outcome, failures first.
    pub const ALL: [RecordOutcome; 4] = [
        RecordOutcome::Failed,
        RecordOutcome::Indeterminate,
        RecordOutcome::AcceptedFailed,
        RecordOutcome::Passed,
    ];

    /// The name `archive verify --json` uses (`accepted-failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordOutcome::Passed => "passed",
            RecordOutcome::AcceptedFailed => "accepted-failed",
            RecordOutcome::Indeterminate => "indeterminate",
            RecordOutcome::Failed => "failed",
        }
    }

    /// The CSS class / colour key.
    fn class(self) -> &'static str {
        match self {
            RecordOutcome::Passed => "passed",
            RecordOutcome::AcceptedFailed => "accepted",
            RecordOutcome::Indeterminate => "indeterminate",
            RecordOutcome::Failed => "failed",
        }
    }
}

/// One record as `archive verify` checked it.
#[derive(Clone, Debug)]
pub struct RecordRun {
    /// Record id.
    pub id: String,
    /// Record directory (relative to the archive when possible).
    pub dir: String,
    /// The document's file name in the record, when record.json could be read.
    pub document: Option<String>,
    /// The document's SHA-256 as record.json gives it.
    pub document_sha256: Option<String>,
    /// The source path at ingest.
    pub source: Option<String>,
    /// The document class (record.json's class, else the metadata's
    /// document type).
    pub class: Option<String>,
    /// The outcome.
    pub outcome: RecordOutcome,
    /// The problems, one line each (`altered: FILE: detail`).
    pub problems: Vec<String>,
    /// The warnings.
    pub warnings: Vec<String>,
    /// The signature's validation reports (none for an unsigned record
    /// or when fixity already failed).
    pub signatures: Vec<SignatureReport>,
    /// The newest evidence record's validation report.
    pub evidence: Option<SignatureReport>,
    /// How many evidence record files the record holds.
    pub evidence_files: usize,
}

/// The audit log's check.
#[derive(Clone, Debug, Default)]
pub struct AuditRun {
    /// Lines.
    pub lines: u64,
    /// When its newest time-stamped line is proven to have existed.
    pub proven_time: Option<String>,
    /// Breaks of the chain or of its evidence record.
    pub problems: Vec<String>,
    /// What cannot be decided now.
    pub indeterminate: Vec<String>,
}

/// Everything `archive verify` found, for the report.
#[derive(Clone, Debug, Default)]
pub struct ArchiveRun {
    /// The validation time.
    pub validation_time: String,
    /// Every record checked (passing ones too).
    pub records: Vec<RecordRun>,
    /// Catalogued records whose directory is gone.
    pub missing_records: Vec<String>,
    /// Problems by kind: missing, altered, invalid.
    pub problem_counts: (usize, usize, usize),
    /// The audit log.
    pub audit: AuditRun,
}

fn outcome_word(cat: &Catalog, o: RecordOutcome) -> String {
    cat.text(&format!("record-{}", o.as_str()))
}

fn outcome_explanation(cat: &Catalog, o: RecordOutcome) -> Explanation {
    let id = format!("explain-record-{}", o.as_str());
    Explanation {
        meaning: cat.text(&id),
        action: cat.attribute(&id, "action"),
    }
}

/// The verdict of a signature or evidence record report, as
/// `無効 TOTAL_FAILED (HASH_FAILURE)`.
fn verdict_text(cat: &Catalog, r: &SignatureReport) -> String {
    format!(
        "{} {}",
        cat.verdict_word(r.indication),
        code_of(r.indication, r.sub_indication)
    )
}

/// The report that explains the record best: its signature's when that
/// did not pass, else its evidence record's when that did not pass.
fn deciding(r: &RecordRun) -> Option<&SignatureReport> {
    r.signatures
        .iter()
        .find(|s| s.indication != Indication::TotalPassed)
        .or(r
            .evidence
            .as_ref()
            .filter(|e| e.indication != Indication::TotalPassed))
}

fn count_records<'a>(
    records: impl Iterator<Item = &'a RecordRun>,
    key: impl Fn(&RecordRun) -> (String, String),
) -> Vec<CountRow> {
    let mut rows: BTreeMap<(String, String), CountRow> = BTreeMap::new();
    for r in records {
        let k = key(r);
        let row = rows.entry(k.clone()).or_insert_with(|| CountRow {
            label: k.0,
            detail: k.1,
            passed: 0,
            failed: 0,
            indeterminate: 0,
            accepted: 0,
        });
        match r.outcome {
            RecordOutcome::Passed => row.passed += 1,
            RecordOutcome::Failed => row.failed += 1,
            RecordOutcome::Indeterminate => row.indeterminate += 1,
            RecordOutcome::AcceptedFailed => row.accepted += 1,
        }
    }
    let mut rows: Vec<CountRow> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        b.total()
            .cmp(&a.total())
            .then_with(|| a.label.cmp(&b.label))
    });
    rows
}

fn record_entry(cat: &Catalog, meta: &RunMeta, r: &RecordRun, n: usize) -> Entry {
    let sig = r.signatures.first();
    let mut e = match sig {
        Some(s) => entry(cat, meta, s, n),
        None => Entry {
            id: format!("f{n}"),
            file: String::new(),
            document: None,
            document_sha256: None,
            format: None,
            level: None,
            word: String::new(),
            code: String::new(),
            class: "",
            explanation: outcome_explanation(cat, r.outcome),
            signer: None,
            claimed_time: None,
            proven_time: None,
            timestamps: Vec::new(),
            evidence_records: Vec::new(),
            renew_by: None,
            renew_by_reason: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            counter_signatures: Vec::new(),
            fields: Vec::new(),
            revocation: None,
        },
    };
    e.file = r.dir.clone();
    e.document = r.document.clone();
    e.document_sha256 = r.document_sha256.clone();
    e.word = outcome_word(cat, r.outcome);
    e.code = r.outcome.as_str().to_owned();
    e.class = r.outcome.class();
    e.explanation = match deciding(r) {
        Some(d) if r.outcome != RecordOutcome::Passed => {
            explanation(cat, d.indication, d.sub_indication)
        }
        _ => outcome_explanation(cat, r.outcome),
    };
    let mut fields = vec![(cat.text("report-record-id"), r.id.clone())];
    if let Some(s) = &r.source {
        fields.push((cat.text("report-source"), s.clone()));
    }
    if let Some(c) = &r.class {
        fields.push((cat.text("report-class"), c.clone()));
    }
    for s in &r.signatures {
        fields.push((cat.text("report-signature-verdict"), verdict_text(cat, s)));
    }
    match &r.evidence {
        Some(ev) => {
            let mut v = verdict_text(cat, ev);
            if let Some(t) = &ev.best_signature_time {
                v.push_str(&format!(" — {}: {t}", cat.text("report-proven-time")));
            }
            fields.push((cat.text("report-evidence-verdict"), v));
            // The evidence record drives the renewal.
            if ev.renew_by.is_some() {
                e.renew_by = ev.renew_by.clone();
                e.renew_by_reason = ev.renew_by_reason.clone();
            }
            if e.evidence_records.is_empty() {
                e.evidence_records = ev.evidence_records.clone();
            }
        }
        None if r.evidence_files == 0 => fields.push((
            cat.text("report-evidence-verdict"),
            cat.text("report-no-evidence"),
        )),
        None => {}
    }
    fields.push((
        cat.text("report-evidence-files"),
        r.evidence_files.to_string(),
    ));
    e.fields = fields;
    // The record's problems are its errors; the signature's own errors
    // are in them (as the verdict line), its warnings in the record's.
    e.errors = r.problems.clone();
    e.warnings = r.warnings.clone();
    e
}

impl Model {
    /// The model of an `archive verify` run in `cat`'s language.
    pub fn build_archive(run: &ArchiveRun, meta: RunMeta, cat: &Catalog) -> Model {
        let unknown = cat.text("report-no-signer");
        let by_level = count_records(run.records.iter(), |r| {
            let level = r
                .signatures
                .first()
                .and_then(|s| s.level)
                .map_or_else(|| "-".to_owned(), |l| l.to_string());
            (level, String::new())
        });
        let by_signer = count_records(run.records.iter(), |r| {
            match r.signatures.first().and_then(|s| s.signer.as_ref()) {
                Some(w) => (w.subject.clone(), w.hc_role.clone().unwrap_or_default()),
                None => (unknown.clone(), String::new()),
            }
        });
        let by_class = count_records(run.records.iter(), |r| {
            (
                r.class.clone().unwrap_or_else(|| "-".to_owned()),
                String::new(),
            )
        });
        let verdicts: Vec<VerdictRow> = RecordOutcome::ALL
            .iter()
            .map(|&o| VerdictRow {
                word: outcome_word(cat, o),
                code: o.as_str(),
                count: run.records.iter().filter(|r| r.outcome == o).count(),
                class: o.class(),
            })
            .collect();

        // Failures first; within an outcome by what decided it (the
        // signature's or evidence record's sub-indication, most serious
        // first), then by directory.
        type Key = (RecordOutcome, Option<String>);
        let key_of = |r: &RecordRun| -> (Key, u32) {
            match deciding(r) {
                Some(d) if r.outcome != RecordOutcome::Passed => (
                    (r.outcome, Some(code_of(d.indication, d.sub_indication))),
                    d.sub_indication.map_or(0, |s| s.rank()),
                ),
                _ => ((r.outcome, None), 0),
            }
        };
        let mut order: Vec<&RecordRun> = run.records.iter().collect();
        order.sort_by(|a, b| {
            let (ka, ra) = key_of(a);
            let (kb, rb) = key_of(b);
            ka.0.cmp(&kb.0)
                .then_with(|| rb.cmp(&ra))
                .then_with(|| ka.1.cmp(&kb.1))
                .then_with(|| a.dir.cmp(&b.dir))
        });
        let mut groups: Vec<Group> = Vec::new();
        let mut meanings: Vec<Meaning> = Vec::new();
        let mut seen_meanings: Vec<String> = Vec::new();
        let mut codes = Vec::new();
        let mut current: Option<Key> = None;
        for (n, r) in order.iter().enumerate() {
            for s in r.signatures.iter().chain(r.evidence.iter()) {
                collect_codes(s, &mut codes);
            }
            let (k, _) = key_of(r);
            if current.as_ref() != Some(&k) {
                let word = outcome_word(cat, r.outcome);
                let title_code = match &k.1 {
                    Some(c) => format!("{} — {c}", r.outcome.as_str()),
                    None => r.outcome.as_str().to_owned(),
                };
                let verdict = format!("{word} {title_code}");
                // The meanings: the record outcome, and the ETSI verdict
                // that decided it.
                if !seen_meanings.contains(&r.outcome.as_str().to_owned()) {
                    seen_meanings.push(r.outcome.as_str().to_owned());
                    meanings.push(Meaning {
                        word: word.clone(),
                        code: r.outcome.as_str().to_owned(),
                        explanation: outcome_explanation(cat, r.outcome),
                    });
                }
                if let (Some(c), Some(d)) = (&k.1, deciding(r)) {
                    if !seen_meanings.contains(c) {
                        seen_meanings.push(c.clone());
                        meanings.push(Meaning {
                            word: cat.verdict_word(d.indication),
                            code: c.clone(),
                            explanation: explanation(cat, d.indication, d.sub_indication),
                        });
                    }
                }
                groups.push(Group {
                    id: format!("g{}", groups.len()),
                    title: verdict,
                    class: r.outcome.class(),
                    entries: Vec::new(),
                });
                current = Some(k);
            }
            if let Some(g) = groups.last_mut() {
                g.entries.push(record_entry(cat, &meta, r, n));
            }
        }
        for g in &mut groups {
            g.title = cat.text_with(
                "report-group",
                &[
                    ("verdict", &g.title),
                    ("count", &g.entries.len().to_string()),
                ],
            );
        }

        let (missing, altered, invalid) = run.problem_counts;
        let audit_state = if run.audit.problems.is_empty() {
            "report-audit-intact"
        } else {
            "report-audit-broken"
        };
        let mut facts = vec![
            (
                cat.text("report-audit-log"),
                cat.text_with(audit_state, &[("lines", &run.audit.lines.to_string())]),
            ),
            (
                cat.text("report-problem-counts"),
                cat.text_with(
                    "report-problem-counts-value",
                    &[
                        ("missing", &missing.to_string()),
                        ("altered", &altered.to_string()),
                        ("invalid", &invalid.to_string()),
                    ],
                ),
            ),
        ];
        if let Some(t) = &run.audit.proven_time {
            facts.push((cat.text("report-audit-proven"), t.clone()));
        }
        let mut file_errors: Vec<(String, String)> = run
            .missing_records
            .iter()
            .map(|m| (m.clone(), cat.text("report-missing-record")))
            .collect();
        for p in &run.audit.problems {
            file_errors.push((cat.text("report-audit-problem"), p.clone()));
        }
        for p in &run.audit.indeterminate {
            file_errors.push((
                cat.text("report-audit-problem"),
                format!("{}: {p}", cat.verdict_word(Indication::Indeterminate)),
            ));
        }
        Model {
            title: cat.text("archive-report-title"),
            meta,
            validation_time: run.validation_time.clone(),
            verdicts,
            total: run.records.len(),
            by_level,
            by_signer,
            by_folder_title: cat.text("report-by-class"),
            by_folder_label: cat.text("report-class"),
            by_folder: by_class,
            accepted_column: true,
            facts,
            evidence: Vec::new(),
            meanings,
            code_meanings: code_meanings(cat, &codes),
            groups,
            file_errors_title: cat.text("report-archive-problems"),
            file_errors,
            unsigned_files: Vec::new(),
        }
    }
}
