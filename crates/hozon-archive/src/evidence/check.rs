//! Validation of a record's newest evidence record against its files (or
//! an earlier signature version), and of the audit log's against the line
//! it covers.

use super::*;

/// The file lists an evidence record of the record may cover: its files
/// now, then the files its stamped snapshot names (when record.json lists
/// others), then with each earlier signature version (`history/`), newest
/// first (an evidence record made before a `--mode cades` renewal covers
/// the signature, or the signed document, as it was then). Each list ends with the snapshot of the
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
                    if matches!(
                        f.role,
                        crate::record::Role::Signature | crate::record::Role::SignedDocument
                    ) {
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
                    return fields_failed(r, vec![e.to_string()]);
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
            format!("evidence record {}", indication_text(&r)),
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
    let path = newest_audit_file(session)?;
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
        "{}: audit line {seq}: {}",
        path.display(),
        indication_text(&r)
    );
    match r.indication {
        hozon_verify::Indication::TotalPassed => Ok(r.best_signature_time.unwrap_or_default()),
        hozon_verify::Indication::TotalFailed => Err(AuditFailure::Failed(message)),
        _ => Err(AuditFailure::Indeterminate(message)),
    }
}

/// A report's verdict as the archive words it:
/// `INDICATION[/SUB_INDICATION]: error; error`.
pub(crate) fn indication_text(r: &hozon_verify::SignatureReport) -> String {
    format!(
        "{}{}: {}",
        r.indication,
        r.sub_indication
            .map(|s| format!("/{s}"))
            .unwrap_or_default(),
        r.errors.join("; ")
    )
}
