//! Renewal of evidence records (RFC 4998 §5.2 time-stamp renewal, §5.3
//! hash-tree renewal), for the records and the audit log.

use super::*;

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
                let Some((stamp, token)) =
                    stamp_renewal(tsa, alg, &root, validation.verifier, &mut outcome)?
                else {
                    break;
                };
                let s = r.finish(&token).map_err(ers_err("the TSA's token"))?;
                (BatchKind::TimestampRenewal, root, (s, stamp, alg))
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
                let Some((stamp, token)) =
                    stamp_renewal(tsa, alg, &root, validation.verifier, &mut outcome)?
                else {
                    break;
                };
                let s = r.finish(&token).map_err(ers_err("the TSA's token"))?;
                (BatchKind::HashTreeRenewal, root, (s, stamp, alg))
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
            kind: kind_name,
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
                ("kind", json!(kind_name.as_str())),
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
            kind: kind_name,
            records: ids.len(),
            time: info.time,
            renew_by: Some(renew_by),
        });
    }
    progress.finish();
    Ok(outcome)
}

/// A time stamp over a renewal's `root`, its token completed with the
/// TSA's validation data (a gap is noted); `None`, with `outcome.error`
/// set, when the TSA did not stamp.
fn stamp_renewal(
    tsa: &dyn Stamper,
    alg: DigestAlgorithm,
    root: &[u8],
    verifier: &hozon_verify::Verifier,
    outcome: &mut EvidenceOutcome,
) -> Result<Option<(Stamp, Vec<u8>)>> {
    let stamp = match tsa.stamp(alg, root) {
        Ok(s) => s,
        Err(e) => {
            outcome.error = Some(format!("time stamp for the renewal: {e}"));
            return Ok(None);
        }
    };
    let (token, problem) = complete_token(verifier, stamp.token.der())?;
    outcome.notes.extend(
        problem.map(|p| format!("the new time stamp's validation data may be incomplete: {p}")),
    );
    Ok(Some((stamp, token)))
}
