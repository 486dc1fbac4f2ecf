//! `archive renew` in words and its verdict: the batches made, what was
//! refused, left out or extended, and how many records were due.

use crate::renew::RenewReport;

/// What a renewal run comes to, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenewVerdict {
    /// Everything due was renewed.
    Passed,
    /// A record was left out: it disagrees with the catalog or its evidence
    /// fails (a failed check).
    Failed,
    /// The TSA or the disk stopped the renewal (I/O).
    IoError,
    /// The renewal was refused: it would not have moved the deadline (the
    /// operator must change the TSA or the digest).
    Refused,
}

impl RenewReport {
    /// The run as `archive renew` prints it.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        if self.completed > 0 {
            text.push_str(&format!(
                "{} evidence record(s) made before validation data was embedded now carry their TSA's certificates and revocation data\n",
                self.completed
            ));
        }
        for b in self.pending.batches.iter().chain(&self.renewed.batches) {
            text.push_str(&format!(
                "{} batch {}: {} record(s), time stamp {}, next renewal by {}{}\n",
                b.kind,
                b.id,
                b.records,
                b.time,
                b.renew_by.as_deref().unwrap_or("-"),
                b.renew_by_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ));
        }
        if let Some(why) = self.ineffective() {
            text.push_str(&format!("\nWARNING: RENEWAL REFUSED: {why}\n\n"));
        }
        for n in self.pending.notes.iter().chain(&self.renewed.notes) {
            text.push_str(&format!("NOTE      {n}\n"));
        }
        for e in [&self.pending.error, &self.renewed.error]
            .into_iter()
            .flatten()
        {
            text.push_str(&format!("NOT RENEWED: {e}\n"));
        }
        for l in self.pending.left_out.iter().chain(&self.renewed.left_out) {
            text.push_str(&format!("LEFT OUT  {}  {}\n", l.dir, l.reason));
        }
        for w in &self.renewed.warnings {
            text.push_str(&format!("WARNING   {}  {}\n", w.dir, w.reason));
        }
        for e in &self.extended {
            match &e.error {
                None => text.push_str(&format!("B-LTA     {}\n", e.dir)),
                Some(err) => text.push_str(&format!("FAILED    {}  {err}\n", e.dir)),
            }
        }
        text.push_str(&format!("{} record(s) were due\n", self.due));
        if self.overdue > 0 {
            text.push_str(&format!(
                "{} of them were past their deadline: renewed late; check them with `hozon archive verify`\n",
                self.overdue
            ));
        }
        text
    }

    /// A record left out is a failed check; a renewal the TSA or the disk
    /// stopped is I/O; a refused (ineffective) renewal comes last.
    pub fn verdict(&self) -> RenewVerdict {
        let left_out = !self.pending.left_out.is_empty() || !self.renewed.left_out.is_empty();
        if left_out {
            RenewVerdict::Failed
        } else if self.incomplete() {
            RenewVerdict::IoError
        } else if self.ineffective().is_some() {
            RenewVerdict::Refused
        } else {
            RenewVerdict::Passed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{BatchInfo, BatchKind, Left};
    use crate::renew::Extended;

    fn renewed() -> RenewReport {
        let mut r = RenewReport {
            due: 2,
            ..RenewReport::default()
        };
        r.renewed.batches.push(BatchInfo {
            renew_by_reason: Some("the TSA certificate expires".into()),
            id: "b2".into(),
            kind: BatchKind::TimestampRenewal,
            records: 2,
            time: "t".into(),
            renew_by: Some("2031".into()),
        });
        r
    }

    #[test]
    fn the_batches_and_the_count_due_are_listed() {
        let r = renewed();
        assert_eq!(
            r.to_text(),
            "timestamp-renewal batch b2: 2 record(s), time stamp t, next renewal by 2031 (the TSA certificate expires)\n\
             2 record(s) were due\n"
        );
        assert_eq!(r.verdict(), RenewVerdict::Passed);
    }

    #[test]
    fn left_out_beats_io_and_io_beats_a_refusal() {
        let mut r = renewed();
        r.renewed.ineffective = Some("same TSA".into());
        assert_eq!(r.verdict(), RenewVerdict::Refused);
        assert!(r.to_text().contains("WARNING: RENEWAL REFUSED: same TSA"));
        r.extended.push(Extended {
            dir: "d".into(),
            error: Some("TSA down".into()),
        });
        assert_eq!(r.verdict(), RenewVerdict::IoError);
        assert!(r.to_text().contains("FAILED    d  TSA down\n"));
        r.pending.left_out.push(Left {
            dir: "e".into(),
            reason: "altered".into(),
        });
        assert_eq!(r.verdict(), RenewVerdict::Failed);
        assert!(r.to_text().contains("LEFT OUT  e  altered\n"));
    }
}
