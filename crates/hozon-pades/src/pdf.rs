//! A PDF file as its revisions (ISO 32000-1 §7.5.6, incremental updates):
//! each cross-reference section (table or stream, §7.5.4, §7.5.8) found by
//! following `startxref` and `/Prev` exactly, each ending at its own
//! `%%EOF`, and the objects as any revision saw them (§7.5.7 object
//! streams included). Nothing is repaired: an offset that does not point at
//! the object it names is an error.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::lexer::{Dict, Lexer, Object};
use crate::Error;

/// Largest decoded object or cross-reference stream accepted.
const MAX_DECODED: usize = 256 * 1024 * 1024;
/// Most revisions accepted.
const MAX_REVISIONS: usize = 10_000;
/// Most objects in one object stream.
const MAX_OBJSTM_OBJECTS: i64 = 1_000_000;
/// Files up to this size are read whole by [`Pdf::open`].
const READ_WHOLE: u64 = 64 << 20;
/// What [`Pdf::open`] reads of a large file's end.
const TAIL: usize = 1 << 20;
/// ... of each cross-reference section.
const SECTION_WINDOW: usize = 8 << 20;
/// ... of each object (its dictionary: a stream's data is not needed).
const OBJECT_WINDOW: usize = 256 << 10;
/// ... of each object stream.
const OBJSTM_WINDOW: usize = 16 << 20;

/// Where an object of a cross-reference section is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Free (deleted).
    Free,
    /// At a byte offset, with a generation.
    InUse {
        /// Offset of `N G obj`.
        offset: usize,
        /// Generation.
        gen: u16,
    },
    /// Inside an object stream.
    Compressed {
        /// The object stream's number.
        stream: u32,
        /// Index within it.
        index: u32,
    },
}

/// A cross-reference section: its trailer (or stream dictionary), its
/// entries, and whether it is a stream.
type Section = (Dict, BTreeMap<u32, Entry>, bool);

/// The two cross-reference sections of a linearized file's first revision.
struct LinearizedSections<'e> {
    first_page: usize,
    first_page_stream: bool,
    main: usize,
    main_trailer: &'e Dict,
    main_stream: bool,
    main_entries: BTreeMap<u32, Entry>,
    /// The first-page section's entries, which the main section's join.
    entries: &'e mut BTreeMap<u32, Entry>,
}

/// One revision: the original file or one incremental update.
#[derive(Clone, Debug)]
pub struct Revision {
    /// Where this revision's bytes start (0 for the first).
    pub start: usize,
    /// Where its cross-reference section starts.
    pub xref_offset: usize,
    /// Just past its `%%EOF` marker.
    pub eof: usize,
    /// Just past the end of line after `%%EOF`, if any (the revision's end).
    pub end: usize,
    /// Its trailer (or cross-reference stream dictionary).
    pub trailer: Dict,
    /// The entries of its cross-reference section.
    pub entries: BTreeMap<u32, Entry>,
    /// Whether its section is a cross-reference stream.
    pub xref_stream: bool,
}

/// A PDF file and its revisions, oldest first.
pub struct Pdf {
    /// The whole file.
    pub bytes: Vec<u8>,
    /// Revisions, oldest first.
    pub revisions: Vec<Revision>,
    /// Bytes after the last revision (only white space is tolerated).
    pub trailing: usize,
    cache: RefCell<HashMap<(usize, u32), Option<Object>>>,
}

/// Whether `bytes` are a PDF: they begin with the `%PDF-` header (ISO
/// 32000-1 §7.5.2), after nothing but white space. Readers that look for
/// the header anywhere in the first 1024 bytes would take an enveloping
/// CMS signature whose content is a PDF for a PDF (and report a broken
/// signature as an unsigned document); a file with other bytes before its
/// header is not taken for a PDF here.
pub fn is_pdf(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes[start..].starts_with(b"%PDF-")
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn syntax(offset: usize, reason: impl Into<String>) -> Error {
    Error::Syntax {
        offset,
        reason: reason.into(),
    }
}

/// Decodes a stream's data through its filters (lopdf's Flate and
/// predictor implementations).
pub fn decode_stream(dict: &Dict, data: &[u8]) -> Result<Vec<u8>, Error> {
    if dict.get(b"Filter").is_none() {
        return Ok(data.to_vec());
    }
    let mut ld = lopdf::Dictionary::new();
    ld.set("Filter", to_lopdf(dict.get(b"Filter"))?);
    if let Some(p) = dict.get(b"DecodeParms") {
        ld.set("DecodeParms", to_lopdf(Some(p))?);
    }
    let stream = lopdf::Stream::new(ld, data.to_vec());
    stream
        .decompressed_content_with_limit(MAX_DECODED)
        .map_err(|e| Error::Stream(e.to_string()))
}

/// The direct objects a filter description uses, for lopdf.
fn to_lopdf(o: Option<&Object>) -> Result<lopdf::Object, Error> {
    Ok(match o {
        Some(Object::Name(n)) => lopdf::Object::Name(n.clone()),
        Some(Object::Int(i)) => lopdf::Object::Integer(*i),
        Some(Object::Bool(b)) => lopdf::Object::Boolean(*b),
        Some(Object::Null) | None => lopdf::Object::Null,
        Some(Object::Array(items)) => lopdf::Object::Array(
            items
                .iter()
                .map(|i| to_lopdf(Some(i)))
                .collect::<Result<_, _>>()?,
        ),
        Some(Object::Dict(d)) => {
            let mut ld = lopdf::Dictionary::new();
            for (k, v, _) in &d.entries {
                ld.set(k.clone(), to_lopdf(Some(v))?);
            }
            lopdf::Object::Dictionary(ld)
        }
        Some(other) => {
            return Err(Error::Stream(format!(
                "unsupported filter parameter {other:?}"
            )))
        }
    })
}

impl Pdf {
    /// Reads the revisions of `bytes`.
    pub fn parse(bytes: Vec<u8>) -> Result<Pdf, Error> {
        if !is_pdf(&bytes) {
            return Err(Error::NotPdf);
        }
        let mut pdf = Pdf {
            bytes,
            revisions: Vec::new(),
            trailing: 0,
            cache: RefCell::new(HashMap::new()),
        };
        // The last startxref, then /Prev back to the first section.
        let first = pdf.last_startxref()?;
        let mut sections = Vec::new();
        let mut main_section = None;
        let mut next = Some(first);
        while let Some(offset) = next {
            if sections.len() >= MAX_REVISIONS {
                return Err(syntax(offset, "too many revisions"));
            }
            let (trailer, entries, xref_stream) = pdf.read_section(offset)?;
            next = match trailer.get(b"Prev") {
                None => None,
                Some(Object::Int(p)) => {
                    let p = usize::try_from(*p).map_err(|_| syntax(offset, "bad /Prev"))?;
                    if p < offset {
                        Some(p)
                    } else if pdf.linearized() {
                        // ISO 32000-1 Annex F: the first-page section of a
                        // linearized file names the main section, later in
                        // the file, as /Prev; the two are the first revision.
                        main_section = Some((p, pdf.read_section(p)?));
                        None
                    } else {
                        return Err(syntax(
                            offset,
                            "/Prev does not point to an earlier cross-reference section",
                        ));
                    }
                }
                Some(_) => return Err(syntax(offset, "/Prev is not an integer")),
            };
            sections.push((offset, trailer, entries, xref_stream));
        }
        sections.reverse();
        let mut start = 0;
        for (i, (offset, trailer, mut entries, xref_stream)) in sections.into_iter().enumerate() {
            let (eof, end) = match main_section.take().filter(|_| i == 0) {
                None => pdf.section_end(offset, xref_stream, &[offset])?,
                Some((main, (main_trailer, main_entries, main_stream))) => pdf
                    .linearized_first_revision(LinearizedSections {
                        first_page: offset,
                        first_page_stream: xref_stream,
                        main,
                        main_trailer: &main_trailer,
                        main_stream,
                        main_entries,
                        entries: &mut entries,
                    })?,
            };
            if offset < start {
                return Err(syntax(
                    offset,
                    "a cross-reference section lies inside an earlier revision",
                ));
            }
            pdf.revisions.push(Revision {
                start,
                xref_offset: offset,
                eof,
                end,
                trailer,
                entries,
                xref_stream,
            });
            start = end;
        }
        let tail = &pdf.bytes[start..];
        pdf.trailing = tail.len();
        if tail
            .iter()
            .any(|b| !matches!(b, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' '))
        {
            return Err(syntax(
                start,
                "bytes after the last revision's %%EOF that no cross-reference section accounts for",
            ));
        }
        Ok(pdf)
    }

    /// The offset the last `startxref` names.
    fn last_startxref(&self) -> Result<usize, Error> {
        let last_eof = find_last(&self.bytes, b"%%EOF")
            .ok_or_else(|| syntax(self.bytes.len(), "no %%EOF marker"))?;
        let sx = find_last(&self.bytes[..last_eof], b"startxref")
            .ok_or_else(|| syntax(last_eof, "no startxref before the last %%EOF"))?;
        let mut lx = Lexer::new(&self.bytes, sx + b"startxref".len());
        usize::try_from(lx.unsigned()?).map_err(|_| syntax(sx, "startxref out of range"))
    }

    /// Reads the PDF file at `path`. A file larger than 64 MiB is not read
    /// whole: only its header, its end, its cross-reference sections and
    /// the beginning of each object (all of each object stream) are, into
    /// a buffer whose other bytes stay zero and take no memory — enough to
    /// add an incremental update (signing a 500 MiB scan in constant
    /// memory), not to verify (reading an unread part gives a syntax
    /// error, never a wrong value: the sections' entries are checked to
    /// point at the objects they name). [`Pdf::bytes`] is then not the
    /// file's content; read the file itself for digests.
    pub fn open(path: &Path) -> Result<Pdf, Error> {
        let io = |source| Error::Io {
            file: path.display().to_string(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len <= READ_WHOLE {
            return Pdf::parse(std::fs::read(path).map_err(io)?);
        }
        let len = usize::try_from(len).map_err(|_| Error::Unsupported("file too large".into()))?;
        let mut pdf = Pdf {
            bytes: vec![0u8; len],
            revisions: Vec::new(),
            trailing: 0,
            cache: RefCell::new(HashMap::new()),
        };
        let load = |bytes: &mut [u8], from: usize, n: usize| {
            let to = from.saturating_add(n).min(bytes.len());
            std::os::unix::fs::FileExt::read_exact_at(&file, &mut bytes[from..to], from as u64)
                .map_err(io)
        };
        load(&mut pdf.bytes, 0, 1024)?;
        load(&mut pdf.bytes, len - TAIL.min(len), TAIL)?;
        // Every cross-reference section, and where the objects are.
        let mut next = Some(pdf.last_startxref()?);
        let mut objects: Vec<(usize, u32)> = Vec::new();
        let mut boundaries = vec![len];
        let mut streams = std::collections::HashSet::new();
        let mut sections = 0;
        while let Some(offset) = next.take() {
            sections += 1;
            if sections > MAX_REVISIONS || offset >= len {
                break;
            }
            load(&mut pdf.bytes, offset, SECTION_WINDOW)?;
            boundaries.push(offset);
            let (trailer, entries, _) = pdf.read_section(offset)?;
            for (num, e) in entries {
                match e {
                    Entry::InUse { offset, .. } if offset < len => objects.push((offset, num)),
                    Entry::Compressed { stream, .. } => {
                        streams.insert(stream);
                    }
                    _ => {}
                }
            }
            // A later /Prev: a linearized file's main section (checked by
            // Pdf::parse); followed once.
            next = match trailer.get(b"Prev") {
                Some(Object::Int(p)) => usize::try_from(*p)
                    .ok()
                    .filter(|p| *p < offset || !boundaries.contains(p)),
                _ => None,
            };
        }
        boundaries.extend(objects.iter().map(|(o, _)| *o));
        boundaries.sort_unstable();
        boundaries.dedup();
        for (offset, num) in objects {
            let i = boundaries.partition_point(|b| *b <= offset);
            let gap = boundaries.get(i).map_or(len, |b| *b) - offset;
            let window = if streams.contains(&num) {
                OBJSTM_WINDOW
            } else {
                OBJECT_WINDOW
            };
            load(&mut pdf.bytes, offset, gap.min(window))?;
        }
        Pdf::parse(pdf.bytes)
    }

    /// Whether the file is linearized (ISO 32000-1 Annex F): its first
    /// object is a linearization parameter dictionary.
    fn linearized(&self) -> bool {
        let mut lx = Lexer::new(&self.bytes, 0);
        lx.skip_white();
        lx.object_header().is_ok()
            && matches!(lx.object(0), Ok(Object::Dict(d)) if d.get(b"Linearized").is_some())
    }

    /// The end of the first revision of a linearized file: its first-page
    /// section (followed by a `startxref` of 0 or naming it, and `%%EOF`),
    /// then, after it, the main section, without a `/Prev` of its own,
    /// followed by a `startxref` naming the first-page section and `%%EOF`.
    /// The main section's entries join the first-page section's; an object
    /// in both is refused.
    fn linearized_first_revision(
        &self,
        l: LinearizedSections<'_>,
    ) -> Result<(usize, usize), Error> {
        let (_, first_end) =
            self.section_end(l.first_page, l.first_page_stream, &[0, l.first_page])?;
        if l.main < first_end {
            return Err(syntax(
                l.main,
                "the main cross-reference section of a linearized file lies inside its first-page section",
            ));
        }
        if l.main_trailer.get(b"Prev").is_some() || l.main_stream != l.first_page_stream {
            return Err(syntax(
                l.main,
                "the main cross-reference section of a linearized file has a /Prev or is of another kind than the first-page section",
            ));
        }
        for (num, e) in l.main_entries {
            if l.entries.insert(num, e).is_some() {
                return Err(syntax(
                    l.main,
                    format!(
                        "object {num} is in both cross-reference sections of a linearized file"
                    ),
                ));
            }
        }
        self.section_end(l.main, l.main_stream, &[l.first_page])
    }

    /// Where the revision whose section is at `offset` ends: its
    /// `startxref` must name one of `names` (that section) and be followed
    /// by `%%EOF`.
    fn section_end(
        &self,
        offset: usize,
        xref_stream: bool,
        names: &[usize],
    ) -> Result<(usize, usize), Error> {
        let mut lx = Lexer::new(&self.bytes, offset);
        if xref_stream {
            lx.object_header()?;
            let resolve = |n, g| self.length_in_section(n, g);
            lx.indirect_body(&resolve)?;
        } else {
            lx.expect_keyword(b"xref")?;
            loop {
                lx.skip_white();
                if lx.eat_keyword(b"trailer") {
                    break;
                }
                let _ = lx.unsigned()?;
                let count = lx.unsigned()?;
                for _ in 0..count {
                    lx.unsigned()?;
                    lx.unsigned()?;
                    if !lx.eat_keyword(b"n") {
                        lx.expect_keyword(b"f")?;
                    }
                }
            }
            lx.object(0)?;
        }
        lx.expect_keyword(b"startxref")?;
        let named = lx.unsigned()?;
        if !usize::try_from(named).is_ok_and(|n| names.contains(&n)) {
            return Err(syntax(
                lx.pos,
                format!("startxref {named} after the cross-reference section at {offset} does not name it"),
            ));
        }
        lx.skip_white_no_comment();
        if !self.bytes[lx.pos..].starts_with(b"%%EOF") {
            return Err(syntax(lx.pos, "expected %%EOF after startxref"));
        }
        let eof = lx.pos + 5;
        let end = match (self.bytes.get(eof), self.bytes.get(eof + 1)) {
            (Some(b'\r'), Some(b'\n')) => eof + 2,
            (Some(b'\r' | b'\n'), _) => eof + 1,
            _ => eof,
        };
        Ok((eof, end))
    }

    /// A direct `/Length` of an object while reading a section (before
    /// revisions are known): looked up as an uncompressed object at the
    /// offset its own section gives would need the section; refuse.
    fn length_in_section(&self, _n: u32, _g: u16) -> Option<i64> {
        None
    }

    /// Reads the cross-reference section at `offset`.
    fn read_section(&self, offset: usize) -> Result<Section, Error> {
        if offset >= self.bytes.len() {
            return Err(syntax(
                offset,
                "cross-reference offset past the end of the file",
            ));
        }
        let mut lx = Lexer::new(&self.bytes, offset);
        if lx.eat_keyword(b"xref") {
            if lx.pos != offset + 4 {
                return Err(syntax(offset, "startxref does not point at `xref`"));
            }
            let mut entries = BTreeMap::new();
            loop {
                lx.skip_white();
                if lx.eat_keyword(b"trailer") {
                    break;
                }
                let first = lx.unsigned()?;
                let count = lx.unsigned()?;
                for i in 0..count {
                    let field = lx.unsigned()?;
                    let gen = lx.unsigned()?;
                    let num = u32::try_from(first + i)
                        .map_err(|_| syntax(lx.pos, "object number out of range"))?;
                    let entry = if lx.eat_keyword(b"n") {
                        Entry::InUse {
                            offset: usize::try_from(field)
                                .map_err(|_| syntax(lx.pos, "offset out of range"))?,
                            gen: u16::try_from(gen)
                                .map_err(|_| syntax(lx.pos, "generation out of range"))?,
                        }
                    } else {
                        lx.expect_keyword(b"f")?;
                        Entry::Free
                    };
                    if entries.insert(num, entry).is_some() {
                        return Err(syntax(
                            lx.pos,
                            format!("object {num} twice in one cross-reference table"),
                        ));
                    }
                }
            }
            let Object::Dict(trailer) = lx.object(0)? else {
                return Err(syntax(lx.pos, "the trailer is not a dictionary"));
            };
            if trailer.get(b"XRefStm").is_some() {
                return Err(Error::Unsupported(
                    "hybrid-reference files (/XRefStm) are not supported".into(),
                ));
            }
            return Ok((trailer, entries, false));
        }
        // A cross-reference stream: `N G obj << /Type /XRef ... >> stream`.
        lx.object_header()?;
        let resolve = |n, g| self.length_in_section(n, g);
        let Object::Stream(dict, data) = lx.indirect_body(&resolve)? else {
            return Err(syntax(
                offset,
                "startxref points at neither `xref` nor a stream",
            ));
        };
        if dict.name(b"Type") != Some(b"XRef") {
            return Err(syntax(
                offset,
                "the cross-reference stream is not /Type /XRef",
            ));
        }
        let decoded = decode_stream(&dict, &data)?;
        let w: Vec<usize> = match dict.get(b"W") {
            Some(Object::Array(a)) if a.len() == 3 => a
                .iter()
                .map(|o| match o {
                    Object::Int(i) if (0..=8).contains(i) => Ok(*i as usize),
                    _ => Err(syntax(offset, "bad /W")),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(syntax(offset, "bad /W")),
        };
        let size = dict
            .int(b"Size")
            .ok_or_else(|| syntax(offset, "no /Size"))?;
        let index: Vec<i64> = match dict.get(b"Index") {
            None => vec![0, size],
            Some(Object::Array(a)) if a.len().is_multiple_of(2) => a
                .iter()
                .map(|o| match o {
                    Object::Int(i) if *i >= 0 => Ok(*i),
                    _ => Err(syntax(offset, "bad /Index")),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(syntax(offset, "bad /Index")),
        };
        let row = w[0] + w[1] + w[2];
        if row == 0 {
            return Err(syntax(offset, "bad /W"));
        }
        let field = |bytes: &[u8]| bytes.iter().fold(0u64, |n, b| n << 8 | u64::from(*b));
        let mut entries = BTreeMap::new();
        let mut rows = decoded.chunks_exact(row);
        for pair in index.chunks(2) {
            for i in 0..pair[1] {
                let r = rows
                    .next()
                    .ok_or_else(|| syntax(offset, "cross-reference stream shorter than /Index"))?;
                let kind = if w[0] == 0 { 1 } else { field(&r[..w[0]]) };
                let f2 = field(&r[w[0]..w[0] + w[1]]);
                let f3 = field(&r[w[0] + w[1]..]);
                let num = u32::try_from(pair[0] + i)
                    .map_err(|_| syntax(offset, "object number out of range"))?;
                let entry = match kind {
                    0 => Entry::Free,
                    1 => Entry::InUse {
                        offset: usize::try_from(f2).map_err(|_| syntax(offset, "bad offset"))?,
                        gen: u16::try_from(f3).map_err(|_| syntax(offset, "bad generation"))?,
                    },
                    2 => Entry::Compressed {
                        stream: u32::try_from(f2).map_err(|_| syntax(offset, "bad stream"))?,
                        index: u32::try_from(f3).map_err(|_| syntax(offset, "bad index"))?,
                    },
                    // ISO 32000-1 Table 18: other types are references to
                    // the null object; we refuse rather than guess.
                    other => {
                        return Err(syntax(
                            offset,
                            format!("cross-reference stream entry type {other}"),
                        ))
                    }
                };
                if entries.insert(num, entry).is_some() {
                    return Err(syntax(
                        offset,
                        format!("object {num} twice in one cross-reference stream"),
                    ));
                }
            }
        }
        Ok((dict, entries, true))
    }

    /// The entry for object `num` as revision `rev` (0-based) sees it.
    pub fn entry(&self, rev: usize, num: u32) -> Option<(usize, Entry)> {
        (0..=rev.min(self.revisions.len().saturating_sub(1)))
            .rev()
            .find_map(|r| self.revisions[r].entries.get(&num).map(|e| (r, *e)))
    }

    /// Object `num` as revision `rev` sees it (`None`: free or absent).
    pub fn object(&self, rev: usize, num: u32) -> Result<Option<Object>, Error> {
        self.object_depth(rev, num, 0)
    }

    fn object_depth(&self, rev: usize, num: u32, depth: usize) -> Result<Option<Object>, Error> {
        if depth > 8 {
            return Err(syntax(0, "object streams nested too deeply"));
        }
        if let Some(o) = self.cache.borrow().get(&(rev, num)) {
            return Ok(o.clone());
        }
        let object = match self.entry(rev, num) {
            None | Some((_, Entry::Free)) => None,
            Some((_, Entry::InUse { offset, gen })) => {
                let limit = self.revisions[rev].end;
                if offset >= limit {
                    return Err(syntax(
                        offset,
                        format!("object {num} is said to lie past the end of its revision"),
                    ));
                }
                let mut lx = Lexer::new(&self.bytes[..limit], offset);
                let (n, g) = lx.object_header()?;
                if (n, g) != (num, gen) {
                    return Err(syntax(
                        offset,
                        format!("the cross-reference entry of object {num} {gen} points at object {n} {g}"),
                    ));
                }
                let resolve = |ln: u32, _lg: u16| match self.object_depth(rev, ln, depth + 1) {
                    Ok(Some(Object::Int(i))) => Some(i),
                    _ => None,
                };
                Some(lx.indirect_body(&resolve)?)
            }
            Some((_, Entry::Compressed { stream, index })) => {
                Some(self.compressed(rev, num, stream, index, depth)?)
            }
        };
        self.cache.borrow_mut().insert((rev, num), object.clone());
        Ok(object)
    }

    fn compressed(
        &self,
        rev: usize,
        num: u32,
        stream: u32,
        index: u32,
        depth: usize,
    ) -> Result<Object, Error> {
        let Some(Object::Stream(dict, data)) = self.object_depth(rev, stream, depth + 1)? else {
            return Err(syntax(
                0,
                format!(
                    "object {num} is said to be in object stream {stream}, which is not a stream"
                ),
            ));
        };
        if dict.name(b"Type") != Some(b"ObjStm") {
            return Err(syntax(
                0,
                format!("object {stream} is not an object stream"),
            ));
        }
        let n = dict
            .int(b"N")
            .filter(|n| (0..=MAX_OBJSTM_OBJECTS).contains(n));
        let first = dict.int(b"First").and_then(|f| usize::try_from(f).ok());
        let (Some(n), Some(first)) = (n, first) else {
            return Err(syntax(
                0,
                format!("object stream {stream} lacks /N or /First"),
            ));
        };
        if i64::from(index) >= n {
            return Err(syntax(
                0,
                format!("object stream {stream} has no index {index}"),
            ));
        }
        let decoded = decode_stream(&dict, &data)?;
        let mut lx = Lexer::new(&decoded, 0);
        let mut found = None;
        for i in 0..=index {
            let on = lx.unsigned()?;
            let off = lx.unsigned()?;
            if i == index {
                found = Some((on, off));
            }
        }
        let Some((on, off)) = found else {
            return Err(syntax(0, "object stream index"));
        };
        if on != u64::from(num) {
            return Err(syntax(
                0,
                format!("object stream {stream} holds object {on} at index {index}, not {num}"),
            ));
        }
        let at = usize::try_from(off)
            .ok()
            .and_then(|o| first.checked_add(o))
            .filter(|a| *a < decoded.len())
            .ok_or_else(|| syntax(0, format!("object stream {stream}: bad offset")))?;
        let mut lx = Lexer::new(&decoded, at);
        lx.object(0)
    }

    /// Follows a reference as revision `rev` sees it.
    pub fn resolve(&self, rev: usize, o: &Object) -> Result<Option<Object>, Error> {
        match o {
            Object::Ref(n, _) => self.object(rev, *n),
            other => Ok(Some(other.clone())),
        }
    }

    /// The trailer dictionary of revision `rev`.
    pub fn trailer(&self, rev: usize) -> &Dict {
        &self.revisions[rev].trailer
    }
}

#[cfg(test)]
mod header_tests {
    use super::is_pdf;

    #[test]
    fn a_pdf_begins_with_its_header() {
        assert!(is_pdf(b"%PDF-1.7\n%\xe2\xe3\n"));
        assert!(is_pdf(b"\r\n%PDF-2.0\n"));
    }

    #[test]
    fn a_cms_signature_enveloping_a_pdf_is_not_a_pdf() {
        // SEQUENCE { id-signedData … eContent "%PDF-1.4 …" }: DER first.
        let mut cms = vec![0x30, 0x83, 0x01, 0x2c, 0x77, 0x06, 0x09, 0x2a];
        cms.extend_from_slice(b"\x86\x48\x86\xf7\x0d\x01\x07\x02%PDF-1.4\n");
        assert!(!is_pdf(&cms));
        cms[1] = 0x80;
        assert!(!is_pdf(&cms), "indefinite length (BER)");
        assert!(!is_pdf(b"junk%PDF-1.4\n"));
        assert!(!is_pdf(b""));
    }
}
