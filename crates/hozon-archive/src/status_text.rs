//! `archive status` in words: the catalog's counts, what is due and the
//! watch-folder service's state, as the command prints them (its `--json`
//! is the [`StatusReport`] itself).

use std::path::Path;

use crate::status::StatusReport;
use crate::watch::WatchState;

impl StatusReport {
    /// The status of the archive at `root` as `archive status` prints it.
    pub fn to_text(&self, root: &Path) -> String {
        let s = self;
        let mut text = format!(
            "{} record(s) in {}\n\n  kind      level   state            count\n",
            s.total,
            root.display()
        );
        for g in &s.by_kind {
            text.push_str(&format!(
                "  {:<9} {:<7} {:<16} {:>6}\n",
                g.kind,
                g.level.map_or("-", |l| l.as_str()),
                g.state,
                g.count
            ));
        }
        if s.repaired_unacknowledged > 0 {
            text.push_str(&format!(
                "\nrepaired, not yet acknowledged: {} record(s) (`hozon archive verify` lists them; `hozon archive acknowledge RECORD --reason TEXT`)",
                s.repaired_unacknowledged
            ));
        }
        text.push_str(&format!(
            "\nwithout evidence record: {}{}\nlast verification: {} passed, {} failed, {} indeterminate, {} never verified\n",
            s.without_evidence,
            if s.without_evidence > 0 { " (run `hozon archive renew`)" } else { "" },
            s.verification.passed, s.verification.failed, s.verification.indeterminate, s.verification.never
        ));
        text.push_str(&format!(
            "renewal: earliest deadline {}, {} overdue\n",
            s.renewal.earliest.as_deref().unwrap_or("-"),
            s.renewal.overdue
        ));
        if let Some(why) = &s.renewal.earliest_reason {
            text.push_str(&format!("  driven by: {why}\n"));
        }
        for d in &s.renewal.by_month {
            text.push_str(&format!("  {}  {:>8} record(s) due\n", d.month, d.count));
        }
        if let Some(w) = &s.watch {
            text.push_str(&w.to_text());
        }
        text
    }
}

impl WatchState {
    /// The watcher's state as `archive status` prints it.
    pub fn to_text(&self) -> String {
        let w = self;
        let mut text = format!(
            "watch: {} (pid {}, {}), folders {}; state of {}\n  backlog: {} file(s) settling, {} ready\n",
            if w.running { "running" } else { "stopped" },
            w.pid,
            w.mode,
            w.folders.join(", "),
            w.updated,
            w.backlog.settling,
            w.backlog.ready
        );
        match &w.last_batch {
            Some(b) => {
                text.push_str(&format!(
                    "  last batch {}: {} record(s), {} already archived, {} quarantined; ",
                    b.time, b.records, b.already_archived, b.quarantined
                ));
                match (&b.evidence[..], &b.evidence_error) {
                    (_, Some(e)) => text.push_str(&format!("no evidence yet: {e}\n")),
                    ([], None) => text.push_str("no evidence batch\n"),
                    (stamps, None) => text.push_str(&format!(
                        "TSA: {} time stamp(s), {}\n",
                        stamps.len(),
                        stamps
                            .iter()
                            .map(|s| format!("{} at {} over {} record(s)", s.id, s.time, s.records))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
            None => text.push_str("  no batch yet\n"),
        }
        text.push_str(&format!(
            "  since {}: {} batch(es), {} record(s), {} quarantined; {} error(s)\n",
            w.started,
            w.totals.batches,
            w.totals.records,
            w.totals.quarantined,
            w.errors.len()
        ));
        for e in &w.errors {
            text.push_str(&format!("    {}  {}\n", e.time, e.message));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Kind, State};
    use crate::status::{Due, Group, Renewal, Verification};
    use crate::watch::state::{LastBatch, Stamp};

    fn report() -> StatusReport {
        StatusReport {
            now: "2026-12-07T00:00:00Z".into(),
            total: 3,
            by_kind: vec![Group {
                kind: Kind::Scan,
                level: Some(hozon_verify::Level::BLta),
                state: State::Archived,
                count: 3,
            }],
            accepted_failed: 0,
            without_evidence: 1,
            repaired_unacknowledged: 0,
            verification: Verification {
                passed: 2,
                never: 1,
                ..Verification::default()
            },
            renewal: Renewal {
                earliest: Some("2031-01-01T00:00:00Z".into()),
                earliest_reason: None,
                overdue: 0,
                by_month: vec![Due {
                    month: "2031-01".into(),
                    count: 2,
                }],
            },
            watch: None,
        }
    }

    #[test]
    fn the_status_names_counts_evidence_and_what_is_due() {
        let text = report().to_text(Path::new("/srv/arc"));
        assert!(text.starts_with("3 record(s) in /srv/arc\n"), "{text}");
        assert!(
            text.contains("  scan      B-LTA   archived              3\n"),
            "{text}"
        );
        assert!(
            text.contains("without evidence record: 1 (run `hozon archive renew`)"),
            "{text}"
        );
        assert!(
            text.contains("2 passed, 0 failed, 0 indeterminate, 1 never verified"),
            "{text}"
        );
        assert!(
            text.contains("renewal: earliest deadline 2031-01-01T00:00:00Z, 0 overdue"),
            "{text}"
        );
        assert!(
            text.contains("  2031-01         2 record(s) due\n"),
            "{text}"
        );
        assert!(!text.contains("watch:"), "{text}");
        assert!(!text.contains("acknowledged"), "{text}");
    }

    #[test]
    fn the_watcher_shows_its_last_batch_and_why_it_has_no_evidence() {
        let mut w = WatchState {
            pid: 7,
            running: true,
            mode: crate::watch::WatchMode::Inotify,
            folders: vec!["/in".into()],
            ..WatchState::default()
        };
        assert!(w.to_text().contains("  no batch yet\n"));
        w.last_batch = Some(LastBatch {
            records: 2,
            evidence: vec![Stamp {
                id: "b1".into(),
                time: "t".into(),
                records: 2,
            }],
            ..LastBatch::default()
        });
        let text = w.to_text();
        assert!(
            text.starts_with("watch: running (pid 7, inotify), folders /in"),
            "{text}"
        );
        assert!(
            text.contains("TSA: 1 time stamp(s), b1 at t over 2 record(s)"),
            "{text}"
        );
        w.last_batch.as_mut().unwrap().evidence_error = Some("HTTP 500".into());
        assert!(w.to_text().contains("no evidence yet: HTTP 500"));
        let mut s = report();
        s.watch = Some(w);
        assert!(s.to_text(Path::new("a")).contains("watch: running"));
    }
}
