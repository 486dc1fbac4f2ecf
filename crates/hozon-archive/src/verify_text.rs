//! `archive verify` in words, in the run's language (hozon-i18n): one line
//! per record (in Japanese the verdict word beside the outcome's code), its
//! problems indented, then the archive's own problems and the summary.
//! English is what it always was. Its `--json` is the [`VerifyReport`]
//! itself.

use hozon_i18n::Catalog;

use crate::verify::{ProblemKind, VerifyReport};
use crate::words::{line, outcome_verdict};

impl VerifyReport {
    /// The listing as `archive verify` prints it, in `cat`'s language.
    pub fn to_text(&self, cat: &Catalog) -> String {
        let mut text = String::new();
        for r in &self.records {
            let verdict = outcome_verdict(cat, r.outcome);
            text.push_str(&format!(
                "{verdict}  {}  {}\n",
                r.dir,
                r.source.as_deref().unwrap_or("")
            ));
            for p in &r.problems {
                let kind = cat.text(problem_id(p.kind));
                match &p.field {
                    Some(field) => {
                        text.push_str(&format!("    {kind}: {} [{field}]: {}\n", p.file, p.detail))
                    }
                    None => text.push_str(&format!("    {kind}: {}: {}\n", p.file, p.detail)),
                }
            }
        }
        for m in &self.missing_records {
            line(&mut text, cat, "term-archive-missing", &[("record", m)]);
        }
        let audit = &self.audit;
        for (id, lines) in [
            ("term-archive-audit", &audit.problems),
            ("term-archive-audit-indeterminate", &audit.indeterminate),
            ("term-archive-repaired", &audit.repairs),
        ] {
            for p in lines {
                text.push_str(&format!("{}  {p}\n", cat.text(id)));
            }
        }
        let s = &self.summary;
        let chain = cat.text(if audit.problems.is_empty() {
            "term-archive-chain-intact"
        } else {
            "term-archive-chain-broken"
        });
        let n = |v: usize| v.to_string();
        line(
            &mut text,
            cat,
            "term-archive-summary",
            &[
                ("total", &n(s.total)),
                ("passed", &n(s.passed)),
                ("failed", &n(s.failed)),
                ("missing", &n(s.missing)),
                ("altered", &n(s.altered)),
                ("invalid", &n(s.invalid)),
                ("indeterminate", &n(s.indeterminate)),
                ("accepted", &n(s.accepted_failed)),
                ("lines", &audit.lines.to_string()),
                ("chain", &chain),
            ],
        );
        text
    }
}

/// The catalogue message naming a problem's category.
fn problem_id(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Missing => "term-problem-missing",
        ProblemKind::Altered => "term-problem-altered",
        ProblemKind::Invalid => "term-problem-invalid",
        ProblemKind::Indeterminate => "term-problem-indeterminate",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{AuditSummary, Outcome, Problem, RecordCheck, Summary};
    use hozon_i18n::Lang;

    fn report() -> VerifyReport {
        VerifyReport {
            validation_time: "2026-12-07T00:00:00Z".into(),
            records: vec![RecordCheck {
                id: "r1".into(),
                dir: "2026-12/r1".into(),
                source: Some("in/a.pdf".into()),
                outcome: Outcome::Failed,
                problems: vec![Problem {
                    kind: ProblemKind::Altered,
                    file: "records/2026-12/r1/a.pdf".into(),
                    field: None,
                    detail: "SHA-256 differs".into(),
                }],
                warnings: vec![],
                level: None,
                evidence_records: 1,
                signatures: vec![],
                evidence: None,
            }],
            missing_records: vec!["records/2026-11/r0 (record r0)".into()],
            summary: Summary {
                total: 2,
                failed: 2,
                missing: 1,
                altered: 1,
                ..Summary::default()
            },
            audit: AuditSummary {
                lines: 9,
                head_sha256: "00".into(),
                proven_time: None,
                problems: vec![],
                indeterminate: vec![],
                repairs: vec!["r1 repaired".into()],
            },
            warnings: vec![],
        }
    }

    #[test]
    fn in_english_the_listing_is_as_it_always_was() {
        assert_eq!(
            report().to_text(Catalog::get(Lang::En)),
            "FAILED  2026-12/r1  in/a.pdf\n\
             \x20   Altered: records/2026-12/r1/a.pdf: SHA-256 differs\n\
             MISSING  records/2026-11/r0 (record r0): catalogued but its directory is gone\n\
             REPAIRED  r1 repaired\n\
             verified 2 record(s): 0 passed, 2 failed (1 missing, 1 altered, 0 invalid), 0 indeterminate, 0 accepted-failed; audit log 9 line(s), chain intact\n"
        );
    }

    #[test]
    fn in_japanese_the_verdict_word_stands_beside_the_code() {
        let text = report().to_text(Catalog::get(Lang::Ja));
        assert!(
            text.starts_with("無効 FAILED  2026-12/r1  in/a.pdf\n"),
            "{text}"
        );
        assert!(
            text.contains("    改変: records/2026-12/r1/a.pdf: SHA-256 differs\n"),
            "{text}"
        );
        assert!(!text.contains("verified"), "{text}");
    }
}
