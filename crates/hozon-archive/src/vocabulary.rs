//! What the archive's fixed vocabularies (record kind and state, file role,
//! record format, evidence batch kind, verification state) share: parsing
//! with a typed error, and storage as today's TEXT in the catalog.
//!
//! Each vocabulary is an enum with `ALL` and `as_str`; `stored_vocabulary!`
//! adds `FromStr` (error [`UnknownName`]) and rusqlite's `ToSql`/`FromSql`.
//! A catalog column that [`crate::checks`] compares with `record.json` is
//! read as [`Stored`], which keeps text outside the vocabulary (a damaged
//! or hand-edited catalog) so that `archive verify` reports it instead of
//! refusing the whole catalog.

use rusqlite::types::{FromSql, FromSqlResult, ToSqlOutput, ValueRef};

pub use hozon_verify::vocabulary::UnknownName;

/// A vocabulary's name for each of its values.
pub trait Name: Copy {
    /// The name in `record.json`, the catalog and reports.
    fn name(self) -> &'static str;
}

impl Name for hozon_verify::Level {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// Adds `FromStr`, [`Name`], `ToSql` and `FromSql` to an enum that has
/// `ALL` and `as_str`.
macro_rules! stored_vocabulary {
    ($name:ty, $what:literal) => {
        impl std::str::FromStr for $name {
            type Err = $crate::vocabulary::UnknownName;
            fn from_str(s: &str) -> std::result::Result<$name, $crate::vocabulary::UnknownName> {
                <$name>::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::vocabulary::UnknownName {
                        kind: $what,
                        name: s.to_owned(),
                    })
            }
        }

        impl $crate::vocabulary::Name for $name {
            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<$name> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|e: $crate::vocabulary::UnknownName| {
                        rusqlite::types::FromSqlError::Other(Box::new(e))
                    })
            }
        }
    };
}
pub(crate) use stored_vocabulary;

/// A catalog column as found: a value of its vocabulary, or text outside
/// it (which the catalog check reports as a mismatch with `record.json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored<T> {
    /// A value of the vocabulary.
    Known(T),
    /// Text that is not.
    Unknown(String),
}

impl<T: Name> Stored<T> {
    /// The text as stored.
    pub fn as_str(&self) -> &str {
        match self {
            Stored::Known(v) => v.name(),
            Stored::Unknown(s) => s,
        }
    }
}

impl<T: Name> PartialEq<T> for Stored<T>
where
    T: PartialEq,
{
    fn eq(&self, other: &T) -> bool {
        matches!(self, Stored::Known(v) if v == other)
    }
}

impl<T: std::str::FromStr> FromSql for Stored<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Stored<T>> {
        let text = value.as_str()?;
        Ok(text
            .parse()
            .map_or_else(|_| Stored::Unknown(text.to_owned()), Stored::Known))
    }
}

/// A level for the catalog's `level` column (hozon-verify's [`Level`]
/// has no rusqlite impls of its own).
///
/// [`Level`]: hozon_verify::Level
pub fn level_sql(level: Option<hozon_verify::Level>) -> ToSqlOutput<'static> {
    match level {
        Some(l) => ToSqlOutput::from(l.as_str()),
        None => ToSqlOutput::from(rusqlite::types::Null),
    }
}

/// Reads the catalog's `level` column (NULL: none).
pub fn level_column(
    row: &rusqlite::Row<'_>,
    column: usize,
) -> rusqlite::Result<Option<hozon_verify::Level>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| {
        t.parse().map_err(|e: UnknownName| {
            rusqlite::Error::FromSqlConversionFailure(
                column,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rusqlite::types::{FromSql, ToSql, ToSqlOutput, Value, ValueRef};
    use serde::{de::DeserializeOwned, Serialize};

    use super::*;
    use crate::evidence::BatchKind;
    use crate::record::{Kind, RecordFormat, Role, State};
    use crate::verify::VerifyState;

    /// Every value to its string and back (JSON, `FromStr`, SQLite), and
    /// an unknown name refused with a typed error.
    fn round_trips<T>(all: &[T], expected: &[&str])
    where
        T: Copy + std::fmt::Debug + PartialEq + Serialize + DeserializeOwned,
        T: FromStr<Err = UnknownName> + std::fmt::Display + ToSql + FromSql + Name,
    {
        let names: Vec<&str> = all.iter().map(|v| v.name()).collect();
        assert_eq!(names, expected);
        for v in all {
            assert_eq!(v.to_string(), v.name());
            assert_eq!(v.name().parse::<T>(), Ok(*v));
            let json = serde_json::to_string(v).expect("serialise");
            assert_eq!(json, format!("\"{}\"", v.name()));
            assert_eq!(serde_json::from_str::<T>(&json).expect("read"), *v);
            match v.to_sql().expect("to sql") {
                ToSqlOutput::Borrowed(ValueRef::Text(t)) => assert_eq!(t, v.name().as_bytes()),
                ToSqlOutput::Owned(Value::Text(t)) => assert_eq!(t, v.name()),
                other => panic!("{other:?}"),
            }
            let back = T::column_result(ValueRef::Text(v.name().as_bytes())).expect("from sql");
            assert_eq!(back, *v);
        }
        let e = "no-such-name".parse::<T>().unwrap_err();
        assert_eq!(e.name, "no-such-name");
        assert!(T::column_result(ValueRef::Text(b"no-such-name")).is_err());
        assert!(serde_json::from_str::<T>("\"no-such-name\"").is_err());
    }

    #[test]
    fn record_formats_round_trip() {
        round_trips(&RecordFormat::ALL, &["hozon-record/1"]);
    }

    #[test]
    fn record_kinds_round_trip() {
        round_trips(
            &Kind::ALL,
            &["signed", "document", "scan", "pades", "xades"],
        );
    }

    #[test]
    fn record_states_round_trip() {
        round_trips(&State::ALL, &["archived", "accepted-failed"]);
    }

    #[test]
    fn file_roles_round_trip() {
        round_trips(
            &Role::ALL,
            &["document", "signature", "scan-report", "signed-document"],
        );
    }

    #[test]
    fn batch_kinds_round_trip() {
        round_trips(
            &BatchKind::ALL,
            &["initial", "timestamp-renewal", "hash-tree-renewal"],
        );
    }

    #[test]
    fn verify_states_round_trip() {
        round_trips(
            &VerifyState::ALL,
            &[
                "passed",
                "accepted-failed",
                "indeterminate",
                "failed",
                "evidence-missing",
            ],
        );
    }

    #[test]
    fn a_stored_column_keeps_text_outside_its_vocabulary() {
        let known = Stored::<Kind>::column_result(ValueRef::Text(b"scan")).unwrap();
        assert_eq!(known, Stored::Known(Kind::Scan));
        assert!(known == Kind::Scan);
        assert_eq!(known.as_str(), "scan");
        let odd = Stored::<Kind>::column_result(ValueRef::Text(b"Scan ")).unwrap();
        assert_eq!(odd, Stored::Unknown("Scan ".into()));
        assert!(odd != Kind::Scan);
        assert_eq!(odd.as_str(), "Scan ");
        let level = Stored::<hozon_verify::Level>::column_result(ValueRef::Text(b"B-LT")).unwrap();
        assert_eq!(level.as_str(), "B-LT");
        assert!(Stored::<Kind>::column_result(ValueRef::Integer(1)).is_err());
    }

    #[test]
    fn levels_go_to_and_come_from_the_level_column() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (level TEXT)").unwrap();
        for level in [
            None,
            Some(hozon_verify::Level::BB),
            Some(hozon_verify::Level::BLta),
        ] {
            conn.execute("DELETE FROM t", []).unwrap();
            conn.execute("INSERT INTO t VALUES (?1)", [level_sql(level)])
                .unwrap();
            let back = conn
                .query_row("SELECT level FROM t", [], |r| level_column(r, 0))
                .unwrap();
            assert_eq!(back, level);
        }
        conn.execute("UPDATE t SET level = 'ES-A'", []).unwrap();
        let e = conn
            .query_row("SELECT level FROM t", [], |r| level_column(r, 0))
            .unwrap_err();
        assert!(
            e.to_string().contains("\"ES-A\" is not a known Level"),
            "{e}"
        );
    }
}
