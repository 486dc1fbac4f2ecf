//! Evidence records (RFC 4998, built by hozon-ers) for archived records:
//! one TSA token per batch of up to `batch_size` records, and for every
//! record its own `evidence/<batch>.ers` (reduced hash tree + the token), so
//! each record verifies with nothing but its own directory (MHLW Q&A
//! 企Q-47).
//!
//! A record's **data group** is the SHA-256 (or, after hash-tree renewal,
//! the stronger digest) of each file `record.json` lists, in its order:
//! the document, its signature, the scan report; and of the snapshot of
//! its fields, `record.fields.json` ([`crate::stamped_fields`]), written
//! when it is first stamped (records stamped before have none). Before a record is
//! stamped its files are hashed again and compared with `record.json`, so
//! a file altered on disk is never stamped (it would launder the change).
//!
//! The **audit log** is stamped with every batch: its last line (whose
//! SHA-256 is the chain's head) is one more data group, and its evidence
//! record goes to `ARCHIVE/audit/<batch>.ers` with `<batch>.json` naming the
//! line's seq. Renewal renews the audit log's newest evidence record in the
//! same tree as the records'.
//!
//! Renewal writes the renewed record as a new file `evidence/<batch>.ers`
//! (it contains the previous chain and the new stamp); older files stay as
//! they are. The newest file of a record is the one that counts.
//!
//! **Validation data.** Every token is stored with its TSA's certificate
//! path and the revocation data (CRL or OCSP response, from hozon.toml or
//! fetched once per run) that its validation relied on, in the token's
//! SignedData `certificates` and `crls` ([`hozon_ers::validation`] says
//! why there). Before a renewal, the previous newest token is completed
//! with the data available now, so that the new stamp covers it (RFC 4998
//! §5.2). A record made before this existed gets its data at the next
//! `archive renew`: its newest evidence record, completed, is written as a
//! new file `evidence/<batch>.vd.ers` (sorting after the one it completes;
//! files are only added, never rewritten, so replicas stay write-once).

mod check;
mod files;
mod renew;
mod stamp;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use hozon_cms::{DigestAlgorithm, UnixTime};
use hozon_ers::{EvidenceBatch, EvidenceRecord, HashTreeRenewal, TimestampRenewal};
use hozon_tsp::Stamp;

use crate::audit::fields;
use crate::catalog::{Batch, Row};
use crate::progress::Progress;
use crate::record::{evidence_files, RecordMeta};
use crate::{crash, durable, io_err, Error, Result, Session};

use files::*;

pub(crate) use check::indication_text;
pub use check::{
    candidate_contents, structure_problem, verify_audit, verify_newest, verify_newest_report,
    Proven,
};
pub use renew::{renew, RenewKind};
pub use stamp::{complete_missing, stamp_pending};

pub use crate::batch_kind::BatchKind;
pub use crate::stamper::{StampError, Stamper};

/// One stamped batch.
#[derive(Clone, Debug, Serialize)]
pub struct BatchInfo {
    /// Which date drives `renew_by` and what would move it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renew_by_reason: Option<String>,
    /// Batch name.
    pub id: String,
    /// `initial`, `timestamp-renewal` or `hash-tree-renewal`.
    pub kind: BatchKind,
    /// Records covered.
    pub records: usize,
    /// The token's genTime.
    pub time: String,
    /// When the batch must be renewed.
    pub renew_by: Option<String>,
}

pub use crate::checks::Left;

/// The verifier the evidence step validates with.
#[derive(Clone, Copy)]
pub struct Validation<'a> {
    /// Validates every new token (its validation data is embedded) and,
    /// with `check_first`, each record's evidence before it is renewed.
    pub verifier: &'a hozon_verify::Verifier,
    /// Verify each record's newest evidence record before renewing it.
    pub check_first: bool,
}

/// `token` with its TSA's certificate path and revocation data added to
/// its SignedData (unsigned fields: the TSA's signature stays valid), and
/// why its validation did not pass, if it did not.
pub fn complete_token(
    verifier: &hozon_verify::Verifier,
    token: &[u8],
) -> Result<(Vec<u8>, Option<String>)> {
    let data = verifier.time_stamp_validation_data(token);
    let e = &data.evidence;
    let with = hozon_ltv::add_validation_data(token, &e.certs, &e.crls, &e.ocsp)
        .map_err(|e| Error::Evidence(format!("embedding the TSA's validation data: {e}")))?;
    Ok((with.der, data.problem))
}

/// The records' newest evidence records with their newest token completed
/// (each distinct token once: a batch shares one).
pub(super) fn complete_newest(
    verifier: &hozon_verify::Verifier,
    ers: &mut [&mut EvidenceRecord],
    notes: &mut Vec<String>,
) -> Result<()> {
    let mut done: std::collections::HashMap<Vec<u8>, Vec<u8>> = std::collections::HashMap::new();
    for er in ers.iter_mut() {
        let token = hozon_ers::validation::newest_token(er).map_err(ers_err("newest token"))?;
        let completed = match done.get(&token) {
            Some(c) => c.clone(),
            None => {
                let (c, problem) = complete_token(verifier, &token)?;
                if let Some(p) = problem {
                    notes.push(format!(
                        "the time stamp being renewed did not validate completely, its validation data may be incomplete: {p}"
                    ));
                }
                done.insert(token, c.clone());
                c
            }
        };
        **er = hozon_ers::validation::with_completed_newest_token(er, &completed)
            .map_err(ers_err("completing the newest time stamp"))?;
    }
    Ok(())
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
    /// Records left out (their files differ from record.json, unreadable,
    /// or their evidence does not verify).
    pub left_out: Vec<Left>,
    /// Records renewed although their evidence could not be verified
    /// completely (INDETERMINATE: revocation data out of date, a TSA
    /// certificate expired), with why: renewing them keeps what they prove.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Left>,
    /// Problems with the validation data embedded in the new tokens (a
    /// TSA's revocation data could not be obtained, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A renewal that would not have moved the deadline: nothing was
    /// written, and this says what to change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ineffective: Option<String>,
}

pub(super) fn ers_err(context: &str) -> impl FnOnce(hozon_ers::Error) -> Error + '_ {
    move |e| Error::Evidence(format!("{context}: {e}"))
}

/// `<audit seq>-<genTime>-<12 hex of the root>`. The audit log's next seq
/// grows with every batch (each appends a line), so names sort in the
/// order batches were made even within one second, and "the newest
/// evidence record" is simply the last name.
pub(super) fn batch_id(seq: u64, gen_time: UnixTime, root: &[u8]) -> String {
    let t = gen_time.rfc3339().replace(['-', ':'], "");
    format!("{seq:010}-{t}-{}", &hex::encode(root)[..12])
}

/// The TSA certificate's expiry, or earlier its key's algorithm sunset,
/// minus `margin_days` (as hozon verify computes `renew_by`).
pub fn renew_by_for(
    tsa: &hozon_cms::Cert,
    digest: DigestAlgorithm,
    margin_days: u32,
    policy: &hozon_verify::AlgorithmPolicy,
) -> String {
    deadline_for(tsa, digest, margin_days, policy).0
}

/// `renew_by` (as [`renew_by_for`]) and which date drives it.
pub fn deadline_for(
    tsa: &hozon_cms::Cert,
    digest: DigestAlgorithm,
    margin_days: u32,
    policy: &hozon_verify::AlgorithmPolicy,
) -> (String, String) {
    let due = hozon_verify::deadline::renewal_deadline(tsa, digest, policy);
    let by = UnixTime(due.end.0.saturating_sub(i64::from(margin_days) * 86_400)).rfc3339();
    (by, due.reason)
}

/// Why `renew_by` of an evidence record file is what it is (see
/// [`renew_by_of_file`]).
pub fn renew_by_reason_of_file(
    path: &Path,
    margin_days: u32,
    policy: &hozon_verify::AlgorithmPolicy,
) -> Option<String> {
    let (tsa, digest) = newest_tsa_of_file(path)?;
    Some(deadline_for(&tsa, digest, margin_days, policy).1)
}

/// The TSA certificate of an evidence record file's newest token, and the
/// digest of its imprint (`None` if unreadable).
fn newest_tsa_of_file(path: &Path) -> Option<(hozon_cms::Cert, DigestAlgorithm)> {
    let er = EvidenceRecord::parse(&std::fs::read(path).ok()?).ok()?;
    let ats = er.archive_time_stamp_sequence.last()?.last()?;
    let token = hozon_tsp::Token::parse(&ats.time_stamp_der().ok()?, "evidence record").ok()?;
    let tsa = token.tsa_certificate(&[])?;
    Some((tsa, token.imprint().0))
}

/// The `renew_by` of an evidence record file: its newest token's TSA
/// certificate (`None` if unreadable).
pub fn renew_by_of_file(
    path: &Path,
    margin_days: u32,
    policy: &hozon_verify::AlgorithmPolicy,
) -> Option<String> {
    let (tsa, digest) = newest_tsa_of_file(path)?;
    Some(renew_by_for(&tsa, digest, margin_days, policy))
}

/// The newest evidence record file of a record, parsed.
pub(super) fn newest(dir: &Path) -> std::result::Result<(PathBuf, EvidenceRecord), String> {
    let files = evidence_files(dir).map_err(|e| e.to_string())?;
    let path = files
        .last()
        .cloned()
        .ok_or_else(|| format!("{}: no evidence record", dir.display()))?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let er = EvidenceRecord::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((path, er))
}

/// The newest evidence record file of the audit log (`audit/<batch>.ers`;
/// names sort in the order batches were made), if there is one.
pub(super) fn newest_audit_file(layout: &crate::Layout) -> Option<PathBuf> {
    let files = std::fs::read_dir(layout.audit_dir()).ok()?;
    files
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ers"))
        .max()
}

/// The newest audit evidence record, with its seq and line hash.
pub(super) fn newest_audit(session: &Session) -> Option<(EvidenceRecord, serde_json::Value)> {
    let path = newest_audit_file(&session.layout)?;
    let er = EvidenceRecord::parse(&std::fs::read(&path).ok()?).ok()?;
    let side: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path.with_extension("json")).ok()?).ok()?;
    Some((er, side))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_kinds_serialise_to_their_names() {
        for k in BatchKind::ALL {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{k}\""));
            assert_eq!(serde_json::from_str::<BatchKind>(&json).unwrap(), k);
        }
        assert_eq!(BatchKind::HashTreeRenewal.as_str(), "hash-tree-renewal");
    }
}
