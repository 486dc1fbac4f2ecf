//! What `verify --require-signed` finds under the PATH arguments: documents
//! without signature, time stamp or evidence record beside them, entries
//! that are not regular files, and detached signatures whose document is
//! gone.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::verify_any::default_content;
use crate::walk;

/// A file `verify --require-signed` reports, with a stable code.
#[derive(Debug, serde::Serialize)]
pub struct Uncovered {
    /// The file.
    pub file: String,
    /// `NOT_SIGNED`, `NOT_REGULAR_FILE` or `SIGNED_DATA_NOT_FOUND`.
    pub code: &'static str,
    /// Why, in words.
    pub reason: String,
}

/// The uncovered files under some paths.
#[derive(Debug, Default)]
pub struct Coverage {
    /// Documents (and symlinks, special files) without a signature.
    pub unsigned: Vec<Uncovered>,
    /// Signatures, time stamps and evidence records whose document is gone.
    pub orphaned: Vec<Uncovered>,
}

impl Coverage {
    /// Walks `paths` (symlinks not followed). `signed_inside` names the
    /// files that carry their signatures inside them (signed PDFs).
    pub fn of(paths: &[PathBuf], signed_inside: &HashSet<&str>) -> Coverage {
        let walked = walk::collect(paths, |_| true);
        let present: HashSet<&Path> = walked.inputs.iter().map(|i| i.path.as_path()).collect();
        let mut c = Coverage::default();
        for input in &walked.inputs {
            let path = &input.path;
            if walk::is_signature(path) {
                let kept = walk::is_kept_previous(path);
                let detached = default_content(path);
                if let (false, Some(doc)) = (kept, detached) {
                    if !present.contains(doc.as_path()) && !doc.exists() {
                        c.orphaned.push(Uncovered {
                            file: path.display().to_string(),
                            code: "SIGNED_DATA_NOT_FOUND",
                            reason: format!("its document {} is gone", doc.display()),
                        });
                    }
                }
                continue;
            }
            let inside = signed_inside.contains(path.display().to_string().as_str());
            let covered = inside
                || ["p7s", "p7m", "tsr", "ers"].iter().any(|ext| {
                    let mut name = path.as_os_str().to_owned();
                    name.push(".");
                    name.push(ext);
                    present.contains(Path::new(&name))
                });
            if !covered {
                c.unsigned.push(Uncovered {
                    file: path.display().to_string(),
                    code: "NOT_SIGNED",
                    reason: "no signature, time stamp or evidence record beside it".into(),
                });
            }
        }
        for (path, reason) in walked.not_regular {
            c.unsigned.push(Uncovered {
                file: path.display().to_string(),
                code: "NOT_REGULAR_FILE",
                reason,
            });
        }
        c
    }

    /// Whether nothing is uncovered.
    pub fn is_empty(&self) -> bool {
        self.unsigned.is_empty() && self.orphaned.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[Uncovered]) -> Vec<(String, &'static str)> {
        list.iter()
            .map(|u| {
                let name = Path::new(&u.file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (name, u.code)
            })
            .collect()
    }

    #[test]
    fn unsigned_documents_orphaned_signatures_and_links_are_uncovered() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "signed.pdf",
            "signed.pdf.p7s",
            "stamped.txt",
            "stamped.txt.tsr",
            "bare.txt",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::write(dir.path().join("gone.pdf.p7s"), b"x").unwrap();
        std::fs::write(dir.path().join("old.pdf.p7s.1"), b"x").unwrap();
        std::os::unix::fs::symlink("bare.txt", dir.path().join("link")).unwrap();
        let c = Coverage::of(&[dir.path().to_path_buf()], &HashSet::new());
        assert_eq!(
            codes(&c.unsigned),
            [
                ("bare.txt".into(), "NOT_SIGNED"),
                ("link".into(), "NOT_REGULAR_FILE")
            ]
        );
        assert_eq!(
            codes(&c.orphaned),
            [("gone.pdf.p7s".into(), "SIGNED_DATA_NOT_FOUND")]
        );
        assert!(!c.is_empty());
    }

    #[test]
    fn a_pdf_signed_inside_is_covered() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("a.pdf");
        std::fs::write(&pdf, b"x").unwrap();
        let name = pdf.display().to_string();
        let inside: HashSet<&str> = [name.as_str()].into_iter().collect();
        assert!(Coverage::of(&[dir.path().to_path_buf()], &inside).is_empty());
        assert!(!Coverage::of(&[dir.path().to_path_buf()], &HashSet::new()).is_empty());
    }
}
