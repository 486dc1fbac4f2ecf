//! The rules of signing again (`sign` rerun, `sign --resign`): an existing
//! detached signature is checked against its document by message digest
//! (cheap; no signature check), and a signature that is replaced is first
//! kept as `SIG.<n>` (see [`crate::walk::is_kept_previous`]).

use std::fs::File;
use std::path::{Path, PathBuf};

use hozon_cms::MAX_SIGNATURE_FILE_SIZE;
use hozon_sign::{check_detached_digest, DigestCheck};

/// Why an existing signature could not be compared with its document.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The signature file could not be read.
    #[error("cannot read {}: {source}", sig.display())]
    Read {
        /// The signature file.
        sig: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The signature file is larger than any signature may be.
    #[error("{}: {size} bytes is too large for a signature file", sig.display())]
    TooLarge {
        /// The signature file.
        sig: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The document could not be opened.
    #[error("cannot open: {0}")]
    OpenDocument(#[source] std::io::Error),
    /// The signature could not be parsed or the document read.
    #[error("cannot check {} against the document: {source}", sig.display())]
    Check {
        /// The signature file.
        sig: PathBuf,
        /// Why.
        source: hozon_sign::Error,
    },
}

/// Why a signature about to be replaced could not be kept.
#[derive(Debug, thiserror::Error)]
pub enum KeepError {
    /// The signature could not be read (to recognise a copy kept before).
    #[error("cannot read {}: {source}", sig.display())]
    Read {
        /// The signature file.
        sig: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The link could not be made.
    #[error("cannot keep the previous signature as {}: {source}", kept.display())]
    Link {
        /// The name it was to be kept as.
        kept: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The directory could not be flushed after the link.
    #[error("cannot sync {}: {source}", dir.display())]
    Sync {
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Every `SIG.<n>` is taken.
    #[error("no free name for the previous signature of {}", sig.display())]
    NoFreeName {
        /// The signature file.
        sig: PathBuf,
    },
}

/// Whether the existing detached signature `sig` still fits `doc`: its
/// message digest against the document's.
pub fn existing_fits(doc: &Path, sig: &Path) -> Result<DigestCheck, FitError> {
    let read = |source| FitError::Read {
        sig: sig.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(sig).map_err(read)?.len();
    if size > MAX_SIGNATURE_FILE_SIZE {
        return Err(FitError::TooLarge {
            sig: sig.to_path_buf(),
            size,
        });
    }
    let bytes = std::fs::read(sig).map_err(read)?;
    let content = File::open(doc).map_err(FitError::OpenDocument)?;
    check_detached_digest(&bytes, content).map_err(|source| FitError::Check {
        sig: sig.to_path_buf(),
        source,
    })
}

/// The "changed after signing" reason of a document whose signature no
/// longer fits it, if so (a check on rerun before skipping it). An
/// unreadable signature is left as it is: `verify` reports it; only a
/// definite mismatch is a change.
pub fn changed_after_signing(doc: &Path, sig: &Path) -> Option<String> {
    match existing_fits(doc, sig) {
        Ok(DigestCheck::Matches | DigestCheck::NotComparable(_)) | Err(_) => None,
        Ok(DigestCheck::Changed { algorithm }) => Some(format!(
            "changed after signing: the document's {algorithm} digest differs from the one {} signed; --resign signs the new version and keeps the old signature as {}.<n>",
            sig.display(),
            sig.display()
        )),
    }
}

/// Keeps the signature at `sig` as `sig.<n>` (the lowest free n, from 1)
/// before it is replaced: a hard link, so the old signature is never
/// copied, never half-written, and never deleted. A `sig.<n>` that already
/// holds the same bytes (a run killed after this step) is reused.
pub fn keep_previous(sig: &Path) -> Result<PathBuf, KeepError> {
    let current = std::fs::read(sig).map_err(|source| KeepError::Read {
        sig: sig.to_path_buf(),
        source,
    })?;
    for n in 1u32.. {
        let mut name = sig.as_os_str().to_owned();
        name.push(format!(".{n}"));
        let kept = PathBuf::from(name);
        match std::fs::hard_link(sig, &kept) {
            Ok(()) => {
                if let Some(dir) = kept.parent() {
                    let dir = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    };
                    File::open(dir)
                        .and_then(|d| d.sync_all())
                        .map_err(|source| KeepError::Sync {
                            dir: dir.to_path_buf(),
                            source,
                        })?;
                }
                return Ok(kept);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if std::fs::read(&kept).is_ok_and(|b| b == current) {
                    return Ok(kept);
                }
            }
            Err(source) => return Err(KeepError::Link { kept, source }),
        }
    }
    Err(KeepError::NoFreeName {
        sig: sig.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_free_number_keeps_the_previous_signature() {
        let dir = tempfile::tempdir().unwrap();
        let sig = dir.path().join("a.pdf.p7s");
        std::fs::write(&sig, b"first").unwrap();
        std::fs::write(dir.path().join("a.pdf.p7s.1"), b"older").unwrap();
        let kept = keep_previous(&sig).unwrap();
        assert_eq!(kept, dir.path().join("a.pdf.p7s.2"));
        assert_eq!(std::fs::read(&kept).unwrap(), b"first");
        assert_eq!(
            std::fs::read(dir.path().join("a.pdf.p7s.1")).unwrap(),
            b"older"
        );
    }

    #[test]
    fn a_copy_kept_by_a_killed_run_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let sig = dir.path().join("a.pdf.p7s");
        std::fs::write(&sig, b"same").unwrap();
        std::fs::write(dir.path().join("a.pdf.p7s.1"), b"same").unwrap();
        assert_eq!(keep_previous(&sig).unwrap(), dir.path().join("a.pdf.p7s.1"));
        assert!(!dir.path().join("a.pdf.p7s.2").exists());
    }

    #[test]
    fn a_missing_signature_cannot_be_kept() {
        let dir = tempfile::tempdir().unwrap();
        let err = keep_previous(&dir.path().join("gone.p7s")).unwrap_err();
        assert!(matches!(err, KeepError::Read { .. }));
        assert!(err.to_string().starts_with("cannot read "));
    }

    #[test]
    fn an_oversized_signature_is_not_compared() {
        let dir = tempfile::tempdir().unwrap();
        let sig = dir.path().join("a.p7s");
        std::fs::File::create(&sig)
            .unwrap()
            .set_len(MAX_SIGNATURE_FILE_SIZE + 1)
            .unwrap();
        let err = existing_fits(&dir.path().join("a"), &sig).unwrap_err();
        assert!(matches!(err, FitError::TooLarge { .. }));
        assert_eq!(
            changed_after_signing(&dir.path().join("a"), &sig),
            None,
            "not a definite change"
        );
    }

    #[test]
    fn an_unparsable_signature_is_not_a_change() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"doc").unwrap();
        std::fs::write(dir.path().join("a.p7s"), b"not CMS").unwrap();
        let err = existing_fits(&dir.path().join("a"), &dir.path().join("a.p7s")).unwrap_err();
        assert!(matches!(err, FitError::Check { .. }));
        assert_eq!(
            changed_after_signing(&dir.path().join("a"), &dir.path().join("a.p7s")),
            None
        );
    }
}
