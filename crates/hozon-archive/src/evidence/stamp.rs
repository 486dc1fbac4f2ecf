//! The evidence step: stamp every record without evidence, a batch per TSA
//! request; and complete the validation data of evidence records made
//! before hozon embedded it.

use super::*;

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
            kind: BatchKind::Initial,
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
                ("kind", json!(BatchKind::Initial.as_str())),
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
            kind: BatchKind::Initial,
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
    if let Some(path) = newest_audit_file(&session.layout) {
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
