//! `archive status`: what the archive holds and what is due, answered from
//! the catalog alone with indexed `GROUP BY` queries (no per-record work in
//! Rust), so it stays well under two seconds at a million records.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::record::{Kind, State};
use crate::verify::VerifyState;
use crate::{Error, Layout, Result};

/// Records of one kind, level and state.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Group {
    /// `signed`, `document`, `scan`.
    pub kind: Kind,
    /// Signature level at ingest.
    pub level: Option<hozon_verify::Level>,
    /// `archived` or `accepted-failed`.
    pub state: State,
    /// How many.
    pub count: u64,
}

/// Records due in one month.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Due {
    /// `YYYY-MM`.
    pub month: String,
    /// Records whose `renew_by` falls in it.
    pub count: u64,
}

/// Last verification outcomes.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Verification {
    /// Passed at the last `archive verify`.
    pub passed: u64,
    /// Failed (missing, altered, invalid).
    pub failed: u64,
    /// Indeterminate.
    pub indeterminate: u64,
    /// Never verified since ingest.
    pub never: u64,
}

/// The renewal forecast.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Renewal {
    /// The earliest `renew_by`.
    pub earliest: Option<String>,
    /// Which date drives the earliest `renew_by` (the TSA certificate's
    /// expiry, or its key's or digest's sunset) and what would move it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest_reason: Option<String>,
    /// Records whose `renew_by` has passed.
    pub overdue: u64,
    /// Records due by month.
    pub by_month: Vec<Due>,
}

/// `archive status --json`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StatusReport {
    /// Time the forecast is relative to.
    pub now: String,
    /// Records.
    pub total: u64,
    /// Counts by kind, level and state.
    pub by_kind: Vec<Group>,
    /// Records kept although their checks failed.
    pub accepted_failed: u64,
    /// Records with no evidence record yet (the TSA was unreachable):
    /// `archive renew` stamps them first.
    pub without_evidence: u64,
    /// Records a job repaired (recovered after an interrupted run, catalog
    /// row re-created) that no administrator has acknowledged yet
    /// (`archive acknowledge`).
    pub repaired_unacknowledged: u64,
    /// Outcomes of the last verification.
    pub verification: Verification,
    /// What is due.
    pub renewal: Renewal,
    /// The watch-folder service, if one ever ran on the archive
    /// (`watch.json`: backlog, last batch, errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watch: Option<crate::watch::WatchState>,
}

/// Reads the status of the archive at `root` as of `now` (RFC 3339).
pub fn run(root: &Path, now: &str) -> Result<StatusReport> {
    let path = Layout::new(root).catalog();
    if !path.exists() {
        return Err(Error::Config {
            path,
            reason: "no catalog: not an archive (`hozon archive init DIR`), or run `hozon archive reindex`".into(),
        });
    }
    let conn =
        Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|source| {
            Error::Catalog {
                path: path.clone(),
                source,
            }
        })?;
    let mut report = query(&conn, now).map_err(|source| Error::Catalog {
        path: path.clone(),
        source,
    })?;
    // hozon.toml's `[crypto]` policy dates the algorithms (an invalid one
    // is an error, as for every other job).
    let policy = crate::config::Config::load(&Layout::new(root).config())?.algorithms();
    report.renewal.earliest_reason =
        earliest_reason(root, &conn, report.renewal.earliest.as_deref(), &policy);
    report.watch = crate::watch::state::read(root)?;
    Ok(report)
}

/// Why the earliest deadline is what it is: read from the newest evidence
/// record of one record due then.
fn earliest_reason(
    root: &Path,
    conn: &Connection,
    earliest: Option<&str>,
    policy: &hozon_verify::AlgorithmPolicy,
) -> Option<String> {
    let dir: String = conn
        .query_row(
            "SELECT dir FROM records WHERE renew_by = ?1 LIMIT 1",
            [earliest?],
            |r| r.get(0),
        )
        .ok()?;
    let files = crate::record::evidence_files(&Layout::new(root).records().join(dir)).ok()?;
    crate::evidence::renew_by_reason_of_file(files.last()?, 0, policy)
}

/// Column `i` of a catalog row as the vocabulary `parse` reads (kind,
/// state); a name outside it is a damaged catalog.
fn catalog_name<T>(
    row: &rusqlite::Row<'_>,
    i: usize,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let name: String = row.get(i)?;
    parse(&name).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("{name:?} is not a catalog name for this column").into(),
        )
    })
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The queries, on an open catalog.
pub fn query(conn: &Connection, now: &str) -> rusqlite::Result<StatusReport> {
    let mut by_kind = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT kind, level, state, COUNT(*) FROM records GROUP BY kind, level, state ORDER BY kind, level, state",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        by_kind.push(Group {
            kind: catalog_name(r, 0, Kind::parse)?,
            level: crate::vocabulary::level_column(r, 1)?,
            state: catalog_name(r, 2, State::parse)?,
            count: count(r.get(3)?),
        });
    }
    let total = by_kind.iter().map(|g| g.count).sum();
    let accepted_failed = by_kind
        .iter()
        .filter(|g| g.state == State::AcceptedFailed)
        .map(|g| g.count)
        .sum();
    let mut without_evidence = count(conn.query_row(
        "SELECT COUNT(*) FROM records WHERE evidence = 0",
        [],
        |r| r.get(0),
    )?);
    // Catalogs made before repairs were flagged have no such table.
    let repaired_unacknowledged = conn
        .query_row("SELECT COUNT(*) FROM flags", [], |r| r.get(0))
        .map(count)
        .unwrap_or(0);
    let mut verification = Verification::default();
    let mut stmt =
        conn.prepare("SELECT verify_state, COUNT(*) FROM records GROUP BY verify_state")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let state: Option<String> = r.get(0)?;
        let n = count(r.get(1)?);
        match state.as_deref().and_then(VerifyState::parse) {
            Some(VerifyState::Passed) => verification.passed += n,
            Some(VerifyState::Failed) => verification.failed += n,
            Some(VerifyState::EvidenceMissing) => {
                verification.failed += n;
                without_evidence += n;
            }
            Some(VerifyState::Indeterminate) => verification.indeterminate += n,
            Some(VerifyState::AcceptedFailed) | None => verification.never += n,
        }
    }
    let mut renewal = Renewal {
        earliest: conn.query_row(
            "SELECT MIN(renew_by) FROM records WHERE renew_by IS NOT NULL",
            [],
            |r| r.get(0),
        )?,
        overdue: count(conn.query_row(
            "SELECT COUNT(*) FROM records WHERE renew_by IS NOT NULL AND renew_by < ?1",
            [now],
            |r| r.get(0),
        )?),
        by_month: Vec::new(),
        earliest_reason: None,
    };
    let mut stmt = conn.prepare(
        "SELECT substr(renew_by, 1, 7) AS m, COUNT(*) FROM records
         WHERE renew_by IS NOT NULL GROUP BY m ORDER BY m",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        renewal.by_month.push(Due {
            month: r.get(0)?,
            count: count(r.get(1)?),
        });
    }
    Ok(StatusReport {
        now: now.to_string(),
        total,
        by_kind,
        accepted_failed,
        without_evidence,
        repaired_unacknowledged,
        verification,
        renewal,
        watch: None,
    })
}
