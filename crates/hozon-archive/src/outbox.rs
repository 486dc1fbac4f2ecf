//! `archive ingest --move-done DIR --quarantine DIR`: after a run, the
//! inputs leave the outbox — archived ones (and ones already archived) to
//! the done folder, refused ones to the quarantine folder with a
//! `NAME.reason.txt` beside them — so that the next nightly run starts
//! clean instead of refusing the same files again. Each input keeps its
//! path relative to the source it was found under; a signed input's
//! `.p7s` travels with it. Nothing is overwritten: a name already taken
//! gets a `.N` suffix.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::ingest_report::IngestReport;
use crate::{io_err, Result};

/// Where the inputs go.
#[derive(Clone, Debug, Default)]
pub struct Settle<'a> {
    /// The sources given to the run (files or directories).
    pub roots: &'a [PathBuf],
    /// Archived inputs go here.
    pub done: Option<&'a Path>,
    /// Refused inputs go here.
    pub quarantine: Option<&'a Path>,
}

/// One input moved.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Moved {
    /// Where it was.
    pub from: String,
    /// Where it is now.
    pub to: String,
}

/// Moves the inputs of `report` as `settle` says; returns what moved.
pub fn run(report: &IngestReport, settle: &Settle<'_>) -> Result<Vec<Moved>> {
    let roots: Vec<PathBuf> = settle
        .roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    let mut moved = Vec::new();
    if let Some(done) = settle.done {
        let sources = report
            .archived
            .iter()
            .map(|a| a.source.as_str())
            .chain(report.already_archived.iter().map(|s| s.source.as_str()));
        for source in sources {
            moved.extend(move_input(Path::new(source), &roots, done, None)?);
        }
    }
    if let Some(quarantine) = settle.quarantine {
        for s in &report.not_archived {
            moved.extend(move_input(
                Path::new(&s.source),
                &roots,
                quarantine,
                Some(&s.reason),
            )?);
        }
    }
    Ok(moved)
}

/// `source` relative to the root it lies under (its name, if none).
fn relative(source: &Path, roots: &[PathBuf]) -> PathBuf {
    roots
        .iter()
        .filter(|r| r.is_dir())
        .find_map(|r| source.strip_prefix(r).ok())
        .filter(|r| !r.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(source.file_name().unwrap_or_default()))
}

fn move_input(
    source: &Path,
    roots: &[PathBuf],
    to_dir: &Path,
    reason: Option<&str>,
) -> Result<Vec<Moved>> {
    if !source.exists() {
        return Ok(Vec::new());
    }
    let target = free_name(&to_dir.join(relative(source, roots)));
    let mut out = vec![(source.to_path_buf(), target.clone())];
    let sidecar = |p: &Path| {
        let mut s = p.as_os_str().to_owned();
        s.push(".p7s");
        PathBuf::from(s)
    };
    if sidecar(source).is_file() {
        out.push((sidecar(source), sidecar(&target)));
    }
    let mut moved = Vec::new();
    for (from, to) in out {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        if std::fs::rename(&from, &to).is_err() {
            // Another file system: copy, flush, then remove.
            hozon_io::write_atomic(
                &to,
                &std::fs::read(&from).map_err(io_err(&from))?,
                hozon_io::Overwrite::Never,
            )
            .map_err(io_err(&to))?;
            std::fs::remove_file(&from).map_err(io_err(&from))?;
        }
        moved.push(Moved {
            from: from.display().to_string(),
            to: to.display().to_string(),
        });
    }
    if let Some(reason) = reason {
        let mut name = target.as_os_str().to_owned();
        name.push(".reason.txt");
        let path = PathBuf::from(name);
        hozon_io::write_atomic(
            &path,
            format!("{}\n{reason}\n", source.display()).as_bytes(),
            hozon_io::Overwrite::Never,
        )
        .map_err(io_err(&path))?;
    }
    Ok(moved)
}

/// `path`, or `path.1`, `path.2`, ... whichever is free.
fn free_name(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_path_buf();
    }
    (1..)
        .map(|n| {
            let mut s = path.as_os_str().to_owned();
            s.push(format!(".{n}"));
            PathBuf::from(s)
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| path.to_path_buf())
}
