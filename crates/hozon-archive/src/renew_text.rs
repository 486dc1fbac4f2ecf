//! `archive renew` in words and its verdict: the batches made, what was
//! refused, left out or extended, and how many records were due.

use hozon_i18n::Catalog;

use crate::renew::RenewReport;
use crate::words::line;

impl RenewReport {
    /// The run as `archive renew` prints it, in `cat`'s language.
    pub fn to_text(&self, cat: &Catalog) -> String {
        let mut text = String::new();
        let line = |text: &mut String, id: &str, args: &[(&str, &str)]| line(text, cat, id, args);
        if self.completed > 0 {
            line(
                &mut text,
                "archive-renew-completed",
                &[("count", &self.completed.to_string())],
            );
        }
        for b in self.pending.batches.iter().chain(&self.renewed.batches) {
            let reason = b
                .renew_by_reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            line(
                &mut text,
                "archive-renew-batch",
                &[
                    ("kind", &b.kind.to_string()),
                    ("id", &b.id),
                    ("records", &b.records.to_string()),
                    ("time", &b.time),
                    ("renew_by", b.renew_by.as_deref().unwrap_or("-")),
                    ("reason", &reason),
                ],
            );
        }
        if let Some(why) = self.ineffective() {
            let refused = cat.text_with("archive-renew-refused", &[("why", why)]);
            text.push_str(&format!("\n{refused}\n\n"));
        }
        for n in self.pending.notes.iter().chain(&self.renewed.notes) {
            line(&mut text, "archive-renew-note", &[("note", n)]);
        }
        for e in [&self.pending.error, &self.renewed.error]
            .into_iter()
            .flatten()
        {
            line(&mut text, "archive-renew-not-renewed", &[("error", e)]);
        }
        for l in self.pending.left_out.iter().chain(&self.renewed.left_out) {
            line(
                &mut text,
                "archive-renew-left-out",
                &[("dir", &l.dir), ("reason", &l.reason)],
            );
        }
        for w in &self.renewed.warnings {
            line(
                &mut text,
                "archive-renew-warning",
                &[("dir", &w.dir), ("reason", &w.reason)],
            );
        }
        for e in &self.extended {
            match &e.error {
                // The level's code, the same in every language.
                None => text.push_str(&format!("B-LTA     {}\n", e.dir)),
                Some(err) => line(
                    &mut text,
                    "archive-renew-failed",
                    &[("dir", &e.dir), ("error", err)],
                ),
            }
        }
        line(
            &mut text,
            "archive-renew-due",
            &[("count", &self.due.to_string())],
        );
        if self.overdue > 0 {
            line(
                &mut text,
                "archive-renew-overdue",
                &[("count", &self.overdue.to_string())],
            );
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{BatchInfo, BatchKind, Left};
    use crate::renew::Extended;
    use crate::renew::RenewVerdict;
    use hozon_i18n::Lang;

    fn en() -> &'static Catalog {
        Catalog::get(Lang::En)
    }

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
            r.to_text(en()),
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
        assert!(r
            .to_text(en())
            .contains("WARNING: RENEWAL REFUSED: same TSA"));
        r.extended.push(Extended {
            dir: "d".into(),
            error: Some("TSA down".into()),
        });
        assert_eq!(r.verdict(), RenewVerdict::IoError);
        assert!(r.to_text(en()).contains("FAILED    d  TSA down\n"));
        r.pending.left_out.push(Left {
            dir: "e".into(),
            reason: "altered".into(),
        });
        assert_eq!(r.verdict(), RenewVerdict::Failed);
        assert!(r.to_text(en()).contains("LEFT OUT  e  altered\n"));
    }

    #[test]
    fn in_japanese_the_batches_refusal_and_counts_are_japanese() {
        let ja = Catalog::get(Lang::Ja);
        let mut r = renewed();
        r.overdue = 1;
        r.renewed.ineffective = Some("same TSA".into());
        r.renewed.left_out.push(Left {
            dir: "e".into(),
            reason: "altered".into(),
        });
        r.extended.push(Extended {
            dir: "d".into(),
            error: None,
        });
        assert_eq!(
            r.to_text(ja),
            "timestamp-renewal バッチ b2: 2 件、タイムスタンプ t、次の更新期限 2031 (the TSA certificate expires)\n\
             \n警告: 更新を拒否しました: same TSA\n\n\
             除外      e  altered\n\
             B-LTA     d\n\
             期限の来た記録 2 件\n\
             うち 1 件は期限を過ぎていました（遅れて更新）。`hozon archive verify` で確認してください\n"
        );
    }
}
