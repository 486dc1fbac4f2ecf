//! The page krilla drew, carried into the signed revision as a Form
//! XObject (ISO 32000-1 §8.10): its content stream, still encoded as
//! krilla wrote it, with `/BBox` the drawn page's media box and its
//! resources; every object those resources reach (the Type0 font, its
//! CIDFontType2 descendant, FontDescriptor, FontFile2 subset and ToUnicode
//! CMap, graphics states) copied into the update under new object numbers.
//! The drawn PDF is read back by this crate's own exact parser. A page
//! turned by `/Rotate` gets the `/Matrix` that turns the stamp back upright
//! (§12.5.5: the transformed box is then fitted to the widget's `/Rect`).

use std::collections::HashMap;

use crate::lexer::{Dict, Object};
use crate::page_tree::pages;
use crate::pdf::{decode_stream, Pdf};
use crate::writer::Update;

use super::{Placement, StampError};

/// The most objects a drawn stamp may bring along (a font takes five).
const MAX_OBJECTS: usize = 64;

fn render_error(what: &str) -> StampError {
    StampError::Render(format!("the drawn stamp {what}"))
}

/// Object numbers of the drawn PDF mapped to new ones in the update.
struct Copier<'u, 'p> {
    drawn: &'u Pdf,
    update: &'u mut Update<'p>,
    numbers: HashMap<u32, u32>,
}

impl Copier<'_, '_> {
    /// `o` with every reference renumbered, the objects referred to copied.
    fn rewrite(&mut self, o: &Object) -> Result<Object, StampError> {
        Ok(match o {
            Object::Ref(n, _) => Object::Ref(self.copy(*n)?, 0),
            Object::Array(items) => Object::Array(
                items
                    .iter()
                    .map(|i| self.rewrite(i))
                    .collect::<Result<_, _>>()?,
            ),
            Object::Dict(d) => Object::Dict(self.rewrite_dict(d, false)?),
            Object::Stream(d, data) => Object::Stream(self.rewrite_dict(d, true)?, data.clone()),
            other => other.clone(),
        })
    }

    /// A stream's `/Length` (perhaps a reference) is left out: the writer
    /// gives the data's length.
    fn rewrite_dict(&mut self, d: &Dict, stream: bool) -> Result<Dict, StampError> {
        let mut out = Dict::default();
        for (k, v, _) in &d.entries {
            if stream && k == b"Length" {
                continue;
            }
            let v = self.rewrite(v)?;
            out.entries.push((k.clone(), v, 0..0));
        }
        Ok(out)
    }

    /// Copies object `n` of the drawn PDF (once): its new number.
    fn copy(&mut self, n: u32) -> Result<u32, StampError> {
        if let Some(new) = self.numbers.get(&n) {
            return Ok(*new);
        }
        if self.numbers.len() >= MAX_OBJECTS {
            return Err(render_error("has too many objects"));
        }
        let new = self.update.allocate();
        self.numbers.insert(n, new);
        let o = self
            .drawn
            .object(0, n)?
            .ok_or_else(|| render_error("refers to a missing object"))?;
        let o = self.rewrite(&o)?;
        self.update.set(new, &o);
        Ok(new)
    }
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Int(i) => Some(*i as f32),
        Object::Real(r) => std::str::from_utf8(r).ok()?.parse().ok(),
        _ => None,
    }
}

/// The `/Matrix` turning the stamp by `rotate` degrees anticlockwise in
/// user space, against the page's clockwise `/Rotate`.
fn matrix(rotate: i64) -> Option<[i64; 6]> {
    match rotate {
        90 => Some([0, 1, -1, 0, 0, 0]),
        180 => Some([-1, 0, 0, -1, 0, 0]),
        270 => Some([0, -1, 1, 0, 0, 0]),
        _ => None,
    }
}

/// Writes the drawn page into `update` as a Form XObject: its number.
pub(crate) fn form_xobject(
    update: &mut Update<'_>,
    drawn: &[u8],
    placement: &Placement,
) -> Result<u32, StampError> {
    let pdf = Pdf::parse(drawn.to_vec())?;
    let page_num = *pages(&pdf)?
        .first()
        .ok_or_else(|| render_error("has no page"))?;
    let page = match pdf.object(0, page_num)? {
        Some(Object::Dict(d)) => d,
        _ => return Err(render_error("page is not a dictionary")),
    };
    let bbox = match page.get(b"MediaBox") {
        Some(Object::Array(items))
            if items.len() == 4 && items.iter().all(|i| number(i).is_some()) =>
        {
            items.clone()
        }
        _ => return Err(render_error("page has no media box")),
    };
    // The content: one stream kept as encoded, or several decoded and joined.
    let contents = page
        .get(b"Contents")
        .ok_or_else(|| render_error("page has no content"))?;
    let (mut form, data) = match pdf.resolve(0, contents)? {
        Some(Object::Stream(d, data)) => {
            let mut form = Dict::default();
            for key in [&b"Filter"[..], b"DecodeParms"] {
                if let Some(v) = d.get(key) {
                    form.entries.push((key.to_vec(), v.clone(), 0..0));
                }
            }
            (form, data)
        }
        Some(Object::Array(parts)) => {
            let mut data = Vec::new();
            for part in &parts {
                match pdf.resolve(0, part)? {
                    Some(Object::Stream(d, raw)) => {
                        data.extend_from_slice(&decode_stream(&d, &raw)?);
                        data.push(b'\n');
                    }
                    _ => return Err(render_error("content is not a stream")),
                }
            }
            (Dict::default(), data)
        }
        _ => return Err(render_error("content is not a stream")),
    };
    let resources = match page.get(b"Resources") {
        Some(r) => pdf
            .resolve(0, r)?
            .ok_or_else(|| render_error("resources are missing"))?,
        None => Object::Dict(Dict::default()),
    };
    let mut copier = Copier {
        drawn: &pdf,
        update,
        numbers: HashMap::new(),
    };
    let resources = copier.rewrite(&resources)?;
    let group = match page.get(b"Group") {
        Some(g) => Some(copier.rewrite(g)?),
        None => None,
    };
    let mut put = |k: &[u8], v: Object| form.entries.insert(0, (k.to_vec(), v, 0..0));
    if let Some(g) = group {
        put(b"Group", g);
    }
    put(b"Resources", resources);
    if let Some(m) = matrix(placement.rotate) {
        put(
            b"Matrix",
            Object::Array(m.iter().map(|v| Object::Int(*v)).collect()),
        );
    }
    put(b"BBox", Object::Array(bbox));
    put(b"Subtype", Object::Name(b"Form".to_vec()));
    put(b"Type", Object::Name(b"XObject".to_vec()));
    let num = update.allocate();
    update.set(num, &Object::Stream(form, data));
    Ok(num)
}
