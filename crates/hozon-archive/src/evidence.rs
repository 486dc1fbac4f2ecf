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

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use hozon_cms::{DigestAlgorithm, UnixTime};
use hozon_ers::{EvidenceBatch, EvidenceRecord, HashTreeRenewal, TimestampRenewal};
use hozon_tsp::{Stamp, TsaClient};

use crate::audit::fields;
use crate::catalog::{Batch, Row};
use crate::ingest::Progress;
use crate::record::{evidence_files, RecordMeta};
use crate::{crash, durable, io_err, Error, Result, Session};

/// Obtains time stamps over digests made with a given algorithm (the
/// tree's: SHA-256, or the stronger one of a hash-tree renewal).
pub trait Stamper: Sync {
    /// A checked time stamp over `digest`, a hash made with `alg`.
    fn stamp(&self, alg: DigestAlgorithm, digest: &[u8]) -> std::result::Result<Stamp, String>;
}

impl Stamper for TsaClient {
    fn stamp(&self, alg: DigestAlgorithm, digest: &[u8]) -> std::result::Result<Stamp, String> {
        if self.digest() != alg {
            return Err(format!(
                "the TSA client sends {} imprints, the hash tree is {}",
                self.digest().name(),
                alg.name()
            ));
        }
        self.stamp_digest(digest).map_err(|e| e.to_string())
    }
}

/// One stamped batch.
#[derive(Clone, Debug, Serialize)]
pub struct BatchInfo {
    /// Which date drives `renew_by` and what would move it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renew_by_reason: Option<String>,
    /// Batch name.
    pub id: String,
    /// `initial`, `timestamp-renewal` or `hash-tree-renewal`.
    pub kind: String,
    /// Records covered.
    pub records: usize,
    /// The token's genTime.
    pub time: String,
    /// When the batch must be renewed.
    pub renew_by: Option<String>,
}

/// A record the evidence step left out, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Left {
    /// Record directory.
    pub dir: String,
    /// Why.
    pub reason: String,
}

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
fn complete_newest(
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

fn ers_err(context: &str) -> impl FnOnce(hozon_ers::Error) -> Error + '_ {
    move |e| Error::Evidence(format!("{context}: {e}"))
}

/// `<audit seq>-<genTime>-<12 hex of the root>`. The audit log's next seq
/// grows with every batch (each appends a line), so names sort in the
/// order batches were made even within one second, and "the newest
/// evidence record" is simply the last name.
fn batch_id(seq: u64, gen_time: UnixTime, root: &[u8]) -> String {
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
    let er = EvidenceRecord::parse(&std::fs::read(path).ok()?).ok()?;
    let ats = er.archive_time_stamp_sequence.last()?.last()?;
    let token = hozon_tsp::Token::parse(&ats.time_stamp_der().ok()?, "evidence record").ok()?;
    let tsa = token.tsa_certificate(&[])?;
    Some(deadline_for(&tsa, token.imprint().0, margin_days, policy).1)
}

/// The `renew_by` of an evidence record file: its newest token's TSA
/// certificate (`None` if unreadable).
pub fn renew_by_of_file(
    path: &Path,
    margin_days: u32,
    policy: &hozon_verify::AlgorithmPolicy,
) -> Option<String> {
    let er = EvidenceRecord::parse(&std::fs::read(path).ok()?).ok()?;
    let ats = er.archive_time_stamp_sequence.last()?.last()?;
    let token = hozon_tsp::Token::parse(&ats.time_stamp_der().ok()?, "evidence record").ok()?;
    let tsa = token.tsa_certificate(&[])?;
    Some(renew_by_for(&tsa, token.imprint().0, margin_days, policy))
}

/// The data objects of a record, hashed with `alg`, after checking each
/// file against its recorded SHA-256: its files, then the snapshot of its
/// fields ([`crate::stamped_fields`]) when it has (or gets) one.
fn group_of(
    dir: &Path,
    meta: &RecordMeta,
    alg: DigestAlgorithm,
    snapshot: Option<&[u8]>,
) -> std::result::Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::with_capacity(meta.files.len() + 1);
    for f in &meta.files {
        let path = dir.join(&f.name);
        let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut algs = vec![DigestAlgorithm::Sha256];
        if alg != DigestAlgorithm::Sha256 {
            algs.push(alg);
        }
        let obj = hozon_ers::DataObject::from_reader(file, &algs)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let sha = obj
            .hash(DigestAlgorithm::Sha256)
            .map(hex::encode)
            .unwrap_or_default();
        if sha != f.sha256 {
            return Err(format!(
                "{}: SHA-256 {sha} differs from record.json ({}): not stamped (`hozon archive verify` reports it)",
                path.display(),
                f.sha256
            ));
        }
        out.push(obj.hash(alg).map(<[u8]>::to_vec).unwrap_or_default());
    }
    if let Some(bytes) = snapshot {
        let obj = hozon_ers::DataObject::from_bytes(bytes, &[alg])
            .map_err(|e| format!("{}: {e}", crate::stamped_fields::path(dir).display()))?;
        out.push(obj.hash(alg).map(<[u8]>::to_vec).unwrap_or_default());
    }
    Ok(out)
}

/// The snapshot of a stamped record's fields, if it has one (records
/// stamped before snapshots have none).
fn existing_snapshot(dir: &Path) -> std::result::Result<Option<Vec<u8>>, String> {
    let p = crate::stamped_fields::path(dir);
    match std::fs::read(&p) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", p.display())),
    }
}

/// Writes the snapshot of a record's fields as it is first stamped
/// (unflushed; one left by a killed run is replaced, as in [`write_ers`]).
fn write_snapshot(dir: &Path, bytes: &[u8]) -> Result<()> {
    let path = crate::stamped_fields::path(dir);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&path)(e)),
    }
    durable::write_new(&path, bytes)
}

/// The audit log's last line and its seq.
fn audit_head(session: &Session) -> Result<(u64, Vec<u8>)> {
    let seq = session.audit.next_seq().saturating_sub(1);
    let head = hex::decode(session.audit.head()).map_err(|e| Error::Audit {
        path: session.layout.audit_log(),
        reason: e.to_string(),
    })?;
    Ok((seq, head))
}

/// Writes `bytes` as `dir/evidence/<batch>.ers` (unflushed).
fn write_ers(dir: &Path, batch: &str, bytes: &[u8]) -> Result<()> {
    let ev = dir.join("evidence");
    match std::fs::create_dir(&ev) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_err(&ev)(e)),
    }
    let path = ev.join(format!("{batch}.ers"));
    // Left by a run killed before its catalog update, for the same tree
    // and second: the new record is as good; replace it.
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&path)(e)),
    }
    durable::write_new(&path, bytes)
}

fn write_audit_ers(session: &Session, batch: &str, seq: u64, head: &str, der: &[u8]) -> Result<()> {
    let dir = session.layout.audit_dir();
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let side =
        serde_json::to_vec_pretty(&json!({ "seq": seq, "line_sha256": head })).unwrap_or_default();
    for (name, bytes) in [
        (format!("{batch}.ers"), der),
        (format!("{batch}.json"), &side[..]),
    ] {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&path)(e)),
        }
        durable::write_new(&path, bytes)?;
    }
    Ok(())
}

/// Logs that batch `id` begins, before its files are written: a file of a
/// batch the log does not name is then an addition, not a killed run's
/// leftover.
fn begin_batch(session: &mut Session, id: &str) -> Result<()> {
    session
        .audit
        .append(&[("evidence-batch", fields([("batch", json!(id))]))])?;
    Ok(())
}

/// Stamps every record without evidence, `batch_size` per TSA request.
pub fn stamp_pending(
    session: &mut Session,
    tsa: Option<&dyn Stamper>,
    verifier: &hozon_verify::Verifier,
    batch_size: usize,
    progress: &dyn Progress,
) -> Result<EvidenceOutcome> {
    let rows = session.catalog.rows_where("evidence = 0", None)?;
    let mut outcome = EvidenceOutcome::default();
    // Never stamp what `archive verify` would reject.
    let rows = crate::checks::admit(session, rows, &mut outcome.left_out)?;
    if rows.is_empty() {
        return Ok(outcome);
    }
    let Some(tsa) = tsa else {
        outcome.pending = rows.len() as u64;
        outcome.error = Some("no TSA is configured (hozon archive init --tsa URL)".into());
        return Ok(outcome);
    };
    let margin = session.config.renewal.margin_days;
    progress.phase("evidence", rows.len() as u64);
    let records = session.layout.records();
    let mut done = 0usize;
    for chunk in rows.chunks(batch_size.max(1)) {
        type Built<'r> = std::result::Result<(&'r Row, Vec<Vec<u8>>, Vec<u8>), Left>;
        let built: Vec<Built<'_>> = chunk
            .par_iter()
            .map(|row| {
                let dir = records.join(&row.dir);
                RecordMeta::read(&dir)
                    .map_err(|e| e.to_string())
                    .and_then(|meta| {
                        let snapshot = crate::stamped_fields::bytes_of(&meta);
                        group_of(&dir, &meta, DigestAlgorithm::Sha256, Some(&snapshot))
                            .map(|g| (row, g, snapshot))
                    })
                    .map_err(|reason| Left {
                        dir: row.dir.clone(),
                        reason,
                    })
            })
            .collect();
        let mut members = Vec::with_capacity(chunk.len());
        let mut snapshots = Vec::with_capacity(chunk.len());
        let mut groups = Vec::with_capacity(chunk.len() + 1);
        for b in built {
            match b {
                Ok((row, g, snapshot)) => {
                    members.push(row);
                    groups.push(g);
                    snapshots.push(snapshot);
                }
                Err(left) => outcome.left_out.push(left),
            }
        }
        if members.is_empty() {
            continue;
        }
        let (audit_seq, audit_hash) = audit_head(session)?;
        let audit_head_hex = hex::encode(&audit_hash);
        groups.push(vec![audit_hash]);
        let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups)
            .map_err(ers_err("building the hash tree"))?;
        let stamp = match tsa.stamp(DigestAlgorithm::Sha256, batch.root()) {
            Ok(s) => s,
            Err(e) => {
                outcome.error = Some(format!("time stamp for the evidence batch: {e}"));
                outcome.pending = (rows.len() - done) as u64;
                break;
            }
        };
        let root = batch.root().to_vec();
        let (token, problem) = complete_token(verifier, stamp.token.der())?;
        outcome.notes.extend(
            problem.map(|p| format!("the new time stamp's validation data may be incomplete: {p}")),
        );
        let stamped = batch.finish(&token).map_err(ers_err("the TSA's token"))?;
        let gen_time = stamp.token.gen_time();
        let id = batch_id(session.audit.next_seq(), gen_time, &root);
        let (renew_by, renew_by_reason) = deadline_for(
            &stamp.tsa,
            DigestAlgorithm::Sha256,
            margin,
            &session.config.algorithms(),
        );
        begin_batch(session, &id)?;
        (0..members.len())
            .into_par_iter()
            .try_for_each(|i| -> Result<()> {
                let der = stamped.record_der(i).map_err(ers_err("encoding"))?;
                let dir = records.join(&members[i].dir);
                write_snapshot(&dir, &snapshots[i])?;
                write_ers(&dir, &id, &der)?;
                crash::point("evidence-written");
                progress.advance(1);
                Ok(())
            })?;
        let audit_der = stamped
            .record_der(members.len())
            .map_err(ers_err("encoding"))?;
        write_audit_ers(session, &id, audit_seq, &audit_head_hex, &audit_der)?;
        durable::sync_filesystem(&records)?;
        let ids: Vec<String> = members.iter().map(|r| r.id.clone()).collect();
        let info = Batch {
            id: id.clone(),
            kind: "initial".into(),
            time: gen_time.rfc3339(),
            digest: "sha256".into(),
            root: hex::encode(&root),
            renew_by: Some(renew_by.clone()),
        };
        // The log first: a batch the catalog counts is always one the log
        // completes (a catalogued batch the log lacks is removed lines).
        session.audit.append(&[(
            "evidence",
            fields([
                ("batch", json!(id)),
                ("kind", json!("initial")),
                ("records", json!(ids.len())),
                ("root_sha256", json!(info.root)),
                ("gen_time", json!(info.time)),
                ("tsa", json!(stamp.tsa.subject())),
                ("renew_by", json!(renew_by)),
                ("audit_seq", json!(audit_seq)),
            ]),
        )])?;
        session.catalog.add_evidence(&info, &ids)?;
        crash::point("evidence-cataloged");
        done += chunk.len();
        outcome.batches.push(BatchInfo {
            renew_by_reason: Some(renew_by_reason),
            id,
            kind: "initial".into(),
            records: ids.len(),
            time: info.time,
            renew_by: Some(renew_by),
        });
    }
    progress.finish();
    Ok(outcome)
}

/// Adds the missing validation data to evidence records made before hozon
/// embedded it: for every record (and the audit log) whose newest
/// evidence record's newest token carries no revocation data, the record
/// with that token completed is written as `<batch>.vd.ers` beside it.
/// Returns how many files were written.
pub fn complete_missing(
    session: &mut Session,
    verifier: &hozon_verify::Verifier,
    notes: &mut Vec<String>,
) -> Result<usize> {
    use hozon_ers::validation::{newest_token, token_has_revocation_data};
    let rows = session.catalog.rows_where("evidence > 0", None)?;
    let records = session.layout.records();
    let mut cache: std::collections::HashMap<Vec<u8>, Vec<u8>> = std::collections::HashMap::new();
    let mut complete = |token: &[u8], notes: &mut Vec<String>| -> Result<Vec<u8>> {
        if let Some(c) = cache.get(token) {
            return Ok(c.clone());
        }
        let (c, problem) = complete_token(verifier, token)?;
        if let Some(p) = problem {
            notes.push(format!("completing an older time stamp: {p}"));
        }
        cache.insert(token.to_vec(), c.clone());
        Ok(c)
    };
    // The completed record, or None when nothing is missing (or there is
    // nothing to add: no data could be found).
    let mut completed_of = |path: &Path, notes: &mut Vec<String>| -> Result<Option<Vec<u8>>> {
        let Ok(er) = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| EvidenceRecord::parse(&b).map_err(|e| e.to_string()))
        else {
            // Unreadable evidence is `archive verify`'s to report.
            return Ok(None);
        };
        let token = newest_token(&er).map_err(ers_err("newest token"))?;
        if token_has_revocation_data(&token).unwrap_or(true) {
            return Ok(None);
        }
        let completed = complete(&token, notes)?;
        if completed == token {
            return Ok(None);
        }
        let er = hozon_ers::validation::with_completed_newest_token(&er, &completed)
            .map_err(ers_err("completing the newest time stamp"))?;
        Ok(Some(
            der::Encode::to_der(&er).map_err(|e| Error::Evidence(format!("encoding: {e}")))?,
        ))
    };
    let vd_name = |path: &Path| {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        path.with_file_name(format!("{stem}.vd.ers"))
    };
    let mut written = 0;
    for row in &rows {
        let dir = records.join(&row.dir);
        let Some(path) = evidence_files(&dir)?.pop() else {
            continue;
        };
        if let Some(der) = completed_of(&path, notes)? {
            // A completed copy of the same batch's record: the catalog's
            // count of batches stays (checks/evidence_expected.rs).
            durable::write_new(&vd_name(&path), &der)?;
            written += 1;
        }
    }
    let audit_dir = session.layout.audit_dir();
    let mut audit_files: Vec<PathBuf> = match std::fs::read_dir(&audit_dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "ers"))
            .collect(),
        Err(_) => Vec::new(),
    };
    audit_files.sort();
    if let Some(path) = audit_files.pop() {
        if let Some(der) = completed_of(&path, notes)? {
            let side = std::fs::read(path.with_extension("json"))
                .map_err(io_err(&path.with_extension("json")))?;
            let target = vd_name(&path);
            durable::write_new(&target.with_extension("json"), &side)?;
            durable::write_new(&target, &der)?;
            written += 1;
        }
    }
    if written > 0 {
        durable::sync_filesystem(&records)?;
        session.audit.append(&[(
            "validation-data",
            fields([("evidence_records", json!(written))]),
        )])?;
    }
    Ok(written)
}

/// The newest evidence record file of a record, parsed.
fn newest(dir: &Path) -> std::result::Result<(PathBuf, EvidenceRecord), String> {
    let files = evidence_files(dir).map_err(|e| e.to_string())?;
    let path = files
        .last()
        .cloned()
        .ok_or_else(|| format!("{}: no evidence record", dir.display()))?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let er = EvidenceRecord::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((path, er))
}

/// The newest audit evidence record, with its seq and line hash.
fn newest_audit(session: &Session) -> Option<(EvidenceRecord, serde_json::Value)> {
    let dir = session.layout.audit_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ers"))
        .collect();
    files.sort();
    let path = files.pop()?;
    let er = EvidenceRecord::parse(&std::fs::read(&path).ok()?).ok()?;
    let side: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path.with_extension("json")).ok()?).ok()?;
    Some((er, side))
}

/// How `renew` renews evidence records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenewKind {
    /// RFC 4998 §5.2 time-stamp renewal: a new ArchiveTimeStamp over the
    /// previous one, same chain.
    Timestamp,
    /// RFC 4998 §5.2 hash-tree renewal under a stronger digest: a new chain
    /// over the data and the earlier chains.
    HashTree(DigestAlgorithm),
}

/// Renews the newest evidence record of every record in `rows` (and the
/// audit log's), `batch_size` per TSA request.
///
/// With `check`, each record's newest evidence record is verified first. A
/// record whose evidence fails (TOTAL_FAILED: its data no longer matches,
/// or a broken stamp) is left out, because a renewal would only carry the
/// failure forward and make it look maintained; one whose evidence is
/// INDETERMINATE is renewed and reported, because not renewing it before
/// its last stamp expires would lose what it still proves.
pub fn renew(
    session: &mut Session,
    rows: &[Row],
    tsa: &dyn Stamper,
    kind: RenewKind,
    batch_size: usize,
    validation: Validation<'_>,
    progress: &dyn Progress,
) -> Result<EvidenceOutcome> {
    let check = validation.check_first.then_some(validation.verifier);
    let mut outcome = EvidenceOutcome::default();
    if rows.is_empty() {
        return Ok(outcome);
    }
    let margin = session.config.renewal.margin_days;
    let records = session.layout.records();
    progress.phase("renewing", rows.len() as u64);
    for chunk in rows.chunks(batch_size.max(1)) {
        type Loaded<'r> = (&'r Row, EvidenceRecord, Vec<Vec<u8>>, Option<String>);
        let loaded: Vec<std::result::Result<Loaded<'_>, Left>> = chunk
            .par_iter()
            .map(|row| {
                let dir = records.join(&row.dir);
                let left = |reason| Left {
                    dir: row.dir.clone(),
                    reason,
                };
                let (path, er) = newest(&dir).map_err(left)?;
                let meta = match (check, kind) {
                    (None, RenewKind::Timestamp) => None,
                    _ => Some(RecordMeta::read(&dir).map_err(|e| left(e.to_string()))?),
                };
                let mut warning = None;
                if let (Some(verifier), Some(meta)) = (check, &meta) {
                    match verify_newest(&path, &dir, meta, verifier) {
                        Ok(_) => {}
                        Err((hozon_verify::Indication::TotalFailed, reason)) => {
                            return Err(left(format!(
                                "not renewed: {reason} (a renewal would only carry the failure forward; `hozon archive verify` shows it)"
                            )))
                        }
                        Err((_, reason)) => {
                            warning = Some(format!("renewed, but its evidence did not verify completely: {reason}"))
                        }
                    }
                }
                let hashes = match (kind, &meta) {
                    (RenewKind::HashTree(alg), Some(meta)) => {
                        let snapshot = existing_snapshot(&dir).map_err(left)?;
                        group_of(&dir, meta, alg, snapshot.as_deref()).map_err(left)?
                    }
                    _ => Vec::new(),
                };
                Ok((row, er, hashes, warning))
            })
            .collect();
        let mut members: Vec<Loaded<'_>> = Vec::new();
        for l in loaded {
            match l {
                Ok(m) => members.push(m),
                Err(left) => outcome.left_out.push(left),
            }
        }
        if members.is_empty() {
            continue;
        }
        let mut audit = newest_audit(session);
        // RFC 4998 §5.2: the previous stamp's validation data first, so
        // that the new stamp covers it.
        {
            let mut ers: Vec<&mut EvidenceRecord> = members.iter_mut().map(|m| &mut m.1).collect();
            if let Some((er, _)) = audit.as_mut() {
                ers.push(er);
            }
            complete_newest(validation.verifier, &mut ers, &mut outcome.notes)?;
        }
        let (kind_name, renewal_root, stamped) = match kind {
            RenewKind::Timestamp => {
                let mut ers: Vec<&EvidenceRecord> = members.iter().map(|m| &m.1).collect();
                if let Some((er, _)) = &audit {
                    ers.push(er);
                }
                let r = TimestampRenewal::build(&ers).map_err(ers_err("renewal tree"))?;
                let root = r.root().to_vec();
                let alg = r.algorithm();
                let stamp = match tsa.stamp(alg, &root) {
                    Ok(s) => s,
                    Err(e) => {
                        outcome.error = Some(format!("time stamp for the renewal: {e}"));
                        break;
                    }
                };
                let (token, problem) = complete_token(validation.verifier, stamp.token.der())?;
                outcome.notes.extend(problem.map(|p| {
                    format!("the new time stamp's validation data may be incomplete: {p}")
                }));
                let s = r.finish(&token).map_err(ers_err("the TSA's token"))?;
                ("timestamp-renewal", root, (s, stamp, alg))
            }
            RenewKind::HashTree(alg) => {
                let mut input: Vec<(&EvidenceRecord, Vec<Vec<u8>>)> =
                    members.iter().map(|m| (&m.1, m.2.clone())).collect();
                if let Some((er, side)) = &audit {
                    // The audit data object is its line: the renewal hashes
                    // it again with the new algorithm.
                    let seq = side["seq"].as_u64().unwrap_or(0);
                    if let Some(line) = crate::audit::line(&session.layout.audit_log(), seq)? {
                        let h = hozon_ers::DataObject::from_bytes(&line, &[alg])
                            .map_err(ers_err("hashing the audit line"))?;
                        input.push((
                            er,
                            vec![h.hash(alg).map(<[u8]>::to_vec).unwrap_or_default()],
                        ));
                    }
                }
                let r = HashTreeRenewal::build(alg, &input).map_err(ers_err("renewal tree"))?;
                let root = r.root().to_vec();
                let stamp = match tsa.stamp(alg, &root) {
                    Ok(s) => s,
                    Err(e) => {
                        outcome.error = Some(format!("time stamp for the renewal: {e}"));
                        break;
                    }
                };
                let (token, problem) = complete_token(validation.verifier, stamp.token.der())?;
                outcome.notes.extend(problem.map(|p| {
                    format!("the new time stamp's validation data may be incomplete: {p}")
                }));
                let s = r.finish(&token).map_err(ers_err("the TSA's token"))?;
                ("hash-tree-renewal", root, (s, stamp, alg))
            }
        };
        let (stamped, stamp, alg) = stamped;
        let gen_time = stamp.token.gen_time();
        let id = batch_id(session.audit.next_seq(), gen_time, &renewal_root);
        let (renew_by, renew_by_reason) =
            deadline_for(&stamp.tsa, alg, margin, &session.config.algorithms());
        // A renewal that does not move the deadline only looks like care.
        let current = members
            .iter()
            .filter_map(|m| m.0.renew_by.as_deref())
            .min()
            .map(str::to_owned);
        if let Some(current) = current.filter(|c| renew_by.as_str() <= c.as_str()) {
            outcome.ineffective = Some(format!(
                "the new time stamp would not move the deadline: it is due by {renew_by} because {renew_by_reason}, and the records are already due by {current}. Nothing was renewed; renew with a TSA whose key is stronger and whose certificate lives longer (archive renew --tsa URL){}",
                if renew_by_reason.contains("digest") {
                    ""
                } else {
                    ", or, when the hash algorithm is what weakens, by hash-tree renewal (--digest sha512)"
                }
            ));
            break;
        }

        begin_batch(session, &id)?;
        (0..members.len())
            .into_par_iter()
            .try_for_each(|i| -> Result<()> {
                let renewed = stamped
                    .renew(i, &members[i].1)
                    .map_err(ers_err("renewing"))?;
                let der = der::Encode::to_der(&renewed)
                    .map_err(|e| Error::Evidence(format!("encoding: {e}")))?;
                write_ers(&records.join(&members[i].0.dir), &id, &der)?;
                crash::point("renew-written");
                progress.advance(1);
                Ok(())
            })?;
        if let Some((er, side)) = &audit {
            if stamped.len() > members.len() {
                let renewed = stamped
                    .renew(members.len(), er)
                    .map_err(ers_err("renewing the audit log's evidence"))?;
                let der = der::Encode::to_der(&renewed)
                    .map_err(|e| Error::Evidence(format!("encoding: {e}")))?;
                let seq = side["seq"].as_u64().unwrap_or(0);
                let head = side["line_sha256"].as_str().unwrap_or("").to_string();
                write_audit_ers(session, &id, seq, &head, &der)?;
            }
        }
        durable::sync_filesystem(&records)?;
        let ids: Vec<String> = members.iter().map(|m| m.0.id.clone()).collect();
        let info = Batch {
            id: id.clone(),
            kind: kind_name.into(),
            time: gen_time.rfc3339(),
            digest: alg.name().to_ascii_lowercase(),
            root: hex::encode(&renewal_root),
            renew_by: Some(renew_by.clone()),
        };
        // The log first: a batch the catalog counts is always one the log
        // completes (a catalogued batch the log lacks is removed lines).
        session.audit.append(&[(
            "renew",
            fields([
                ("batch", json!(id)),
                ("kind", json!(kind_name)),
                ("records", json!(ids.len())),
                ("root", json!(info.root)),
                ("digest", json!(info.digest)),
                ("gen_time", json!(info.time)),
                ("tsa", json!(stamp.tsa.subject())),
                ("renew_by", json!(renew_by)),
            ]),
        )])?;
        session.catalog.add_evidence(&info, &ids)?;
        crash::point("renew-cataloged");
        outcome.warnings.extend(members.iter().filter_map(|m| {
            m.3.as_ref().map(|reason| Left {
                dir: m.0.dir.clone(),
                reason: reason.clone(),
            })
        }));
        outcome.batches.push(BatchInfo {
            renew_by_reason: Some(renew_by_reason),
            id,
            kind: kind_name.into(),
            records: ids.len(),
            time: info.time,
            renew_by: Some(renew_by),
        });
    }
    progress.finish();
    Ok(outcome)
}

/// The file lists an evidence record of the record may cover: its files
/// now, then the files its stamped snapshot names (when record.json lists
/// others), then with each earlier signature version (`history/`), newest
/// first (an evidence record made before a `--mode cades` renewal covers
/// the signature as it was then). Each list ends with the snapshot of the
/// record's fields ([`crate::stamped_fields`]) when the record has one.
pub fn candidate_contents(dir: &Path, meta: &RecordMeta) -> Vec<Vec<PathBuf>> {
    let snapshot = crate::stamped_fields::path(dir);
    let snapshot = snapshot.is_file().then_some(snapshot);
    let now: Vec<PathBuf> = meta
        .files
        .iter()
        .map(|f| dir.join(&f.name))
        .chain(snapshot.clone())
        .collect();
    let mut out = vec![now];
    // The files the snapshot names, when record.json lists others (its
    // list was edited): the evidence then proves the snapshot, and the
    // comparison names the field.
    if let Some(Ok(stamped)) = snapshot.as_ref().and(crate::stamped_fields::read(dir)) {
        let names: Option<Vec<&str>> = stamped
            .get("files")
            .and_then(|f| f.as_array())
            .map(|a| a.iter().filter_map(|f| f["name"].as_str()).collect());
        if let Some(names) = names.filter(|n| n.iter().all(|n| crate::record::is_plain_name(n))) {
            let listed: Vec<PathBuf> = names
                .iter()
                .map(|n| dir.join(n))
                .chain(snapshot.clone())
                .collect();
            if listed != out[0] {
                out.push(listed);
            }
        }
    }
    for h in meta.history.iter().rev() {
        out.push(
            meta.files
                .iter()
                .map(|f| {
                    if f.role == crate::record::Role::Signature {
                        dir.join(&h.name)
                    } else {
                        dir.join(&f.name)
                    }
                })
                .chain(snapshot.clone())
                .collect(),
        );
    }
    out
}

/// What the newest evidence record of a record proves.
#[derive(Clone, Debug)]
pub struct Proven {
    /// The proven time of existence (first archive time stamp).
    pub proven: UnixTime,
    /// Whether it covers the record's current signature (not an earlier
    /// version kept in `history/`).
    pub covers_current: bool,
    /// Warnings of the validation.
    pub warnings: Vec<String>,
}

/// Validates `path` (the newest evidence record of the record in `dir`)
/// in full — structure and every archive time stamp — against the
/// record's files (or, after a `--mode cades` renewal, with an earlier
/// signature version). Returns the proof, or the indication and why.
pub fn verify_newest(
    path: &Path,
    dir: &Path,
    meta: &RecordMeta,
    verifier: &hozon_verify::Verifier,
) -> std::result::Result<Proven, (hozon_verify::Indication, String)> {
    verify_newest_report(path, dir, meta, verifier).0
}

/// [`verify_newest`], also returning the report it decided on (the
/// passing one, else the one for the record's current files).
pub fn verify_newest_report(
    path: &Path,
    dir: &Path,
    meta: &RecordMeta,
    verifier: &hozon_verify::Verifier,
) -> (
    std::result::Result<Proven, (hozon_verify::Indication, String)>,
    Option<hozon_verify::SignatureReport>,
) {
    use hozon_verify::Indication;
    let label = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return (
                Err((Indication::TotalFailed, format!("{label}: {e}"))),
                None,
            );
        }
    };
    let mut first_failure = None;
    let mut first_report = None;
    let candidates = candidate_contents(dir, meta);
    let now = candidates[0].clone();
    for files in candidates {
        let covers_current = files == now;
        let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let r = verifier.verify_evidence_record(&label, &bytes, &refs);
        if r.indication == Indication::TotalPassed {
            let proven = r
                .best_signature_time
                .as_deref()
                .and_then(|t| UnixTime::parse_rfc3339(t).ok());
            let Some(proven) = proven else {
                return (
                    Err((
                        Indication::Indeterminate,
                        "the evidence record passed without a proven time".to_string(),
                    )),
                    Some(r),
                );
            };
            let mut r = r;
            let mut warnings = r.warnings.clone();
            // The evidence proves the snapshot of the record's fields (it
            // is one of the data objects when it exists); record.json must
            // agree with it.
            match crate::stamped_fields::read(dir) {
                None if crate::stamped_fields::uncovered_in_group(&bytes, &files)
                    .is_some_and(|n| n > 0) =>
                {
                    return fields_failed(
                        r,
                        vec![format!(
                            "the evidence record covers a data object this record does not have: its {} or a file record.json no longer lists was removed [files]",
                            crate::stamped_fields::NAME
                        )],
                    );
                }
                None => warnings.push(format!(
                    "record.json is not covered by this evidence record (stamped before records' fields were, no {}): only the archive's audit log covers it",
                    crate::stamped_fields::NAME
                )),
                Some(Err(e)) => {
                    return fields_failed(r, vec![e]);
                }
                Some(Ok(stamped)) => {
                    let found = crate::stamped_fields::compare(meta, &stamped, covers_current);
                    if !found.is_empty() {
                        let errors = found
                            .into_iter()
                            .map(|f| format!("{} [{}]", f.detail, f.field))
                            .collect();
                        return fields_failed(r, errors);
                    }
                }
            }
            r.warnings.clone_from(&warnings);
            return (
                Ok(Proven {
                    proven,
                    covers_current,
                    warnings,
                }),
                Some(r),
            );
        }
        let failure = (
            r.indication,
            format!(
                "evidence record {}{}: {}",
                r.indication,
                r.sub_indication
                    .map(|s| format!("/{s}"))
                    .unwrap_or_default(),
                r.errors.join("; ")
            ),
        );
        first_report.get_or_insert(r);
        first_failure.get_or_insert(failure);
    }
    (
        Err(first_failure.unwrap_or((Indication::TotalFailed, "no data objects".into()))),
        first_report,
    )
}

/// An evidence record that passed, failed because `record.json` disagrees
/// with the fields it proves (`errors` name each field).
fn fields_failed(
    mut r: hozon_verify::SignatureReport,
    errors: Vec<String>,
) -> (
    std::result::Result<Proven, (hozon_verify::Indication, String)>,
    Option<hozon_verify::SignatureReport>,
) {
    use hozon_verify::{Indication, SubIndication};
    r.indication = Indication::TotalFailed;
    r.sub_indication = Some(SubIndication::HashFailure);
    let detail = format!(
        "evidence record {}/{}: {}",
        Indication::TotalFailed,
        SubIndication::HashFailure,
        errors.join("; ")
    );
    r.errors = errors;
    (Err((Indication::TotalFailed, detail)), Some(r))
}

/// Why an (older) evidence record file does not match the record's files
/// structurally, or `None` when it does.
pub fn structure_problem(path: &Path, dir: &Path, meta: &RecordMeta) -> Option<String> {
    let er = match std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|b| EvidenceRecord::parse(&b).map_err(|e| e.to_string()))
    {
        Ok(er) => er,
        Err(e) => return Some(e),
    };
    let algs = match hozon_ers::verify::algorithms(&er) {
        Ok(a) => a,
        Err(e) => return Some(e.to_string()),
    };
    let mut first_error = None;
    for files in candidate_contents(dir, meta) {
        let mut objects = Vec::new();
        for p in &files {
            match std::fs::File::open(p)
                .and_then(|file| hozon_ers::DataObject::from_reader(file, &algs))
            {
                Ok(o) => objects.push(o),
                Err(e) => return Some(format!("{}: {e}", p.display())),
            }
        }
        match hozon_ers::check_structure(&er, &objects) {
            Ok(_) => return None,
            Err(e) => {
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    first_error
}

/// Validates the audit log's newest evidence record against the line it
/// covers (`<batch>.json` names its seq). `None` when there is none yet;
/// otherwise a problem, or `Ok` with the proven time.
pub fn verify_audit(
    session: &crate::Layout,
    verifier: &hozon_verify::Verifier,
) -> Option<std::result::Result<String, (bool, String)>> {
    let dir = session.audit_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ers"))
        .collect();
    files.sort();
    let path = files.pop()?;
    Some(verify_audit_file(session, verifier, &path))
}

/// The proven time, or (whether it is only INDETERMINATE, why).
fn verify_audit_file(
    session: &crate::Layout,
    verifier: &hozon_verify::Verifier,
    path: &Path,
) -> std::result::Result<String, (bool, String)> {
    verify_audit_inner(session, verifier, path).map_err(|e| match e {
        AuditFailure::Indeterminate(m) => (true, m),
        AuditFailure::Failed(m) => (false, m),
    })
}

enum AuditFailure {
    Indeterminate(String),
    Failed(String),
}

impl From<String> for AuditFailure {
    fn from(m: String) -> AuditFailure {
        AuditFailure::Failed(m)
    }
}

fn verify_audit_inner(
    session: &crate::Layout,
    verifier: &hozon_verify::Verifier,
    path: &Path,
) -> std::result::Result<String, AuditFailure> {
    let side: serde_json::Value = std::fs::read(path.with_extension("json"))
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .map_err(|e| format!("{}: {e}", path.with_extension("json").display()))?;
    let seq = side["seq"]
        .as_u64()
        .ok_or_else(|| format!("{}: no seq", path.with_extension("json").display()))?;
    let line = crate::audit::line(&session.audit_log(), seq)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("the audit log has no line {seq} any more"))?;
    // The data object is the line's bytes; the verifier reads files. The
    // copy goes outside the archive (verify writes nothing into it).
    let tmp = std::env::temp_dir().join(format!(
        "hozon-audit-line-{}-{:x}",
        std::process::id(),
        UnixTime::now().0
    ));
    std::fs::write(&tmp, &line).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let r = verifier.verify_evidence_record(&path.display().to_string(), &bytes, &[&tmp]);
    let _ = std::fs::remove_file(&tmp);
    let message = format!(
        "{}: audit line {seq}: {}{}: {}",
        path.display(),
        r.indication,
        r.sub_indication
            .map(|s| format!("/{s}"))
            .unwrap_or_default(),
        r.errors.join("; ")
    );
    match r.indication {
        hozon_verify::Indication::TotalPassed => Ok(r.best_signature_time.unwrap_or_default()),
        hozon_verify::Indication::TotalFailed => Err(AuditFailure::Failed(message)),
        _ => Err(AuditFailure::Indeterminate(message)),
    }
}
