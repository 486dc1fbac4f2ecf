//! Streamed, atomic, durable file output for objects read from a replica
//! (and for the files of a [`crate::DirReplica`]).
//!
//! hozon-io publishes byte slices; an object can be gigabytes, so it is
//! streamed here into a named temporary beside the destination, using
//! hozon-io's temporary naming (`.NAME.PID.N.hozon-tmp`) so that walkers
//! skip it and `hozon_io::remove_stale_temporaries` cleans up after a
//! killed run. Publication is `link(2)` + unlink, which fails instead of
//! replacing an existing file, then the directory is fsynced.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{ReplicaError, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A file being written under a temporary name; removed on drop unless
/// published.
pub(crate) struct Staged {
    temp: PathBuf,
    file: Option<File>,
    hasher: openssl::sha::Sha256,
    written: u64,
}

pub(crate) fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

impl Staged {
    /// Starts a temporary beside `dest`.
    pub(crate) fn beside(dest: &Path) -> Result<Staged> {
        let name = dest.file_name().ok_or_else(|| {
            ReplicaError::io(dest, "no file name", io::ErrorKind::InvalidInput.into())
        })?;
        let mut temp_name = OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(
            ".{}.{}{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            hozon_io::TEMP_SUFFIX
        ));
        let temp = parent_of(dest).join(temp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| ReplicaError::io(&temp, "cannot create a temporary file", e))?;
        Ok(Staged {
            temp,
            file: Some(file),
            hasher: openssl::sha::Sha256::new(),
            written: 0,
        })
    }

    /// Appends `bytes`.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let file = self.file.as_mut().ok_or_else(|| {
            ReplicaError::io(&self.temp, "write after close", io::ErrorKind::Other.into())
        })?;
        file.write_all(bytes)
            .map_err(|e| ReplicaError::io(&self.temp, "cannot write", e))?;
        self.hasher.update(bytes);
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// The temporary's path.
    pub(crate) fn path(&self) -> &Path {
        &self.temp
    }

    /// Bytes written so far.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    /// Flushes to stable storage, optionally makes the file read-only, and
    /// returns the SHA-256 of what was written. The file stays unpublished.
    pub(crate) fn finish(&mut self, read_only: bool) -> Result<crate::Sha256> {
        let file = self.file.take().ok_or_else(|| {
            ReplicaError::io(&self.temp, "finished twice", io::ErrorKind::Other.into())
        })?;
        if read_only {
            let mut perms = file
                .metadata()
                .map_err(|e| ReplicaError::io(&self.temp, "cannot stat", e))?
                .permissions();
            perms.set_readonly(true);
            file.set_permissions(perms)
                .map_err(|e| ReplicaError::io(&self.temp, "cannot make read-only", e))?;
        }
        file.sync_all()
            .map_err(|e| ReplicaError::io(&self.temp, "cannot fsync", e))?;
        let hasher = std::mem::replace(&mut self.hasher, openssl::sha::Sha256::new());
        Ok(crate::Sha256(hasher.finish()))
    }

    /// Publishes the finished temporary as `dest` (failing with
    /// `AlreadyExists` rather than replacing it) and fsyncs the directory.
    pub(crate) fn publish(self, dest: &Path) -> io::Result<()> {
        fs::hard_link(&self.temp, dest)?;
        // From here `dest` exists; the temporary name is only a leftover.
        let _ = fs::remove_file(&self.temp);
        sync_dir(parent_of(dest))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.temp);
    }
}

pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
