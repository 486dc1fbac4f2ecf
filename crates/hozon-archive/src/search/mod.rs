//! Search (issue 21, item 3): records by patient, document type, document
//! date range, signer and state, answered from the catalog's indexed
//! metadata columns (a patient's records come from the index on
//! `(patient_id, document_date)`). A library API, so that a web view can
//! call it: [`find`] queries, [`run`] queries and logs the access.

pub mod synthetic;
mod text;

use rusqlite::types::Value as SqlValue;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::access::{self, Access};
use crate::catalog::Catalog;
use crate::metadata::normalise_date;
use crate::{Error, Result, Session};

/// Matches returned when the caller sets no limit.
pub const DEFAULT_LIMIT: usize = 1000;

/// What to look for; every filter given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Query {
    /// The patient's ID, exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// The document type, exactly.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// Documents dated on or after this day (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Documents dated on or before this day (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Text in the signer's subject (ASCII letters in any case).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The record's state (`archived`, `accepted-failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// At most this many matches (default [`DEFAULT_LIMIT`]).
    #[serde(skip)]
    pub limit: Option<usize>,
}

/// Why a query cannot be run (the caller's mistake: a usage error).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A date is not a calendar date.
    #[error("--{0} {1:?}: not a date (YYYY-MM-DD or YYYYMMDD)")]
    Date(&'static str, String),
    /// `from` is after `to`.
    #[error("--from {0} is after --to {1}")]
    Range(String, String),
    /// An unknown state.
    #[error("--state {0:?}: one of archived, accepted-failed")]
    State(String),
    /// An empty filter value.
    #[error("--{0} is empty")]
    Empty(&'static str),
}

impl Query {
    /// The query with its dates normalised to `YYYY-MM-DD`, or what is
    /// wrong with it.
    pub fn checked(mut self) -> std::result::Result<Query, QueryError> {
        for (name, v) in [
            ("patient", &mut self.patient),
            ("type", &mut self.document_type),
            ("signer", &mut self.signer),
        ] {
            if let Some(s) = v {
                let t = s.trim();
                if t.is_empty() {
                    return Err(QueryError::Empty(name));
                }
                *s = t.to_string();
            }
        }
        for (name, v) in [("from", &mut self.from), ("to", &mut self.to)] {
            if let Some(d) = v {
                *d = normalise_date(d).ok_or_else(|| QueryError::Date(name, d.clone()))?;
            }
        }
        if let (Some(f), Some(t)) = (&self.from, &self.to) {
            if f > t {
                return Err(QueryError::Range(f.clone(), t.clone()));
            }
        }
        if let Some(s) = &self.state {
            if !matches!(s.as_str(), "archived" | "accepted-failed") {
                return Err(QueryError::State(s.clone()));
            }
        }
        Ok(self)
    }
}

/// A catalog column whose text is one of a fixed vocabulary; another
/// text is a conversion error naming the column.
fn vocabulary<T>(
    row: &rusqlite::Row<'_>,
    column: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    parse(&text).ok_or_else(|| unknown(column, text))
}

/// [`vocabulary`] for a column that may be NULL.
fn optional_vocabulary<T>(
    row: &rusqlite::Row<'_>,
    column: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| parse(&t).ok_or_else(|| unknown(column, t)))
        .transpose()
}

fn unknown(column: usize, text: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("{text:?} is not a value the catalog uses here").into(),
    )
}

/// One matching record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Record id.
    pub id: String,
    /// Directory relative to `records/`.
    pub dir: String,
    /// `signed`, `document`, `scan`, `pades`.
    pub kind: crate::record::Kind,
    /// Signature level.
    pub level: Option<hozon_verify::Level>,
    /// `archived`, `accepted-failed`.
    pub state: crate::record::State,
    /// Ingest time.
    pub ingested: String,
    /// Patient ID.
    pub patient_id: Option<String>,
    /// Document type.
    pub document_type: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Document date.
    pub document_date: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Signer's subject.
    pub signer: Option<String>,
    /// Evidence records made for it.
    pub evidence: i64,
    /// Last verification outcome.
    pub verified: Option<crate::verify::VerifyState>,
}

/// The answer to a query.
#[derive(Clone, Debug, Serialize)]
pub struct SearchResult {
    /// The query as run.
    pub query: Query,
    /// Matches, by document date then id.
    pub records: Vec<Hit>,
    /// Whether more records matched than the limit.
    pub truncated: bool,
}

/// Runs `query` (already [`Query::checked`]) on the catalog.
pub fn find(catalog: &Catalog, query: &Query) -> Result<SearchResult> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    let mut conds = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    let mut add = |cond: &str, v: String| {
        params.push(SqlValue::Text(v));
        conds.push(cond.replace('?', &format!("?{}", params.len())));
    };
    if let Some(p) = &query.patient {
        add("patient_id = ?", p.clone());
    }
    if let Some(t) = &query.document_type {
        add("document_type = ?", t.clone());
    }
    if let Some(f) = &query.from {
        add("document_date >= ?", f.clone());
    }
    if let Some(t) = &query.to {
        add("document_date <= ?", t.clone());
    }
    if let Some(s) = &query.signer {
        add("signer LIKE ? ESCAPE '\\'", format!("%{}%", like_escape(s)));
    }
    if let Some(s) = &query.state {
        add("state = ?", s.clone());
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let sql = format!(
        "SELECT id, dir, kind, level, state, ingested, patient_id, document_type, department,
                author, document_date, tags, signer, evidence, verify_state
         FROM records {filter} ORDER BY document_date, id LIMIT {}",
        limit.saturating_add(1)
    );
    let conn = catalog.connection();
    let err = |source| Error::Catalog {
        path: catalog_path(catalog),
        source,
    };
    let mut stmt = conn.prepare(&sql).map_err(err)?;
    let mut records = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            let tags: Option<String> = r.get(11)?;
            Ok(Hit {
                id: r.get(0)?,
                dir: r.get(1)?,
                kind: vocabulary(r, 2, crate::record::Kind::parse)?,
                level: optional_vocabulary(r, 3, |l| l.parse().ok())?,
                state: vocabulary(r, 4, crate::record::State::parse)?,
                ingested: r.get(5)?,
                patient_id: r.get(6)?,
                document_type: r.get(7)?,
                department: r.get(8)?,
                author: r.get(9)?,
                document_date: r.get(10)?,
                tags: tags
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default(),
                signer: r.get(12)?,
                evidence: r.get(13)?,
                verified: optional_vocabulary(r, 14, crate::verify::VerifyState::parse)?,
            })
        })
        .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(err)?;
    let truncated = records.len() > limit;
    records.truncate(limit);
    Ok(SearchResult {
        query: query.clone(),
        records,
        truncated,
    })
}

fn catalog_path(catalog: &Catalog) -> std::path::PathBuf {
    catalog
        .connection()
        .path()
        .map(std::path::PathBuf::from)
        .unwrap_or_default()
}

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Runs `query` for `who` and logs the access (who, the query, the
/// records found) in the audit log.
pub fn run(session: &mut Session, query: &Query, who: &str) -> Result<SearchResult> {
    let result = find(&session.catalog, query)?;
    let ids: Vec<String> = result.records.iter().map(|h| h.id.clone()).collect();
    let mut details = Map::new();
    details.insert("query".into(), query_fields(query));
    if result.truncated {
        details.insert("truncated".into(), json!(true));
    }
    access::log(
        &mut session.audit,
        &Access {
            who,
            action: "search",
            details,
            records: &ids,
        },
    )?;
    Ok(result)
}

fn query_fields(query: &Query) -> Value {
    serde_json::to_value(query).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_checked_and_dates_normalised() {
        let q = Query {
            from: Some("20260401".into()),
            to: Some("2026-06-30".into()),
            ..Query::default()
        }
        .checked()
        .unwrap();
        assert_eq!(q.from.as_deref(), Some("2026-04-01"));
        let bad = |q: Query| q.checked().unwrap_err();
        assert_eq!(
            bad(Query {
                from: Some("2026-13-01".into()),
                ..Query::default()
            }),
            QueryError::Date("from", "2026-13-01".into())
        );
        assert_eq!(
            bad(Query {
                from: Some("2026-07-01".into()),
                to: Some("2026-06-30".into()),
                ..Query::default()
            }),
            QueryError::Range("2026-07-01".into(), "2026-06-30".into())
        );
        assert_eq!(
            bad(Query {
                state: Some("passed".into()),
                ..Query::default()
            }),
            QueryError::State("passed".into())
        );
        assert_eq!(
            bad(Query {
                patient: Some(" ".into()),
                ..Query::default()
            }),
            QueryError::Empty("patient")
        );
    }

    /// Issue 21's test: on a catalog of 100,000 rows, a search by patient
    /// and date range returns exactly the records a brute-force filter
    /// over the same rows selects.
    #[test]
    fn a_patient_and_date_search_on_100000_rows_returns_exactly_the_right_records() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite")).unwrap();
        let n = 100_000;
        synthetic::fill(&mut catalog, n).unwrap();
        let mut checked = 0;
        for patient in ["P0000000", "P0001234", "P0004999"] {
            let all: Vec<_> = (0..n)
                .map(|i| synthetic::record(i, n))
                .filter(|r| r.metadata.as_ref().unwrap().patient_id.as_deref() == Some(patient))
                .collect();
            assert!(all.len() >= 10, "{patient}: {}", all.len());
            // A range that cuts the patient's records in two.
            let mut dates: Vec<String> = all
                .iter()
                .map(|r| r.metadata.as_ref().unwrap().document_date.clone().unwrap())
                .collect();
            dates.sort();
            let (from, to) = (dates[2].clone(), dates[dates.len() - 3].clone());
            let mut expected: Vec<String> = all
                .iter()
                .filter(|r| {
                    let d = r
                        .metadata
                        .as_ref()
                        .unwrap()
                        .document_date
                        .as_deref()
                        .unwrap();
                    d >= from.as_str() && d <= to.as_str()
                })
                .map(|r| r.id.clone())
                .collect();
            expected.sort();
            assert!(!expected.is_empty() && expected.len() < all.len());
            let q = Query {
                patient: Some(patient.into()),
                from: Some(from.clone()),
                to: Some(to.clone()),
                ..Query::default()
            }
            .checked()
            .unwrap();
            let result = find(&catalog, &q).unwrap();
            assert!(!result.truncated);
            let mut got: Vec<String> = result.records.iter().map(|h| h.id.clone()).collect();
            got.sort();
            assert_eq!(got, expected, "{patient} {from}..{to}");
            for h in &result.records {
                assert_eq!(h.patient_id.as_deref(), Some(patient));
            }
            checked += got.len();
        }
        assert!(checked > 0);
        // Type, signer and state filters against the same oracle.
        let q = Query {
            document_type: Some("referral".into()),
            signer: Some("sato taro".into()),
            state: Some("accepted-failed".into()),
            limit: Some(100_000),
            ..Query::default()
        }
        .checked()
        .unwrap();
        let mut got: Vec<String> = find(&catalog, &q)
            .unwrap()
            .records
            .into_iter()
            .map(|h| h.id)
            .collect();
        got.sort();
        let mut expected: Vec<String> = (0..n)
            .map(|i| synthetic::record(i, n))
            .filter(|r| {
                let m = r.metadata.as_ref().unwrap();
                m.document_type.as_deref() == Some("referral")
                    && m.signer.as_deref().unwrap().contains("Sato Taro")
                    && r.state == crate::record::State::AcceptedFailed
            })
            .map(|r| r.id)
            .collect();
        expected.sort();
        assert_eq!(got, expected);
    }

    #[test]
    fn the_limit_truncates_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite")).unwrap();
        synthetic::fill(&mut catalog, 50).unwrap();
        let q = Query {
            limit: Some(10),
            ..Query::default()
        };
        let r = find(&catalog, &q).unwrap();
        assert_eq!(r.records.len(), 10);
        assert!(r.truncated);
        let q = Query {
            limit: Some(50),
            ..Query::default()
        };
        assert!(!find(&catalog, &q).unwrap().truncated);
    }

    #[test]
    fn a_patient_search_uses_the_patient_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite")).unwrap();
        synthetic::fill(&mut catalog, 1000).unwrap();
        let plan: String = catalog
            .connection()
            .query_row(
                "EXPLAIN QUERY PLAN SELECT id FROM records WHERE patient_id = 'P0000001' AND document_date >= '2021-01-01' AND document_date <= '2022-01-01'",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("records_patient"), "{plan}");
    }

    #[test]
    fn like_wildcards_in_the_signer_text_are_literal() {
        assert_eq!(like_escape("a%b_c\\"), "a\\%b\\_c\\\\");
    }
}
