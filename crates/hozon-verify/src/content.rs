//! The signed content: where it is, its digests (computed once per file and
//! algorithm, streamed in constant memory), and comparisons with it.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use hozon_cms::archive_timestamp_v2::ContentError;
use hozon_cms::DigestAlgorithm;

/// Detached content given to [`crate::Verifier::verify_detached`]: a whole
/// file, or byte ranges of one (what a PDF signature's `/ByteRange` signs).
#[derive(Clone, Copy, Debug)]
pub enum DetachedContent<'a> {
    /// The whole file.
    File(&'a Path),
    /// The concatenation of `ranges` (offset, length) of the file, in order.
    ByteRanges {
        /// The file.
        path: &'a Path,
        /// (offset, length) pairs, each within the file.
        ranges: &'a [(u64, u64)],
    },
}

/// Validation data found beside a signature rather than inside it (a PDF's
/// Document Security Store): used like the signature's own certificates,
/// CRLs and OCSP responses.
#[derive(Clone, Debug, Default)]
pub struct ValidationData {
    /// Certificates.
    pub certs: Vec<hozon_cms::Cert>,
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER OCSPResponse).
    pub ocsp_responses: Vec<Vec<u8>>,
}

/// Streams the `ranges` of `path` into `sink` in order, in constant memory.
pub(crate) fn read_ranges(
    path: &Path,
    ranges: &[(u64, u64)],
    mut sink: impl FnMut(&[u8]) -> Result<(), ContentError>,
) -> Result<(), ContentError> {
    use std::io::{Seek, SeekFrom};
    let io = |source: std::io::Error| ContentError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut buf = vec![0u8; 64 * 1024];
    for &(offset, length) in ranges {
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut left = length;
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            let n = file.read(&mut buf[..want]).map_err(io)?;
            if n == 0 {
                return Err(ContentError::PastEnd {
                    path: path.to_path_buf(),
                    offset,
                    length,
                });
            }
            sink(&buf[..n])?;
            left -= n as u64;
        }
    }
    Ok(())
}

/// The digest under `alg` of the `ranges` (offset, length) of the file at
/// `path`, read as a stream (a PDF signature's byte ranges). An error
/// names the file and what went wrong.
pub fn digest_ranges(
    alg: DigestAlgorithm,
    path: &Path,
    ranges: &[(u64, u64)],
) -> std::io::Result<Vec<u8>> {
    digest_ranges_inner(alg, path, ranges).map_err(std::io::Error::other)
}

fn digest_ranges_inner(
    alg: DigestAlgorithm,
    path: &Path,
    ranges: &[(u64, u64)],
) -> Result<Vec<u8>, ContentError> {
    let mut digester = hozon_cms::Digester::new(alg)?;
    read_ranges(path, ranges, |chunk| Ok(digester.update(chunk)?))?;
    Ok(digester.finish()?)
}

/// Where the signed content is.
pub(crate) enum Source<'a> {
    /// Inside the signature (enveloping).
    Embedded(&'a [u8]),
    /// A detached file.
    File(&'a Path),
    /// Byte ranges of a file.
    Ranges(&'a Path, &'a [(u64, u64)]),
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
                Source::Ranges(path, ranges) => digest_ranges_inner(alg, path, ranges)
                    .map_err(|e| DigestError::Io(e.to_string())),
            })
            .clone()
    }
}

impl DigestCache<'_> {
    /// Streams the content into `digester` (for hash inputs that contain
    /// the content itself, as archive-time-stamp-v2's do).
    pub(crate) fn feed(&self, digester: &mut hozon_cms::Digester) -> Result<(), ContentError> {
        match self.source {
            Source::Embedded(c) => Ok(digester.update(c)?),
            Source::Absent(why) => Err(ContentError::Absent(why.clone())),
            Source::Ranges(path, ranges) => {
                read_ranges(path, ranges, |chunk| Ok(digester.update(chunk)?))
            }
            Source::File(path) => {
                let io = |source: std::io::Error| ContentError::Read {
                    path: path.to_path_buf(),
                    source,
                };
                let mut file = File::open(path).map_err(io)?;
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = file.read(&mut buf).map_err(io)?;
                    if n == 0 {
                        return Ok(());
                    }
                    digester.update(&buf[..n])?;
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
