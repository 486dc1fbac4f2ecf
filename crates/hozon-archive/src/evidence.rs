//! Evidence records (RFC 4998) for archived records: one TSA token per
//! batch, one `evidence/<batch>.ers` per record.

use serde::Serialize;

use hozon_tsp::TsaClient;

use crate::ingest::Progress;
use crate::{Result, Session};

/// One stamped batch.
#[derive(Clone, Debug, Serialize)]
pub struct BatchInfo {
    /// Batch name.
    pub id: String,
    /// Records covered.
    pub records: usize,
    /// The token's genTime.
    pub time: String,
}

/// What the evidence step did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EvidenceOutcome {
    /// Batches stamped.
    pub batches: Vec<BatchInfo>,
    /// Records still without evidence.
    pub pending: u64,
    /// Why stamping stopped (TSA unreachable, none configured).
    pub error: Option<String>,
}

/// Stamps every archived record without evidence, `batch_size` per TSA
/// request.
pub fn stamp_pending(
    session: &mut Session,
    tsa: Option<&TsaClient>,
    batch_size: usize,
    progress: &dyn Progress,
) -> Result<EvidenceOutcome> {
    let _ = (tsa, batch_size, progress);
    let pending = session.catalog.rows_where("evidence = 0", None)?.len() as u64;
    Ok(EvidenceOutcome {
        batches: Vec::new(),
        pending,
        error: Some("evidence records are not built by this version yet".into()),
    })
}

/// The `renew_by` of an evidence record file: its newest time stamp's TSA
/// certificate expiry minus `margin_days` (`None` if unreadable).
pub fn renew_by_of_file(path: &std::path::Path, margin_days: u32) -> Option<String> {
    let _ = (path, margin_days);
    None
}

/// Checks one evidence record file of the record in `dir`.
pub fn verify_file(
    path: &std::path::Path,
    dir: &std::path::Path,
    meta: &crate::record::RecordMeta,
    verifier: &hozon_verify::Verifier,
) -> Vec<crate::verify::Problem> {
    let _ = (dir, meta, verifier);
    vec![crate::verify::Problem {
        kind: crate::verify::ProblemKind::Indeterminate,
        file: path.display().to_string(),
        detail: "evidence records are not verified by this version yet".into(),
    }]
}
