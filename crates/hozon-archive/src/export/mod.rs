//! Export (issue 21, item 3): records handed over as a BagIt bag (RFC
//! 8493) for a disclosure request (開示請求) or an audit. The bag's
//! payload holds, for each record, its directory exactly as archived
//! (`data/<id>/`: the document, its signature, scan report, evidence
//! records, `record.json`, `record.fields.json`) — so that each verifies
//! on its own offline, `hozon verify data/<id> --trust ROOT --offline` —
//! and its verification report at export time (`data/<id>.verification.json`).
//!
//! Atomic: the bag is built in a temporary directory beside the target,
//! made durable, and renamed to the target; an interrupted export leaves
//! no partial bag under the target's name. The access (who, which
//! records, where to) is logged in the audit log before the bag appears.

pub mod bagit;
mod text;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{json, Map};

use hozon_verify::{Indication, Verifier};

use crate::access::{self, Access};
use crate::record::is_record_id;
use crate::verify::Outcome;
use crate::Session;

use bagit::PayloadFile;

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct ExportRequest {
    /// Record ids.
    pub records: Vec<String>,
    /// Every record of each of these patients.
    pub patients: Vec<String>,
    /// The bag's directory (must not exist; its parent must).
    pub to: PathBuf,
}

/// Why an export was not made. Nothing is left under the target's name.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The archive (catalog, audit log, a record) failed.
    #[error(transparent)]
    Archive(#[from] crate::Error),
    /// A record id is not a record id or not in the catalog.
    #[error("record {0:?}: not in this archive's catalog")]
    UnknownRecord(String),
    /// Nothing matched.
    #[error("nothing to export: no record matches")]
    NoRecords,
    /// The target exists.
    #[error("{}: already exists; an export writes a new directory", .0.display())]
    TargetExists(PathBuf),
    /// Writing the bag failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A record directory holds something that is not a file or directory.
    #[error("{}: not a regular file (a record holds only files)", .0.display())]
    NotAFile(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One exported record.
#[derive(Clone, Debug, Serialize)]
pub struct ExportedRecord {
    /// Record id.
    pub id: String,
    /// Its verification at export time: `passed`, `failed`, `indeterminate`.
    pub outcome: crate::verify::Outcome,
    /// Files copied.
    pub files: usize,
}

/// What an export wrote.
#[derive(Clone, Debug, Serialize)]
pub struct ExportReport {
    /// The bag directory.
    pub bag: String,
    /// The records, by id.
    pub records: Vec<ExportedRecord>,
    /// Payload files.
    pub payload_files: usize,
    /// Payload bytes.
    pub payload_bytes: u64,
}

impl ExportReport {
    /// Whether a record failed its verification.
    pub fn failed(&self) -> bool {
        self.records.iter().any(|r| r.outcome == Outcome::Failed)
    }

    /// Whether a record's verification was indeterminate.
    pub fn indeterminate(&self) -> bool {
        self.records
            .iter()
            .any(|r| r.outcome == Outcome::Indeterminate)
    }
}

/// The records `request` names: ids checked against the catalog, then
/// every record of each patient; sorted, without repeats.
pub fn resolve(
    session: &Session,
    request: &ExportRequest,
) -> Result<Vec<(String, String)>, ExportError> {
    let mut out = std::collections::BTreeMap::new();
    for id in &request.records {
        if !is_record_id(id) {
            return Err(ExportError::UnknownRecord(id.clone()));
        }
        let rows = session.catalog.rows_where("id = ?1", Some(id))?;
        let row = rows
            .into_iter()
            .next()
            .ok_or_else(|| ExportError::UnknownRecord(id.clone()))?;
        out.insert(row.id, row.dir);
    }
    for p in &request.patients {
        for row in session.catalog.rows_where("patient_id = ?1", Some(p))? {
            out.insert(row.id, row.dir);
        }
    }
    if out.is_empty() {
        return Err(ExportError::NoRecords);
    }
    Ok(out.into_iter().collect())
}

/// Exports the records of `request` for `who`, verifying each with
/// `verifier` for its report.
pub fn run(
    session: &mut Session,
    request: &ExportRequest,
    verifier: &Verifier,
    who: &str,
) -> Result<ExportReport, ExportError> {
    let records = resolve(session, request)?;
    let to = &request.to;
    if to.symlink_metadata().is_ok() {
        return Err(ExportError::TargetExists(to.clone()));
    }
    let name = to
        .file_name()
        .ok_or_else(|| ExportError::Io {
            path: to.clone(),
            source: std::io::Error::other("names no directory"),
        })?
        .to_string_lossy()
        .into_owned();
    let parent = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = parent.join(format!(".{name}.export-{}.tmp", std::process::id()));
    if temp.symlink_metadata().is_ok() {
        std::fs::remove_dir_all(&temp).map_err(io(&temp))?;
    }
    std::fs::create_dir(&temp).map_err(io(&temp))?;
    let built = build(session, &records, verifier, &temp);
    let report = match built {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(e);
        }
    };
    let ids: Vec<String> = records.iter().map(|(id, _)| id.clone()).collect();
    let mut details = Map::new();
    details.insert("to".into(), json!(to.display().to_string()));
    if !request.patients.is_empty() {
        details.insert("patients".into(), json!(request.patients));
    }
    let publish = || -> Result<(), ExportError> {
        crate::durable::sync_filesystem(&temp)?;
        access::log(
            &mut session.audit,
            &Access {
                who,
                action: "export",
                details,
                records: &ids,
            },
        )?;
        std::fs::rename(&temp, to).map_err(io(to))?;
        crate::durable::sync_dir(&parent)?;
        Ok(())
    };
    if let Err(e) = publish() {
        let _ = std::fs::remove_dir_all(&temp);
        return Err(e);
    }
    Ok(ExportReport {
        bag: to.display().to_string(),
        ..report
    })
}

fn build(
    session: &Session,
    records: &[(String, String)],
    verifier: &Verifier,
    bag: &Path,
) -> Result<ExportReport, ExportError> {
    let data = bag.join("data");
    std::fs::create_dir(&data).map_err(io(&data))?;
    let mut payload = Vec::new();
    let mut exported = Vec::new();
    for (id, dir) in records {
        let src = session.layout.records().join(dir);
        let dst = data.join(id);
        let before = payload.len();
        copy_tree(&src, &dst, &format!("data/{id}"), &mut payload)?;
        let reports = crate::verify::record_reports(&src, verifier);
        let outcome = if reports
            .iter()
            .any(|r| r.indication == Indication::TotalFailed)
        {
            Outcome::Failed
        } else if reports.is_empty()
            || reports
                .iter()
                .any(|r| r.indication == Indication::Indeterminate)
        {
            Outcome::Indeterminate
        } else {
            Outcome::Passed
        };
        let report = json!({
            "record": id,
            "validation_time": verifier.validation_time().rfc3339(),
            "outcome": outcome,
            "signatures": reports,
        });
        let mut bytes = serde_json::to_vec_pretty(&report).unwrap_or_default();
        bytes.push(b'\n');
        let name = format!("{id}.verification.json");
        let path = data.join(&name);
        std::fs::write(&path, &bytes).map_err(io(&path))?;
        payload.push(PayloadFile {
            path: format!("data/{name}"),
            sha256: crate::sha256_hex(&bytes),
            size: bytes.len() as u64,
        });
        exported.push(ExportedRecord {
            id: id.clone(),
            outcome,
            files: payload.len() - before - 1,
        });
    }
    let today = hozon_cms::UnixTime::now().rfc3339();
    bagit::write_tag_files(
        bag,
        &payload,
        today.get(..10).unwrap_or("1970-01-01"),
        &format!(
            "hozon archive export of {} record(s): each data/<id>/ is a record directory that verifies on its own (hozon verify data/<id> --trust ROOT --offline); data/<id>.verification.json is its verification at export",
            exported.len()
        ),
    )
    .map_err(io(bag))?;
    Ok(ExportReport {
        bag: String::new(),
        payload_files: payload.len(),
        payload_bytes: payload.iter().map(|f| f.size).sum(),
        records: exported,
    })
}

/// Copies the directory `src` to the new directory `dst` (named `rel` in
/// the bag), hashing each file as it is written.
fn copy_tree(
    src: &Path,
    dst: &Path,
    rel: &str,
    payload: &mut Vec<PayloadFile>,
) -> Result<(), ExportError> {
    std::fs::create_dir(dst).map_err(io(dst))?;
    let mut entries: Vec<_> = std::fs::read_dir(src)
        .map_err(io(src))?
        .collect::<Result<_, _>>()
        .map_err(io(src))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let from = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let to = dst.join(entry.file_name());
        let kind = entry.file_type().map_err(io(&from))?;
        if kind.is_dir() {
            copy_tree(&from, &to, &format!("{rel}/{name}"), payload)?;
        } else if kind.is_file() {
            let (sha256, size) = copy_file(&from, &to)?;
            payload.push(PayloadFile {
                path: format!("{rel}/{name}"),
                sha256,
                size,
            });
        } else {
            return Err(ExportError::NotAFile(from));
        }
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<(String, u64), ExportError> {
    let mut src = std::fs::File::open(from).map_err(io(from))?;
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(io(to))?;
    let mut hasher = openssl::sha::Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut len = 0u64;
    loop {
        let n = src.read(&mut buf).map_err(io(from))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n]).map_err(io(to))?;
        len += n as u64;
    }
    Ok((hex::encode(hasher.finish()), len))
}
