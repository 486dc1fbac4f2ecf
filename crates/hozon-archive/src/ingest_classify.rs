//! `archive ingest`'s classification: walks the sources and tells every
//! file what it is — a signed document (`X` + `X.p7s`, or `X.p7m`), a
//! scan, a PDF or XML carrying its own signatures, a document with a
//! detached XAdES signature, or an unsigned document — and which files are
//! refused at once (orphan signatures and sidecars, unreadable entries).
//! The rules are listed in [`crate::ingest`]'s documentation.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use hozon_scan::Format;

use crate::ingest_report::Skipped;
use crate::record::Kind;

/// One input and how it was classified.
#[derive(Clone, Debug)]
pub(crate) struct Input {
    pub(crate) path: PathBuf,
    pub(crate) kind: Kind,
    /// The signature file of a signed input (`X.p7s`), or the `.p7m` itself.
    pub(crate) signature: Option<PathBuf>,
    pub(crate) enveloping: bool,
    /// Path relative to its scan root (for the policy's class rules).
    pub(crate) relative: String,
}

/// Walks the sources and classifies every file. Returns the inputs and
/// the files refused at once.
pub(crate) fn collect(
    sources: &[PathBuf],
    scans: &[PathBuf],
    only: Option<&HashSet<PathBuf>>,
) -> (Vec<Input>, Vec<Skipped>) {
    let mut inputs = Vec::new();
    let mut refused = Vec::new();
    let mut roots: Vec<(PathBuf, bool)> = sources.iter().map(|p| (p.clone(), false)).collect();
    roots.extend(scans.iter().map(|p| (p.clone(), true)));
    for (root, is_scan_root) in roots {
        for entry in walkdir::WalkDir::new(&root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            // With `only`, a directory holding none of its files is not walked.
            .filter_entry(|e| {
                !e.file_type().is_dir()
                    || only.is_none_or(|only| only.iter().any(|p| p.starts_with(e.path())))
            })
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    refused.push(Skipped {
                        source: e.path().map_or_else(
                            || root.display().to_string(),
                            |p| p.display().to_string(),
                        ),
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path().to_path_buf();
            if only.is_some_and(|only| !only.contains(&path)) {
                continue;
            }
            if hozon_io::is_temporary(&path) {
                continue;
            }
            match crate::metadata::input_role(&path) {
                crate::metadata::InputRole::Input => {}
                crate::metadata::InputRole::Metadata => continue,
                crate::metadata::InputRole::Orphan(reason) => {
                    let source = path.display().to_string();
                    refused.push(Skipped { source, reason });
                    continue;
                }
            }
            let relative = path
                .strip_prefix(&root)
                .ok()
                .filter(|r| !r.as_os_str().is_empty())
                .unwrap_or_else(|| Path::new(path.file_name().unwrap_or_default()))
                .to_string_lossy()
                .replace('\\', "/");
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            match ext.as_deref() {
                Some("ers") | Some("tsr") => continue,
                Some("p7s") => {
                    if !path.with_extension("").is_file() {
                        refused.push(Skipped {
                            source: path.display().to_string(),
                            reason: "a detached signature without its document beside it".into(),
                        });
                    }
                    continue;
                }
                Some("p7m") => {
                    inputs.push(Input {
                        signature: Some(path.clone()),
                        path,
                        kind: Kind::Signed,
                        enveloping: true,
                        relative,
                    });
                    continue;
                }
                _ => {}
            }
            let with = |e: &str| {
                let mut s = path.as_os_str().to_owned();
                s.push(e);
                PathBuf::from(s)
            };
            if let Some(document) = detached_xades_document(&path) {
                if document.is_file() {
                    // Archived with (and checked against) its document.
                    continue;
                }
            }
            let p7s = with(".p7s");
            let xades = with(".xades.xml");
            if p7s.is_file() && xades.is_file() {
                refused.push(Skipped {
                    source: path.display().to_string(),
                    reason: format!(
                        "both {} and {} beside it: archive them one at a time",
                        p7s.display(),
                        xades.display()
                    ),
                });
                continue;
            }
            if xades.is_file() {
                inputs.push(Input {
                    path,
                    kind: Kind::Xades,
                    signature: Some(xades),
                    enveloping: false,
                    relative,
                });
                continue;
            }
            if p7s.is_file() {
                let kind = if is_scan_root || looks_like_image(&path) {
                    Kind::Scan
                } else {
                    Kind::Signed
                };
                inputs.push(Input {
                    path,
                    kind,
                    signature: Some(p7s),
                    enveloping: false,
                    relative,
                });
                continue;
            }
            if with(".p7m").is_file() {
                // Archived with (and checked against) its .p7m.
                continue;
            }
            let kind = if is_scan_root || looks_like_image(&path) {
                Kind::Scan
            } else {
                Kind::Document
            };
            inputs.push(Input {
                path,
                kind,
                signature: None,
                enveloping: false,
                relative,
            });
        }
    }
    (inputs, refused)
}

/// The document `X` a detached XAdES signature `X.xades.xml` names by
/// its file name (`None` for any other name).
pub(crate) fn detached_xades_document(path: &Path) -> Option<PathBuf> {
    const SUFFIX: &str = ".xades.xml";
    let name = path.file_name()?.to_str()?;
    let cut = name.len().checked_sub(SUFFIX.len()).filter(|&c| c > 0)?;
    (name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(SUFFIX))
        .then(|| path.with_file_name(&name[..cut]))
}

/// TIFF, PNG, JPEG or JPEG 2000 by its first bytes.
fn looks_like_image(path: &Path) -> bool {
    let mut head = [0u8; hozon_scan::format::MAGIC_LEN];
    let n = File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    matches!(
        hozon_scan::format::identify(&head[..n]),
        Format::Tiff | Format::Png | Format::Jpeg | Format::Jpeg2000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detached_xades_names_its_document_by_file_name() {
        let doc = |p: &str| detached_xades_document(Path::new(p));
        assert_eq!(
            doc("in/scan.pdf.xades.xml"),
            Some(PathBuf::from("in/scan.pdf"))
        );
        assert_eq!(doc("in/a.XADES.XML"), Some(PathBuf::from("in/a")));
        assert_eq!(doc("in/.xades.xml"), None);
        assert_eq!(doc("in/rx.signed.xml"), None);
        assert_eq!(doc("in/処方.xades.xml"), Some(PathBuf::from("in/処方")));
    }
}
