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

mod content;
mod dates;
mod images;
mod pdfa;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use lopdf::{Document, LoadOptions, Object};

use crate::raster::{DecodeFailure, Decoded};
use crate::report::{Check, CheckName, Standard, Status};

pub use dates::{
    creation_date, parse_pdf_date, parse_xmp_date, CreationDate, DateSource, PdfError,
};
pub use images::{image_luma, ImageError, ImageLuma};

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
    /// One [`crate::raster::Page`] per decoded image, numbered by the PDF page it is drawn on; `failure` is the
    /// first thing that did not decode.
    pub decoded: Decoded,
    /// Pages in the PDF (0 if it did not parse).
    pub page_count: u32,
    /// PDF-specific checks: how each image's dpi was measured, further decode failures, pages
    /// without an image, the `pdfa` markers.
    pub checks: Vec<Check>,
}

impl PdfScan {
    fn fail(&mut self, page: u32, reason: impl Into<String>) {
        let reason = reason.into();
        if self.decoded.failure.is_none() {
            self.decoded.failure = Some(DecodeFailure { page, reason });
        } else {
            self.checks.push(Check::new(
                Standard::Preservability,
                CheckName::Decode,
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
            content::check_page(&doc, number, page_id, &mut scan);
        }
    }
    scan.checks.push(pdfa::pdfa_check(&doc));
    scan
}

/// The object `o` refers to (itself if it is not a reference).
fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    doc.dereference(o).ok().map(|(_, o)| o)
}

/// A PDF number as `f64`.
fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}
