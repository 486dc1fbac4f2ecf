//! The archive's writer lock: an exclusive advisory lock
//! (`File::try_lock`, flock on Linux) on `ARCHIVE/lock`, released by the
//! kernel when the holder exits in any way — so a killed job never leaves a
//! stale lock behind. The holder writes its pid, command and start time
//! into the file, which a refused job quotes.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::{io_err, Error, Result};

/// Whether to wait for a busy lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Fail at once with [`Error::Locked`].
    No,
    /// Block until the holder is done.
    Yes,
}

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct ArchiveLock {
    _file: File,
    path: PathBuf,
}

impl ArchiveLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What the lock file says about its holder.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.take(4096).read_to_string(&mut text);
    let text = text.trim().replace('\n', ", ");
    if text.is_empty() {
        "holder unknown".into()
    } else {
        text
    }
}

/// Takes the lock at `path` for `command`; `on_wait` is told the holder
/// when `wait` is [`Wait::Yes`] and the lock is busy.
pub fn acquire(
    path: &Path,
    wait: Wait,
    command: &str,
    on_wait: &dyn Fn(&str),
) -> Result<ArchiveLock> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io_err(path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut who = holder(&mut file);
            if who == "holder unknown" {
                // The holder may be between taking the lock and writing it.
                std::thread::sleep(std::time::Duration::from_millis(100));
                who = holder(&mut file);
            }
            match wait {
                Wait::No => {
                    return Err(Error::Locked {
                        path: path.to_path_buf(),
                        holder: who,
                    })
                }
                Wait::Yes => {
                    on_wait(&who);
                    file.lock().map_err(io_err(path))?;
                }
            }
        }
        Err(TryLockError::Error(e)) => return Err(io_err(path)(e)),
    }
    let line = format!(
        "pid {}\ncommand {}\nsince {}\n",
        std::process::id(),
        command,
        hozon_cms::UnixTime::now().rfc3339()
    );
    file.set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)).map(|_| ()))
        .and_then(|()| file.write_all(line.as_bytes()))
        .map_err(io_err(path))?;
    Ok(ArchiveLock {
        _file: file,
        path: path.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_naming_the_first_then_gets_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let first = acquire(&path, Wait::No, "hozon archive ingest a", &|_| {}).unwrap();
        let err = acquire(&path, Wait::No, "hozon archive ingest b", &|_| {}).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        assert!(text.contains("hozon archive ingest a"), "{text}");
        drop(first);
        acquire(&path, Wait::No, "b", &|_| {}).unwrap();
    }
}
