//! A new signature field with its signature dictionary, written as an
//! incremental update with a `/Contents` placeholder (ISO 32000-1 §12.8.1,
//! ETSI EN 319 142-1 §5.3, §5.4): the field is a merged field and widget
//! annotation on a page (invisible unless an appearance is given), listed in
//! the interactive form's `/Fields`, and the form's `/SigFlags` say that
//! signatures exist and the file must be appended to only. Once written,
//! `/ByteRange` is fixed up to cover everything but the `/Contents` string;
//! the caller signs those ranges and [`Prepared::fill`] puts the DER in.
//! Only the update is held in memory; the original is read again, as a
//! stream, for the digest.

use std::collections::HashSet;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

use hozon_cms::{DigestAlgorithm, UnixTime};

use crate::appearance::Appearance;
use crate::lexer::{Dict, Object};
use crate::page_tree::{catalog, ref_array};
use crate::pdf::Pdf;
use crate::signature::Kind;
use crate::writer::{serialise, Update};
use crate::{date, Error};

pub use crate::page_tree::{page, pages};

/// The `/ByteRange` placeholder: as wide as the widest value written.
const BYTE_RANGE_PLACEHOLDER: &[u8] = b"[0 9999999999 9999999999 9999999999]";

/// What field to add.
pub struct FieldRequest<'a> {
    /// A signature or a document time stamp.
    pub kind: Kind,
    /// How many bytes of DER the `/Contents` can hold.
    pub reserve: usize,
    /// The claimed signing time (`/M`; signatures only).
    pub time: UnixTime,
    /// The reason for signing (`/Reason`; signatures only).
    pub reason: Option<&'a str>,
    /// The visible stamp: the widget goes on its page, with its rectangle
    /// and its appearance; `None` for an invisible field on the first page.
    pub appearance: Option<&'a Appearance>,
}

/// Where the original bytes of the PDF are read from when digesting: the
/// [`Pdf`] may hold only the parts of a large file it needed
/// ([`Pdf::open`]).
#[derive(Clone, Copy)]
pub enum Original<'a> {
    /// In memory.
    Bytes(&'a [u8]),
    /// In a file (read again, in constant memory).
    File(&'a Path),
}

impl<'a> Original<'a> {
    fn reader(self) -> Result<Box<dyn Read + 'a>, Error> {
        Ok(match self {
            Original::Bytes(b) => Box::new(b),
            Original::File(p) => Box::new(std::fs::File::open(p).map_err(|source| Error::Io {
                file: p.display().to_string(),
                source,
            })?),
        })
    }
}

/// An incremental update with a new signature dictionary whose `/Contents`
/// is still zeros.
pub struct Prepared {
    /// The original file's length.
    base: usize,
    /// The update.
    update: Vec<u8>,
    /// The `/Contents` string, `<` and `>` included, in the whole file.
    contents: Range<usize>,
}

impl Prepared {
    /// The byte ranges the signature covers: everything but `/Contents`.
    pub fn byte_range(&self) -> [(u64, u64); 2] {
        let end = (self.base + self.update.len()) as u64;
        [
            (0, self.contents.start as u64),
            (self.contents.end as u64, end - self.contents.end as u64),
        ]
    }

    /// The digest of the byte ranges: the original bytes (read from
    /// `original`, which must be `base` bytes long), then the update
    /// without `/Contents`.
    pub fn digest(&self, alg: DigestAlgorithm, original: Original<'_>) -> Result<Vec<u8>, Error> {
        let (start, end) = (
            self.contents.start - self.base,
            self.contents.end - self.base,
        );
        let mut counted = Counted {
            inner: original.reader()?,
            read: 0,
        };
        let mut reader = (&mut counted)
            .chain(&self.update[..start])
            .chain(&self.update[end..]);
        let digest = alg
            .digest_reader(&mut reader)
            .map_err(|e| Error::Unsupported(format!("digesting the byte ranges: {e}")))?;
        if counted.read != self.base as u64 {
            return Err(Error::Unsupported(format!(
                "the original file changed while it was being signed ({} bytes read, {} expected)",
                counted.read, self.base
            )));
        }
        Ok(digest)
    }

    /// How many bytes of DER `/Contents` holds.
    pub fn capacity(&self) -> usize {
        (self.contents.len() - 2) / 2
    }

    /// The update to append to the original: `der` (a CMS signature or a
    /// time-stamp token) in `/Contents`, zero padded.
    pub fn fill(mut self, der: &[u8]) -> Result<Vec<u8>, Error> {
        if der.len() > self.capacity() {
            return Err(Error::ContentsTooSmall {
                needed: der.len(),
                reserved: self.capacity(),
            });
        }
        let hex: String = der.iter().map(|b| format!("{b:02X}")).collect();
        let at = self.contents.start - self.base + 1;
        self.update[at..at + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.update)
    }
}

/// A text string (ISO 32000-1 §7.9.2.2), as lopdf encodes one: as is when
/// it is ASCII (the same in PDFDocEncoding), else UTF-16BE with its byte
/// order mark.
fn text_string(s: &str) -> Vec<u8> {
    match lopdf::text_string(s) {
        lopdf::Object::String(bytes, _) => bytes,
        _ => s.as_bytes().to_vec(),
    }
}

/// A coordinate as a PDF real number, to a thousandth of a point.
fn real(v: f32) -> Object {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    Object::Real(if s == "-0" {
        b"0".to_vec()
    } else {
        s.as_bytes().to_vec()
    })
}

/// A reader that counts what it read.
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

fn put(d: &mut Dict, key: &[u8], value: Object) {
    if let Some(e) = d.entries.iter_mut().find(|(k, _, _)| k == key) {
        e.1 = value;
    } else {
        d.entries.push((key.to_vec(), value, 0..0));
    }
}

fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

/// The text of a field's `/T` (a text string: perhaps UTF-16BE).
fn field_name(pdf: &Pdf, rev: usize, field: &Object) -> Option<String> {
    match pdf.resolve(rev, field).ok()??.dict()?.get(b"T")? {
        Object::Str(s) => Some(crate::lexer::text_string(s)),
        _ => None,
    }
}

/// Writes the new field and signature dictionary as an incremental update
/// of `pdf`.
pub fn prepare(pdf: &Pdf, request: &FieldRequest) -> Result<Prepared, Error> {
    let mut update = Update::new(pdf)?;
    let last = pdf.revisions.len() - 1;
    let (root, mut catalog) = catalog(pdf)?;
    let page_num = match request.appearance {
        Some(a) => a.placement.page,
        None => page(pdf, 0)?,
    };
    let mut page = match pdf.object(last, page_num)? {
        Some(Object::Dict(d)) => d,
        _ => return Err(Error::Unsupported("the page is not a dictionary".into())),
    };

    // The interactive form: an object of its own, inside the catalog, or new.
    let acroform_ref = catalog.get(b"AcroForm").and_then(Object::reference);
    let mut acroform = match catalog.get(b"AcroForm") {
        None => Dict::default(),
        Some(o) => match pdf.resolve(last, o)? {
            Some(Object::Dict(d)) => d,
            Some(Object::Null) | None => Dict::default(),
            Some(_) => {
                return Err(Error::Unsupported(
                    "the interactive form (/AcroForm) is not a dictionary".into(),
                ))
            }
        },
    };
    let mut fields = ref_array(pdf, last, acroform.get(b"Fields"))?;
    let taken: HashSet<String> = fields
        .iter()
        .filter_map(|f| field_name(pdf, last, f))
        .collect();
    let stem = match request.kind {
        Kind::Signature => "Signature",
        Kind::DocTimeStamp => "DocumentTimeStamp",
    };
    let title = (1..)
        .map(|i| format!("{stem}{i}"))
        .find(|t| !taken.contains(t))
        .unwrap_or_else(|| stem.to_owned());

    let sig = update.allocate();
    let widget = update.allocate();

    // The signature dictionary, written by hand so that the placeholders'
    // places are known.
    let mut body = Vec::new();
    match request.kind {
        Kind::Signature => {
            body.extend_from_slice(
                b"<</Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n/M ",
            );
            serialise(
                &Object::Str(date::format(request.time).into_bytes()),
                &mut body,
            );
            body.push(b'\n');
            if let Some(reason) = request.reason {
                body.extend_from_slice(b"/Reason ");
                serialise(&Object::Str(text_string(reason)), &mut body);
                body.push(b'\n');
            }
        }
        Kind::DocTimeStamp => {
            body.extend_from_slice(
                b"<</Type /DocTimeStamp\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.RFC3161\n",
            );
        }
    }
    body.extend_from_slice(b"/ByteRange ");
    let byte_range_at = body.len();
    body.extend_from_slice(BYTE_RANGE_PLACEHOLDER);
    body.extend_from_slice(b"\n/Contents ");
    let contents_at = body.len();
    body.push(b'<');
    body.resize(body.len() + 2 * request.reserve, b'0');
    body.push(b'>');
    let contents_len = body.len() - contents_at;
    body.extend_from_slice(b"\n>>");
    update.set_raw(sig, body);

    // The field, merged with its widget annotation.
    let mut w = Dict::default();
    put(&mut w, b"Type", name("Annot"));
    put(&mut w, b"Subtype", name("Widget"));
    put(&mut w, b"FT", name("Sig"));
    put(&mut w, b"T", Object::Str(title.into_bytes()));
    put(&mut w, b"V", Object::Ref(sig, 0));
    let page_gen = match pdf.entry(last, page_num) {
        Some((_, crate::pdf::Entry::InUse { gen, .. })) => gen,
        _ => 0,
    };
    put(&mut w, b"P", Object::Ref(page_num, page_gen));
    match request.appearance {
        Some(a) => {
            // Print (ISO 32000-1 Table 165).
            put(&mut w, b"F", Object::Int(4));
            let r = a.placement.rect;
            put(
                &mut w,
                b"Rect",
                Object::Array([r.x1, r.y1, r.x2, r.y2].map(real).to_vec()),
            );
            let form = a.write(&mut update)?;
            let mut ap = Dict::default();
            put(&mut ap, b"N", Object::Ref(form, 0));
            put(&mut w, b"AP", Object::Dict(ap));
        }
        None => {
            // Print, Locked.
            put(&mut w, b"F", Object::Int(132));
            // Invisible: a zero-size rectangle (ISO 32000-1 §12.7.4.5).
            put(&mut w, b"Rect", Object::Array(vec![Object::Int(0); 4]));
        }
    }
    update.set(widget, &Object::Dict(w));

    // The page lists the widget among its annotations (written directly,
    // so that the page alone shows what was added).
    let mut annots = ref_array(pdf, last, page.get(b"Annots"))?;
    annots.push(Object::Ref(widget, 0));
    put(&mut page, b"Annots", Object::Array(annots));
    update.set(page_num, &Object::Dict(page));

    fields.push(Object::Ref(widget, 0));
    put(&mut acroform, b"Fields", Object::Array(fields));
    // SignaturesExist | AppendOnly (ISO 32000-1 Table 219).
    put(&mut acroform, b"SigFlags", Object::Int(3));
    match acroform_ref {
        Some((n, _)) => update.set(n, &Object::Dict(acroform)),
        None if catalog.get(b"AcroForm").is_some() => {
            put(&mut catalog, b"AcroForm", Object::Dict(acroform));
            update.set(root, &Object::Dict(catalog));
        }
        None => {
            let n = update.allocate();
            update.set(n, &Object::Dict(acroform));
            put(&mut catalog, b"AcroForm", Object::Ref(n, 0));
            update.set(root, &Object::Dict(catalog));
        }
    }

    let written = update.finish()?;
    let base = written.base;
    let mut bytes = written.update;
    let body_at = written.bodies[&sig];
    let contents = body_at + contents_at..body_at + contents_at + contents_len;
    let total = base + bytes.len();
    let range = format!(
        "[0 {} {} {}]",
        contents.start,
        contents.end,
        total - contents.end
    );
    if range.len() > BYTE_RANGE_PLACEHOLDER.len() {
        return Err(Error::Unsupported(
            "the file is too large for a /ByteRange of ten-digit offsets".into(),
        ));
    }
    let at = body_at + byte_range_at - base;
    let slot = &mut bytes[at..at + BYTE_RANGE_PLACEHOLDER.len()];
    slot.fill(b' ');
    slot[..range.len()].copy_from_slice(range.as_bytes());
    Ok(Prepared {
        base,
        update: bytes,
        contents,
    })
}
