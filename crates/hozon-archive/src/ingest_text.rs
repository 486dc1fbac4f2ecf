//! `archive ingest` in words and its verdict: one line per input
//! (archived, already archived, refused), the evidence batches, the
//! totals; and whether the run failed a check or could not read an input.

use crate::ingest::IngestReport;
use crate::record::State;

/// What an ingest run comes to, for the exit code (DESIGN.md: 1 for a
/// failed check, 4 for I/O).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IngestVerdict {
    /// Everything was archived (or already was) and stamped.
    Passed,
    /// An input was refused by a check, or a record was left out of the
    /// evidence batch.
    Failed,
    /// Only I/O went wrong: an input could not be read, or the TSA gave no
    /// evidence.
    IoError,
}

impl IngestReport {
    /// The run as `archive ingest` prints it. `list_done` false (`--quiet`,
    /// `--failures-only`): what was archived or already was, and the
    /// evidence batches, are counted, not listed.
    pub fn to_text(&self, list_done: bool) -> String {
        let mut text = String::new();
        for r in self.archived.iter().filter(|_| list_done) {
            text.push_str(&format!(
                "ARCHIVED  {}  {} {}{}  records/{}\n",
                r.source,
                r.kind.as_str(),
                r.level.map_or("unsigned", |l| l.as_str()),
                if r.state == State::AcceptedFailed {
                    " (accepted-failed)"
                } else {
                    ""
                },
                r.dir
            ));
        }
        for s in self.already_archived.iter().filter(|_| list_done) {
            text.push_str(&format!("ALREADY   {}  {}\n", s.source, s.reason));
        }
        for s in &self.not_archived {
            text.push_str(&format!("REFUSED   {}  {}\n", s.source, s.reason));
        }
        let ev = &self.evidence;
        for b in ev.batches.iter().filter(|_| list_done) {
            text.push_str(&format!(
                "evidence batch {}: {} record(s), one time stamp at {}\n",
                b.id, b.records, b.time
            ));
        }
        if let Some(e) = &ev.error {
            text.push_str(&format!(
                "no evidence yet for {} record(s): {e} (`hozon archive renew` stamps them first)\n",
                ev.pending
            ));
        }
        text.push_str(&format!(
            "archived {}, already archived {}, not archived {}\n",
            self.archived.len(),
            self.already_archived.len(),
            self.not_archived.len()
        ));
        text
    }

    /// Refused inputs (beyond the unreadable ones) and records left out of
    /// the evidence batch fail the run; unreadable inputs and a missing
    /// time stamp are I/O errors.
    pub fn verdict(&self) -> IngestVerdict {
        if self.not_archived.len() > self.unreadable || !self.evidence.left_out.is_empty() {
            IngestVerdict::Failed
        } else if self.unreadable > 0 || self.evidence.error.is_some() {
            IngestVerdict::IoError
        } else {
            IngestVerdict::Passed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::BatchInfo;
    use crate::ingest::{Archived, Skipped};
    use crate::record::Kind;

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
            r.to_text(true),
            "ARCHIVED  in/a.pdf  scan B-LT (accepted-failed)  records/2026-12/r1\n\
             ALREADY   in/b.pdf  r0\n\
             evidence batch b1: 1 record(s), one time stamp at t\n\
             archived 1, already archived 1, not archived 0\n"
        );
        assert_eq!(
            r.to_text(false),
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
            .to_text(false)
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
            .to_text(false)
            .contains("no evidence yet for 1 record(s): HTTP 500"));
    }
}
