//! Turning PATH arguments into the list of files a batch works on.

use std::path::{Path, PathBuf};

/// A file to work on.
#[derive(Clone, Debug)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// The directory argument it was found under (`None` when named directly).
    pub root: Option<PathBuf>,
}

/// Whether `path` is a signature or evidence file (never signed again).
pub fn is_signature(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "p7s" | "p7m" | "tsr" | "ers"
        )
    })
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
}

/// Files named directly are taken as they are; directories are walked
/// (symlinks not followed, hozon's own temporaries set aside) and their
/// files kept when `keep` says so.
pub fn collect(paths: &[PathBuf], keep: impl Fn(&Path) -> bool) -> Walked {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut temporaries = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => errors.push((p.clone(), e.to_string())),
            Ok(m) if m.is_file() => inputs.push(Input {
                path: p.clone(),
                root: None,
            }),
            Ok(m) if m.is_dir() => {
                for entry in walkdir::WalkDir::new(p)
                    .follow_links(false)
                    .sort_by_file_name()
                {
                    match entry {
                        Err(e) => errors.push((
                            e.path().map(Path::to_path_buf).unwrap_or_else(|| p.clone()),
                            e.to_string(),
                        )),
                        Ok(e) if e.file_type().is_file() && hozon_io::is_temporary(e.path()) => {
                            temporaries.push(e.into_path());
                        }
                        Ok(e) => {
                            if e.file_type().is_file() && keep(e.path()) {
                                inputs.push(Input {
                                    path: e.into_path(),
                                    root: Some(p.clone()),
                                });
                            }
                        }
                    }
                }
            }
            Ok(_) => errors.push((p.clone(), "not a regular file or directory".into())),
        }
    }
    Walked {
        inputs,
        errors,
        temporaries,
    }
}
