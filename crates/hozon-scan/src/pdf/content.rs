//! The content-stream walker: which image XObjects each page draws (through
//! `q`/`Q`/`cm` and form XObjects) and at what size, measured by the page
//! checks like raster pages.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::images::{decode_image, ImageError};
use super::{
    deref, number, PdfScan, MAX_AUX_STREAM, MAX_FORM_DEPTH, MAX_IMAGES_PER_PAGE, MIN_PAGE_COVER,
};
use crate::raster::{self, Dpi, Page};
use crate::report::{Check, CheckName, Standard, Status};

/// An affine matrix `[a b c d e f]` as in PDF `cm`.
type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m × n` (apply `m`, then `n`): PDF's `cm` sets CTM' = M × CTM.
fn multiply(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn matrix_of(operands: &[Object]) -> Option<Matrix> {
    if operands.len() != 6 {
        return None;
    }
    let mut m = [0.0; 6];
    for (slot, o) in m.iter_mut().zip(operands) {
        *slot = number(o).filter(|v| v.is_finite())?;
    }
    Some(m)
}

/// An image XObject drawn by a content stream, with the CTM it was drawn under.
struct Drawn {
    name: String,
    id: ObjectId,
    ctm: Matrix,
}

/// The `/XObject` entry `name` in the first resource dictionary that has it.
fn find_xobject(doc: &Document, resources: &[&Dictionary], name: &[u8]) -> Option<ObjectId> {
    resources.iter().find_map(|res| {
        let xobjects = deref(doc, res.get(b"XObject").ok()?)?.as_dict().ok()?;
        xobjects.get(name).ok()?.as_reference().ok()
    })
}

/// Walks a content stream, following `q`/`Q`/`cm` and form XObjects, collecting the images drawn.
fn walk(
    doc: &Document,
    content: &[u8],
    resources: &[&Dictionary],
    start: Matrix,
    depth: usize,
    seen_forms: &mut HashSet<ObjectId>,
    out: &mut Vec<Drawn>,
) -> Result<(), String> {
    let ops = lopdf::content::Content::decode(content)
        .map_err(|e| format!("content stream does not parse: {e}"))?;
    let mut ctm = start;
    let mut stack: Vec<Matrix> = Vec::new();
    for op in &ops.operations {
        match op.operator.as_str() {
            "q" => {
                if stack.len() >= 4096 {
                    return Err("graphics state nested too deeply".to_string());
                }
                stack.push(ctm);
            }
            "Q" => ctm = stack.pop().unwrap_or(start),
            "cm" => {
                if let Some(m) = matrix_of(&op.operands) {
                    ctm = multiply(&m, &ctm);
                }
            }
            "Do" => {
                let Some(Ok(name)) = op.operands.first().map(Object::as_name) else {
                    continue;
                };
                let name_text = String::from_utf8_lossy(name).into_owned();
                let Some(id) = find_xobject(doc, resources, name) else {
                    return Err(format!("draws /{name_text}, which is not in the resources"));
                };
                let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else {
                    return Err(format!("XObject /{name_text} is not a stream"));
                };
                match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                    Ok(b"Image") => {
                        if out.len() >= MAX_IMAGES_PER_PAGE {
                            return Err(format!("draws more than {MAX_IMAGES_PER_PAGE} images"));
                        }
                        out.push(Drawn {
                            name: name_text,
                            id,
                            ctm,
                        });
                    }
                    Ok(b"Form") => {
                        if depth >= MAX_FORM_DEPTH || !seen_forms.insert(id) {
                            return Err(format!(
                                "form XObject /{name_text} nests too deeply or recursively"
                            ));
                        }
                        let form_matrix = stream
                            .dict
                            .get(b"Matrix")
                            .ok()
                            .and_then(|m| m.as_array().ok())
                            .and_then(|a| matrix_of(a))
                            .unwrap_or(IDENTITY);
                        let body = stream
                            .decompressed_content_with_limit(MAX_AUX_STREAM)
                            .or_else(|_| {
                                if stream.dict.get(b"Filter").is_err() {
                                    Ok(stream.content.clone())
                                } else {
                                    Err(())
                                }
                            })
                            .map_err(|()| format!("form XObject /{name_text} does not decode"))?;
                        let own = stream
                            .dict
                            .get(b"Resources")
                            .ok()
                            .and_then(|r| deref(doc, r))
                            .and_then(|r| r.as_dict().ok());
                        let mut res: Vec<&Dictionary> = own.into_iter().collect();
                        res.extend_from_slice(resources);
                        walk(
                            doc,
                            &body,
                            &res,
                            multiply(&form_matrix, &ctm),
                            depth + 1,
                            seen_forms,
                            out,
                        )?;
                        seen_forms.remove(&id);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The page's MediaBox (inherited through the page tree) as width and height in points.
fn media_box(doc: &Document, page_id: ObjectId) -> Option<(f64, f64)> {
    let mut node = doc.get_dictionary(page_id).ok()?;
    for _ in 0..64 {
        if let Some(b) = node.get(b"MediaBox").ok().and_then(|o| deref(doc, o)) {
            let a = b.as_array().ok()?;
            let v: Vec<f64> = a
                .iter()
                .filter_map(|o| deref(doc, o).and_then(number))
                .collect();
            if v.len() != 4 {
                return None;
            }
            let (w, h) = ((v[2] - v[0]).abs(), (v[3] - v[1]).abs());
            return (w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0).then_some((w, h));
        }
        node = doc
            .get_dictionary(node.get(b"Parent").ok()?.as_reference().ok()?)
            .ok()?;
    }
    None
}

/// The page's content streams, decoded and joined.
fn page_content(doc: &Document, page_id: ObjectId) -> Result<Vec<u8>, String> {
    let mut content = Vec::new();
    for id in doc.get_page_contents(page_id) {
        let stream = doc
            .get_object(id)
            .and_then(Object::as_stream)
            .map_err(|e| format!("content stream {} {} R: {e}", id.0, id.1))?;
        let body = if stream.dict.get(b"Filter").is_err() {
            stream.content.clone()
        } else {
            stream
                .decompressed_content_with_limit(MAX_AUX_STREAM)
                .map_err(|e| format!("content stream {} {} R does not decode: {e}", id.0, id.1))?
        };
        if content.len() + body.len() > MAX_AUX_STREAM {
            return Err(format!("page content larger than {MAX_AUX_STREAM} bytes"));
        }
        content.extend_from_slice(&body);
        content.push(b'\n');
    }
    Ok(content)
}

pub(super) fn check_page(doc: &Document, number: u32, page_id: ObjectId, scan: &mut PdfScan) {
    let Some((page_w, page_h)) = media_box(doc, page_id) else {
        scan.fail(number, "page has no usable MediaBox");
        return;
    };
    let content = match page_content(doc, page_id) {
        Ok(c) => c,
        Err(reason) => {
            scan.fail(number, reason);
            return;
        }
    };
    let (own, ids) = match doc.get_page_resources(page_id) {
        Ok(r) => r,
        Err(e) => {
            scan.fail(number, format!("page resources: {e}"));
            return;
        }
    };
    let mut resources: Vec<&Dictionary> = own.into_iter().collect();
    resources.extend(ids.iter().filter_map(|&id| doc.get_dictionary(id).ok()));
    let mut drawn = Vec::new();
    if let Err(reason) = walk(
        doc,
        &content,
        &resources,
        IDENTITY,
        0,
        &mut HashSet::new(),
        &mut drawn,
    ) {
        scan.fail(number, reason);
        return;
    }
    if drawn.is_empty() {
        scan.checks.push(Check::new(
            Standard::Legibility,
            CheckName::PdfImage,
            Status::Failed,
            Some(number),
            "no scanned image on the page".to_string(),
        ));
        return;
    }
    // A scanned page's image covers the page. Images drawn over only part of it (a logo on a
    // born-digital page) say nothing about the page's legibility, so the page does not pass.
    let page_area = page_w * page_h;
    let covered: f64 = drawn
        .iter()
        .map(|d| {
            if d.ctm == IDENTITY {
                page_area // drawn size unknown: measured over the MediaBox below
            } else {
                (d.ctm[0] * d.ctm[3] - d.ctm[1] * d.ctm[2]).abs()
            }
        })
        .filter(|a| a.is_finite())
        .fold(0.0, f64::max);
    let share = covered / page_area;
    if share < MIN_PAGE_COVER {
        scan.checks.push(Check::new(
            Standard::Legibility,
            CheckName::PdfImage,
            Status::Failed,
            Some(number),
            format!(
                "images cover {:.0}% of the page, a scanned page's image covers at least {:.0}%: not a page scan",
                share * 100.0,
                MIN_PAGE_COVER * 100.0
            ),
        ));
    }
    for d in &drawn {
        let Ok(stream) = doc.get_object(d.id).and_then(Object::as_stream) else {
            scan.fail(number, format!("image /{} is not a stream", d.name));
            continue;
        };
        let pixels = match decode_image(doc, stream) {
            Ok(p) => p,
            Err(ImageError::NotChecked(filter)) => {
                scan.fail(
                    number,
                    format!("image /{}: cannot decode {filter}: not checked", d.name),
                );
                continue;
            }
            Err(ImageError::Failed(reason)) => {
                scan.fail(number, format!("image /{}: {reason}", d.name));
                continue;
            }
        };
        let drawn_w = d.ctm[0].hypot(d.ctm[1]);
        let drawn_h = d.ctm[2].hypot(d.ctm[3]);
        // No `cm` at all leaves the image at 1x1 pt, which no scanner writes: use the MediaBox.
        let readable = d.ctm != IDENTITY
            && drawn_w.is_finite()
            && drawn_h.is_finite()
            && drawn_w >= 1.0
            && drawn_h >= 1.0;
        let (w_pt, h_pt, how) = if readable {
            (drawn_w, drawn_h, "drawn size from the content stream's cm")
        } else {
            (page_w, page_h, "page MediaBox (drawn size not readable)")
        };
        let dpi = Dpi {
            x: f64::from(pixels.width) * 72.0 / w_pt,
            y: f64::from(pixels.height) * 72.0 / h_pt,
        };
        scan.checks.push(Check::new(
            Standard::Legibility,
            CheckName::PdfImage,
            Status::Passed,
            Some(number),
            format!(
                "image /{} {}x{} px over {:.1}x{:.1} pt ({how}) = {:.0}x{:.0} dpi",
                d.name, pixels.width, pixels.height, w_pt, h_pt, dpi.x, dpi.y
            ),
        ));
        let ink = raster::ink_share(&pixels.luma, pixels.width, pixels.height);
        scan.decoded.pages.push(Page {
            number,
            width: pixels.width,
            height: pixels.height,
            dpi: Ok(dpi),
            colour: pixels.colour,
            bits: pixels.bits,
            ink,
            jpeg_quality: pixels.quality,
        });
    }
}
