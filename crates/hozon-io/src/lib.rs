//! Durable, atomic file output.
//!
//! A signature that exists on disk must be complete and must survive a power
//! cut: a half-written `.p7s` is worse than none, because a later run would
//! skip it as done. Every output is therefore written where no reader can see
//! it, flushed to stable storage, published under its final name in one
//! atomic step, and the directory itself is flushed so the publication is
//! durable.
//!
//! On Linux the unpublished file is an anonymous inode (`O_TMPFILE`),
//! published with `linkat(2)`: a run killed at any point leaves nothing
//! behind, and the directory is touched once per file instead of three times
//! (create, rename, unlink) — which matters when two threads fill one
//! directory with ten thousand signatures. Elsewhere, or on file systems
//! without `O_TMPFILE`, a named temporary (`.NAME.PID.N.hozon-tmp`) is
//! written and renamed; walkers skip such names and
//! [`remove_stale_temporaries`] cleans up after interrupted runs.
//!
//! Flushing costs about as much as an RSA-2048 signature on common disks, so
//! batches use [`BatchWriter`], a group commit: outputs are staged, and every
//! `group` files (and at the end) one `syncfs(2)` makes all of them durable
//! at once before they are published.
//!
//! # Example
//!
//! ```
//! use hozon_io::{write_atomic, BatchWriter, Overwrite};
//!
//! # fn main() -> std::io::Result<()> {
//! # let tmp = tempfile::tempdir()?;
//! # let dir = tmp.path();
//! // One file: afterwards it exists complete and durable under its name, or not at all.
//! write_atomic(&dir.join("referral-letter.txt.p7s"), b"signature bytes", Overwrite::Never)?;
//!
//! // A batch: staged files are published, one syncfs(2) per group of 256.
//! let writer = BatchWriter::new(256);
//! for name in ["a.p7s", "b.p7s", "c.p7s"] {
//!     writer.write(&dir.join(name), b"signature bytes", Overwrite::Never)?;
//! }
//! let failures = writer.finish();
//! assert!(failures.is_empty());
//! assert_eq!(writer.committed(), 3);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]
#![deny(unsafe_op_in_unsafe_fn)]

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Suffix of named temporaries.
pub const TEMP_SUFFIX: &str = ".hozon-tmp";

/// What to do when the destination already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overwrite {
    /// Fail with `AlreadyExists`; the existing file is never touched.
    Never,
    /// Replace it atomically.
    Replace,
}

/// Writes `bytes` to `path` atomically and durably (one file).
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: Overwrite) -> io::Result<()> {
    let staged = stage(path, bytes)?;
    staged.file().sync_all()?;
    staged.publish(path, overwrite)?;
    sync_dir(parent_of(path))
}

/// Writes `bytes` as the new file `path` (`AlreadyExists` if it is taken)
/// atomically but without flushing it: a reader, or a later run after this
/// one was killed at any point, finds the whole file or none. The caller
/// makes it durable later, for a whole group at once (`syncfs`).
pub fn write_new_unsynced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    stage(path, bytes)?.publish(path, Overwrite::Never)
}

/// Whether `path` is one of our named temporaries.
pub fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.ends_with(TEMP_SUFFIX))
}

/// Removes, from `dir`, the named temporaries that interrupted runs left
/// behind: those whose writing process no longer exists. Temporaries of a
/// run still in progress are left alone. Returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if !is_temporary(&path) || !entry.file_type()?.is_file() {
            continue;
        }
        let writer_alive = temporary_owner(&path).is_some_and(process_exists);
        if !writer_alive {
            fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The process id embedded in a temporary's name (`.NAME.PID.N.hozon-tmp`).
fn temporary_owner(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?.strip_suffix(TEMP_SUFFIX)?;
    let mut parts = name.rsplit('.');
    let _counter = parts.next()?;
    parts.next()?.parse().ok()
}

#[cfg(unix)]
fn process_exists(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 sends nothing; it only checks existence.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_exists(_pid: u32) -> bool {
    true
}

/// A file written but not yet visible under its final name.
enum Staged {
    /// An anonymous inode (`O_TMPFILE`), published by `linkat`.
    #[cfg(target_os = "linux")]
    Anonymous(File),
    /// A named temporary in the destination directory, published by rename.
    Named { temp: PathBuf, file: File },
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_name(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, "output path has no file name")
    })?;
    let mut temp_name = OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(
        ".{}.{}{TEMP_SUFFIX}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    Ok(parent_of(path).join(temp_name))
}

fn stage(path: &Path, bytes: &[u8]) -> io::Result<Staged> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        match OpenOptions::new()
            .write(true)
            .mode(0o644)
            .custom_flags(libc::O_TMPFILE)
            .open(parent_of(path))
        {
            Ok(mut file) => {
                file.write_all(bytes)?;
                return Ok(Staged::Anonymous(file));
            }
            // File systems without O_TMPFILE: fall back to a named temporary.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)
                ) => {}
            Err(e) => return Err(e),
        }
    }
    let temp = temp_name(path)?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    if let Err(e) = file.write_all(bytes) {
        drop(file);
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    Ok(Staged::Named { temp, file })
}

impl Staged {
    fn file(&self) -> &File {
        match self {
            #[cfg(target_os = "linux")]
            Staged::Anonymous(file) => file,
            Staged::Named { file, .. } => file,
        }
    }

    /// Makes the staged file visible as `path`. On error nothing is left
    /// behind and an existing `path` is untouched.
    fn publish(self, path: &Path, overwrite: Overwrite) -> io::Result<()> {
        match self {
            #[cfg(target_os = "linux")]
            Staged::Anonymous(file) => match overwrite {
                Overwrite::Never => link_fd(&file, path),
                Overwrite::Replace => {
                    let temp = temp_name(path)?;
                    link_fd(&file, &temp)?;
                    fs::rename(&temp, path).inspect_err(|_| {
                        let _ = fs::remove_file(&temp);
                    })
                }
            },
            Staged::Named { temp, file } => {
                drop(file);
                let result = match overwrite {
                    Overwrite::Replace => fs::rename(&temp, path),
                    // link(2) fails with EEXIST instead of replacing: an
                    // atomic "rename unless it exists".
                    Overwrite::Never => {
                        fs::hard_link(&temp, path).and_then(|()| fs::remove_file(&temp))
                    }
                };
                if result.is_err() {
                    let _ = fs::remove_file(&temp);
                }
                result
            }
        }
    }
}

/// Gives the anonymous inode open as `file` the name `path` (EEXIST if taken).
#[cfg(target_os = "linux")]
fn link_fd(file: &File, path: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let source = std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    let target = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings for the call;
    // the descriptor stays open because `file` is borrowed.
    let rc = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            source.as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// One staged output waiting for the next group commit.
struct Pending {
    staged: Staged,
    path: PathBuf,
    overwrite: Overwrite,
}

/// An output that could not be published, with why.
#[derive(Debug)]
pub struct CommitFailure {
    /// The destination that was not written.
    pub path: PathBuf,
    /// Why.
    pub error: io::Error,
}

/// Group-committing writer for batches; see the crate documentation.
///
/// The worker whose write fills a group commits it inline. (A dedicated
/// commit thread was measured and was 2.5x slower: its `syncfs` and
/// `linkat` calls contend with the workers' file creation in the same
/// directory.)
pub struct BatchWriter {
    group: usize,
    pending: Mutex<Vec<Pending>>,
    shared: Shared,
}

#[derive(Default)]
struct Shared {
    failures: Mutex<Vec<CommitFailure>>,
    committed: AtomicU64,
}

impl BatchWriter {
    /// A writer that commits every `group` staged files (at least 1).
    pub fn new(group: usize) -> BatchWriter {
        BatchWriter {
            group: group.max(1),
            pending: Mutex::new(Vec::new()),
            shared: Shared::default(),
        }
    }

    /// Stages `bytes` for `path`. The file appears under its final name at
    /// the next group commit (possibly made by this call) or at
    /// [`BatchWriter::finish`]. An error here means nothing was staged.
    pub fn write(&self, path: &Path, bytes: &[u8], overwrite: Overwrite) -> io::Result<()> {
        let staged = stage(path, bytes)?;
        let pending = Pending {
            staged,
            path: path.to_path_buf(),
            overwrite,
        };
        let batch = {
            let mut list = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            list.push(pending);
            if list.len() >= self.group {
                std::mem::take(&mut *list)
            } else {
                return Ok(());
            }
        };
        commit(batch, &self.shared);
        Ok(())
    }

    /// Commits everything still staged, and returns the outputs that could
    /// not be published.
    pub fn finish(&self) -> Vec<CommitFailure> {
        let batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if !batch.is_empty() {
            commit(batch, &self.shared);
        }
        std::mem::take(
            &mut *self
                .shared
                .failures
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        )
    }

    /// How many files have been published so far.
    pub fn committed(&self) -> u64 {
        self.shared.committed.load(Ordering::Relaxed)
    }
}

impl Drop for BatchWriter {
    fn drop(&mut self) {
        // Publish whatever is staged even if the caller forgot to finish.
        let _ = self.finish();
    }
}

fn commit(batch: Vec<Pending>, shared: &Shared) {
    let mut failures = Vec::new();
    let dirs: BTreeSet<PathBuf> = batch
        .iter()
        .map(|p| parent_of(&p.path).to_path_buf())
        .collect();
    // 1. Make the staged contents durable.
    if let Err(error) = flush_staged(&batch, &dirs) {
        for p in batch {
            // Dropping an anonymous staged file discards it; a named one is
            // removed.
            if let Staged::Named { temp, .. } = &p.staged {
                let _ = fs::remove_file(temp);
            }
            failures.push(CommitFailure {
                path: p.path,
                error: io::Error::new(error.kind(), error.to_string()),
            });
        }
        shared
            .failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(failures);
        return;
    }
    // 2. Publish them under their final names.
    let mut published = 0u64;
    for p in batch {
        match p.staged.publish(&p.path, p.overwrite) {
            Ok(()) => published += 1,
            Err(error) => failures.push(CommitFailure {
                path: p.path,
                error,
            }),
        }
    }
    // 3. Make the publications durable.
    for dir in &dirs {
        if let Err(error) = sync_dir(dir) {
            failures.push(CommitFailure {
                path: dir.clone(),
                error,
            });
        }
    }
    shared.committed.fetch_add(published, Ordering::Relaxed);
    if !failures.is_empty() {
        shared
            .failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(failures);
    }
}

#[cfg(target_os = "linux")]
fn flush_staged(_batch: &[Pending], dirs: &BTreeSet<PathBuf>) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mut devices = BTreeSet::new();
    for dir in dirs {
        let file = File::open(dir)?;
        if devices.insert(file.metadata()?.dev()) {
            sync_filesystem_of(&file)?;
        }
    }
    Ok(())
}

/// Flushes everything written to the file system that holds `dir`: Linux
/// `syncfs(2)`, one call for a whole group of files written without their
/// own `fsync`; elsewhere a full `sync(2)`.
///
/// The group commit of [`BatchWriter`] and of the archive's record batches.
pub fn sync_filesystem(dir: &Path) -> io::Result<()> {
    sync_filesystem_of(&File::open(dir)?)
}

/// [`sync_filesystem`] for an open file or directory of that file system.
fn sync_filesystem_of(file: &File) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: syncfs only reads the file descriptor, which `file` keeps
        // open for the duration of the call.
        let rc = unsafe { libc::syncfs(file.as_raw_fd()) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        // SAFETY: sync takes no arguments and cannot fail.
        unsafe { libc::sync() };
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn flush_staged(batch: &[Pending], _dirs: &BTreeSet<PathBuf>) -> io::Result<()> {
    for p in batch {
        p.staged.file().sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sync_filesystem_flushes_a_directory_and_names_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        super::write_new_unsynced(&dir.path().join("a"), b"x").unwrap();
        super::sync_filesystem(dir.path()).unwrap();
        let err = super::sync_filesystem(&dir.path().join("missing")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn write_new_unsynced_publishes_whole_files_and_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ers");
        write_new_unsynced(&path, b"first").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"first");
        let err = write_new_unsynced(&path, b"second").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"first");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary left behind");
    }

    use super::*;

    #[test]
    fn atomic_write_never_overwrites_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.p7s");
        write_atomic(&path, b"one", Overwrite::Never).unwrap();
        let err = write_atomic(&path, b"two", Overwrite::Never).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"three", Overwrite::Replace).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        // No temporaries are left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn batch_writer_publishes_on_group_and_finish() {
        let dir = tempfile::tempdir().unwrap();
        let w = BatchWriter::new(2);
        w.write(&dir.path().join("1"), b"1", Overwrite::Never)
            .unwrap();
        assert!(
            !dir.path().join("1").exists(),
            "not published before the group is full"
        );
        w.write(&dir.path().join("2"), b"2", Overwrite::Never)
            .unwrap();
        assert!(dir.path().join("1").exists() && dir.path().join("2").exists());
        w.write(&dir.path().join("3"), b"3", Overwrite::Never)
            .unwrap();
        assert!(w.finish().is_empty());
        assert_eq!(fs::read(dir.path().join("3")).unwrap(), b"3");
        assert_eq!(w.committed(), 3);
    }

    #[test]
    fn batch_writer_reports_existing_targets() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("x"), b"old").unwrap();
        let w = BatchWriter::new(10);
        w.write(&dir.path().join("x"), b"new", Overwrite::Never)
            .unwrap();
        let failures = w.finish();
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(dir.path().join("x")).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn stale_temporaries_are_recognised_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("doc.pdf.p7s");
        // A pid far above any pid_max: that writer is surely gone.
        let stale = dir.path().join(".doc.pdf.p7s.2000000000.4.hozon-tmp");
        let live = dir
            .path()
            .join(format!(".other.p7s.{}.1.hozon-tmp", std::process::id()));
        fs::write(&stale, b"partial").unwrap();
        fs::write(&live, b"in progress").unwrap();
        assert!(is_temporary(&stale));
        assert!(!is_temporary(&out));
        assert_eq!(temporary_owner(&stale), Some(2_000_000_000));
        assert_eq!(remove_stale_temporaries(dir.path()).unwrap(), 1);
        assert!(!stale.exists());
        assert!(live.exists(), "a running writer's temporary is kept");
    }
}
