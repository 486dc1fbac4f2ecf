//! PDF scans: the page images inside a PDF, measured like raster pages, and the PDF/A markers.
//!
//! Why: scanners commonly write PDFs, and the guideline (Ver 6.0 企16) asks the same of them as of
//! TIFF or JPEG scans — every page decodes (preservability), each page image has the resolution and
//! colour the hospital's standard requires (legibility), the file is readable for the retention
//! period (so not encrypted) and, where PDF is the archive format, PDF/A is the usual choice.
//!
//! What is checked:
//! - the file parses with `lopdf` in strict mode and ends with `%%EOF` (a truncated PDF fails; the
//!   lenient parser would silently rebuild it); sizes and counts are capped because the file is
//!   hostile input ([`MAX_PDF_BYTES`], [`MAX_OBJECTS`], [`MAX_PAGES`], [`MAX_IMAGE_PIXELS`]);
//! - a trailer `/Encrypt` fails: an encrypted record is not readable for the retention period;
//! - per page, every image XObject the content stream draws (also through form XObjects) is decoded
//!   fully — DCTDecode with the `image` JPEG decoder, FlateDecode/LZW/ASCII85/ASCIIHex/RunLength raw
//!   samples from `/Width /Height /BitsPerComponent /ColorSpace` — and its dpi is its pixels over the
//!   size it is drawn at (the content stream's `cm` matrices), or over the page's MediaBox when the
//!   drawn size cannot be read. CCITTFax, JBIG2 and JPX images are not decoded here and FAIL as
//!   "not checked": a check that did not look must never pass. A page with no image fails legibility;
//! - PDF/A markers (XMP pdfaid, OutputIntents, embedded fonts, no JavaScript, no external
//!   references) are reported as a `pdfa` check: which hold, never a claim of PDF/A validation.
//!
//! [`creation_date`] gives the scan time from the Info `/CreationDate` or XMP `xmp:CreateDate`.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use image::ImageFormat;
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

use crate::ccitt;
use crate::raster::{self, ColourMode, DecodeFailure, Decoded, Dpi, Page};
use crate::report::{Check, Standard, Status};

/// Largest PDF read (bytes). Bigger files fail preservability instead of exhausting memory.
pub const MAX_PDF_BYTES: u64 = 1024 * 1024 * 1024;
/// Most indirect objects a PDF may have.
pub const MAX_OBJECTS: usize = 2_000_000;
/// Most pages checked in one PDF.
pub const MAX_PAGES: usize = 10_000;
/// Largest page image decoded (pixels): an A0 sheet at 600 dpi is about 560 megapixels.
pub const MAX_IMAGE_PIXELS: u64 = 600_000_000;
/// Most images drawn on one page that are decoded.
const MAX_IMAGES_PER_PAGE: usize = 256;
/// Least share of the page the largest image must cover for the page to count as scanned.
pub const MIN_PAGE_COVER: f64 = 0.5;
/// Most nested form XObjects followed.
const MAX_FORM_DEPTH: usize = 8;
/// Largest decoded content stream, XMP packet or colour lookup table.
const MAX_AUX_STREAM: usize = 64 * 1024 * 1024;
/// Most objects visited when scanning for PDF/A markers (nested values count).
const MAX_MARKER_VISITS: usize = 20_000_000;

/// The reason an encrypted PDF fails.
pub const ENCRYPTED: &str = "encrypted: not readable for the retention period";

/// Result of checking a PDF: the decoded page images (fed to the same page checks as raster
/// pages), the PDF's page count and the PDF-specific checks.
#[derive(Clone, Debug, Default)]
pub struct PdfScan {
    /// One [`Page`] per decoded image, numbered by the PDF page it is drawn on; `failure` is the
    /// first thing that did not decode.
    pub decoded: Decoded,
    /// Pages in the PDF (0 if it did not parse).
    pub page_count: u32,
    /// PDF-specific checks: how each image's dpi was measured, further decode failures, pages
    /// without an image, the `pdfa` markers.
    pub checks: Vec<Check>,
}

fn check(
    standard: Standard,
    name: &str,
    status: Status,
    page: Option<u32>,
    detail: String,
) -> Check {
    Check {
        standard,
        check: name.to_string(),
        status,
        page,
        detail,
    }
}

impl PdfScan {
    fn fail(&mut self, page: u32, reason: impl Into<String>) {
        let reason = reason.into();
        if self.decoded.failure.is_none() {
            self.decoded.failure = Some(DecodeFailure { page, reason });
        } else {
            self.checks.push(check(
                Standard::Preservability,
                "decode",
                Status::Failed,
                Some(page),
                format!("does not decode completely: {reason}"),
            ));
        }
    }
}

/// Reads a PDF within [`MAX_PDF_BYTES`].
fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read: {e}"))?
        .len();
    if len > MAX_PDF_BYTES {
        return Err(format!(
            "PDF of {len} bytes is larger than the {MAX_PDF_BYTES}-byte limit"
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_PDF_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_PDF_BYTES {
        return Err(format!("PDF is larger than the {MAX_PDF_BYTES}-byte limit"));
    }
    Ok(bytes)
}

/// A PDF must end with `%%EOF` (trailing whitespace and NULs tolerated): a cut-off file would
/// otherwise be rebuilt by a lenient reader from whatever objects survived.
fn ends_with_eof(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, 0 | b' ' | b'\t' | b'\r' | b'\n' | b'\x0c'))
        .map_or(0, |i| i + 1);
    bytes[..end].ends_with(b"%%EOF")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Parses a PDF strictly, refusing encrypted and truncated files.
fn load(path: &Path) -> Result<Document, String> {
    let bytes = read_capped(path)?;
    let options = LoadOptions {
        strict: true,
        max_decompressed_size: Some(MAX_AUX_STREAM),
        ..LoadOptions::default()
    };
    let doc = match Document::load_mem_with_options(&bytes, options) {
        Ok(doc) => doc,
        // An /Encrypt entry the parser could not use is still an encrypted file.
        Err(_) if contains(&bytes, b"/Encrypt") => return Err(ENCRYPTED.to_string()),
        Err(e) if !ends_with_eof(&bytes) => {
            return Err(format!(
                "PDF does not end with %%EOF (truncated) and does not parse: {e}"
            ))
        }
        Err(e) => return Err(format!("PDF does not parse: {e}")),
    };
    if doc.trailer.get(b"Encrypt").is_ok() || doc.was_encrypted() {
        return Err(ENCRYPTED.to_string());
    }
    if !ends_with_eof(&bytes) {
        return Err("PDF does not end with %%EOF (truncated)".to_string());
    }
    if doc.objects.len() > MAX_OBJECTS {
        return Err(format!(
            "PDF has {} objects, more than the limit of {MAX_OBJECTS}",
            doc.objects.len()
        ));
    }
    Ok(doc)
}

/// Decodes every image drawn on every page of a PDF and checks its PDF/A markers.
pub fn decode(path: &Path) -> PdfScan {
    let mut scan = PdfScan::default();
    let doc = match load(path) {
        Ok(doc) => doc,
        Err(reason) => {
            scan.fail(1, reason);
            return scan;
        }
    };
    let pages = doc.get_pages();
    scan.page_count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    if pages.is_empty() {
        scan.fail(1, "PDF has no pages");
    } else if pages.len() > MAX_PAGES {
        scan.fail(
            1,
            format!(
                "PDF has {} pages, more than the limit of {MAX_PAGES}",
                pages.len()
            ),
        );
    } else {
        for (&number, &page_id) in &pages {
            check_page(&doc, number, page_id, &mut scan);
        }
    }
    scan.checks.push(pdfa_check(&doc));
    scan
}

// ---------------------------------------------------------------------------------------------
// Pages and the images they draw

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

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
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

fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    doc.dereference(o).ok().map(|(_, o)| o)
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

fn check_page(doc: &Document, number: u32, page_id: ObjectId, scan: &mut PdfScan) {
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
        scan.checks.push(check(
            Standard::Legibility,
            "pdf-image",
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
        scan.checks.push(check(
            Standard::Legibility,
            "pdf-image",
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
        scan.checks.push(check(
            Standard::Legibility,
            "pdf-image",
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

// ---------------------------------------------------------------------------------------------
// Image XObjects

/// A decoded image: size, stored colour, and 8-bit luminance for the blank-page measure.
struct Pixels {
    width: u32,
    height: u32,
    colour: ColourMode,
    bits: u8,
    luma: Vec<u8>,
    quality: Option<u8>,
}

/// Why an image XObject was not measured.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// A filter or colour space this version does not decode (the image was not looked at).
    #[error("cannot decode {0}: not checked")]
    NotChecked(String),
    /// The image does not decode.
    #[error("{0}")]
    Failed(String),
}

/// An image XObject decoded as the page checks measure it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLuma {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 8-bit luminance, 0 black to 255 white, row by row.
    pub luma: Vec<u8>,
}

/// Decodes the image XObject `stream` of `doc` with the decoders the page checks use (for
/// tests and diagnostics).
pub fn image_luma(doc: &Document, stream: &Stream) -> Result<ImageLuma, ImageError> {
    decode_image(doc, stream).map(|p| ImageLuma {
        width: p.width,
        height: p.height,
        luma: p.luma,
    })
}

fn image_size(dict: &Dictionary) -> Result<(u32, u32), ImageError> {
    let get = |key: &[u8]| -> Result<u32, ImageError> {
        let v = dict
            .get(key)
            .ok()
            .and_then(|o| o.as_i64().ok())
            .ok_or_else(|| ImageError::Failed(format!("no /{}", String::from_utf8_lossy(key))))?;
        u32::try_from(v).ok().filter(|&v| v > 0).ok_or_else(|| {
            ImageError::Failed(format!(
                "/{} {v} is not a size",
                String::from_utf8_lossy(key)
            ))
        })
    };
    let (w, h) = (get(b"Width")?, get(b"Height")?);
    if u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(ImageError::Failed(format!(
            "{w}x{h} px is more than the limit of {MAX_IMAGE_PIXELS} pixels"
        )));
    }
    Ok((w, h))
}

fn filter_names(doc: &Document, dict: &Dictionary) -> Result<Vec<String>, ImageError> {
    let Ok(filter) = dict.get(b"Filter") else {
        return Ok(Vec::new());
    };
    let filter = deref(doc, filter).ok_or_else(|| ImageError::Failed("/Filter".into()))?;
    let names: Vec<&Object> = match filter {
        Object::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    names
        .into_iter()
        .map(|o| {
            deref(doc, o)
                .and_then(|o| o.as_name().ok())
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .ok_or_else(|| ImageError::Failed("/Filter is not a name".to_string()))
        })
        .collect()
}

fn decode_image(doc: &Document, stream: &Stream) -> Result<Pixels, ImageError> {
    let (width, height) = image_size(&stream.dict)?;
    let filters = filter_names(doc, &stream.dict)?;
    // No maintained JBIG2 or JPEG 2000 decoder is used here: such images are not looked at.
    const NOT_DECODED: [&str; 2] = ["JBIG2Decode", "JPXDecode"];
    if let Some(f) = filters.iter().find(|f| NOT_DECODED.contains(&f.as_str())) {
        return Err(ImageError::NotChecked(f.clone()));
    }
    match filters
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["DCTDecode"] => decode_dct(stream, width, height),
        ["CCITTFaxDecode" | "CCF"] => decode_ccitt(doc, stream, width, height),
        [.., "CCITTFaxDecode" | "CCF"] | ["CCITTFaxDecode" | "CCF", ..] => {
            Err(ImageError::NotChecked(filters.join(" + ")))
        }
        [.., "DCTDecode"] | ["DCTDecode", ..] => Err(ImageError::NotChecked(filters.join(" + "))),
        names => {
            const RAW: [&str; 5] = [
                "FlateDecode",
                "LZWDecode",
                "ASCII85Decode",
                "ASCIIHexDecode",
                "RunLengthDecode",
            ];
            if let Some(f) = names.iter().find(|f| !RAW.contains(f)) {
                return Err(ImageError::NotChecked((*f).to_string()));
            }
            decode_raw(doc, stream, width, height, names.is_empty())
        }
    }
}

fn decode_dct(stream: &Stream, width: u32, height: u32) -> Result<Pixels, ImageError> {
    let data = &stream.content;
    let header = raster::jpeg_header(data).map_err(ImageError::Failed)?;
    let end = data
        .iter()
        .rposition(|b| !matches!(b, 0 | b' ' | b'\t' | b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    if !data[..end].ends_with(b"\xff\xd9") {
        return Err(ImageError::Failed(format!(
            "JPEG data truncated at byte {end} of the image stream: no EOI marker"
        )));
    }
    let image = image::load_from_memory_with_format(data, ImageFormat::Jpeg)
        .map_err(|e| ImageError::Failed(format!("JPEG: {e}")))?;
    if (image.width(), image.height()) != (width, height) {
        return Err(ImageError::Failed(format!(
            "JPEG is {}x{} px but /Width /Height say {width}x{height}",
            image.width(),
            image.height()
        )));
    }
    let luma = image.to_luma8().into_raw();
    Ok(Pixels {
        width,
        height,
        colour: header.colour,
        bits: header.bits,
        luma,
        quality: header.quality,
    })
}

/// How raw samples map to colour: components per pixel, stored mode, and for Indexed the base
/// component count and lookup table.
struct Space {
    components: usize,
    colour: ColourMode,
    base: usize,
    lookup: Vec<u8>,
}

fn colour_space(doc: &Document, cs: &Object, depth: usize) -> Result<Space, ImageError> {
    let simple = |components, colour| Space {
        components,
        colour,
        base: components,
        lookup: Vec::new(),
    };
    let cs = deref(doc, cs).ok_or_else(|| ImageError::Failed("/ColorSpace".into()))?;
    let (family, args): (&[u8], &[Object]) = match cs {
        Object::Name(n) => (n.as_slice(), &[]),
        Object::Array(a) => match a.split_first() {
            Some((first, rest)) => (
                first
                    .as_name()
                    .map_err(|_| ImageError::Failed("/ColorSpace family is not a name".into()))?,
                rest,
            ),
            None => return Err(ImageError::Failed("/ColorSpace is empty".into())),
        },
        _ => {
            return Err(ImageError::Failed(
                "/ColorSpace is not a name or array".into(),
            ))
        }
    };
    match family {
        b"DeviceGray" | b"G" | b"CalGray" => Ok(simple(1, ColourMode::Grey)),
        b"DeviceRGB" | b"RGB" | b"CalRGB" => Ok(simple(3, ColourMode::Rgb)),
        b"DeviceCMYK" | b"CMYK" => Ok(simple(4, ColourMode::Cmyk)),
        b"ICCBased" => {
            let n = args
                .first()
                .and_then(|o| deref(doc, o))
                .and_then(|o| o.as_stream().ok())
                .and_then(|s| s.dict.get(b"N").ok())
                .and_then(|n| n.as_i64().ok());
            match n {
                Some(1) => Ok(simple(1, ColourMode::Grey)),
                Some(3) => Ok(simple(3, ColourMode::Rgb)),
                Some(4) => Ok(simple(4, ColourMode::Cmyk)),
                n => Err(ImageError::Failed(format!(
                    "ICCBased colour space with N {n:?}"
                ))),
            }
        }
        b"Indexed" | b"I" if depth == 0 => {
            let base = args
                .first()
                .ok_or_else(|| ImageError::Failed("Indexed without a base".into()))
                .and_then(|b| colour_space(doc, b, depth + 1))?;
            let hival = args
                .get(1)
                .and_then(|o| deref(doc, o))
                .and_then(|o| o.as_i64().ok())
                .filter(|v| (0..=255).contains(v))
                .ok_or_else(|| ImageError::Failed("Indexed hival is not 0..255".into()))?;
            let lookup = match args.get(2).and_then(|o| deref(doc, o)) {
                Some(Object::String(s, _)) => s.clone(),
                Some(Object::Stream(s)) => {
                    if s.dict.get(b"Filter").is_err() {
                        s.content.clone()
                    } else {
                        s.decompressed_content_with_limit(MAX_AUX_STREAM)
                            .map_err(|e| ImageError::Failed(format!("Indexed lookup: {e}")))?
                    }
                }
                _ => return Err(ImageError::Failed("Indexed lookup table missing".into())),
            };
            let need = (hival as usize + 1) * base.components;
            if lookup.len() < need {
                return Err(ImageError::Failed(format!(
                    "Indexed lookup has {} bytes, needs {need}",
                    lookup.len()
                )));
            }
            Ok(Space {
                components: 1,
                colour: ColourMode::Palette,
                base: base.components,
                lookup,
            })
        }
        other => Err(ImageError::NotChecked(format!(
            "colour space {}",
            String::from_utf8_lossy(other)
        ))),
    }
}

fn luma_of(components: &[u8]) -> u8 {
    match *components {
        [g] => g,
        [r, g, b] => ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8,
        [c, m, y, k] => {
            let ch = |v: u8| 255u8.saturating_sub(v.saturating_add(k));
            luma_of(&[ch(c), ch(m), ch(y)])
        }
        _ => 0,
    }
}

/// `/Decode [1 0]` inverts a one-component image (and the stencil mask's sense).
fn decode_inverted(dict: &Dictionary) -> bool {
    dict.get(b"Decode")
        .ok()
        .and_then(|o| o.as_array().ok())
        .and_then(|a| a.first().and_then(number))
        .is_some_and(|first| first >= 1.0)
}

/// The `CCITTFaxDecode` parameters of an image with that single filter.
fn ccitt_params(doc: &Document, dict: &Dictionary) -> Result<ccitt::Params, ImageError> {
    let defaults = ccitt::Params::default();
    let parms = match dict.get(b"DecodeParms").ok().and_then(|o| deref(doc, o)) {
        None | Some(Object::Null) => return Ok(defaults),
        Some(Object::Dictionary(d)) => d,
        Some(Object::Array(a)) => match a.first().and_then(|o| deref(doc, o)) {
            None | Some(Object::Null) => return Ok(defaults),
            Some(Object::Dictionary(d)) => d,
            Some(_) => {
                return Err(ImageError::Failed(
                    "/DecodeParms [0] is not a dictionary".into(),
                ))
            }
        },
        Some(_) => {
            return Err(ImageError::Failed(
                "/DecodeParms is not a dictionary".into(),
            ))
        }
    };
    let get = |key: &str| parms.get(key.as_bytes()).ok().and_then(|o| deref(doc, o));
    let int = |key: &str, default: i64| -> Result<i64, ImageError> {
        match get(key) {
            None => Ok(default),
            Some(o) => o
                .as_i64()
                .map_err(|_| ImageError::Failed(format!("/DecodeParms /{key} is not an integer"))),
        }
    };
    let flag = |key: &str, default: bool| -> Result<bool, ImageError> {
        match get(key) {
            None => Ok(default),
            Some(o) => o
                .as_bool()
                .map_err(|_| ImageError::Failed(format!("/DecodeParms /{key} is not a boolean"))),
        }
    };
    let size = |key: &str, default: u32| -> Result<u32, ImageError> {
        let v = int(key, i64::from(default))?;
        u32::try_from(v)
            .map_err(|_| ImageError::Failed(format!("/DecodeParms /{key} {v} is not a size")))
    };
    Ok(ccitt::Params {
        k: int("K", defaults.k)?,
        end_of_line: flag("EndOfLine", defaults.end_of_line)?,
        encoded_byte_align: flag("EncodedByteAlign", defaults.encoded_byte_align)?,
        columns: size("Columns", defaults.columns)?,
        rows: size("Rows", defaults.rows)?,
        end_of_block: flag("EndOfBlock", defaults.end_of_block)?,
        black_is_1: flag("BlackIs1", defaults.black_is_1)?,
    })
}

/// A CCITT Group 3 or 4 image (the filter's samples are 1 bit, one component): DeviceGray (or a
/// one-component calibrated or ICC space) or a stencil mask.
fn decode_ccitt(
    doc: &Document,
    stream: &Stream,
    width: u32,
    height: u32,
) -> Result<Pixels, ImageError> {
    let dict = &stream.dict;
    let mask = matches!(dict.get(b"ImageMask"), Ok(Object::Boolean(true)));
    if !mask {
        let bpc = dict
            .get(b"BitsPerComponent")
            .ok()
            .and_then(|o| o.as_i64().ok());
        if bpc != Some(1) {
            return Err(ImageError::Failed(format!(
                "CCITT image with /BitsPerComponent {bpc:?}, not 1"
            )));
        }
        let cs = dict
            .get(b"ColorSpace")
            .map_err(|_| ImageError::Failed("no /ColorSpace".into()))?;
        let space = colour_space(doc, cs, 0)?;
        if space.colour != ColourMode::Grey {
            return Err(ImageError::NotChecked(format!(
                "CCITT image in a {} colour space",
                space.colour.name()
            )));
        }
    }
    let params = ccitt_params(doc, dict)?;
    let black = ccitt::decode(&stream.content, &params, width, height)
        .map_err(|e| ImageError::Failed(e.to_string()))?;
    let inverted = decode_inverted(dict);
    // The filter's sample for a pixel the fax coding calls black is 1 with /BlackIs1, else 0.
    let one_is_black = u8::from(params.black_is_1);
    let luma = black
        .into_iter()
        .map(|b| {
            let sample = if b == 1 {
                one_is_black
            } else {
                1 - one_is_black
            };
            // DeviceGray: sample 0 is black; a stencil mask: sample 0 paints; /Decode [1 0]
            // turns either round.
            if (sample == 0) != inverted {
                0
            } else {
                255
            }
        })
        .collect();
    Ok(Pixels {
        width,
        height,
        colour: ColourMode::Bilevel,
        bits: 1,
        luma,
        quality: None,
    })
}

fn decode_raw(
    doc: &Document,
    stream: &Stream,
    width: u32,
    height: u32,
    plain: bool,
) -> Result<Pixels, ImageError> {
    let dict = &stream.dict;
    let mask = matches!(dict.get(b"ImageMask"), Ok(Object::Boolean(true)));
    let bpc = if mask {
        1
    } else {
        dict.get(b"BitsPerComponent")
            .ok()
            .and_then(|o| o.as_i64().ok())
            .ok_or_else(|| ImageError::Failed("no /BitsPerComponent".into()))?
    };
    if ![1, 2, 4, 8, 16].contains(&bpc) {
        return Err(ImageError::Failed(format!("/BitsPerComponent {bpc}")));
    }
    let bpc = bpc as usize;
    let space = if mask {
        Space {
            components: 1,
            colour: ColourMode::Bilevel,
            base: 1,
            lookup: Vec::new(),
        }
    } else {
        let cs = dict
            .get(b"ColorSpace")
            .map_err(|_| ImageError::Failed("no /ColorSpace".into()))?;
        colour_space(doc, cs, 0)?
    };
    let (w, h) = (width as usize, height as usize);
    let row_bytes = (w * space.components * bpc).div_ceil(8);
    let expected = row_bytes
        .checked_mul(h)
        .ok_or_else(|| ImageError::Failed("image size overflows".into()))?;
    let data = if plain {
        stream.content.clone()
    } else {
        stream
            .decompressed_content_with_limit(expected.saturating_add(64 * 1024))
            .map_err(|e| ImageError::Failed(format!("samples do not decode: {e}")))?
    };
    if data.len() < expected {
        return Err(ImageError::Failed(format!(
            "image data has {} bytes, {width}x{height} px need {expected}",
            data.len()
        )));
    }
    let inverted = decode_inverted(dict);
    let max = (1u32 << bpc.min(8)) - 1;
    let sample = |row: &[u8], i: usize| -> u8 {
        let v = match bpc {
            8 => u32::from(row[i]),
            16 => u32::from(row[2 * i]),
            _ => {
                let bit = i * bpc;
                let byte = row[bit / 8];
                u32::from(byte >> (8 - bpc - bit % 8)) & max
            }
        };
        if bpc == 16 || bpc == 8 {
            v as u8
        } else {
            (v * 255 / max) as u8
        }
    };
    let mut luma = Vec::with_capacity(w * h);
    let mut px = [0u8; 4];
    for y in 0..h {
        let row = &data[y * row_bytes..(y + 1) * row_bytes];
        for x in 0..w {
            let l = if space.colour == ColourMode::Palette {
                let index = usize::from(sample(row, x)) >> (8 - bpc.min(8));
                let at = index * space.base;
                match space.lookup.get(at..at + space.base) {
                    Some(c) => luma_of(c),
                    None => 255, // out-of-range index: PDF clips it; count it as paper
                }
            } else {
                for (c, slot) in px.iter_mut().enumerate().take(space.components) {
                    *slot = sample(row, x * space.components + c);
                }
                let v = luma_of(&px[..space.components]);
                if mask {
                    // Stencil mask: sample 0 paints (ink) unless /Decode [1 0].
                    if (v == 0) != inverted {
                        0
                    } else {
                        255
                    }
                } else if inverted && space.components == 1 {
                    255 - v
                } else {
                    v
                }
            };
            luma.push(l);
        }
    }
    let colour = if space.colour == ColourMode::Grey && bpc == 1 {
        ColourMode::Bilevel
    } else {
        space.colour
    };
    Ok(Pixels {
        width,
        height,
        colour,
        bits: bpc as u8,
        luma,
        quality: None,
    })
}

// ---------------------------------------------------------------------------------------------
// PDF/A markers

/// The catalog's XMP metadata packet as text, if any.
fn xmp(doc: &Document) -> Option<String> {
    let catalog = doc.catalog().ok()?;
    let stream = deref(doc, catalog.get(b"Metadata").ok()?)?
        .as_stream()
        .ok()?;
    let bytes = if stream.dict.get(b"Filter").is_err() {
        stream.content.clone()
    } else {
        stream
            .decompressed_content_with_limit(MAX_AUX_STREAM)
            .ok()?
    };
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The value of an XMP property written either as an attribute (`pdfaid:part="2"`) or as an
/// element (`<pdfaid:part>2</pdfaid:part>`).
fn xmp_value(xmp: &str, property: &str) -> Option<String> {
    let attr = format!("{property}=");
    if let Some(at) = xmp.find(&attr) {
        let rest = &xmp[at + attr.len()..];
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let rest = &rest[1..];
        return rest.find(quote).map(|end| rest[..end].trim().to_string());
    }
    let open = format!("<{property}>");
    let at = xmp.find(&open)?;
    let rest = &xmp[at + open.len()..];
    let end = rest.find(&format!("</{property}>"))?;
    Some(rest[..end].trim().to_string())
}

/// What the PDF/A marker scan found.
#[derive(Default)]
struct Markers {
    fonts: usize,
    fonts_not_embedded: usize,
    javascript: bool,
    external: Vec<&'static str>,
    visits: usize,
    truncated: bool,
}

fn font_embedded(doc: &Document, font: &Dictionary) -> bool {
    let subtype = font
        .get(b"Subtype")
        .and_then(Object::as_name)
        .unwrap_or(b"");
    if subtype == b"Type3" {
        return true; // glyphs are content streams inside the font
    }
    if subtype == b"Type0" {
        return font
            .get(b"DescendantFonts")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
            .is_some_and(|d| font_embedded(doc, d));
    }
    font.get(b"FontDescriptor")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
        .is_some_and(|fd| {
            [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| fd.get(k).is_ok())
        })
}

fn scan_dict(doc: &Document, d: &Dictionary, is_stream: bool, m: &mut Markers, depth: usize) {
    let name = |key: &[u8]| d.get(key).and_then(Object::as_name).ok();
    if name(b"Type") == Some(b"Font") && !is_stream {
        m.fonts += 1;
        if !font_embedded(doc, d) {
            m.fonts_not_embedded += 1;
        }
    }
    if d.get(b"JS").is_ok() || d.get(b"JavaScript").is_ok() || name(b"S") == Some(b"JavaScript") {
        m.javascript = true;
    }
    let external = match name(b"S") {
        Some(b"Launch") => Some("/Launch action"),
        Some(b"URI") => Some("/URI action"),
        Some(b"GoToR") | Some(b"GoToE") => Some("remote go-to action"),
        Some(b"ImportData") | Some(b"SubmitForm") => Some("form data action"),
        _ => None,
    };
    if let Some(e) = external {
        if !m.external.contains(&e) {
            m.external.push(e);
        }
    }
    let external_file = if is_stream {
        d.get(b"F").is_ok() // stream data in an external file (ISO 32000-1 7.3.8.2)
    } else {
        name(b"Type") == Some(b"Filespec") && d.get(b"EF").is_err()
    };
    if external_file && !m.external.contains(&"external file specification") {
        m.external.push("external file specification");
    }
    for (_, v) in d.iter() {
        scan_object(doc, v, m, depth + 1);
    }
}

fn scan_object(doc: &Document, o: &Object, m: &mut Markers, depth: usize) {
    m.visits += 1;
    if m.visits > MAX_MARKER_VISITS || depth > 64 {
        m.truncated = true;
        return;
    }
    match o {
        Object::Dictionary(d) => scan_dict(doc, d, false, m, depth),
        Object::Stream(s) => scan_dict(doc, &s.dict, true, m, depth),
        Object::Array(a) => a.iter().for_each(|v| scan_object(doc, v, m, depth + 1)),
        _ => {}
    }
}

fn pdfa_check(doc: &Document) -> Check {
    let mut holds = Vec::new();
    let mut missing = Vec::new();
    let xmp = xmp(doc);
    let part = xmp.as_deref().and_then(|x| xmp_value(x, "pdfaid:part"));
    let conformance = xmp
        .as_deref()
        .and_then(|x| xmp_value(x, "pdfaid:conformance"));
    match (&part, &conformance) {
        (Some(p), Some(c)) => holds.push(format!("XMP identifies PDF/A-{p}{}", c.to_lowercase())),
        (Some(p), None) => {
            missing.push(format!("XMP has pdfaid:part {p} but no pdfaid:conformance"))
        }
        _ if xmp.is_none() => missing.push("no XMP metadata (no pdfaid identification)".into()),
        _ => missing.push("XMP has no pdfaid:part".into()),
    }
    let intents = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"OutputIntents").ok())
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_array().ok())
        .map_or(0, Vec::len);
    if intents > 0 {
        holds.push(format!("{intents} OutputIntent(s)"));
    } else {
        missing.push("no OutputIntents".into());
    }
    let mut m = Markers::default();
    for object in doc.objects.values() {
        scan_object(doc, object, &mut m, 0);
    }
    if m.fonts_not_embedded > 0 {
        missing.push(format!(
            "{} of {} font(s) not embedded",
            m.fonts_not_embedded, m.fonts
        ));
    } else if m.fonts == 0 {
        holds.push("no fonts".into());
    } else {
        holds.push(format!("all {} font(s) embedded", m.fonts));
    }
    if m.javascript {
        missing.push("JavaScript present".into());
    } else {
        holds.push("no JavaScript".into());
    }
    if m.external.is_empty() {
        holds.push("no external references".into());
    } else {
        missing.push(format!("external references: {}", m.external.join(", ")));
    }
    if m.truncated {
        missing.push("marker scan stopped early (file too large or deeply nested)".into());
    }
    let status = if missing.is_empty() {
        Status::Passed
    } else {
        Status::Warning
    };
    let mut detail = format!("markers hold: {}", holds.join(", "));
    if !missing.is_empty() {
        detail.push_str(&format!("; missing: {}", missing.join(", ")));
    }
    detail.push_str(" (PDF/A markers only, not a PDF/A validation)");
    check(Standard::Preservability, "pdfa", status, None, detail)
}

// ---------------------------------------------------------------------------------------------
// Creation date (scan time)

/// Where a PDF's creation date was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateSource {
    /// The document information dictionary's `/CreationDate`.
    Info,
    /// The XMP metadata's `xmp:CreateDate`.
    Xmp,
}

/// A PDF's creation date, the scan time for the scan-to-time-stamp delay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreationDate {
    /// The instant.
    pub at: time::OffsetDateTime,
    /// Where it came from.
    pub source: DateSource,
    /// The date as written in the file.
    pub raw: String,
    /// True if the file gave no time zone and UTC was assumed.
    pub zone_assumed: bool,
}

/// A PDF that could not be read for its metadata.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct PdfError {
    /// The file.
    pub path: std::path::PathBuf,
    /// Why it could not be read (encrypted, truncated, does not parse, ...).
    pub reason: String,
}

/// The creation date of a PDF: Info `/CreationDate`, else XMP `xmp:CreateDate`; `Ok(None)` if the
/// file has neither (or neither parses); an error naming the file and reason if it does not load.
pub fn creation_date(path: &Path) -> Result<Option<CreationDate>, PdfError> {
    let doc = load(path).map_err(|reason| PdfError {
        path: path.to_path_buf(),
        reason,
    })?;
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| deref(&doc, o))
        .and_then(|o| o.as_dict().ok())
        .and_then(|d| d.get(b"CreationDate").ok())
        .and_then(|o| o.as_str().ok())
        .map(text_string);
    if let Some(raw) = info {
        if let Some((at, zone_assumed)) = parse_pdf_date(&raw) {
            return Ok(Some(CreationDate {
                at,
                source: DateSource::Info,
                raw,
                zone_assumed,
            }));
        }
    }
    let raw = xmp(&doc).and_then(|x| xmp_value(&x, "xmp:CreateDate"));
    Ok(raw.and_then(|raw| {
        parse_xmp_date(&raw).map(|(at, zone_assumed)| CreationDate {
            at,
            source: DateSource::Xmp,
            raw,
            zone_assumed,
        })
    }))
}

/// A PDF text string: UTF-16BE with a BOM, else (for dates, which are ASCII) bytes as Latin-1.
fn text_string(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

fn build_date(
    digits: &[u32],
    offset: Option<(i8, i8, i8)>,
) -> Option<(time::OffsetDateTime, bool)> {
    let get = |i: usize, default: u32| digits.get(i).copied().unwrap_or(default);
    let year = i32::try_from(*digits.first()?).ok()?;
    let month = time::Month::try_from(u8::try_from(get(1, 1)).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(get(2, 1)).ok()?).ok()?;
    let t = time::Time::from_hms(
        u8::try_from(get(3, 0)).ok()?,
        u8::try_from(get(4, 0)).ok()?,
        u8::try_from(get(5, 0)).ok()?,
    )
    .ok()?;
    let (zone, assumed) = match offset {
        Some((h, m, s)) => (time::UtcOffset::from_hms(h, m, s).ok()?, false),
        None => (time::UtcOffset::UTC, true),
    };
    Some((
        time::PrimitiveDateTime::new(date, t).assume_offset(zone),
        assumed,
    ))
}

/// Parses a PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (ISO 32000-1 7.9.4; fields after the year optional).
pub fn parse_pdf_date(s: &str) -> Option<(time::OffsetDateTime, bool)> {
    let s = s.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, zone) = s.split_at(digits_end);
    if num.len() < 4 || num.len() > 14 || num.len() % 2 != 0 {
        return None;
    }
    let mut digits = vec![num.get(..4)?.parse().ok()?];
    let mut i = 4;
    while i < num.len() {
        digits.push(num.get(i..i + 2)?.parse().ok()?);
        i += 2;
    }
    let offset = match zone.chars().next() {
        None => None,
        Some('Z') => Some((0, 0, 0)),
        Some(sign @ ('+' | '-')) => {
            let rest: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            let h: i8 = rest.get(..2)?.parse().ok()?;
            let m: i8 = rest.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            let k = if sign == '-' { -1 } else { 1 };
            Some((k * h, k * m, 0))
        }
        Some(_) => return None,
    };
    build_date(&digits, offset)
}

/// Parses an XMP date (ISO 8601: `YYYY[-MM[-DD[THH:MM[:SS[.s]]]]][Z|±HH:MM]`).
pub fn parse_xmp_date(s: &str) -> Option<(time::OffsetDateTime, bool)> {
    let s = s.trim();
    let (body, zone) = match s
        .find(['Z', '+'])
        .or_else(|| s.rfind('-').filter(|&i| i > 10))
    {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let body = body.split('.').next().unwrap_or(body);
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let zone_pdf = zone.replace(':', "");
    parse_pdf_date(&format!("{digits}{zone_pdf}"))
}
