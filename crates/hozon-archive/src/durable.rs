//! fsync helpers: a file, a directory, and the whole file system at once
//! (`syncfs(2)`, the group commit that makes a few hundred staged records
//! durable with one call instead of several `fsync`s each).

use std::fs::File;
use std::path::Path;

use crate::{io_err, Result};

/// Flushes the directory entry list of `dir`.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io_err(dir))
}

/// Flushes everything written to the file system holding `dir` (one
/// `syncfs(2)`: [`hozon_io::sync_filesystem`]).
pub(crate) fn sync_filesystem(dir: &Path) -> Result<()> {
    hozon_io::sync_filesystem(dir).map_err(io_err(dir))
}

/// Writes `bytes` to a new file `path` (which must not exist) without
/// flushing it: the caller makes it durable (file by file, or by group).
/// Atomic: evidence records are written straight into published record
/// directories, where a file cut short by a killed run would be taken for
/// the newest evidence.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    hozon_io::write_new_unsynced(path, bytes).map_err(io_err(path))
}
