//! `archive replicate`, `archive verify --replica` and `archive restore`
//! in words, in the run's language (hozon-i18n): each failure or problem,
//! then the counts. Keys, paths, codes and numbers are never translated.

use hozon_i18n::Catalog;

use super::{ReplicaVerifyReport, ReplicateReport, RestoreReport};
use crate::words::line;

impl ReplicateReport {
    /// The report as `archive replicate` prints it: each failure, then
    /// the counts.
    pub fn to_text(&self, cat: &Catalog) -> String {
        let mut text = String::new();
        for f in &self.failed {
            line(
                &mut text,
                cat,
                "archive-replicate-failed",
                &[("key", &f.key), ("reason", &f.reason)],
            );
        }
        line(
            &mut text,
            cat,
            "archive-replicate-summary",
            &[
                ("name", &self.replica),
                ("where", &self.description),
                ("files", &self.files.to_string()),
                ("uploaded", &self.uploaded.to_string()),
                ("skipped", &self.skipped.to_string()),
                ("failed", &self.failed.len().to_string()),
            ],
        );
        text
    }
}

impl ReplicaVerifyReport {
    /// The report as `archive verify --replica` prints it: each problem
    /// (its code upper-case), each warning, then the counts.
    pub fn to_text(&self, cat: &Catalog) -> String {
        let mut text = String::new();
        for p in &self.problems {
            text.push_str(&format!(
                "{}  {}  {}\n",
                p.kind.to_uppercase(),
                p.key,
                p.detail
            ));
        }
        for w in &self.warnings {
            line(&mut text, cat, "archive-replica-warning", &[("warning", w)]);
        }
        line(
            &mut text,
            cat,
            "archive-replica-verified",
            &[
                ("name", &self.replica),
                ("where", &self.description),
                ("objects", &self.objects.to_string()),
                ("intact", &self.intact.to_string()),
                ("problems", &self.problems.len().to_string()),
            ],
        );
        text
    }
}

impl RestoreReport {
    /// The report as `archive restore` prints it: each file not restored,
    /// the counts, then the command to check the new archive.
    pub fn to_text(&self, cat: &Catalog) -> String {
        let mut text = String::new();
        for f in &self.failed {
            line(
                &mut text,
                cat,
                "archive-restore-failed",
                &[("key", &f.key), ("reason", &f.reason)],
            );
        }
        line(
            &mut text,
            cat,
            "archive-restore-summary",
            &[
                ("files", &self.restored.to_string()),
                ("bytes", &self.bytes.to_string()),
                ("where", &self.description),
                ("dir", &self.dir),
                ("records", &self.records.to_string()),
            ],
        );
        line(
            &mut text,
            cat,
            "archive-restore-next",
            &[("dir", &self.dir)],
        );
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replicate::{Failure, ObjectProblem};
    use hozon_i18n::Lang;

    fn replicated() -> ReplicateReport {
        ReplicateReport {
            replica: "nas".into(),
            description: "/mnt/nas".into(),
            files: 3,
            uploaded: 1,
            skipped: 1,
            failed: vec![Failure {
                key: "records/a".into(),
                reason: "disk full".into(),
            }],
        }
    }

    fn checked() -> ReplicaVerifyReport {
        ReplicaVerifyReport {
            replica: "nas".into(),
            description: "/mnt/nas".into(),
            objects: 4,
            intact: 3,
            problems: vec![ObjectProblem {
                kind: "missing",
                key: "records/b".into(),
                sha256: "00".into(),
                detail: "not on the replica".into(),
            }],
            warnings: vec!["w".into()],
        }
    }

    fn restored() -> RestoreReport {
        RestoreReport {
            description: "/mnt/nas".into(),
            dir: "/srv/new".into(),
            restored: 5,
            bytes: 1234,
            records: 2,
            failed: vec![Failure {
                key: "records/c".into(),
                reason: "altered".into(),
            }],
            ignored: vec![],
        }
    }

    #[test]
    fn the_replicate_report_lists_failures_then_counts() {
        let en = Catalog::get(Lang::En);
        assert_eq!(
            replicated().to_text(en),
            "FAILED  records/a  disk full\nreplica nas (/mnt/nas): 3 file(s): 1 uploaded, 1 already there, 1 failed\n"
        );
        assert_eq!(
            checked().to_text(en),
            "MISSING  records/b  not on the replica\nWARNING  w\n\
             replica nas (/mnt/nas): 4 object(s), 3 intact, 1 missing, altered or under-protected\n"
        );
        assert_eq!(
            restored().to_text(en),
            "NOT RESTORED  records/c  altered\n\
             restored 5 file(s) (1234 bytes) from /mnt/nas into /srv/new; catalog rebuilt: 2 record(s)\n\
             next: hozon archive --archive /srv/new verify\n"
        );
    }

    #[test]
    fn in_japanese_the_words_are_japanese_and_keys_and_codes_unchanged() {
        let ja = Catalog::get(Lang::Ja);
        assert_eq!(
            replicated().to_text(ja),
            "失敗  records/a  disk full\nレプリカ nas（/mnt/nas）: 3 ファイル: アップロード 1、既存 1、失敗 1\n"
        );
        assert_eq!(
            checked().to_text(ja),
            "MISSING  records/b  not on the replica\n警告  w\n\
             レプリカ nas（/mnt/nas）: オブジェクト 4 個、完全 3 個、欠落・改変・保護不足 1 個\n"
        );
        assert_eq!(
            restored().to_text(ja),
            "復元できず  records/c  altered\n\
             /mnt/nas から /srv/new へ 5 ファイル（1234 バイト）を復元し、カタログを再構築しました: 2 件\n\
             次に: hozon archive --archive /srv/new verify\n"
        );
    }
}
