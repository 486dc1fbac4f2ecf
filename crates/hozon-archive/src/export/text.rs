//! `archive export` in words, in the run's language (hozon-i18n): one line
//! per record with its verification outcome (in Japanese the verdict word
//! beside the code), then the bag's counts.

use hozon_i18n::Catalog;

use super::ExportReport;
use crate::words::{line, outcome_verdict};

impl ExportReport {
    /// The export as `archive export` prints it, in `cat`'s language.
    pub fn to_text(&self, cat: &Catalog) -> String {
        let mut text = String::new();
        for r in &self.records {
            let verdict = outcome_verdict(cat, r.outcome);
            text.push_str(&format!("{}  {verdict}\n", r.id));
        }
        line(
            &mut text,
            cat,
            "archive-export-summary",
            &[
                ("records", &self.records.len().to_string()),
                ("files", &self.payload_files.to_string()),
                ("bytes", &self.payload_bytes.to_string()),
                ("bag", &self.bag),
            ],
        );
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::ExportedRecord;
    use crate::verify::Outcome;
    use hozon_i18n::Lang;

    fn report() -> ExportReport {
        ExportReport {
            bag: "/tmp/bag".into(),
            records: vec![ExportedRecord {
                id: "r1".into(),
                outcome: Outcome::Indeterminate,
                files: 3,
            }],
            payload_files: 3,
            payload_bytes: 1000,
        }
    }

    #[test]
    fn each_record_with_its_outcome_then_the_bag() {
        assert_eq!(
            report().to_text(Catalog::get(Lang::En)),
            "r1  INDETERMINATE\n1 record(s), 3 file(s), 1000 byte(s) in the BagIt bag /tmp/bag\n"
        );
        assert_eq!(
            report().to_text(Catalog::get(Lang::Ja)),
            "r1  判定不能 INDETERMINATE\n1 件、3 ファイル、1000 バイトを BagIt バッグ /tmp/bag に書き出しました\n"
        );
    }
}
