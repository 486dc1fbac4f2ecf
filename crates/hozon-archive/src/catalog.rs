//! The catalog, `ARCHIVE/catalog.sqlite`: one row per record, indexed for
//! the questions `status` and `renew` ask (counts by kind/level/state,
//! records without evidence, the renewal forecast). It is a cache: every
//! value is derived from `records/`, and `archive reindex` rebuilds it.
//!
//! WAL with `synchronous=NORMAL`: a committed transaction survives a
//! killed process; a power cut may lose the last few, which the next job's
//! repair (or reindex) restores from `records/`.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::batch_kind::BatchKind;
use crate::record::{Kind, RecordMeta, State};
use crate::vocabulary::{level_sql, Stored};
use crate::{Error, Result};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    level       TEXT,
    state       TEXT NOT NULL,
    dir         TEXT NOT NULL,
    ingested    TEXT NOT NULL,
    evidence    INTEGER NOT NULL DEFAULT 0,
    renew_by    TEXT,
    verified    TEXT,
    verify_state TEXT,
    audit_seq   INTEGER
);
CREATE INDEX IF NOT EXISTS records_kind ON records(kind, level, state);
CREATE INDEX IF NOT EXISTS records_renew ON records(renew_by);
CREATE INDEX IF NOT EXISTS records_month ON records(substr(dir, 1, 7));
CREATE INDEX IF NOT EXISTS records_no_evidence ON records(evidence) WHERE evidence = 0;
CREATE INDEX IF NOT EXISTS records_verify ON records(verify_state);
CREATE INDEX IF NOT EXISTS records_sha256 ON records(sha256);
CREATE INDEX IF NOT EXISTS records_unaudited ON records(audit_seq) WHERE audit_seq IS NULL;
CREATE TABLE IF NOT EXISTS flags (
    id          TEXT PRIMARY KEY,
    what        TEXT NOT NULL,
    audit_seq   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    time      TEXT NOT NULL,
    records   INTEGER NOT NULL,
    digest    TEXT NOT NULL,
    root      TEXT NOT NULL,
    renew_by  TEXT
);
";

/// The metadata columns (issue 21), added to catalogs made before them.
const METADATA_COLUMNS: [&str; 7] = [
    "patient_id",
    "document_type",
    "department",
    "author",
    "document_date",
    "tags",
    "signer",
];

/// Indexes for search (`crate::search`): a patient's records by date, a
/// document type by date, and dates alone.
const METADATA_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS records_patient ON records(patient_id, document_date);
CREATE INDEX IF NOT EXISTS records_document_type ON records(document_type, document_date);
CREATE INDEX IF NOT EXISTS records_document_date ON records(document_date);
";

/// Adds the metadata columns a catalog made before them lacks (their
/// values stay empty until `archive reindex` reads them from
/// `record.json`), and their indexes.
fn migrate_metadata(conn: &Connection) -> rusqlite::Result<()> {
    let mut have = std::collections::HashSet::new();
    {
        let mut stmt = conn.prepare("PRAGMA table_info(records)")?;
        let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
        for n in names {
            have.insert(n?);
        }
    }
    for col in METADATA_COLUMNS {
        if !have.contains(col) {
            conn.execute_batch(&format!("ALTER TABLE records ADD COLUMN {col} TEXT"))?;
        }
    }
    conn.execute_batch(METADATA_INDEXES)
}

/// The open catalog.
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
}

/// A catalog row (the parts jobs need).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Record id.
    pub id: String,
    /// Directory relative to `records/`.
    pub dir: String,
    /// Kind.
    pub kind: Kind,
    /// State.
    pub state: State,
    /// Evidence records.
    pub evidence: i64,
    /// Renewal deadline.
    pub renew_by: Option<String>,
}

impl Catalog {
    /// Opens (creating) the catalog at `path`.
    pub fn open(path: &Path) -> Result<Catalog> {
        let err = |source| Error::Catalog {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        migrate_metadata(&conn).map_err(err)?;
        Ok(Catalog {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens the catalog at `path` for reading only (`archive verify
    /// --read-only`: nothing is created or changed, so it also works on a
    /// read-only or full disk).
    pub fn open_read_only(path: &Path) -> Result<Catalog> {
        let err = |source| Error::Catalog {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(err)?;
        Ok(Catalog {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Every row, by id, with every column the comparisons need.
    pub fn full_rows(&self) -> Result<std::collections::HashMap<String, FullRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, source, sha256, kind, level, state, dir, evidence, audit_seq FROM records",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(FullRow {
                    id: r.get(0)?,
                    source: r.get(1)?,
                    sha256: r.get(2)?,
                    kind: r.get(3)?,
                    level: r.get(4)?,
                    state: r.get(5)?,
                    dir: r.get(6)?,
                    evidence: r.get(7)?,
                    audit_seq: r.get(8)?,
                })
            })
            .and_then(|it| {
                it.map(|r| r.map(|row| (row.id.clone(), row)))
                    .collect::<std::result::Result<_, _>>()
            })
            .map_err(self.err())?;
        Ok(rows)
    }

    /// The ids of the evidence batches the catalog knows.
    pub fn batch_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM batches ORDER BY id")
            .map_err(self.err())?;
        let ids = stmt
            .query_map([], |r| r.get(0))
            .and_then(|it| it.collect::<std::result::Result<_, _>>())
            .map_err(self.err())?;
        Ok(ids)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |source| Error::Catalog {
            path: self.path.clone(),
            source,
        }
    }

    /// The SQLite connection (for status queries and benchmarks).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Whether a record with `id` is catalogued.
    pub fn contains(&self, id: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM records WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |_| Ok(())).optional())
            .map(|o| o.is_some())
            .map_err(self.err())
    }

    /// The id and source of a record whose content has SHA-256 `sha256`.
    pub fn with_content(&self, sha256: &str) -> Result<Option<(String, String)>> {
        self.conn
            .prepare_cached(
                "SELECT id, source FROM records WHERE sha256 = ?1 ORDER BY ingested LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(self.err())
    }

    /// Inserts (or replaces) the rows of `records` in one transaction.
    pub fn insert(&mut self, records: &[&RecordMeta]) -> Result<()> {
        let path = self.path.clone();
        let err = move |source| Error::Catalog {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&err)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO records (id, source, sha256, kind, level, state, dir, ingested,
                        patient_id, document_type, department, author, document_date, tags, signer)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                     ON CONFLICT(id) DO UPDATE SET source = ?2, sha256 = ?3, kind = ?4,
                        level = ?5, state = ?6, dir = ?7, ingested = ?8, patient_id = ?9,
                        document_type = ?10, department = ?11, author = ?12,
                        document_date = ?13, tags = ?14, signer = ?15",
                )
                .map_err(&err)?;
            for m in records {
                let md = m.metadata.clone().unwrap_or_default();
                let tags = (!md.tags.is_empty())
                    .then(|| serde_json::to_string(&md.tags).unwrap_or_default());
                stmt.execute(params![
                    m.id,
                    m.source,
                    m.sha256,
                    m.kind.as_str(),
                    level_sql(m.level),
                    m.state.as_str(),
                    m.dir,
                    m.ingested,
                    md.patient_id,
                    md.document_type,
                    md.department,
                    md.author,
                    md.document_date,
                    tags,
                    md.signer
                ])
                .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }

    /// Marks `ids` as written to the audit log at `first_seq`, `first_seq + 1`, ...
    pub fn mark_audited(&mut self, ids: &[&str], first_seq: u64) -> Result<()> {
        let path = self.path.clone();
        let err = move |source| Error::Catalog {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&err)?;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE records SET audit_seq = ?2 WHERE id = ?1")
                .map_err(&err)?;
            for (i, id) in ids.iter().enumerate() {
                let seq = i64::try_from(first_seq + i as u64).unwrap_or(i64::MAX);
                stmt.execute(params![id, seq]).map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }

    /// Sets each row's `audit_seq` to the seq of its `archived` line.
    pub fn set_audit_seqs(&mut self, seqs: &[(&str, u64)]) -> Result<()> {
        let path = self.path.clone();
        let err = move |source| Error::Catalog {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&err)?;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE records SET audit_seq = ?2 WHERE id = ?1")
                .map_err(&err)?;
            for (id, seq) in seqs {
                stmt.execute(params![id, i64::try_from(*seq).unwrap_or(i64::MAX)])
                    .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }

    /// Flags a record as repaired (shown by `status` until acknowledged).
    pub fn flag(&mut self, id: &str, what: &str, audit_seq: u64) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO flags (id, what, audit_seq) VALUES (?1, ?2, ?3)",
                params![id, what, i64::try_from(audit_seq).unwrap_or(i64::MAX)],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Removes the repair flag of `id`; whether there was one.
    pub fn unflag(&mut self, id: &str) -> Result<bool> {
        self.conn
            .execute("DELETE FROM flags WHERE id = ?1", [id])
            .map(|n| n > 0)
            .map_err(self.err())
    }

    /// Marks every row as audited (reindex: their lines were written when
    /// they were archived).
    pub fn mark_all_audited(&mut self) -> Result<()> {
        self.conn
            .execute(
                "UPDATE records SET audit_seq = 0 WHERE audit_seq IS NULL",
                [],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Rows whose audit line was never written (a crash in between).
    pub fn unaudited(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, source, sha256 FROM records WHERE audit_seq IS NULL ORDER BY dir")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(self.err())?;
        Ok(rows)
    }

    /// Number of rows whose directory lies in month `yyyy_mm` (`"2026/11"`).
    pub fn count_month(&self, yyyy_mm: &str) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM records WHERE substr(dir, 1, 7) = ?1",
                [yyyy_mm],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(self.err())
    }

    /// Ids of the rows of month `yyyy_mm`.
    pub fn ids_in_month(&self, yyyy_mm: &str) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM records WHERE substr(dir, 1, 7) = ?1")
            .map_err(self.err())?;
        let ids = stmt
            .query_map([yyyy_mm], |r| r.get(0))
            .and_then(|it| it.collect::<std::result::Result<_, _>>())
            .map_err(self.err())?;
        Ok(ids)
    }

    /// Deletes rows by id.
    pub fn delete(&mut self, ids: &[String]) -> Result<()> {
        let path = self.path.clone();
        let err = move |source| Error::Catalog {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&err)?;
        for id in ids {
            tx.execute("DELETE FROM records WHERE id = ?1", [id])
                .map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    /// Total rows.
    pub fn count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(self.err())
    }

    /// Rows matching a SQL condition on `records` (e.g. `evidence = 0`),
    /// in directory order.
    pub fn rows_where(&self, condition: &str, param: Option<&str>) -> Result<Vec<Row>> {
        let sql = format!(
            "SELECT id, dir, kind, state, evidence, renew_by FROM records WHERE {condition} ORDER BY dir"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(self.err())?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok(Row {
                id: r.get(0)?,
                dir: r.get(1)?,
                kind: r.get(2)?,
                state: r.get(3)?,
                evidence: r.get(4)?,
                renew_by: r.get(5)?,
            })
        };
        let rows: Vec<Row> = match param {
            Some(p) => stmt.query_map([p], map),
            None => stmt.query_map([], map),
        }
        .and_then(|it| it.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(self.err())?;
        // The catalog is a cache: a row whose directory is not a record
        // directory name (damage, or a hand-edited file) never leads a job
        // outside records/.
        if let Some(bad) = rows
            .iter()
            .find(|r| !crate::record::is_record_dir(&r.dir, &r.id))
        {
            return Err(Error::Record {
                path: self.path.clone(),
                reason: format!(
                    "catalog row {:?} names directory {:?}: not YYYY/MM/<id>; run `hozon archive reindex`",
                    bad.id, bad.dir
                ),
            });
        }
        Ok(rows)
    }

    /// Records a new evidence batch over `ids`, each now having one more
    /// evidence record and deadline `renew_by`.
    pub fn add_evidence(&mut self, batch: &Batch, ids: &[String]) -> Result<()> {
        let path = self.path.clone();
        let err = move |source| Error::Catalog {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "INSERT OR REPLACE INTO batches (id, kind, time, records, digest, root, renew_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                batch.id,
                batch.kind,
                batch.time,
                i64::try_from(ids.len()).unwrap_or(i64::MAX),
                batch.digest,
                batch.root,
                batch.renew_by
            ],
        )
        .map_err(&err)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE records SET evidence = evidence + 1, renew_by = ?2 WHERE id = ?1",
                )
                .map_err(&err)?;
            for id in ids {
                stmt.execute(params![id, batch.renew_by]).map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }

    /// Sets a record's evidence count and deadline (reindex, repair).
    pub fn set_evidence(&mut self, id: &str, evidence: i64, renew_by: Option<&str>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE records SET evidence = ?2, renew_by = ?3 WHERE id = ?1",
                params![id, evidence, renew_by],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Stores verification outcomes (`passed`, `failed`, `indeterminate`).
    pub fn set_verified(&mut self, outcomes: &[(String, &'static str)], time: &str) -> Result<()> {
        let path = self.path.clone();
        let err = move |source| Error::Catalog {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&err)?;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE records SET verified = ?2, verify_state = ?3 WHERE id = ?1")
                .map_err(&err)?;
            for (id, state) in outcomes {
                stmt.execute(params![id, time, state]).map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }

    /// Deletes every row (reindex).
    pub fn clear(&mut self) -> Result<()> {
        self.conn
            .execute_batch("DELETE FROM records; DELETE FROM batches;")
            .map_err(self.err())
    }
}

/// A catalog row, every column the comparisons look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullRow {
    /// Record id.
    pub id: String,
    /// Source path.
    pub source: String,
    /// Content SHA-256.
    pub sha256: String,
    /// Kind (as stored: [`crate::checks`] reports text outside the
    /// vocabulary as a mismatch with `record.json`).
    pub kind: Stored<Kind>,
    /// Signature level (as stored).
    pub level: Option<Stored<hozon_verify::Level>>,
    /// State (as stored).
    pub state: Stored<State>,
    /// Directory relative to `records/`.
    pub dir: String,
    /// Evidence records made for it.
    pub evidence: i64,
    /// Seq of its `archived` audit line (0 after a reindex of an old
    /// archive: unknown).
    pub audit_seq: Option<i64>,
}

/// One evidence batch (one TSA token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Batch name (`evidence/<id>.ers`).
    pub id: String,
    /// `initial`, `timestamp-renewal`, `hash-tree-renewal`.
    pub kind: BatchKind,
    /// The token's genTime.
    pub time: String,
    /// Hash algorithm.
    pub digest: String,
    /// Root hash (hex).
    pub root: String,
    /// When the next renewal is due.
    pub renew_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_made_before_the_metadata_columns_gets_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.sqlite");
        {
            // The schema as it was before issue 21, with one row.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE records (id TEXT PRIMARY KEY, source TEXT NOT NULL,
                    sha256 TEXT NOT NULL, kind TEXT NOT NULL, level TEXT, state TEXT NOT NULL,
                    dir TEXT NOT NULL, ingested TEXT NOT NULL,
                    evidence INTEGER NOT NULL DEFAULT 0, renew_by TEXT, verified TEXT,
                    verify_state TEXT, audit_seq INTEGER);
                 INSERT INTO records (id, source, sha256, kind, state, dir, ingested)
                    VALUES ('a', '/in/a', '00', 'document', 'archived', '2026/11/a', 't');",
            )
            .unwrap();
        }
        let mut catalog = Catalog::open(&path).unwrap();
        assert_eq!(catalog.count().unwrap(), 1);
        let patient: Option<String> = catalog
            .connection()
            .query_row("SELECT patient_id FROM records WHERE id = 'a'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(patient, None);
        let row = crate::search::synthetic::record(3, 100);
        catalog.insert(&[&row]).unwrap();
        let (patient, date): (Option<String>, Option<String>) = catalog
            .connection()
            .query_row(
                "SELECT patient_id, document_date FROM records WHERE id = ?1",
                [&row.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let md = row.metadata.unwrap();
        assert_eq!(patient, md.patient_id);
        assert_eq!(date, md.document_date);
        // Opening again is idempotent.
        drop(catalog);
        Catalog::open(&path).unwrap();
    }

    #[test]
    fn rows_read_back_as_their_vocabularies_and_a_stranger_names_the_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.sqlite");
        let mut catalog = Catalog::open(&path).unwrap();
        let meta = crate::search::synthetic::record(8, 100);
        catalog.insert(&[&meta]).unwrap();
        let rows = catalog.rows_where("id = ?1", Some(&meta.id)).unwrap();
        assert_eq!((rows[0].kind, rows[0].state), (meta.kind, meta.state));
        let full = catalog.full_rows().unwrap();
        let row = &full[&meta.id];
        assert_eq!(row.kind, Stored::Known(meta.kind));
        assert_eq!(row.level, meta.level.map(Stored::Known));
        assert_eq!(row.state, Stored::Known(meta.state));
        // The catalog stores today's TEXT.
        let text: (String, String, String) = catalog
            .connection()
            .query_row("SELECT kind, level, state FROM records", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(text, ("signed".into(), "B-LT".into(), "archived".into()));
        // A hand-edited row: jobs refuse it naming the catalog, the
        // comparison with record.json keeps the text to report it.
        catalog
            .connection()
            .execute_batch("UPDATE records SET kind = 'Signed', level = 'ES-A', state = 'gone'")
            .unwrap();
        let e = catalog.rows_where("1", None).unwrap_err().to_string();
        assert!(e.contains("catalog.sqlite"), "{e}");
        assert!(e.contains("\"Signed\" is not a known record kind"), "{e}");
        let full = catalog.full_rows().unwrap();
        let row = &full[&meta.id];
        assert_eq!(row.kind, Stored::Unknown("Signed".into()));
        assert_eq!(row.level, Some(Stored::Unknown("ES-A".into())));
        assert_eq!(row.state, Stored::Unknown("gone".into()));
    }

    #[test]
    fn batches_store_their_kind_as_text() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite")).unwrap();
        let batch = Batch {
            id: "b1".into(),
            kind: BatchKind::TimestampRenewal,
            time: "t".into(),
            digest: "sha256".into(),
            root: "00".into(),
            renew_by: None,
        };
        catalog.add_evidence(&batch, &[]).unwrap();
        let kind: String = catalog
            .connection()
            .query_row("SELECT kind FROM batches", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kind, "timestamp-renewal");
    }
}
