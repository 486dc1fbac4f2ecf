//! Turning PATH arguments into the list of files a batch works on: directories
//! walked without following symbolic links, hozon's temporaries set aside,
//! signature and evidence files (and previous signatures kept by
//! `sign --resign`) recognised by name.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// A file to work on.
#[derive(Clone, Debug)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// The directory argument it was found under (`None` when named directly).
    pub root: Option<PathBuf>,
}

/// Whether `path` is a signature or evidence file (never signed again),
/// or a previous signature kept by `sign --resign` (`FILE.p7s.<n>`).
pub fn is_signature(path: &Path) -> bool {
    let signature_ext = |p: &Path| {
        p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "p7s" | "p7m" | "tsr" | "ers"
            )
        })
    };
    signature_ext(path) || is_kept_signature(path) && signature_ext(&path.with_extension(""))
}

/// Whether `path` is a previous signature kept by `sign --resign`
/// (`FILE.p7s.<n>`): history, not verified as a current signature.
pub fn is_kept_previous(path: &Path) -> bool {
    is_kept_signature(path) && is_signature(path)
}

/// Whether `path` ends in `.<n>` (a number), as previous signatures kept by
/// `sign --resign` do.
fn is_kept_signature(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()))
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// The files to work on, in a stable order.
    pub inputs: Vec<Input>,
    /// Arguments or entries that could not be used, with why.
    pub errors: Vec<(PathBuf, String)>,
    /// hozon temporaries seen (left by interrupted runs, or in progress).
    pub temporaries: Vec<PathBuf>,
    /// Entries of walked directories left alone because they are not
    /// regular files (symbolic links, which are never followed, FIFOs,
    /// sockets, devices), with why.
    pub not_regular: Vec<(PathBuf, String)>,
    /// Directories listed in full (under roots walked without an error).
    pub listed: HashSet<PathBuf>,
    /// [`path_hash`] of every signature or evidence file seen in them: what
    /// a batch would write there. An output in a listed directory whose
    /// hash is not here did not exist when the walk ran, which spares a
    /// batch one `stat` per file (a directory lookup that grows with the
    /// directory on some file systems).
    pub outputs_seen: HashSet<u64>,
}

impl Walked {
    /// Whether `output` certainly did not exist when the walk ran. `false`
    /// means "unknown": ask the file system.
    pub fn certainly_absent(&self, output: &Path) -> bool {
        output.parent().is_some_and(|dir| self.listed.contains(dir))
            && !self.outputs_seen.contains(&path_hash(output))
    }
}

/// A fixed 64-bit hash of a path (a match is confirmed with the file system;
/// only a miss is trusted).
pub fn path_hash(path: &Path) -> u64 {
    #[allow(deprecated)] // SipHash with fixed keys: stable within a run.
    let mut hasher = std::hash::SipHasher::new();
    path.hash(&mut hasher);
    hasher.finish()
}

/// Files named directly are taken as they are; directories are walked
/// (symlinks not followed, hozon's own temporaries set aside) and their
/// files kept when `keep` says so.
pub fn collect(paths: &[PathBuf], keep: impl Fn(&Path) -> bool) -> Walked {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut temporaries = Vec::new();
    let mut listed = HashSet::new();
    let mut outputs_seen = HashSet::new();
    let mut not_regular = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => errors.push((p.clone(), e.to_string())),
            Ok(m) if m.is_file() => inputs.push(Input {
                path: p.clone(),
                root: None,
            }),
            Ok(m) if m.is_dir() => {
                let mut dirs = Vec::new();
                let mut complete = true;
                for entry in walkdir::WalkDir::new(p)
                    .follow_links(false)
                    .sort_by_file_name()
                {
                    match entry {
                        Err(e) => {
                            complete = false;
                            errors.push((
                                e.path().map(Path::to_path_buf).unwrap_or_else(|| p.clone()),
                                e.to_string(),
                            ))
                        }
                        Ok(e) if e.file_type().is_dir() => dirs.push(e.into_path()),
                        Ok(e) if e.file_type().is_file() && hozon_io::is_temporary(e.path()) => {
                            temporaries.push(e.into_path());
                        }
                        Ok(e) => {
                            if is_signature(e.path()) {
                                outputs_seen.insert(path_hash(e.path()));
                            }
                            if !keep(e.path()) {
                                continue;
                            }
                            if e.file_type().is_file() {
                                inputs.push(Input {
                                    path: e.into_path(),
                                    root: Some(p.clone()),
                                });
                            } else {
                                let why = not_regular_reason(e.file_type());
                                not_regular.push((e.into_path(), why.to_owned()));
                            }
                        }
                    }
                }
                if complete {
                    listed.extend(dirs);
                }
            }
            Ok(_) => errors.push((p.clone(), "not a regular file or directory".into())),
        }
    }
    Walked {
        inputs,
        errors,
        temporaries,
        not_regular,
        listed,
        outputs_seen,
    }
}

/// Why an entry that is neither a regular file nor a directory is left alone.
fn not_regular_reason(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_symlink() {
        "is a symbolic link; links are not followed (sign the file it points to by its own path)"
    } else if t.is_fifo() {
        "is a FIFO, not a regular file"
    } else if t.is_socket() {
        "is a socket, not a regular file"
    } else if t.is_block_device() || t.is_char_device() {
        "is a device, not a regular file"
    } else {
        "is not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_known_absent_only_in_fully_listed_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("docs");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        for name in ["a", "b", "b.tsr", "sub/c"] {
            std::fs::write(root.join(name), b"x").unwrap();
        }
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("d"), b"x").unwrap();

        let walked = collect(std::slice::from_ref(&root), |p| !is_signature(p));
        assert_eq!(walked.inputs.len(), 3);
        assert!(walked.certainly_absent(&root.join("a.tsr")));
        assert!(walked.certainly_absent(&root.join("sub/c.tsr")));
        assert!(!walked.certainly_absent(&root.join("b.tsr")), "it exists");
        assert!(
            !walked.certainly_absent(&elsewhere.join("d.tsr")),
            "not listed: unknown"
        );

        // A file named directly: its directory was not listed.
        let direct = collect(&[elsewhere.join("d")], |_| true);
        assert!(!direct.certainly_absent(&elsewhere.join("d.tsr")));
    }

    #[test]
    fn symlinks_and_fifos_are_listed_as_not_regular_with_why() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"x").unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("link")).unwrap();
        let fifo = dir.path().join("fifo");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(ok.success());
        let walked = collect(&[dir.path().to_path_buf()], |p| !is_signature(p));
        assert_eq!(walked.inputs.len(), 1);
        let reasons: Vec<(String, String)> = walked
            .not_regular
            .iter()
            .map(|(p, r)| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    r.clone(),
                )
            })
            .collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons
            .iter()
            .any(|(n, r)| n == "link" && r.contains("symbolic link")));
        assert!(reasons
            .iter()
            .any(|(n, r)| n == "fifo" && r.contains("FIFO")));
    }

    #[test]
    fn kept_previous_signatures_are_signature_files() {
        assert!(is_signature(Path::new("a.pdf.p7s")));
        assert!(is_signature(Path::new("a.pdf.p7s.1")));
        assert!(is_signature(Path::new("a.pdf.p7m.12")));
        assert!(!is_signature(Path::new("report.2024")));
        assert!(!is_signature(Path::new("a.pdf.1")));
        assert!(!is_signature(Path::new("a.pdf")));
    }

    #[test]
    fn a_missing_root_lists_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let walked = collect(std::slice::from_ref(&missing), |_| true);
        assert_eq!(walked.errors.len(), 1);
        assert!(walked.listed.is_empty());
        assert!(!walked.certainly_absent(&missing.join("a.tsr")));
    }
}
