//! `archive status` in words: the catalog's counts, what is due and the
//! watch-folder service's state, as the command prints them (its `--json`
//! is the [`StatusReport`] itself).

use std::path::Path;

use hozon_i18n::Catalog;
use hozon_verify::Indication;

use crate::status::StatusReport;
use crate::watch::WatchState;

impl StatusReport {
    /// The status of the archive at `root` as `archive status` prints it,
    /// in `cat`'s language (the verification counts beside the verdict
    /// words in Japanese).
    pub fn to_text(&self, cat: &Catalog, root: &Path) -> String {
        let s = self;
        let n = |v: u64| v.to_string();
        let root = root.display().to_string();
        let mut text = cat.text_with(
            "archive-status-total",
            &[("total", &n(s.total)), ("root", &root)],
        );
        text.push_str(&format!("\n\n  {}\n", cat.text("archive-status-columns")));
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
            text.push('\n');
            text.push_str(&cat.text_with(
                "archive-status-repaired",
                &[("count", &n(s.repaired_unacknowledged))],
            ));
        }
        text.push('\n');
        text.push_str(&cat.text_with(
            "archive-status-without-evidence",
            &[("count", &n(s.without_evidence))],
        ));
        if s.without_evidence > 0 {
            text.push(' ');
            text.push_str(&cat.text("archive-status-run-renew"));
        }
        text.push('\n');
        let v = &s.verification;
        text.push_str(&cat.text_with(
            "archive-status-verification",
            &[
                ("passed", &n(v.passed)),
                ("failed", &n(v.failed)),
                ("indeterminate", &n(v.indeterminate)),
                ("never", &n(v.never)),
                ("w_passed", &cat.verdict_word(Indication::TotalPassed)),
                ("w_failed", &cat.verdict_word(Indication::TotalFailed)),
                (
                    "w_indeterminate",
                    &cat.verdict_word(Indication::Indeterminate),
                ),
            ],
        ));
        text.push('\n');
        text.push_str(&cat.text_with(
            "archive-status-renewal",
            &[
                ("earliest", s.renewal.earliest.as_deref().unwrap_or("-")),
                ("overdue", &n(s.renewal.overdue)),
            ],
        ));
        text.push('\n');
        if let Some(why) = &s.renewal.earliest_reason {
            text.push_str("  ");
            text.push_str(&cat.text_with("archive-status-driven-by", &[("why", why)]));
            text.push('\n');
        }
        for d in &s.renewal.by_month {
            let count = format!("{:>8}", d.count);
            text.push_str("  ");
            text.push_str(&cat.text_with(
                "archive-status-due",
                &[("month", &d.month), ("count", &count)],
            ));
            text.push('\n');
        }
        if let Some(w) = &s.watch {
            text.push_str(&w.to_text(cat));
        }
        text
    }
}

impl WatchState {
    /// The watcher's state as `archive status` prints it, in `cat`'s
    /// language.
    pub fn to_text(&self, cat: &Catalog) -> String {
        let w = self;
        let n = |v: u64| v.to_string();
        let state = cat.text(if w.running {
            "archive-watch-running"
        } else {
            "archive-watch-stopped"
        });
        let mut text = cat.text_with(
            "archive-watch-head",
            &[
                ("state", &state),
                ("pid", &w.pid.to_string()),
                ("mode", &w.mode.to_string()),
                ("folders", &w.folders.join(", ")),
                ("updated", &w.updated),
            ],
        );
        text.push_str("\n  ");
        text.push_str(&cat.text_with(
            "archive-watch-backlog",
            &[
                ("settling", &w.backlog.settling.to_string()),
                ("ready", &w.backlog.ready.to_string()),
            ],
        ));
        text.push_str("\n  ");
        match &w.last_batch {
            Some(b) => {
                let evidence = match (&b.evidence[..], &b.evidence_error) {
                    (_, Some(e)) => cat.text_with("archive-watch-evidence-error", &[("error", e)]),
                    ([], None) => cat.text("archive-watch-no-evidence-batch"),
                    (stamps, None) => cat.text_with(
                        "archive-watch-tsa",
                        &[
                            ("count", &stamps.len().to_string()),
                            (
                                "stamps",
                                &stamps
                                    .iter()
                                    .map(|s| {
                                        cat.text_with(
                                            "archive-watch-stamp",
                                            &[
                                                ("id", &s.id),
                                                ("time", &s.time),
                                                ("records", &s.records.to_string()),
                                            ],
                                        )
                                    })
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            ),
                        ],
                    ),
                };
                text.push_str(&cat.text_with(
                    "archive-watch-last-batch",
                    &[
                        ("time", &b.time),
                        ("records", &b.records.to_string()),
                        ("already", &b.already_archived.to_string()),
                        ("quarantined", &b.quarantined.to_string()),
                        ("evidence", &evidence),
                    ],
                ));
            }
            None => text.push_str(&cat.text("archive-watch-no-batch")),
        }
        text.push_str("\n  ");
        text.push_str(&cat.text_with(
            "archive-watch-since",
            &[
                ("started", &w.started),
                ("batches", &n(w.totals.batches)),
                ("records", &n(w.totals.records)),
                ("quarantined", &n(w.totals.quarantined)),
                ("errors", &w.errors.len().to_string()),
            ],
        ));
        text.push('\n');
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
    use hozon_i18n::Lang;

    fn en() -> &'static Catalog {
        Catalog::get(Lang::En)
    }

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
        let text = report().to_text(en(), Path::new("/srv/arc"));
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
        assert!(w.to_text(en()).contains("  no batch yet\n"));
        w.last_batch = Some(LastBatch {
            records: 2,
            evidence: vec![Stamp {
                id: "b1".into(),
                time: "t".into(),
                records: 2,
            }],
            ..LastBatch::default()
        });
        let text = w.to_text(en());
        assert!(
            text.starts_with("watch: running (pid 7, inotify), folders /in"),
            "{text}"
        );
        assert!(
            text.contains("TSA: 1 time stamp(s), b1 at t over 2 record(s)"),
            "{text}"
        );
        w.last_batch.as_mut().unwrap().evidence_error = Some("HTTP 500".into());
        assert!(w.to_text(en()).contains("no evidence yet: HTTP 500"));
        let mut s = report();
        s.watch = Some(w);
        assert!(s.to_text(en(), Path::new("a")).contains("watch: running"));
    }

    #[test]
    fn in_japanese_the_counts_stand_beside_the_verdict_words() {
        let ja = Catalog::get(Lang::Ja);
        let mut s = report();
        s.repaired_unacknowledged = 1;
        s.renewal.earliest_reason = Some("TSA cert".into());
        let text = s.to_text(ja, Path::new("/srv/arc"));
        assert_eq!(
            text,
            "/srv/arc の記録 3 件\n\n  種類      レベル  状態               件数\n\
             \x20 scan      B-LTA   archived              3\n\
             \n修復済みで未確認の記録: 1 件（`hozon archive verify` が一覧にします。確認は `hozon archive acknowledge RECORD --reason TEXT`）\n\
             証拠記録のない記録: 1 件 （`hozon archive renew` を実行してください）\n\
             前回の検証: 有効 2 件、無効 0 件、判定不能 0 件、未検証 1 件\n\
             更新: 最も早い期限 2031-01-01T00:00:00Z、期限切れ 0 件\n\
             \x20 期限の理由: TSA cert\n\
             \x20 2031-01         2 件が期限\n"
        );
    }

    #[test]
    fn in_japanese_the_watcher_state_is_japanese() {
        let ja = Catalog::get(Lang::Ja);
        let mut w = WatchState {
            pid: 7,
            running: true,
            mode: crate::watch::WatchMode::Inotify,
            folders: vec!["/in".into()],
            updated: "u".into(),
            started: "s".into(),
            ..WatchState::default()
        };
        assert!(w.to_text(ja).contains("  バッチはまだありません\n"));
        w.last_batch = Some(LastBatch {
            time: "t0".into(),
            records: 2,
            evidence: vec![Stamp {
                id: "b1".into(),
                time: "t".into(),
                records: 2,
            }],
            ..LastBatch::default()
        });
        assert_eq!(
            w.to_text(ja),
            "監視: 実行中（pid 7、inotify）、フォルダ /in。u 時点の状態\n\
             \x20 未処理: 確定待ち 0 ファイル、処理待ち 0 ファイル\n\
             \x20 最後のバッチ t0: 2 件、保存済み 0 件、隔離 0 件。TSA: タイムスタンプ 1 個、b1（t、2 件）\n\
             \x20 s 以降: バッチ 0 回、0 件、隔離 0 件。エラー 0 件\n"
        );
        w.running = false;
        w.last_batch.as_mut().unwrap().evidence_error = Some("HTTP 500".into());
        let text = w.to_text(ja);
        assert!(text.starts_with("監視: 停止"), "{text}");
        assert!(
            text.contains("証拠記録はまだありません: HTTP 500"),
            "{text}"
        );
    }
}
