//! `archive search` in words: one line per record (id, document date and
//! type, patient ID, state, the signer's CN), then the count.

use hozon_i18n::Catalog;

use super::{SearchResult, DEFAULT_LIMIT};

impl SearchResult {
    /// The matches as `archive search` prints them (the patient IDs asked
    /// for included: the search itself is in the access log), the count
    /// in `cat`'s language.
    pub fn to_text(&self, cat: &Catalog) -> String {
        let mut text = String::new();
        for h in &self.records {
            text.push_str(&format!(
                "{}  {:<10}  {:<20}  {:<12}  {:<15}  {}\n",
                h.id,
                h.document_date.as_deref().unwrap_or("-"),
                h.document_type.as_deref().unwrap_or("-"),
                h.patient_id.as_deref().unwrap_or("-"),
                h.state,
                h.signer.as_deref().map(common_name).unwrap_or("-"),
            ));
        }
        let count = cat.text_with(
            "archive-search-count",
            &[("count", &self.records.len().to_string())],
        );
        text.push_str(&count);
        if self.truncated {
            let limit = self.query.limit.unwrap_or(DEFAULT_LIMIT).to_string();
            text.push(' ');
            text.push_str(&cat.text_with("archive-search-more", &[("limit", &limit)]));
        }
        text.push('\n');
        text
    }
}

/// The CN of an RFC 4514 subject, or the whole subject.
fn common_name(subject: &str) -> &str {
    subject
        .split(',')
        .find_map(|rdn| rdn.trim().strip_prefix("CN="))
        .unwrap_or(subject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Kind, State};
    use crate::search::{Hit, Query};
    use hozon_i18n::Lang;

    fn hit() -> Hit {
        Hit {
            id: "r1".into(),
            dir: "2026-12/r1".into(),
            kind: Kind::Document,
            level: None,
            state: State::Archived,
            ingested: "2026-12-07T00:00:00Z".into(),
            patient_id: Some("12345".into()),
            document_type: Some("referral".into()),
            department: None,
            author: None,
            document_date: Some("2026-04-01".into()),
            tags: vec![],
            signer: Some("CN=Dr Sato,O=Hospital".into()),
            evidence: 1,
            verified: None,
        }
    }

    #[test]
    fn each_hit_is_one_line_then_the_count_and_whether_more_match() {
        let mut r = SearchResult {
            query: Query {
                limit: Some(1),
                ..Query::default()
            },
            records: vec![hit()],
            truncated: false,
        };
        assert_eq!(
            r.to_text(Catalog::get(Lang::En)),
            "r1  2026-04-01  referral              12345         archived         Dr Sato\n1 record(s)\n"
        );
        r.truncated = true;
        assert!(r
            .to_text(Catalog::get(Lang::En))
            .ends_with("1 record(s) (more match: raise --limit above 1)\n"));
        assert_eq!(
            common_name("CN=Yamada Hanako,O=Hospital,C=JP"),
            "Yamada Hanako"
        );
        assert_eq!(common_name("O=Hospital"), "O=Hospital");
    }

    #[test]
    fn in_japanese_the_hit_line_is_the_same_and_the_count_japanese() {
        let ja = Catalog::get(Lang::Ja);
        let mut r = SearchResult {
            query: Query {
                limit: Some(1),
                ..Query::default()
            },
            records: vec![hit()],
            truncated: false,
        };
        assert_eq!(
            r.to_text(ja),
            "r1  2026-04-01  referral              12345         archived         Dr Sato\n1 件\n"
        );
        r.truncated = true;
        assert!(r
            .to_text(ja)
            .ends_with("1 件 （ほかにも一致します: --limit を 1 より大きくしてください）\n"));
    }
}
