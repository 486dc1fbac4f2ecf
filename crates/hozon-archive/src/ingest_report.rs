//! What an ingest run comes to: the inputs archived, skipped and refused
//! ([`IngestReport`]) and the verdict for the exit code. Named by ingest,
//! its input classification, the outbox and `archive watch`.

use serde::Serialize;

use crate::evidence::EvidenceOutcome;
use crate::record::{Kind, State};
use crate::session::Recovery;

/// One archived input.
#[derive(Clone, Debug, Serialize)]
pub struct Archived {
    /// Source path.
    pub source: String,
    /// Record id.
    pub id: String,
    /// Classification.
    pub kind: Kind,
    /// Signature level.
    pub level: Option<hozon_verify::Level>,
    /// State.
    pub state: State,
    /// Record directory relative to `records/`.
    pub dir: String,
}

/// An input that was not archived, or was already.
#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    /// Source path.
    pub source: String,
    /// Why (or the existing record's id).
    pub reason: String,
}

/// The outcome of an ingest run.
#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    /// New records.
    pub archived: Vec<Archived>,
    /// Inputs already in the archive (same path, same content).
    pub already_archived: Vec<Skipped>,
    /// Inputs refused (failed signature or scan check, unreadable, ...).
    pub not_archived: Vec<Skipped>,
    /// Of `not_archived`, inputs that could not be read (an I/O error:
    /// exit 4 rather than 1).
    pub unreadable: usize,
    /// The evidence step.
    pub evidence: EvidenceOutcome,
    /// What the start of the run repaired.
    #[serde(skip)]
    pub recovery: Recovery,
}

/// What an ingest run comes to, for the exit code (DESIGN.md: 1 for a
/// failed check, 4 for I/O).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IngestVerdict {
    /// Everything was archived (or already was) and stamped.
    Passed,
    /// An input was refused by a check, or a record was left out of the
    /// evidence batch.
    Failed,
    /// Only I/O went wrong: an input could not be read, or the TSA gave no
    /// evidence.
    IoError,
}

impl IngestReport {
    /// Refused inputs (beyond the unreadable ones) and records left out of
    /// the evidence batch fail the run; unreadable inputs and a missing
    /// time stamp are I/O errors.
    pub fn verdict(&self) -> IngestVerdict {
        if self.not_archived.len() > self.unreadable || !self.evidence.left_out.is_empty() {
            IngestVerdict::Failed
        } else if self.unreadable > 0 || self.evidence.error.is_some() {
            IngestVerdict::IoError
        } else {
            IngestVerdict::Passed
        }
    }
}
