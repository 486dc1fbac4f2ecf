//! `ARCHIVE/watch.json`: what the running watcher tells `archive status` —
//! its backlog, its last batch (time, records, evidence time stamps) and
//! its recent errors. Written atomically (a reader sees the old or the new
//! file, never a mix) by the one watcher of the archive.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{io_err, Error, Result};

/// The state file's name in the archive directory.
pub const FILE: &str = "watch.json";

/// Errors kept in the state file (the newest).
pub const MAX_ERRORS: usize = 20;

/// Files waiting in the watched folders.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Backlog {
    /// Seen, not yet complete (being written, or within the settle time).
    pub settling: u64,
    /// Complete, in the window to be ingested next.
    pub ready: u64,
}

/// One evidence batch (one TSA request).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stamp {
    /// The batch id.
    pub id: String,
    /// The time stamp's time.
    pub time: String,
    /// Records it covers.
    pub records: u64,
}

/// The last window ingested.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LastBatch {
    /// When it finished.
    pub time: String,
    /// New records.
    pub records: u64,
    /// Inputs found already archived (after a restart) and moved to done.
    pub already_archived: u64,
    /// Inputs quarantined.
    pub quarantined: u64,
    /// The evidence batches it stamped (one TSA request each).
    pub evidence: Vec<Stamp>,
    /// Why records were left without evidence (TSA unreachable, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_error: Option<String>,
}

/// Totals since the watcher started.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Totals {
    /// Windows ingested.
    pub batches: u64,
    /// New records.
    pub records: u64,
    /// Inputs found already archived.
    pub already_archived: u64,
    /// Inputs quarantined.
    pub quarantined: u64,
}

/// An error the watcher met and went on after.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Problem {
    /// When.
    pub time: String,
    /// What.
    pub message: String,
}

/// `watch.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct WatchState {
    /// The watcher's process id.
    pub pid: u32,
    /// False once it has stopped cleanly.
    pub running: bool,
    /// When it started.
    pub started: String,
    /// When this file was last written.
    pub updated: String,
    /// The folders watched.
    pub folders: Vec<String>,
    /// `inotify` or `poll every N s`.
    pub mode: super::WatchMode,
    /// What waits.
    pub backlog: Backlog,
    /// The last window ingested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_batch: Option<LastBatch>,
    /// Since the start.
    pub totals: Totals,
    /// The newest errors, oldest first.
    pub errors: Vec<Problem>,
}

impl WatchState {
    /// Records an error (keeping the newest [`MAX_ERRORS`]).
    pub fn problem(&mut self, message: String) {
        self.errors.push(Problem {
            time: hozon_cms::UnixTime::now().rfc3339(),
            message,
        });
        let excess = self.errors.len().saturating_sub(MAX_ERRORS);
        self.errors.drain(..excess);
    }
}

/// The state file of the archive at `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(FILE)
}

/// Writes the state file atomically.
pub fn write(root: &Path, state: &WatchState) -> Result<()> {
    let path = path(root);
    let bytes = serde_json::to_vec_pretty(state).map_err(|e| Error::Record {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    hozon_io::write_atomic(&path, &bytes, hozon_io::Overwrite::Replace).map_err(io_err(&path))
}

/// Reads the state file, if a watcher ever ran on the archive at `root`.
pub fn read(root: &Path) -> Result<Option<WatchState>> {
    let path = path(root);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(&path)(e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::Record {
            path,
            reason: format!("not a watch state file: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_round_trips_and_keeps_the_newest_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), None);
        let mut s = WatchState {
            pid: 7,
            running: true,
            ..WatchState::default()
        };
        for i in 0..MAX_ERRORS + 5 {
            s.problem(format!("error {i}"));
        }
        assert_eq!(s.errors.len(), MAX_ERRORS);
        assert_eq!(s.errors[0].message, "error 5");
        write(dir.path(), &s).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Some(s));
        std::fs::write(path(dir.path()), b"{").unwrap();
        assert!(read(dir.path())
            .unwrap_err()
            .to_string()
            .contains("not a watch state file"));
    }
}
