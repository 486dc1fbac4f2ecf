//! Durable, atomic file output.
//!
//! A signature that exists on disk must be complete and must survive a power
//! cut: a half-written `.p7s` is worse than none, because a later run would
//! skip it as done. Every output is therefore written to a temporary name in
//! the destination directory, flushed to stable storage, renamed into place,
//! and the directory itself is flushed so the rename is durable.
//!
//! Flushing costs about as much as an RSA-2048 signature on common disks, so
//! batches use [`BatchWriter`], a group commit: outputs are staged under
//! temporary names, and every `group` files (and at the end) one `syncfs(2)`
//! makes all of them durable at once before they are renamed into place.
//! A batch killed at any point leaves only complete outputs under their final
//! names; staged temporaries (`.NAME.*.hozon-tmp`) are ignored by walkers
//! and cleaned up by [`remove_stale_temporaries`].
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Suffix of staged temporaries.
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
    staged.file.sync_all()?;
    drop(staged.file);
    let result = publish(&staged.temp, path, overwrite);
    if result.is_err() {
        let _ = fs::remove_file(&staged.temp);
    }
    result?;
    sync_dir(parent_of(path))
}

/// Whether `path` is one of our staged temporaries.
pub fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.ends_with(TEMP_SUFFIX))
}

/// Removes the staged temporaries for `path` that an interrupted run left.
pub fn remove_stale_temporaries(path: &Path) -> io::Result<usize> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Ok(0);
    };
    let prefix = format!(".{name}.");
    let mut removed = 0;
    let dir = parent_of(path);
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        if n.starts_with(&prefix) && n.ends_with(TEMP_SUFFIX) && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

struct Staged {
    temp: PathBuf,
    file: File,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn stage(path: &Path, bytes: &[u8]) -> io::Result<Staged> {
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
    let temp = parent_of(path).join(temp_name);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    if let Err(e) = file.write_all(bytes) {
        drop(file);
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    Ok(Staged { temp, file })
}

fn publish(temp: &Path, path: &Path, overwrite: Overwrite) -> io::Result<()> {
    match overwrite {
        Overwrite::Replace => fs::rename(temp, path),
        Overwrite::Never => {
            // link(2) fails with EEXIST instead of replacing: an atomic
            // "rename unless it exists".
            fs::hard_link(temp, path)?;
            fs::remove_file(temp)
        }
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
    temp: PathBuf,
    path: PathBuf,
    overwrite: Overwrite,
    #[cfg(not(target_os = "linux"))]
    file: File,
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
pub struct BatchWriter {
    group: usize,
    pending: Mutex<Vec<Pending>>,
    failures: Mutex<Vec<CommitFailure>>,
    committed: AtomicU64,
}

impl BatchWriter {
    /// A writer that commits every `group` staged files (at least 1).
    pub fn new(group: usize) -> BatchWriter {
        BatchWriter {
            group: group.max(1),
            pending: Mutex::new(Vec::new()),
            failures: Mutex::new(Vec::new()),
            committed: AtomicU64::new(0),
        }
    }

    /// Stages `bytes` for `path`. The file appears under its final name at
    /// the next group commit (possibly triggered by this call) or at
    /// [`BatchWriter::finish`]. An error here means nothing was staged.
    pub fn write(&self, path: &Path, bytes: &[u8], overwrite: Overwrite) -> io::Result<()> {
        let staged = stage(path, bytes)?;
        let pending = Pending {
            temp: staged.temp,
            path: path.to_path_buf(),
            overwrite,
            #[cfg(not(target_os = "linux"))]
            file: staged.file,
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
        self.commit(batch);
        Ok(())
    }

    /// Commits everything still staged, and returns the outputs that could
    /// not be published (their temporaries are removed).
    pub fn finish(&self) -> Vec<CommitFailure> {
        let batch = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if !batch.is_empty() {
            self.commit(batch);
        }
        std::mem::take(&mut *self.failures.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// How many files have been published so far.
    pub fn committed(&self) -> u64 {
        self.committed.load(Ordering::Relaxed)
    }

    fn commit(&self, batch: Vec<Pending>) {
        let mut failures = Vec::new();
        let dirs: BTreeSet<PathBuf> = batch
            .iter()
            .map(|p| parent_of(&p.path).to_path_buf())
            .collect();
        // 1. Make the staged contents durable.
        if let Err(error) = flush_staged(&batch, &dirs) {
            for p in batch {
                let _ = fs::remove_file(&p.temp);
                failures.push(CommitFailure {
                    path: p.path,
                    error: io::Error::new(error.kind(), error.to_string()),
                });
            }
            self.failures
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(failures);
            return;
        }
        // 2. Publish them under their final names.
        let mut published = 0u64;
        for p in batch {
            match publish(&p.temp, &p.path, p.overwrite) {
                Ok(()) => published += 1,
                Err(error) => {
                    let _ = fs::remove_file(&p.temp);
                    failures.push(CommitFailure {
                        path: p.path,
                        error,
                    });
                }
            }
        }
        // 3. Make the renames durable.
        for dir in &dirs {
            if let Err(error) = sync_dir(dir) {
                failures.push(CommitFailure {
                    path: dir.clone(),
                    error,
                });
            }
        }
        self.committed.fetch_add(published, Ordering::Relaxed);
        if !failures.is_empty() {
            self.failures
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(failures);
        }
    }
}

#[cfg(target_os = "linux")]
fn flush_staged(_batch: &[Pending], dirs: &BTreeSet<PathBuf>) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let mut devices = BTreeSet::new();
    for dir in dirs {
        let file = File::open(dir)?;
        if devices.insert(file.metadata()?.dev()) {
            // SAFETY: syncfs only reads the file descriptor, which `file`
            // keeps open for the duration of the call.
            let rc = unsafe { libc::syncfs(file.as_raw_fd()) };
            if rc != 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn flush_staged(batch: &[Pending], _dirs: &BTreeSet<PathBuf>) -> io::Result<()> {
    for p in batch {
        p.file.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
        let stale = dir.path().join(".doc.pdf.p7s.123.4.hozon-tmp");
        fs::write(&stale, b"partial").unwrap();
        assert!(is_temporary(&stale));
        assert!(!is_temporary(&out));
        assert_eq!(remove_stale_temporaries(&out).unwrap(), 1);
        assert!(!stale.exists());
    }
}
