//! What a report shows, computed once from the verify report data and the
//! run's metadata, in one language: the HTML and PDF renderers only lay it
//! out.

use std::collections::BTreeMap;

use hozon_i18n::{Catalog, Explanation};
use hozon_verify::report::{
    CounterSignatureReport, EvidenceRecordReport, FindingReport, Severity, TimestampReport,
};
use hozon_verify::{
    Code, Indication, Level, Report, RevocationKind, SignatureFormat, SignatureReport,
    SubIndication,
};

use crate::{RevocationSource, RevocationUsed, RunMeta};

/// A row of a count table.
#[derive(Clone, Debug)]
pub struct CountRow {
    /// What is counted (a verdict word and code, a level, a signer, a folder).
    pub label: String,
    /// A second column (the hcRole for signers), empty when none.
    pub detail: String,
    /// TOTAL_PASSED.
    pub passed: usize,
    /// TOTAL_FAILED.
    pub failed: usize,
    /// INDETERMINATE.
    pub indeterminate: usize,
    /// Archive records kept as failed at ingest (`accepted-failed`); zero
    /// in a `hozon verify` report.
    pub accepted: usize,
}

impl CountRow {
    fn new(label: String, detail: String) -> CountRow {
        CountRow {
            label,
            detail,
            passed: 0,
            failed: 0,
            indeterminate: 0,
            accepted: 0,
        }
    }

    fn add(&mut self, indication: Indication) {
        match indication {
            Indication::TotalPassed => self.passed += 1,
            Indication::TotalFailed => self.failed += 1,
            Indication::Indeterminate => self.indeterminate += 1,
        }
    }

    /// Every column.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.indeterminate + self.accepted
    }
}

/// One verdict's line in the summary: word, code and count.
#[derive(Clone, Debug)]
pub struct VerdictRow {
    /// 有効 / 無効 / 判定不能 (or English).
    pub word: String,
    /// The ETSI indication (or an archive record's outcome).
    pub code: &'static str,
    /// How many signatures.
    pub count: usize,
    /// CSS class / colour key: `passed`, `failed`, `indeterminate`.
    pub class: &'static str,
}

/// An indication or sub-indication that occurs in the report, explained.
#[derive(Clone, Debug)]
pub struct Meaning {
    /// The verdict word.
    pub word: String,
    /// The ETSI code (`INDETERMINATE (NO_POE)`).
    pub code: String,
    /// What it means and what to do.
    pub explanation: Explanation,
}

/// The signatures sharing one verdict and sub-indication.
#[derive(Clone, Debug)]
pub struct Group {
    /// Anchor id (`g0`, `g1`, …).
    pub id: String,
    /// Heading: word, code and count.
    pub title: String,
    /// CSS class / colour key.
    pub class: &'static str,
    /// The files, by name.
    pub entries: Vec<Entry>,
}

/// One signature (or evidence record, or time stamp) of one file.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Anchor id (`f0`, `f1`, …).
    pub id: String,
    /// The signature file.
    pub file: String,
    /// The signed document, when detached.
    pub document: Option<String>,
    /// The document's SHA-256 (hex), when it could be read.
    pub document_sha256: Option<String>,
    /// "CAdES", "PAdES", "ERS", …; `None` for an archive record without
    /// a signature report (shown as "-").
    pub format: Option<SignatureFormat>,
    /// The level validated; `None` (shown as "-") when none.
    pub level: Option<Level>,
    /// The verdict word.
    pub word: String,
    /// The ETSI code with sub-indication.
    pub code: String,
    /// CSS class / colour key.
    pub class: &'static str,
    /// What the verdict means and what to do.
    pub explanation: Explanation,
    /// Signer subject, issuer, serial, role; `None` when unknown.
    pub signer: Option<Signer>,
    /// The signing-time attribute.
    pub claimed_time: Option<String>,
    /// The earliest proven time.
    pub proven_time: Option<String>,
    /// Time stamps.
    pub timestamps: Vec<TimestampReport>,
    /// Evidence records' data objects.
    pub evidence_records: Vec<EvidenceRecordReport>,
    /// Latest safe renewal time.
    pub renew_by: Option<String>,
    /// What drives `renew_by`.
    pub renew_by_reason: Option<String>,
    /// Errors, most serious first.
    pub errors: Vec<String>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Counter-signatures, one line each (indented by depth).
    pub counter_signatures: Vec<String>,
    /// Further labelled facts (an archive record's id, document class,
    /// its signature's and evidence record's verdicts).
    pub fields: Vec<(String, String)>,
    /// The revocation data the validation relied on; `None` when it was
    /// not recorded.
    pub revocation: Option<Vec<RevocationRow>>,
}

impl Entry {
    /// The format as the report shows it ("-" when none).
    pub fn format_text(&self) -> &'static str {
        self.format.map_or("-", SignatureFormat::as_str)
    }

    /// The level as the report shows it ("-" when none).
    pub fn level_text(&self) -> &'static str {
        self.level.map_or("-", Level::as_str)
    }
}

/// A CRL or OCSP response a validation relied on, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationRow {
    /// `CRL` or `OCSP`.
    pub kind: RevocationKind,
    /// Issuer or responder.
    pub issuer: String,
    /// thisUpdate or producedAt.
    pub time: String,
    /// Where it came from, in words.
    pub source: String,
}

/// A finding code that occurs in the report, explained.
#[derive(Clone, Debug)]
pub struct CodeMeaning {
    /// The stable code (`MESSAGE_DIGEST_MISMATCH`).
    pub code: &'static str,
    /// What it means, in plain words.
    pub text: String,
}

/// The signer as the report shows it.
#[derive(Clone, Debug)]
pub struct Signer {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Certificate serial (hex).
    pub serial: String,
    /// hcRole, empty when none.
    pub role: String,
}

/// Everything a report shows.
#[derive(Debug)]
pub struct Model {
    /// The report's title.
    pub title: String,
    /// The metadata of the run.
    pub meta: RunMeta,
    /// The validation time.
    pub validation_time: String,
    /// Signatures by verdict.
    pub verdicts: Vec<VerdictRow>,
    /// Signatures in all.
    pub total: usize,
    /// By level.
    pub by_level: Vec<CountRow>,
    /// By signer and role.
    pub by_signer: Vec<CountRow>,
    /// The heading of the third count table (by folder, or by document
    /// class in an archive report).
    pub by_folder_title: String,
    /// The first column of the third count table.
    pub by_folder_label: String,
    /// By folder (or document class).
    pub by_folder: Vec<CountRow>,
    /// Whether the count tables have an `accepted-failed` column.
    pub accepted_column: bool,
    /// Facts about the whole run besides the counts (an archive's audit
    /// log, problems by kind), label and value.
    pub facts: Vec<(String, String)>,
    /// Evidence records by verdict (empty when none).
    pub evidence: Vec<VerdictRow>,
    /// The indications and sub-indications that occur, explained.
    pub meanings: Vec<Meaning>,
    /// The finding codes that occur, explained.
    pub code_meanings: Vec<CodeMeaning>,
    /// Failures first: TOTAL_FAILED, INDETERMINATE, then TOTAL_PASSED, each
    /// by sub-indication (most serious first).
    pub groups: Vec<Group>,
    /// The heading of `file_errors`.
    pub file_errors_title: String,
    /// Files that could not be verified: (file, why).
    pub file_errors: Vec<(String, String)>,
    /// PDFs without signatures.
    pub unsigned_files: Vec<String>,
}

/// The CSS class / colour key of an indication.
pub fn class_of(indication: Indication) -> &'static str {
    match indication {
        Indication::TotalPassed => "passed",
        Indication::TotalFailed => "failed",
        Indication::Indeterminate => "indeterminate",
    }
}

/// `INDETERMINATE (NO_POE)` or `TOTAL_PASSED`.
pub(crate) fn code_of(indication: Indication, sub: Option<SubIndication>) -> String {
    match sub {
        Some(sub) => format!("{indication} ({sub})"),
        None => indication.to_string(),
    }
}

/// Order of verdict groups: failures first.
fn verdict_order(indication: Indication) -> u8 {
    match indication {
        Indication::TotalFailed => 0,
        Indication::Indeterminate => 1,
        Indication::TotalPassed => 2,
    }
}

pub(crate) fn explanation(
    cat: &Catalog,
    indication: Indication,
    sub: Option<SubIndication>,
) -> Explanation {
    match sub {
        Some(sub) => cat.explain_sub(sub),
        None => cat.explain(indication),
    }
}

/// The folder of a file name, "." for none.
pub(crate) fn folder_of(file: &str) -> String {
    match std::path::Path::new(file).parent() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => ".".to_owned(),
    }
}

pub(crate) fn counter_lines(
    cat: &Catalog,
    cs: &[CounterSignatureReport],
    depth: usize,
    out: &mut Vec<String>,
) {
    for c in cs {
        let who = c
            .signer
            .as_ref()
            .map_or_else(|| cat.text("report-no-signer"), |s| s.subject.clone());
        let verdict = format!(
            "{} {}",
            cat.verdict_word(c.indication),
            code_of(c.indication, c.sub_indication)
        );
        out.push(format!(
            "{}{}",
            "  ".repeat(depth),
            cat.text_with(
                "term-counter-signature",
                &[("who", &who), ("verdict", &verdict)]
            )
        ));
        let (errors, warnings) = with_codes(&c.errors, &c.warnings, &c.findings);
        for e in &errors {
            out.push(format!(
                "{}  {}: {e}",
                "  ".repeat(depth),
                cat.text("term-error")
            ));
        }
        for w in &warnings {
            out.push(format!(
                "{}  {}: {w}",
                "  ".repeat(depth),
                cat.text("term-warning")
            ));
        }
        counter_lines(cat, &c.counter_signatures, depth + 1, out);
    }
}

/// The errors and warnings, each followed by its finding code
/// (`… [MESSAGE_DIGEST_MISMATCH]`) when the findings match them one to one;
/// the plain messages otherwise.
pub(crate) fn with_codes(
    errors: &[String],
    warnings: &[String],
    findings: &[FindingReport],
) -> (Vec<String>, Vec<String>) {
    let of = |severity: Severity, plain: &[String]| -> Vec<String> {
        let coded: Vec<&FindingReport> =
            findings.iter().filter(|f| f.severity == severity).collect();
        if coded.len() == plain.len() && coded.iter().zip(plain).all(|(f, m)| f.message == *m) {
            coded
                .iter()
                .map(|f| format!("{} [{}]", f.message, f.code))
                .collect()
        } else {
            plain.to_vec()
        }
    };
    (of(Severity::Error, errors), of(Severity::Warning, warnings))
}

/// Adds the finding codes of `s` and its counter-signatures to `seen`
/// (first occurrence first).
pub(crate) fn collect_codes(s: &SignatureReport, seen: &mut Vec<Code>) {
    fn add(findings: &[FindingReport], seen: &mut Vec<Code>) {
        for f in findings {
            if !seen.contains(&f.code) {
                seen.push(f.code);
            }
        }
    }
    fn counters(cs: &[CounterSignatureReport], seen: &mut Vec<Code>) {
        for c in cs {
            add(&c.findings, seen);
            counters(&c.counter_signatures, seen);
        }
    }
    add(&s.findings, seen);
    counters(&s.counter_signatures, seen);
}

/// The codes `seen`, errors' codes before warnings' as found, explained.
pub(crate) fn code_meanings(cat: &Catalog, seen: &[Code]) -> Vec<CodeMeaning> {
    seen.iter()
        .map(|c| CodeMeaning {
            code: c.as_str(),
            text: cat.explain_code(*c),
        })
        .collect()
}

/// A revocation item as the report shows it: kind, issuer, time, source.
pub(crate) fn revocation_row(cat: &Catalog, r: &RevocationUsed) -> RevocationRow {
    let source = match &r.source {
        RevocationSource::Embedded => cat.text("revocation-source-embedded"),
        RevocationSource::Fetched(url) => {
            cat.text_with("revocation-source-fetched", &[("url", url)])
        }
        RevocationSource::File(file) => cat.text_with("revocation-source-file", &[("file", file)]),
    };
    RevocationRow {
        kind: r.kind,
        issuer: r.issuer.clone(),
        time: r.time.clone(),
        source,
    }
}

pub(crate) fn entry(cat: &Catalog, meta: &RunMeta, s: &SignatureReport, n: usize) -> Entry {
    let (errors, warnings) = with_codes(&s.errors, &s.warnings, &s.findings);
    Entry {
        id: format!("f{n}"),
        file: s.file.clone(),
        document: s.content.clone(),
        document_sha256: s
            .content
            .as_ref()
            .and_then(|c| meta.document_digests.get(c).cloned()),
        format: Some(s.format),
        level: s.level,
        word: cat.verdict_word(s.indication),
        code: code_of(s.indication, s.sub_indication),
        class: class_of(s.indication),
        explanation: explanation(cat, s.indication, s.sub_indication),
        signer: s.signer.as_ref().map(|w| Signer {
            subject: w.subject.clone(),
            issuer: w.issuer.clone(),
            serial: w.serial.clone(),
            role: w.hc_role.clone().unwrap_or_default(),
        }),
        claimed_time: s.claimed_signing_time.clone(),
        proven_time: s.best_signature_time.clone(),
        timestamps: s.timestamps.clone(),
        evidence_records: s.evidence_records.clone(),
        renew_by: s.renew_by.clone(),
        renew_by_reason: s.renew_by_reason.clone(),
        errors,
        warnings,
        counter_signatures: {
            let mut lines = Vec::new();
            counter_lines(cat, &s.counter_signatures, 0, &mut lines);
            lines
        },
        fields: Vec::new(),
        revocation: s
            .revocation_used
            .as_ref()
            .map(|used| used.iter().map(|r| revocation_row(cat, r)).collect()),
    }
}

pub(crate) fn verdict_rows(cat: &Catalog, s: &hozon_verify::Summary) -> Vec<VerdictRow> {
    [
        (Indication::TotalPassed, s.passed),
        (Indication::TotalFailed, s.failed),
        (Indication::Indeterminate, s.indeterminate),
    ]
    .into_iter()
    .map(|(i, count)| VerdictRow {
        word: cat.verdict_word(i),
        code: i.as_str(),
        count,
        class: class_of(i),
    })
    .collect()
}

/// Counts `items` into rows keyed by `key`, largest first then by name.
pub(crate) fn count_by<'a>(
    items: impl Iterator<Item = &'a SignatureReport>,
    key: impl Fn(&SignatureReport) -> (String, String),
) -> Vec<CountRow> {
    let mut rows: BTreeMap<(String, String), CountRow> = BTreeMap::new();
    for s in items {
        let k = key(s);
        rows.entry(k.clone())
            .or_insert_with(|| CountRow::new(k.0, k.1))
            .add(s.indication);
    }
    let mut rows: Vec<CountRow> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        b.total()
            .cmp(&a.total())
            .then_with(|| a.label.cmp(&b.label))
    });
    rows
}

impl Model {
    /// The model of `report` in `cat`'s language.
    pub fn build(report: &Report, meta: RunMeta, cat: &Catalog) -> Model {
        let signatures = || {
            report
                .signatures
                .iter()
                .filter(|s| s.format != SignatureFormat::Ers)
        };
        let summary = report.signature_summary();
        let unknown = cat.text("report-no-signer");
        let by_level = count_by(signatures(), |s| {
            (
                s.level.map_or_else(|| "-".to_owned(), |l| l.to_string()),
                String::new(),
            )
        });
        let by_signer = count_by(signatures(), |s| match &s.signer {
            Some(w) => (w.subject.clone(), w.hc_role.clone().unwrap_or_default()),
            None => (unknown.clone(), String::new()),
        });
        let by_folder = count_by(report.signatures.iter(), |s| {
            (folder_of(&s.file), String::new())
        });

        // Failures first, then by sub-indication (most serious first),
        // then by file name.
        let mut order: Vec<&SignatureReport> = report.signatures.iter().collect();
        order.sort_by(|a, b| {
            verdict_order(a.indication)
                .cmp(&verdict_order(b.indication))
                .then_with(|| {
                    let rank = |s: &SignatureReport| s.sub_indication.map_or(0, |x| x.rank());
                    rank(b).cmp(&rank(a))
                })
                .then_with(|| a.file.cmp(&b.file))
                .then_with(|| a.signer_info.cmp(&b.signer_info))
        });
        let mut groups: Vec<Group> = Vec::new();
        let mut meanings: Vec<Meaning> = Vec::new();
        let mut codes = Vec::new();
        let mut key: Option<(Indication, Option<SubIndication>)> = None;
        for (n, s) in order.iter().enumerate() {
            collect_codes(s, &mut codes);
            let k = (s.indication, s.sub_indication);
            if key != Some(k) {
                key = Some(k);
                let code = code_of(s.indication, s.sub_indication);
                meanings.push(Meaning {
                    word: cat.verdict_word(s.indication),
                    code: code.clone(),
                    explanation: explanation(cat, s.indication, s.sub_indication),
                });
                groups.push(Group {
                    id: format!("g{}", groups.len()),
                    title: String::new(),
                    class: class_of(s.indication),
                    entries: Vec::new(),
                });
            }
            if let Some(g) = groups.last_mut() {
                g.entries.push(entry(cat, &meta, s, n));
            }
        }
        for (g, m) in groups.iter_mut().zip(&meanings) {
            let verdict = format!("{} {}", m.word, m.code);
            g.title = cat.text_with(
                "report-group",
                &[
                    ("verdict", &verdict),
                    ("count", &g.entries.len().to_string()),
                ],
            );
        }
        Model {
            title: cat.text("report-title"),
            validation_time: report.validation_time.clone(),
            verdicts: verdict_rows(cat, &summary),
            total: summary.total,
            by_level,
            by_signer,
            by_folder_title: cat.text("report-by-folder"),
            by_folder_label: cat.text("report-folder"),
            by_folder,
            accepted_column: false,
            facts: Vec::new(),
            evidence: report
                .evidence_summary
                .as_ref()
                .map(|s| verdict_rows(cat, s))
                .unwrap_or_default(),
            meanings,
            code_meanings: code_meanings(cat, &codes),
            groups,
            file_errors_title: cat.text("report-file-errors"),
            file_errors: report
                .file_errors
                .iter()
                .map(|e| (e.file.clone(), e.error.clone()))
                .collect(),
            unsigned_files: report.unsigned_files.clone(),
            meta,
        }
    }
}
