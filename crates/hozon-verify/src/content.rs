//! The signed content: where it is, its digests (computed once per file and
//! algorithm, streamed in constant memory), and comparisons with it.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use hozon_cms::DigestAlgorithm;

/// Where the signed content is.
pub(crate) enum Source<'a> {
    /// Inside the signature (enveloping).
    Embedded(&'a [u8]),
    /// A detached file.
    File(&'a Path),
    /// Not available, and why.
    Absent(String),
}

/// Why a digest of the content could not be computed.
#[derive(Clone, Debug)]
pub(crate) enum DigestError {
    /// There is no content.
    Absent(String),
    /// The content could not be read.
    Io(String),
}

impl DigestError {
    /// The message for the report.
    pub(crate) fn message(&self) -> &str {
        match self {
            DigestError::Absent(m) | DigestError::Io(m) => m,
        }
    }
}

/// Content digests per algorithm, computed once per file.
pub(crate) struct DigestCache<'a> {
    source: &'a Source<'a>,
    done: HashMap<DigestAlgorithm, Result<Vec<u8>, DigestError>>,
}

impl<'a> DigestCache<'a> {
    pub(crate) fn new(source: &'a Source<'a>) -> DigestCache<'a> {
        DigestCache {
            source,
            done: HashMap::new(),
        }
    }

    /// The content's digest under `alg`.
    pub(crate) fn get(&mut self, alg: DigestAlgorithm) -> Result<Vec<u8>, DigestError> {
        let source = self.source;
        self.done
            .entry(alg)
            .or_insert_with(|| match source {
                Source::Embedded(c) => alg.digest(c).map_err(|e| DigestError::Io(e.to_string())),
                Source::Absent(why) => Err(DigestError::Absent(why.clone())),
                Source::File(path) => {
                    File::open(path)
                        .and_then(|f| alg.digest_reader(f))
                        .map_err(|e| {
                            DigestError::Io(format!(
                                "cannot read the content {}: {e}",
                                path.display()
                            ))
                        })
                }
            })
            .clone()
    }
}

impl DigestCache<'_> {
    /// Streams the content into `digester` (for hash inputs that contain
    /// the content itself, as archive-time-stamp-v2's do).
    pub(crate) fn feed(&self, digester: &mut hozon_cms::Digester) -> Result<(), String> {
        match self.source {
            Source::Embedded(c) => digester.update(c).map_err(|e| e.to_string()),
            Source::Absent(why) => Err(why.clone()),
            Source::File(path) => {
                let io =
                    |e: std::io::Error| format!("cannot read the content {}: {e}", path.display());
                let mut file = File::open(path).map_err(io)?;
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = file.read(&mut buf).map_err(io)?;
                    if n == 0 {
                        return Ok(());
                    }
                    digester.update(&buf[..n]).map_err(|e| e.to_string())?;
                }
            }
        }
    }
}

/// Whether the file at `path` holds exactly `content` (compared in
/// constant memory).
pub(crate) fn same_content(path: &Path, content: &[u8]) -> std::io::Result<bool> {
    let mut file = File::open(path)?;
    if file.metadata()?.len() != u64::try_from(content.len()).unwrap_or(u64::MAX) {
        return Ok(false);
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut offset = 0;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(offset == content.len());
        }
        let Some(expected) = content.get(offset..offset + n) else {
            return Ok(false);
        };
        if expected != &buf[..n] {
            return Ok(false);
        }
        offset += n;
    }
}
