//! Incremental updates (ISO 32000-1 §7.5.6): new and replaced objects
//! appended after the last `%%EOF`, followed by a cross-reference section
//! of the same kind as the last revision's (a table, §7.5.4, or an
//! uncompressed cross-reference stream, §7.5.8), whose `/Prev` names the
//! previous section. The original bytes stay the exact prefix of the
//! result; nothing in them is rewritten, and they are never copied: the
//! update is returned on its own, for the caller to append.

use std::collections::BTreeMap;
use std::io::Write;

use crate::lexer::{Dict, Object};
use crate::pdf::{Entry, Pdf};
use crate::Error;

/// One incremental update being put together over a parsed PDF.
pub struct Update<'a> {
    pdf: &'a Pdf,
    next: u32,
    /// Object number → (generation, serialised object body).
    objects: BTreeMap<u32, (u16, Vec<u8>)>,
}

/// An update, to be written after the original bytes. Offsets are in the
/// whole new file.
pub struct Written {
    /// The length of the original file.
    pub base: usize,
    /// The bytes to append to it.
    pub update: Vec<u8>,
    /// Where each object of the update starts (its `N G obj` line).
    pub offsets: BTreeMap<u32, usize>,
    /// Where each object's body starts (after `N G obj\n`).
    pub bodies: BTreeMap<u32, usize>,
}

impl<'a> Update<'a> {
    /// An empty update over `pdf`. An encrypted PDF is refused: its strings
    /// would have to be encrypted too, and a signature over a document the
    /// signer could not read is not what anyone means to sign.
    pub fn new(pdf: &'a Pdf) -> Result<Update<'a>, Error> {
        let last = pdf.revisions.len() - 1;
        if pdf.trailer(last).get(b"Encrypt").is_some() {
            return Err(Error::Encrypted);
        }
        if pdf
            .trailer(last)
            .get(b"Root")
            .and_then(Object::reference)
            .is_none()
        {
            return Err(Error::Unsupported(
                "the trailer has no /Root reference".into(),
            ));
        }
        let size = pdf
            .revisions
            .iter()
            .filter_map(|r| r.trailer.int(b"Size"))
            .max()
            .unwrap_or(0);
        let highest = pdf
            .revisions
            .iter()
            .filter_map(|r| r.entries.keys().next_back().copied())
            .max()
            .unwrap_or(0);
        let next = u32::try_from(size)
            .unwrap_or(0)
            .max(highest.saturating_add(1))
            .max(1);
        Ok(Update {
            pdf,
            next,
            objects: BTreeMap::new(),
        })
    }

    /// The PDF the update is over.
    pub fn pdf(&self) -> &'a Pdf {
        self.pdf
    }

    /// A new object number.
    pub fn allocate(&mut self) -> u32 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// The generation object `num` has in the last revision (0 if new).
    fn generation(&self, num: u32) -> u16 {
        match self.pdf.entry(self.pdf.revisions.len() - 1, num) {
            Some((_, Entry::InUse { gen, .. })) => gen,
            _ => 0,
        }
    }

    /// Sets object `num` (new or replaced) to `object`.
    pub fn set(&mut self, num: u32, object: &Object) {
        let mut body = Vec::new();
        serialise(object, &mut body);
        self.set_raw(num, body);
    }

    /// Sets object `num` to an already serialised body.
    pub fn set_raw(&mut self, num: u32, body: Vec<u8>) {
        let gen = self.generation(num);
        self.objects.insert(num, (gen, body));
    }

    /// The update: the bytes to append to the original.
    pub fn finish(self) -> Result<Written, Error> {
        let pdf = self.pdf;
        let last = pdf.revisions.len() - 1;
        let prev = pdf.revisions[last].xref_offset;
        let old = pdf.trailer(last);
        let base = pdf.bytes.len();
        let mut out = Vec::with_capacity(64 * 1024);
        if !matches!(pdf.bytes.last(), Some(b'\n' | b'\r')) {
            out.push(b'\n');
        }
        let mut offsets = BTreeMap::new();
        let mut bodies = BTreeMap::new();
        for (num, (gen, body)) in &self.objects {
            offsets.insert(*num, base + out.len());
            writeln!(out, "{num} {gen} obj").map_err(io)?;
            bodies.insert(*num, base + out.len());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let mut next = self.next;
        let xref_offset = base + out.len();
        let mut trailer = Dict::default();
        for key in [&b"Root"[..], b"Info", b"ID"] {
            if let Some(v) = old.get(key) {
                trailer.entries.push((key.to_vec(), v.clone(), 0..0));
            }
        }
        trailer
            .entries
            .push((b"Prev".to_vec(), Object::Int(prev as i64), 0..0));
        let mut entries: BTreeMap<u32, (usize, u16)> = self
            .objects
            .iter()
            .map(|(n, (g, _))| (*n, (offsets[n], *g)))
            .collect();
        if pdf.revisions[last].xref_stream {
            let own = next;
            next += 1;
            entries.insert(own, (xref_offset, 0));
            let wide = if xref_offset > u32::MAX as usize {
                8
            } else {
                4
            };
            let mut data = Vec::new();
            let mut index = Vec::new();
            for (start, run) in runs(&entries) {
                index.push(Object::Int(i64::from(start)));
                index.push(Object::Int(run.len() as i64));
                for (offset, gen) in run {
                    data.push(1);
                    data.extend_from_slice(&(offset as u64).to_be_bytes()[8 - wide..]);
                    data.extend_from_slice(&gen.to_be_bytes());
                }
            }
            let mut dict = Dict::default();
            let mut put = |k: &[u8], v: Object| dict.entries.push((k.to_vec(), v, 0..0));
            put(b"Type", Object::Name(b"XRef".to_vec()));
            put(b"Size", Object::Int(i64::from(next)));
            put(b"Index", Object::Array(index));
            put(
                b"W",
                Object::Array(vec![
                    Object::Int(1),
                    Object::Int(wide as i64),
                    Object::Int(2),
                ]),
            );
            dict.entries.extend(trailer.entries);
            writeln!(out, "{own} 0 obj").map_err(io)?;
            serialise(&Object::Stream(dict, data), &mut out);
            out.extend_from_slice(b"\nendobj\n");
        } else {
            out.extend_from_slice(b"xref\n");
            for (start, run) in runs(&entries) {
                writeln!(out, "{start} {}", run.len()).map_err(io)?;
                for (offset, gen) in run {
                    writeln!(out, "{offset:010} {gen:05} n\r").map_err(io)?;
                }
            }
            trailer
                .entries
                .insert(0, (b"Size".to_vec(), Object::Int(i64::from(next)), 0..0));
            out.extend_from_slice(b"trailer\n");
            serialise(&Object::Dict(trailer), &mut out);
            out.push(b'\n');
        }
        writeln!(out, "startxref\n{xref_offset}\n%%EOF").map_err(io)?;
        Ok(Written {
            base,
            update: out,
            offsets,
            bodies,
        })
    }
}

fn io(e: std::io::Error) -> Error {
    Error::Unsupported(format!("writing the update: {e}"))
}

/// Runs of consecutive object numbers: (first, [(offset, generation)]).
fn runs(entries: &BTreeMap<u32, (usize, u16)>) -> Vec<(u32, Vec<(usize, u16)>)> {
    let mut out: Vec<(u32, Vec<(usize, u16)>)> = Vec::new();
    for (n, e) in entries {
        match out.last_mut() {
            Some((start, run)) if *start + run.len() as u32 == *n => run.push(*e),
            _ => out.push((*n, vec![*e])),
        }
    }
    out
}

/// Writes `object` in PDF syntax (ISO 32000-1 §7.3). A stream's `/Length`
/// is set to its data's length.
pub fn serialise(object: &Object, out: &mut Vec<u8>) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(true) => out.extend_from_slice(b"true"),
        Object::Bool(false) => out.extend_from_slice(b"false"),
        Object::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(r),
        Object::Name(n) => name(n, out),
        Object::Str(s) => string(s, out),
        Object::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                serialise(item, out);
            }
            out.push(b']');
        }
        Object::Dict(d) => dict(d, None, out),
        Object::Stream(d, data) => {
            dict(d, Some(data.len()), out);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\nendstream");
        }
    }
}

fn dict(d: &Dict, length: Option<usize>, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<<");
    for (k, v, _) in &d.entries {
        if length.is_some() && k == b"Length" {
            continue;
        }
        name(k, out);
        out.push(b' ');
        serialise(v, out);
        out.push(b'\n');
    }
    if let Some(len) = length {
        out.extend_from_slice(format!("/Length {len}\n").as_bytes());
    }
    out.extend_from_slice(b">>");
}

/// A name, with `#xx` for bytes outside the regular printable characters
/// (§7.3.5).
fn name(n: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for &b in n {
        let regular = (0x21..=0x7e).contains(&b) && !b"#()<>[]{}/%".contains(&b);
        if regular {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

/// A string: literal when it is printable ASCII, hexadecimal otherwise
/// (§7.3.4).
fn string(s: &[u8], out: &mut Vec<u8>) {
    if s.iter().all(|b| (0x20..=0x7e).contains(b)) {
        out.push(b'(');
        for &b in s {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
    } else {
        out.push(b'<');
        for b in s {
            out.extend_from_slice(format!("{b:02X}").as_bytes());
        }
        out.push(b'>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::Lexer;

    fn round_trip(o: &Object) -> Object {
        let mut out = Vec::new();
        serialise(o, &mut out);
        Lexer::new(&out, 0).object(0).expect("reads back")
    }

    #[test]
    fn objects_read_back_as_written() {
        let mut d = Dict::default();
        d.entries
            .push((b"A b#".to_vec(), Object::Str(b"x(y)\\z".to_vec()), 0..0));
        d.entries
            .push((b"B".to_vec(), Object::Str("署名".as_bytes().to_vec()), 0..0));
        d.entries.push((
            b"C".to_vec(),
            Object::Array(vec![Object::Ref(3, 0), Object::Int(-4), Object::Null]),
            0..0,
        ));
        let o = Object::Dict(d);
        assert_eq!(round_trip(&o), o);
    }
}
