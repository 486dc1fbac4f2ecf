//! `archive renew`: keeps every record's proof of existence ahead of its
//! deadline. First, records that never got evidence (the TSA was down at
//! ingest) are stamped. Then every record whose `renew_by` falls before
//! `now + before` is renewed:
//!
//! * `--mode ers` (default): RFC 4998 §5.2 time-stamp renewal of each
//!   record's newest evidence record — one TSA request per batch — or,
//!   with `--digest`, hash-tree renewal under the stronger algorithm (then
//!   every record with evidence is renewed, whatever its deadline).
//! * `--mode cades`: each signature is extended to B-LTA in place (an
//!   archive-time-stamp-v3 per signature, one TSA request each), through
//!   the same augmentation code as `hozon extend --level lta`. The
//!   signature it replaces is kept as `history/<name>.<n>` (the record's
//!   older evidence records cover those bytes), and `record.json` is
//!   replaced atomically with the new fixity. A record of a signed PDF
//!   (kind `pades`) gets a document time stamp over the file instead (EN
//!   319 142-1 B-LTA, after a DSS with the validation data of the stamps
//!   before it), through the same pipeline; the PDF it replaces is kept
//!   as `history/<name>.<n>` the same way.
//!
//! Renewal only needs the previous evidence to be valid *now* — the
//! signer's or an older TSA's certificate may have expired long ago.

use std::path::Path;

use serde::Serialize;
use serde_json::json;

use hozon_cms::UnixTime;

use crate::audit::fields;
use crate::evidence::{self, EvidenceOutcome, RenewKind, Stamper, Validation};
use crate::progress::Progress;
use crate::record::{FileEntry, RecordMeta, Role};
use crate::{crash, durable, Result, Session};
use hozon_ltv::Augmenter;

/// How to renew.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Evidence records.
    Ers(RenewKind),
    /// B-LTA archive time stamps in the signatures.
    Cades,
}

/// What to renew.
#[derive(Clone, Copy, Debug)]
pub struct RenewOptions {
    /// Renew what is due before `now + before_secs`.
    pub before_secs: i64,
    /// The current time (a test may move it forward).
    pub now: UnixTime,
    /// How.
    pub mode: Mode,
    /// Records per evidence batch.
    pub batch_size: usize,
}

/// A signature extended (cades mode), or why not.
#[derive(Clone, Debug, Serialize)]
pub struct Extended {
    /// Record directory.
    pub dir: String,
    /// The error, if it failed.
    pub error: Option<String>,
}

/// The outcome of a renewal run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RenewReport {
    /// Evidence records made before hozon embedded validation data that
    /// got it now (written as `<batch>.vd.ers`).
    pub completed: usize,
    /// Records that had no evidence yet, stamped first.
    pub pending: EvidenceOutcome,
    /// Records due.
    pub due: usize,
    /// Of those, records already past their deadline: renewed late, their
    /// older stamps may no longer be provable (`archive verify` says).
    pub overdue: usize,
    /// Evidence renewal (ers mode).
    pub renewed: EvidenceOutcome,
    /// Signatures extended (cades mode).
    pub extended: Vec<Extended>,
}

impl RenewReport {
    /// Whether something could not be renewed.
    pub fn incomplete(&self) -> bool {
        self.pending.error.is_some()
            || self.renewed.error.is_some()
            || !self.pending.left_out.is_empty()
            || !self.renewed.left_out.is_empty()
            || self.extended.iter().any(|e| e.error.is_some())
    }

    /// Whether a renewal was refused because it would not have moved the
    /// deadline (exit 3: the operator must change the TSA or the digest).
    pub fn ineffective(&self) -> Option<&str> {
        self.renewed.ineffective.as_deref()
    }
}

/// A `--before` window that is not a duration like `90d`, `12w` or `36h`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// No number before the unit.
    #[error("{0:?} is not a duration like 90d, 12w or 36h")]
    NotADuration(String),
    /// A unit other than d, w or h.
    #[error("{0:?}: the unit must be d, w or h")]
    Unit(String),
    /// Negative, or too large for seconds in an i64.
    #[error("{0:?} is out of range")]
    OutOfRange(String),
}

/// Parses `90d`, `12w`, `36h`, `0d` into seconds.
pub fn parse_window(text: &str) -> std::result::Result<i64, WindowError> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = num
        .parse()
        .map_err(|_| WindowError::NotADuration(text.to_owned()))?;
    let unit = match unit {
        "d" => 86_400,
        "w" => 7 * 86_400,
        "h" => 3_600,
        _ => return Err(WindowError::Unit(text.to_owned())),
    };
    n.checked_mul(unit)
        .filter(|s| *s >= 0)
        .ok_or_else(|| WindowError::OutOfRange(text.to_owned()))
}

/// Runs the renewal. Every new token gets its validation data from
/// `validation.verifier`; with `validation.check_first`, evidence records
/// are verified before they are renewed ([`evidence::renew`]). First,
/// evidence records made before validation data was embedded get it
/// ([`evidence::complete_missing`]).
pub fn run(
    session: &mut Session,
    tsa: &dyn Stamper,
    extend_lta: Option<&Augmenter>,
    options: &RenewOptions,
    validation: Validation<'_>,
    progress: &dyn Progress,
) -> Result<RenewReport> {
    let mut notes = Vec::new();
    let completed = evidence::complete_missing(session, validation.verifier, &mut notes)?;
    let mut report = RenewReport {
        completed,
        pending: evidence::stamp_pending(
            session,
            Some(tsa),
            validation.verifier,
            options.batch_size,
            progress,
        )?,
        ..RenewReport::default()
    };
    report.pending.notes.extend(notes);
    let horizon = UnixTime(options.now.0.saturating_add(options.before_secs)).rfc3339();
    let rows = match options.mode {
        Mode::Ers(RenewKind::HashTree(_)) => session.catalog.rows_where("evidence > 0", None)?,
        _ => session.catalog.rows_where(
            "evidence > 0 AND renew_by IS NOT NULL AND renew_by <= ?1",
            Some(&horizon),
        )?,
    };
    // The same comparison as `archive verify`: what disagrees is left out.
    let mut disagree = Vec::new();
    let rows = crate::checks::admit(session, rows, &mut disagree)?;
    report.due = rows.len() + disagree.len();
    let now = options.now.rfc3339();
    report.overdue = rows
        .iter()
        .filter(|r| r.renew_by.as_deref().is_some_and(|d| d < now.as_str()))
        .count();
    match options.mode {
        Mode::Ers(kind) => {
            report.renewed = evidence::renew(
                session,
                &rows,
                tsa,
                kind,
                options.batch_size,
                validation,
                progress,
            )?;
        }
        Mode::Cades => {
            let augmenter = extend_lta.ok_or_else(|| {
                crate::Error::Evidence("--mode cades needs the augmentation pipeline".into())
            })?;
            progress.phase("extending", rows.len() as u64);
            for row in &rows {
                let dir = session.layout.records().join(&row.dir);
                let error = extend_record(session, &row.id, &dir, augmenter).err();
                report.extended.push(Extended {
                    dir: row.dir.clone(),
                    error,
                });
                progress.advance(1);
            }
            progress.finish();
            let ok: Vec<&Extended> = report
                .extended
                .iter()
                .filter(|e| e.error.is_none())
                .collect();
            durable::sync_filesystem(&session.layout.records())?;
            // The catalog's deadline now comes from the new archive stamps;
            // the evidence records keep theirs until their own renewal.
            let ids: Vec<String> = rows
                .iter()
                .filter(|r| ok.iter().any(|e| e.dir == r.dir))
                .map(|r| r.id.clone())
                .collect();
            session.audit.append(&[(
                "renew",
                fields([
                    ("kind", json!("cades")),
                    ("records", json!(ids.len())),
                    ("failed", json!(report.extended.len() - ok.len())),
                ]),
            )])?;
        }
    }
    report.renewed.left_out.extend(disagree);
    Ok(report)
}

/// Extends the record's signature to B-LTA in place: the old bytes are
/// kept under `history/`, the new ones published atomically, and
/// `record.json` replaced atomically with the new fixity.
fn extend_record(
    session: &mut Session,
    id: &str,
    dir: &Path,
    augmenter: &Augmenter,
) -> std::result::Result<(), String> {
    let mut meta = RecordMeta::read(dir).map_err(|e| e.to_string())?;
    // A signed PDF is renewed inside the file: a document time stamp
    // over it (B-LTA), as a new generation.
    let embedded = crate::embedded::Embedded::of_kind(meta.kind);
    let role = match embedded {
        Some(_) => crate::embedded::signed_file(&meta).map_or(Role::SignedDocument, |f| f.role),
        None => Role::Signature,
    };
    let sig = meta
        .file(role)
        .cloned()
        .ok_or("the record has no signature")?;
    let sig_path = dir.join(&sig.name);
    let bytes = std::fs::read(&sig_path).map_err(|e| format!("{}: {e}", sig_path.display()))?;
    let sha = crate::sha256_hex(&bytes);
    // A run killed between record.json and the signature left the old
    // signature (already kept in history/) with a record.json naming the
    // new one: extend again from the old bytes.
    let interrupted = sha != sig.sha256
        && meta.history.last().is_some_and(|h| {
            h.sha256 == sha && h.name.starts_with(&format!("history/{}.", sig.name))
        });
    if sha != sig.sha256 && !interrupted {
        return Err(format!(
            "{}: differs from record.json; not extended (`hozon archive verify` reports it)",
            sig_path.display()
        ));
    }
    let content = meta.file(Role::Document).map(|d| dir.join(&d.name));
    let extended = match embedded {
        Some(format) => {
            crate::embedded::renewed(augmenter, format, &sig_path).map_err(|e| e.to_string())?
        }
        None => augmenter
            .apply(&sig_path.display().to_string(), &bytes, content.as_deref())
            .map_err(|e| e.to_string())?,
    };
    if !interrupted {
        let history = dir.join("history");
        std::fs::create_dir_all(&history).map_err(|e| format!("{}: {e}", history.display()))?;
        let n = meta.history.len() + 1;
        let old_name = format!("history/{}.{n}", sig.name);
        hozon_io::write_atomic(&dir.join(&old_name), &bytes, hozon_io::Overwrite::Never)
            .map_err(|e| format!("{old_name}: {e}"))?;
        meta.history.push(FileEntry {
            name: old_name,
            role,
            sha256: sha,
            size: bytes.len() as u64,
        });
    }
    for f in &mut meta.files {
        if f.role == role {
            f.sha256 = crate::sha256_hex(&extended);
            f.size = extended.len() as u64;
        }
    }
    // The new version's fixity is logged before record.json names it, so
    // the comparison with the log accepts it (and nothing else).
    session
        .audit
        .append(&[(
            "extended",
            fields([
                ("id", json!(id)),
                ("file", json!(sig.name)),
                ("sha256", json!(crate::sha256_hex(&extended))),
                ("size", json!(extended.len())),
            ]),
        )])
        .map_err(|e| e.to_string())?;
    hozon_io::write_atomic(
        &dir.join("record.json"),
        &meta.to_bytes(),
        hozon_io::Overwrite::Replace,
    )
    .map_err(|e| format!("record.json: {e}"))?;
    crash::point("cades-record");
    hozon_io::write_atomic(&sig_path, &extended, hozon_io::Overwrite::Replace)
        .map_err(|e| format!("{}: {e}", sig_path.display()))?;
    Ok(())
}

/// What a renewal run comes to, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenewVerdict {
    /// Everything due was renewed.
    Passed,
    /// A record was left out: it disagrees with the catalog or its evidence
    /// fails (a failed check).
    Failed,
    /// The TSA or the disk stopped the renewal (I/O).
    IoError,
    /// The renewal was refused: it would not have moved the deadline (the
    /// operator must change the TSA or the digest).
    Refused,
}

impl RenewReport {
    /// A record left out is a failed check; a renewal the TSA or the disk
    /// stopped is I/O; a refused (ineffective) renewal comes last.
    pub fn verdict(&self) -> RenewVerdict {
        let left_out = !self.pending.left_out.is_empty() || !self.renewed.left_out.is_empty();
        if left_out {
            RenewVerdict::Failed
        } else if self.incomplete() {
            RenewVerdict::IoError
        } else if self.ineffective().is_some() {
            RenewVerdict::Refused
        } else {
            RenewVerdict::Passed
        }
    }
}
