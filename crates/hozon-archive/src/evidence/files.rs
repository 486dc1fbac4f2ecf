//! The files a batch writes: each record's data group (its files checked
//! against record.json, then hashed), the snapshot of its stamped fields,
//! `evidence/<batch>.ers`, the audit log's evidence, and the `batch` line
//! logged before any of them.

use super::*;

/// The data objects of a record, hashed with `alg`, after checking each
/// file against its recorded SHA-256: its files, then the snapshot of its
/// fields ([`crate::stamped_fields`]) when it has (or gets) one.
pub(super) fn group_of(
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
pub(super) fn existing_snapshot(dir: &Path) -> std::result::Result<Option<Vec<u8>>, String> {
    let p = crate::stamped_fields::path(dir);
    match std::fs::read(&p) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", p.display())),
    }
}

/// Writes the snapshot of a record's fields as it is first stamped
/// (unflushed; one left by a killed run is replaced, as in [`write_ers`]).
pub(super) fn write_snapshot(dir: &Path, bytes: &[u8]) -> Result<()> {
    let path = crate::stamped_fields::path(dir);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&path)(e)),
    }
    durable::write_new(&path, bytes)
}

/// The audit log's last line and its seq.
pub(super) fn audit_head(session: &Session) -> Result<(u64, Vec<u8>)> {
    let seq = session.audit.next_seq().saturating_sub(1);
    let head = hex::decode(session.audit.head()).map_err(|e| Error::Audit {
        path: session.layout.audit_log(),
        reason: e.to_string(),
    })?;
    Ok((seq, head))
}

/// Writes `bytes` as `dir/evidence/<batch>.ers` (unflushed).
pub(super) fn write_ers(dir: &Path, batch: &str, bytes: &[u8]) -> Result<()> {
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

pub(super) fn write_audit_ers(
    session: &Session,
    batch: &str,
    seq: u64,
    head: &str,
    der: &[u8],
) -> Result<()> {
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
pub(super) fn begin_batch(session: &mut Session, id: &str) -> Result<()> {
    session
        .audit
        .append(&[("evidence-batch", fields([("batch", json!(id))]))])?;
    Ok(())
}
