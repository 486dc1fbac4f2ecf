//! Signature fields and dictionaries (ISO 32000-1 §12.7.4.5, §12.8.1;
//! ETSI EN 319 142-1 §5.3, §5.4) and the exact `/ByteRange` checks.

use std::collections::BTreeSet;

use crate::lexer::{Dict, Lexer, Object};
use crate::pdf::{Entry, Pdf};
use crate::Error;

/// Deepest field tree walked.
const MAX_FIELD_DEPTH: usize = 32;

/// What a signature dictionary is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `/Type /Sig` (or no type): a signature.
    Signature,
    /// `/Type /DocTimeStamp`: a document time stamp.
    DocTimeStamp,
}

/// One signature dictionary and where it sits.
#[derive(Clone, Debug)]
pub struct Signature {
    /// The field's fully qualified name.
    pub field: String,
    /// The signature dictionary's object number.
    pub object: u32,
    /// Signature or document time stamp.
    pub kind: Kind,
    /// `/SubFilter`.
    pub sub_filter: String,
    /// The decoded `/Contents` (with its zero padding).
    pub contents: Vec<u8>,
    /// `/ByteRange` as (offset, length) pairs.
    pub ranges: Vec<(u64, u64)>,
    /// The signed revision (0-based), when the byte range is sound.
    pub revision: Option<usize>,
    /// `/M`.
    pub m: Option<String>,
    /// `/DocMDP` P of a certification signature.
    pub docmdp: Option<i64>,
    /// Why the signature dictionary or its byte range cannot be trusted.
    pub problems: Vec<String>,
}

/// The signature fields' signature dictionaries found in any revision, in
/// the order of their object numbers.
pub fn find(pdf: &Pdf) -> Result<Vec<Signature>, Error> {
    let mut sig_objects = BTreeSet::new();
    let mut names = std::collections::HashMap::new();
    for rev in 0..pdf.revisions.len() {
        for (name, v) in signature_values(pdf, rev)? {
            match v {
                Object::Ref(n, _) => {
                    sig_objects.insert(n);
                    names.entry(n).or_insert(name);
                }
                _ => {
                    // A direct signature dictionary cannot be located by
                    // byte offset: reported as a broken signature.
                    return Err(Error::Unsupported(format!(
                        "the signature field {name} holds its signature dictionary directly, not as an indirect object"
                    )));
                }
            }
        }
    }
    let last = pdf.revisions.len() - 1;
    let mut out = Vec::new();
    for n in sig_objects {
        let field = names.get(&n).cloned().unwrap_or_default();
        out.push(read_signature(pdf, last, n, field)?);
    }
    Ok(out)
}

/// (field name, /V) of every signature field with a value in revision
/// `rev`.
fn signature_values(pdf: &Pdf, rev: usize) -> Result<Vec<(String, Object)>, Error> {
    let Some(root) = pdf.trailer(rev).get(b"Root").cloned() else {
        return Ok(Vec::new());
    };
    let Some(catalog) = pdf.resolve(rev, &root)? else {
        return Ok(Vec::new());
    };
    let Some(acroform) = catalog.dict().and_then(|c| c.get(b"AcroForm")).cloned() else {
        return Ok(Vec::new());
    };
    let Some(acroform) = pdf.resolve(rev, &acroform)? else {
        return Ok(Vec::new());
    };
    let Some(fields) = acroform.dict().and_then(|d| d.get(b"Fields")).cloned() else {
        return Ok(Vec::new());
    };
    let mut walk = FieldWalk {
        pdf,
        rev,
        seen: BTreeSet::new(),
        out: Vec::new(),
    };
    walk.fields(&fields, "", None, 0)?;
    Ok(walk.out)
}

/// A walk over a revision's field tree.
struct FieldWalk<'a> {
    pdf: &'a Pdf,
    rev: usize,
    seen: BTreeSet<u32>,
    out: Vec<(String, Object)>,
}

impl FieldWalk<'_> {
    fn fields(
        &mut self,
        kids: &Object,
        prefix: &str,
        inherited_ft: Option<Vec<u8>>,
        depth: usize,
    ) -> Result<(), Error> {
        let (pdf, rev) = (self.pdf, self.rev);
        if depth > MAX_FIELD_DEPTH {
            return Err(Error::Unsupported("form fields nested too deeply".into()));
        }
        let Some(Object::Array(items)) = pdf.resolve(rev, kids)? else {
            return Ok(());
        };
        for item in items {
            if let Object::Ref(n, _) = item {
                if !self.seen.insert(n) {
                    continue;
                }
            }
            let Some(field) = pdf.resolve(rev, &item)? else {
                continue;
            };
            let Some(d) = field.dict() else { continue };
            let name = match d.get(b"T") {
                Some(Object::Str(t)) => {
                    let t = crate::lexer::text_string(t);
                    if prefix.is_empty() {
                        t
                    } else {
                        format!("{prefix}.{t}")
                    }
                }
                _ => prefix.to_owned(),
            };
            let ft = d.name(b"FT").map(<[u8]>::to_vec).or(inherited_ft.clone());
            if ft.as_deref() == Some(b"Sig") {
                if let Some(v) = d.get(b"V") {
                    if *v != Object::Null {
                        self.out.push((name.clone(), v.clone()));
                    }
                }
            }
            if let Some(kids) = d.get(b"Kids") {
                self.fields(kids, &name, ft, depth + 1)?;
            }
        }
        Ok(())
    }
}

/// The signature dictionary `n` as revision `view` sees it, with the
/// `/ByteRange` checked against the revision it signs.
fn read_signature(pdf: &Pdf, view: usize, n: u32, field: String) -> Result<Signature, Error> {
    let mut sig = Signature {
        field,
        object: n,
        kind: Kind::Signature,
        sub_filter: String::new(),
        contents: Vec::new(),
        ranges: Vec::new(),
        revision: None,
        m: None,
        docmdp: None,
        problems: Vec::new(),
    };
    let Some(Object::Dict(d)) = pdf.object(view, n)? else {
        sig.problems
            .push(format!("object {n} is not a signature dictionary"));
        return Ok(sig);
    };
    sig.kind = match d.name(b"Type") {
        Some(b"DocTimeStamp") => Kind::DocTimeStamp,
        Some(b"Sig") | None => Kind::Signature,
        Some(other) => {
            sig.problems.push(format!(
                "object {n} has /Type /{}, not /Sig or /DocTimeStamp",
                String::from_utf8_lossy(other)
            ));
            Kind::Signature
        }
    };
    sig.sub_filter = d
        .name(b"SubFilter")
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default();
    if let Some(Object::Str(m)) = d.get(b"M") {
        sig.m = Some(String::from_utf8_lossy(m).into_owned());
    }
    sig.docmdp = docmdp(pdf, view, &d)?;
    match d.get(b"Contents") {
        Some(Object::Str(c)) => sig.contents = c.clone(),
        Some(_) => sig.problems.push("/Contents is not a string".into()),
        None => sig
            .problems
            .push("the signature dictionary has no /Contents".into()),
    }
    if d.count(b"Contents") > 1 || d.count(b"ByteRange") > 1 {
        sig.problems
            .push("the signature dictionary repeats /Contents or /ByteRange".into());
    }
    match d.get(b"ByteRange") {
        Some(Object::Array(a)) => {
            let ints: Option<Vec<i64>> = a
                .iter()
                .map(|o| match o {
                    Object::Int(i) => Some(*i),
                    _ => None,
                })
                .collect();
            match ints {
                Some(v)
                    if v.len().is_multiple_of(2) && !v.is_empty() && v.iter().all(|i| *i >= 0) =>
                {
                    sig.ranges = v.chunks(2).map(|p| (p[0] as u64, p[1] as u64)).collect();
                }
                _ => sig
                    .problems
                    .push("/ByteRange is not pairs of non-negative integers".into()),
            }
        }
        Some(_) => sig.problems.push("/ByteRange is not an array".into()),
        None => sig
            .problems
            .push("the signature dictionary has no /ByteRange".into()),
    }
    if sig.problems.is_empty() {
        match check_byte_range(pdf, n, &sig.ranges, &d) {
            Ok(rev) => sig.revision = Some(rev),
            Err(why) => sig.problems.push(why),
        }
    }
    Ok(sig)
}

/// The `/DocMDP` P of a certification signature dictionary.
fn docmdp(pdf: &Pdf, rev: usize, d: &Dict) -> Result<Option<i64>, Error> {
    let Some(refs) = d.get(b"Reference") else {
        return Ok(None);
    };
    let Some(Object::Array(refs)) = pdf.resolve(rev, refs)? else {
        return Ok(None);
    };
    for r in refs {
        let Some(r) = pdf.resolve(rev, &r)? else {
            continue;
        };
        let Some(rd) = r.dict() else { continue };
        if rd.name(b"TransformMethod") != Some(b"DocMDP") {
            continue;
        }
        let p = match rd.get(b"TransformParams") {
            Some(tp) => pdf
                .resolve(rev, tp)?
                .and_then(|t| t.dict().and_then(|t| t.int(b"P"))),
            None => None,
        };
        // ISO 32000-1 Table 254: P defaults to 2.
        return Ok(Some(p.unwrap_or(2)));
    }
    Ok(None)
}

/// ISO 32000-1 §12.8.1 and EN 319 142-1 §5.3: the byte range must be two
/// ranges from offset 0 to the end of a revision, leaving out exactly this
/// signature dictionary's `/Contents` hexadecimal string (with its `<` and
/// `>`), as written in that revision. Returns the signed revision.
fn check_byte_range(pdf: &Pdf, n: u32, ranges: &[(u64, u64)], now: &Dict) -> Result<usize, String> {
    let [(a, b), (c, d)] = ranges else {
        return Err(format!(
            "/ByteRange has {} ranges; a PDF signature has exactly two",
            ranges.len()
        ));
    };
    let (a, b, c, d) = (*a, *b, *c, *d);
    if a != 0 {
        return Err(format!(
            "/ByteRange starts at {a}, not at the start of the file"
        ));
    }
    if b == 0 || c <= b {
        return Err("/ByteRange ranges are empty, overlap or are out of order".into());
    }
    let end = c.checked_add(d).ok_or("/ByteRange overflows")?;
    let len = pdf.bytes.len() as u64;
    if end > len {
        return Err(format!(
            "/ByteRange ends at {end}, past the end of the file ({len} bytes)"
        ));
    }
    let rev = pdf
        .revisions
        .iter()
        .position(|r| r.end as u64 == end || r.eof as u64 == end)
        .ok_or_else(|| {
            format!("/ByteRange ends at {end}, which is not the end of any revision of the file")
        })?;
    // The signature dictionary as written in that revision.
    let Some(Entry::InUse { offset, gen }) = pdf.revisions[rev].entries.get(&n).copied() else {
        return Err(format!(
            "the signature dictionary {n} is not written (uncompressed) in the revision its /ByteRange signs"
        ));
    };
    if offset as u64 >= b {
        return Err("the signature dictionary lies outside the first signed range".into());
    }
    let limit = pdf.revisions[rev].end;
    let mut lx = Lexer::new(&pdf.bytes[..limit], offset);
    let header = lx.object_header().map_err(|e| e.to_string())?;
    if header != (n, gen) {
        return Err(format!(
            "the cross-reference entry of the signature dictionary {n} points at object {} {}",
            header.0, header.1
        ));
    }
    let object = lx.object(0).map_err(|e| e.to_string())?;
    let Some(dict) = object.dict() else {
        return Err("the signature dictionary is not a dictionary".into());
    };
    if dict != now {
        return Err(format!(
            "the signature dictionary {n} was redefined after the revision it signs"
        ));
    }
    let Some((Object::Str(_), span)) = dict.get_spanned(b"Contents") else {
        return Err("the signed signature dictionary has no /Contents string".into());
    };
    if span.start as u64 != b || span.end as u64 != c {
        return Err(format!(
            "the gap in /ByteRange ({b}..{c}) is not the signature's /Contents string ({}..{})",
            span.start, span.end
        ));
    }
    let hex = &pdf.bytes[span.start..span.end];
    let inner = &hex[1..hex.len() - 1];
    if hex[0] != b'<' || hex[hex.len() - 1] != b'>' || !inner.iter().all(u8::is_ascii_hexdigit) {
        return Err("/Contents is not a plain hexadecimal string".into());
    }
    Ok(rev)
}
