//! `archive ingest` in words and its verdict: one line per input
//! (archived, already archived, refused), the evidence batches, the
//! totals; and whether the run failed a check or could not read an input.

use hozon_i18n::Catalog;

use crate::words::line;

use crate::ingest::IngestReport;
use crate::record::State;

impl IngestReport {
    /// The run as `archive ingest` prints it. `list_done` false (`--quiet`,
    /// `--failures-only`): what was archived or already was, and the
    /// evidence batches, are counted, not listed.
    pub fn to_text(&self, cat: &Catalog, list_done: bool) -> String {
        let n = |v: usize| v.to_string();
        let mut text = String::new();
        let line = |text: &mut String, id: &str, args: &[(&str, &str)]| line(text, cat, id, args);
        for r in self.archived.iter().filter(|_| list_done) {
            let unsigned = cat.text("archive-ingest-unsigned");
            let accepted = if r.state == State::AcceptedFailed {
                format!(" {}", cat.text("archive-ingest-accepted-failed"))
            } else {
                String::new()
            };
            line(
                &mut text,
                "archive-ingest-archived",
                &[
                    ("source", &r.source),
                    ("kind", r.kind.as_str()),
                    ("level", r.level.map_or(unsigned.as_str(), |l| l.as_str())),
                    ("accepted", &accepted),
                    ("dir", &r.dir),
                ],
            );
        }
        for s in self.already_archived.iter().filter(|_| list_done) {
            line(
                &mut text,
                "archive-ingest-already",
                &[("source", &s.source), ("reason", &s.reason)],
            );
        }
        for s in &self.not_archived {
            line(
                &mut text,
                "archive-ingest-refused",
                &[("source", &s.source), ("reason", &s.reason)],
            );
        }
        let ev = &self.evidence;
        for b in ev.batches.iter().filter(|_| list_done) {
            line(
                &mut text,
                "archive-ingest-batch",
                &[("id", &b.id), ("records", &n(b.records)), ("time", &b.time)],
            );
        }
        if let Some(e) = &ev.error {
            line(
                &mut text,
                "archive-ingest-no-evidence",
                &[("count", &ev.pending.to_string()), ("error", e)],
            );
        }
        line(
            &mut text,
            "archive-ingest-summary",
            &[
                ("archived", &n(self.archived.len())),
                ("already", &n(self.already_archived.len())),
                ("refused", &n(self.not_archived.len())),
            ],
        );
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::BatchInfo;
    use crate::ingest::IngestVerdict;
    use crate::ingest::{Archived, Skipped};
    use crate::record::Kind;
    use hozon_i18n::Lang;

    fn en() -> &'static Catalog {
        Catalog::get(Lang::En)
    }

    fn skipped(source: &str, reason: &str) -> Skipped {
        Skipped {
            source: source.into(),
            reason: reason.into(),
        }
    }

    fn report() -> IngestReport {
        let mut r = IngestReport::default();
        r.archived.push(Archived {
            source: "in/a.pdf".into(),
            id: "r1".into(),
            kind: Kind::Scan,
            level: Some(hozon_verify::Level::BLt),
            state: State::AcceptedFailed,
            dir: "2026-12/r1".into(),
        });
        r.already_archived.push(skipped("in/b.pdf", "r0"));
        r.evidence.batches.push(BatchInfo {
            renew_by_reason: None,
            id: "b1".into(),
            kind: crate::evidence::BatchKind::Initial,
            records: 1,
            time: "t".into(),
            renew_by: None,
        });
        r
    }

    #[test]
    fn every_input_is_listed_then_the_totals() {
        let r = report();
        assert_eq!(
            r.to_text(en(), true),
            "ARCHIVED  in/a.pdf  scan B-LT (accepted-failed)  records/2026-12/r1\n\
             ALREADY   in/b.pdf  r0\n\
             evidence batch b1: 1 record(s), one time stamp at t\n\
             archived 1, already archived 1, not archived 0\n"
        );
        assert_eq!(
            r.to_text(en(), false),
            "archived 1, already archived 1, not archived 0\n"
        );
        assert_eq!(r.verdict(), IngestVerdict::Passed);
    }

    #[test]
    fn a_refused_input_fails_and_an_unreadable_one_is_an_io_error() {
        let mut r = report();
        r.not_archived.push(skipped("in/c.png", "cannot read"));
        r.unreadable = 1;
        assert_eq!(r.verdict(), IngestVerdict::IoError);
        assert!(r
            .to_text(en(), false)
            .starts_with("REFUSED   in/c.png  cannot read\n"));
        r.not_archived
            .push(skipped("in/d.png", "scan check FAILED"));
        assert_eq!(r.verdict(), IngestVerdict::Failed);
    }

    #[test]
    fn no_evidence_is_an_io_error_named_in_the_text() {
        let mut r = report();
        r.evidence.error = Some("HTTP 500".into());
        r.evidence.pending = 1;
        assert_eq!(r.verdict(), IngestVerdict::IoError);
        assert!(r
            .to_text(en(), false)
            .contains("no evidence yet for 1 record(s): HTTP 500"));
    }

    #[test]
    fn in_japanese_every_line_and_the_totals_are_japanese_and_the_data_unchanged() {
        let mut r = report();
        r.not_archived.push(skipped("in/c.png", "cannot read"));
        r.evidence.error = Some("HTTP 500".into());
        r.evidence.pending = 1;
        let text = r.to_text(Catalog::get(Lang::Ja), true);
        assert_eq!(
            text,
            "保存      in/a.pdf  scan B-LT （検査不合格のまま受入: accepted-failed）  records/2026-12/r1\n\
             保存済み  in/b.pdf  r0\n\
             拒否      in/c.png  cannot read\n\
             証拠記録のバッチ b1: 1 件、タイムスタンプ 1 個（t）\n\
             1 件の記録にまだ証拠記録がありません: HTTP 500（`hozon archive renew` が先にタイムスタンプを付けます）\n\
             保存 1 件、保存済み 1 件、保存せず 1 件\n"
        );
    }
}
