//! The comparisons that make tampering visible (used alike by `archive
//! verify`, which reports, and by `archive renew` and the evidence step of
//! `ingest`, which leave out what disagrees rather than stamp it). Each
//! check is one concern in its own file; none of them writes anything.
//!
//! A record is compared three ways: its directory against `record.json`
//! ([`dir_listing`]; fixity is verify's own step), `record.json` against
//! its `archived` audit line ([`manifest`]), the catalog row against both
//! ([`catalog_row`]); its evidence files against the batches the catalog
//! and the log know ([`evidence_expected`]). The log itself is compared
//! with the heads the evidence commits to ([`audit_heads`]).

pub mod audit_heads;
pub mod audit_index;
pub mod catalog_row;
pub mod dir_listing;
pub mod evidence_expected;
pub mod manifest;

use std::collections::HashMap;
use std::path::Path;

use crate::catalog::{Catalog, FullRow, Row};
use crate::record::RecordMeta;
use crate::{Layout, Result, Session};

pub use audit_index::AuditIndex;

/// A record the evidence step (or renewal) left out, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Left {
    /// Record directory.
    pub dir: String,
    /// Why.
    pub reason: String,
}

/// What a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// Something expected is not there.
    Missing,
    /// Two sources disagree, or something is there that should not be.
    Invalid,
}

/// One disagreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Category.
    pub kind: FindingKind,
    /// The file (relative to the record directory) or `catalog` / `audit`.
    pub file: String,
    /// The field that differs (`state`, `files[x].sha256`, `evidence`, ...).
    pub field: String,
    /// Both values and what it means.
    pub detail: String,
}

impl Finding {
    /// An [`FindingKind::Invalid`] finding.
    pub fn invalid(file: &str, field: &str, detail: String) -> Finding {
        Finding {
            kind: FindingKind::Invalid,
            file: file.to_string(),
            field: field.to_string(),
            detail,
        }
    }
}

/// What the comparisons compare against: the log and the catalog, read
/// once.
pub struct Context {
    /// The audit log.
    pub index: AuditIndex,
    /// The catalog's rows by id.
    pub rows: HashMap<String, FullRow>,
}

impl Context {
    /// Reads the log and the catalog of the archive at `layout`.
    pub fn read(layout: &Layout, catalog: &Catalog) -> Result<Context> {
        Ok(Context {
            index: AuditIndex::read(&layout.audit_log())?,
            rows: catalog.full_rows()?,
        })
    }
}

/// Every comparison of one record (`meta` read from `dir`): what
/// disagrees. Fixity of the files is not repeated here (the stamping and
/// verification steps hash the files themselves).
pub fn compare_record(ctx: &Context, dir: &Path, meta: &RecordMeta) -> Vec<Finding> {
    let row = ctx.rows.get(&meta.id);
    let mut out = dir_listing::check(dir, meta);
    out.extend(manifest::check(meta, &ctx.index));
    out.extend(catalog_row::check(meta, row, &ctx.index));
    out.extend(evidence_expected::check(
        &evidence_expected::batches_of(dir),
        row,
        &ctx.index,
    ));
    out
}

/// The rows of `rows` whose records pass every comparison; the others go
/// to `left_out` with the reasons. Nothing at all is admitted while the
/// audit log itself is damaged (a stamp would commit to a damaged head).
pub fn admit(session: &Session, rows: Vec<Row>, left_out: &mut Vec<Left>) -> Result<Vec<Row>> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let ctx = Context::read(&session.layout, &session.catalog)?;
    if !ctx.index.chain_problems.is_empty() {
        let why = format!(
            "not stamped: the audit log is damaged ({}); `hozon archive verify` shows it",
            ctx.index.chain_problems.join("; ")
        );
        left_out.extend(rows.into_iter().map(|r| Left {
            dir: r.dir,
            reason: why.clone(),
        }));
        return Ok(Vec::new());
    }
    let records = session.layout.records();
    use rayon::prelude::*;
    let judged: Vec<(Row, Option<String>)> = rows
        .into_par_iter()
        .map(|row| {
            let dir = records.join(&row.dir);
            let reason = match RecordMeta::read(&dir) {
                Err(e) => Some(e.to_string()),
                Ok(meta) => {
                    let found = compare_record(&ctx, &dir, &meta);
                    (!found.is_empty()).then(|| {
                        found
                            .iter()
                            .map(|f| format!("{}: {}", f.field, f.detail))
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                }
            };
            (row, reason)
        })
        .collect();
    let mut ok = Vec::new();
    for (row, reason) in judged {
        match reason {
            None => ok.push(row),
            Some(r) => left_out.push(Left {
                dir: row.dir,
                reason: format!(
                    "not stamped: it disagrees with the archive's records ({r}); `hozon archive verify` shows it"
                ),
            }),
        }
    }
    Ok(ok)
}
