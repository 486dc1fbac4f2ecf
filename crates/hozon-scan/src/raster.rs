//! Decoding raster scans page by page and measuring what the guideline asks about each page.
//!
//! Every page is decoded completely (a scan that does not decode is not preserved, Ver 6.0 企16
//! preservability), one page at a time: the pixels of a page are dropped before the next page is
//! read, so memory is bounded by the largest page, never by the batch or the file's page count.
//!
//! Per page this measures the pixel size, the resolution in dpi (legibility: the hospital's own
//! standard, historically 300 dpi; the tax-law floor is 200 dpi), the colour mode and bits per
//! channel (the tax-law floor is 256 levels per channel), the share of "ink" on a downsampled
//! luminance (a blank or near-blank page may mean a misfeed: "nothing lost in scanning"), and for
//! JPEG an IJG quality estimate from the luminance quantisation table (heavy compression harms
//! legibility, Q&A シQ-67).
//!
//! The TIFF pages come from the `tiff` crate's decoder (multi-page); PNG and JPEG pixels from
//! `image`. The few header fields those crates do not expose (PNG IHDR/pHYs, JPEG JFIF density,
//! EXIF resolution, DQT, SOF) are read here by small bounds-checked parsers.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use image::{ImageFormat, ImageReader};
use tiff::decoder::{Decoder as TiffDecoder, DecodingResult};
use tiff::tags::Tag;

use crate::format::Format;

/// Resolution of a page in dots per inch, horizontally and vertically.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dpi {
    /// Horizontal dpi.
    pub x: f64,
    /// Vertical dpi.
    pub y: f64,
}

/// Colour mode of a page as stored (before any expansion by a decoder).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColourMode {
    /// One bit per pixel, black and white.
    Bilevel,
    /// Greyscale (bits per channel in [`Page::bits`]).
    Grey,
    /// Greyscale with alpha.
    GreyAlpha,
    /// RGB (or YCbCr, which decodes to RGB).
    Rgb,
    /// RGB with alpha.
    Rgba,
    /// Indexed colour through a palette.
    Palette,
    /// CMYK.
    Cmyk,
}

impl ColourMode {
    /// Human name used in report details.
    pub fn name(self) -> &'static str {
        match self {
            ColourMode::Bilevel => "bilevel",
            ColourMode::Grey => "grey",
            ColourMode::GreyAlpha => "grey+alpha",
            ColourMode::Rgb => "RGB",
            ColourMode::Rgba => "RGBA",
            ColourMode::Palette => "palette",
            ColourMode::Cmyk => "CMYK",
        }
    }
}

/// What was measured on one fully decoded page.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution, or why it is unknown.
    pub dpi: Result<Dpi, String>,
    /// Colour mode as stored.
    pub colour: ColourMode,
    /// Bits per channel (per sample) as stored.
    pub bits: u8,
    /// Share (0..=1) of downsampled cells that hold ink; see [`ink_share`].
    pub ink: f64,
    /// Estimated IJG quality (1..=100) of a JPEG page.
    pub jpeg_quality: Option<u8>,
}

/// Why a file did not decode completely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeFailure {
    /// The page being decoded when it failed (1-based; 1 for single-image formats).
    pub page: u32,
    /// The decoder's reason.
    pub reason: String,
}

/// The pages that decoded, and the failure that stopped decoding, if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decoded {
    /// Pages fully decoded, in order.
    pub pages: Vec<Page>,
    /// Set if decoding stopped before the end of the file.
    pub failure: Option<DecodeFailure>,
}

/// Decodes every page of a TIFF, PNG or JPEG file, measuring each; other formats are a failure
/// (the caller identifies only PDF and JPEG 2000 for now).
pub fn decode(path: &Path, format: Format) -> Decoded {
    match format {
        Format::Tiff => decode_tiff(path),
        Format::Png | Format::Jpeg => decode_single(path, format),
        Format::Jpeg2000 => {
            // Header only: reported, never passed (the pixels are not decoded).
            let mut head = Vec::new();
            let read = std::fs::File::open(path)
                .and_then(|f| std::io::Read::take(f, 1 << 16).read_to_end(&mut head));
            let reason = match (read, crate::jp2::header(&head)) {
                (Err(e), _) => format!("cannot read: {e}"),
                (Ok(_), Some(h)) => format!(
                    "JPEG 2000 header: {h}; the pixels are not decoded by this version, so the pages are not checked"
                ),
                (Ok(_), None) => "malformed JPEG 2000 header".to_owned(),
            };
            fail(Vec::new(), 1, reason)
        }
        other => Decoded {
            pages: Vec::new(),
            failure: Some(DecodeFailure {
                page: 1,
                reason: format!("{other} pages cannot be decoded by this version"),
            }),
        },
    }
}

fn fail(pages: Vec<Page>, page: u32, reason: impl Into<String>) -> Decoded {
    Decoded {
        pages,
        failure: Some(DecodeFailure {
            page,
            reason: reason.into(),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// TIFF

fn decode_tiff(path: &Path) -> Decoded {
    let mut pages = Vec::new();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(pages, 1, format!("cannot open: {e}")),
    };
    let mut dec = match TiffDecoder::new(BufReader::new(file)) {
        Ok(d) => d,
        Err(e) => return fail(pages, 1, format!("TIFF header: {e}")),
    };
    let mut number: u32 = 1;
    loop {
        match tiff_page(&mut dec, number) {
            Ok(page) => pages.push(page),
            Err(reason) => return fail(pages, number, reason),
        }
        if !dec.more_images() {
            break;
        }
        number = number.saturating_add(1);
        if let Err(e) = dec.next_image() {
            return fail(
                pages,
                number,
                format!("TIFF directory of page {number}: {e}"),
            );
        }
    }
    Decoded {
        pages,
        failure: None,
    }
}

/// Largest page decoded, in pixels (2^28, about 268 million: an A0 sheet at
/// 300 dpi is 139 million). Checked from the header before any pixel
/// buffer is allocated, so a forged width or height cannot make a decoder
/// or the luminance copy reserve gigabytes; the decoders' own caps (256 MiB
/// per TIFF decoding buffer, 512 MiB per PNG/JPEG image) apply as well.
pub const MAX_PAGE_PIXELS: u64 = 1 << 28;

/// Refuses a page whose header claims more than [`MAX_PAGE_PIXELS`].
fn check_page_size(width: u32, height: u32) -> Result<(), String> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PAGE_PIXELS {
        return Err(format!(
            "page of {width}x{height} pixels is over the limit of {MAX_PAGE_PIXELS} pixels"
        ));
    }
    Ok(())
}

fn tiff_page<R: Read + std::io::Seek>(
    dec: &mut TiffDecoder<R>,
    number: u32,
) -> Result<Page, String> {
    let (width, height) = dec.dimensions().map_err(|e| e.to_string())?;
    check_page_size(width, height)?;
    let colortype = dec.colortype().map_err(|e| e.to_string())?;
    let dpi = tiff_dpi(dec);
    let photometric: Option<u16> = dec
        .find_tag_unsigned(Tag::PhotometricInterpretation)
        .map_err(|e| e.to_string())?;
    let white_is_zero = photometric == Some(0);
    let image = dec.read_image().map_err(|e| e.to_string())?;
    use tiff::ColorType as T;
    let (colour, bits) = match colortype {
        T::Gray(1) => (ColourMode::Bilevel, 1),
        T::Gray(n) => (ColourMode::Grey, n),
        T::GrayA(n) => (ColourMode::GreyAlpha, n),
        T::RGB(n) | T::YCbCr(n) => (ColourMode::Rgb, n),
        T::RGBA(n) => (ColourMode::Rgba, n),
        T::Palette(n) => (ColourMode::Palette, n),
        T::CMYK(n) | T::CMYKA(n) => (ColourMode::Cmyk, n),
        other => return Err(format!("unsupported TIFF colour type {other:?}")),
    };
    let luma = tiff_luma(&image, colortype, width, height, white_is_zero)?;
    Ok(Page {
        number,
        width,
        height,
        dpi,
        colour,
        bits,
        ink: ink_share(&luma, width, height),
        jpeg_quality: None,
    })
}

fn tiff_rational(value: tiff::decoder::ifd::Value) -> Option<f64> {
    use tiff::decoder::ifd::Value as V;
    let (n, d) = match value {
        V::Rational(n, d) => (f64::from(n), f64::from(d)),
        V::Short(n) => (f64::from(n), 1.0),
        V::Unsigned(n) => (f64::from(n), 1.0),
        V::List(mut l) if l.len() == 1 => return l.pop().and_then(tiff_rational),
        _ => return None,
    };
    if d == 0.0 || !n.is_finite() {
        None
    } else {
        Some(n / d)
    }
}

fn tiff_dpi<R: Read + std::io::Seek>(dec: &mut TiffDecoder<R>) -> Result<Dpi, String> {
    let x = dec.find_tag(Tag::XResolution).map_err(|e| e.to_string())?;
    let y = dec.find_tag(Tag::YResolution).map_err(|e| e.to_string())?;
    let unit: Option<u16> = dec
        .find_tag_unsigned(Tag::ResolutionUnit)
        .map_err(|e| e.to_string())?;
    let (Some(x), Some(y)) = (x, y) else {
        return Err("TIFF has no XResolution/YResolution".into());
    };
    let (Some(x), Some(y)) = (tiff_rational(x), tiff_rational(y)) else {
        return Err("TIFF XResolution/YResolution is not a valid rational".into());
    };
    // ResolutionUnit: 1 none, 2 inch (the default when absent), 3 centimetre.
    match unit.unwrap_or(2) {
        2 => to_dpi(x, y, 1.0),
        3 => to_dpi(x, y, 2.54),
        1 => Err("TIFF ResolutionUnit is none (aspect ratio only)".into()),
        u => Err(format!("TIFF ResolutionUnit {u} is not defined")),
    }
}

fn to_dpi(x: f64, y: f64, per_inch: f64) -> Result<Dpi, String> {
    if x > 0.0 && y > 0.0 && x.is_finite() && y.is_finite() {
        Ok(Dpi {
            x: x * per_inch,
            y: y * per_inch,
        })
    } else {
        Err(format!("resolution {x}x{y} is not positive"))
    }
}

/// Converts one decoded TIFF page to 8-bit luminance (0 black, 255 white).
fn tiff_luma(
    image: &DecodingResult,
    colortype: tiff::ColorType,
    width: u32,
    height: u32,
    white_is_zero: bool,
) -> Result<Vec<u8>, String> {
    use tiff::ColorType as T;
    let w = width as usize;
    let h = height as usize;
    let pixels = w
        .checked_mul(h)
        .ok_or_else(|| "page too large".to_string())?;
    let short = || format!("decoded data shorter than {width}x{height} pixels");
    let mut out = Vec::with_capacity(pixels);
    match (colortype, image) {
        (T::Gray(n), DecodingResult::U8(data)) if n < 8 => {
            let n = usize::from(n);
            let row_bytes = (w * n).div_ceil(8);
            let max = (1u32 << n) - 1;
            for row in 0..h {
                let start = row * row_bytes;
                let line = data.get(start..start + row_bytes).ok_or_else(short)?;
                for col in 0..w {
                    let bit = col * n;
                    let byte = line[bit / 8];
                    let shift = 8 - n - (bit % 8);
                    let v = (u32::from(byte) >> shift) & max;
                    let v = (v * 255 / max) as u8;
                    out.push(if white_is_zero { 255 - v } else { v });
                }
            }
        }
        (T::Gray(8), DecodingResult::U8(data)) => {
            let d = data.get(..pixels).ok_or_else(short)?;
            out.extend(d.iter().map(|&v| if white_is_zero { 255 - v } else { v }));
        }
        (T::Gray(16), DecodingResult::U16(data)) => {
            let d = data.get(..pixels).ok_or_else(short)?;
            out.extend(d.iter().map(|&v| {
                let v = (v >> 8) as u8;
                if white_is_zero {
                    255 - v
                } else {
                    v
                }
            }));
        }
        (T::GrayA(8), DecodingResult::U8(data)) => {
            let d = data.get(..pixels * 2).ok_or_else(short)?;
            out.extend(d.chunks_exact(2).map(|p| p[0]));
        }
        (T::RGB(8), DecodingResult::U8(data)) => {
            let d = data.get(..pixels * 3).ok_or_else(short)?;
            out.extend(d.chunks_exact(3).map(|p| luma(p[0], p[1], p[2])));
        }
        (T::RGBA(8), DecodingResult::U8(data)) => {
            let d = data.get(..pixels * 4).ok_or_else(short)?;
            out.extend(d.chunks_exact(4).map(|p| luma(p[0], p[1], p[2])));
        }
        (T::RGB(16), DecodingResult::U16(data)) => {
            let d = data.get(..pixels * 3).ok_or_else(short)?;
            out.extend(
                d.chunks_exact(3)
                    .map(|p| luma((p[0] >> 8) as u8, (p[1] >> 8) as u8, (p[2] >> 8) as u8)),
            );
        }
        (T::RGBA(16), DecodingResult::U16(data)) => {
            let d = data.get(..pixels * 4).ok_or_else(short)?;
            out.extend(
                d.chunks_exact(4)
                    .map(|p| luma((p[0] >> 8) as u8, (p[1] >> 8) as u8, (p[2] >> 8) as u8)),
            );
        }
        (T::CMYK(8), DecodingResult::U8(data)) => {
            let d = data.get(..pixels * 4).ok_or_else(short)?;
            out.extend(d.chunks_exact(4).map(|p| {
                let k = 255 - u32::from(p[3]);
                let ch = |c: u8| ((255 - u32::from(c)) * k / 255) as u8;
                luma(ch(p[0]), ch(p[1]), ch(p[2]))
            }));
        }
        (other, _) => {
            return Err(format!(
                "TIFF colour type {other:?} is not supported for page analysis"
            ))
        }
    }
    Ok(out)
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    // ITU-R BT.601 weights in fixed point (sum 1000).
    ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
}

// ---------------------------------------------------------------------------------------------
// Blank-page measure

/// Luminance below which a downsampled cell counts as ink.
pub const INK_LUMA: u8 = 128;

/// Longest side of the downsampled grid.
const GRID: usize = 512;

/// Share of "ink" on a page: the page's 8-bit luminance is downsampled to a grid of at most
/// 512 cells on its long side, each cell taking the *darkest* pixel it covers (so one-pixel pen
/// strokes survive the downsampling), and the share of cells darker than [`INK_LUMA`] is returned.
/// An empty page (no pixels) has no ink.
pub fn ink_share(luma: &[u8], width: u32, height: u32) -> f64 {
    ink_share_of(luma, 1, width, height, |p| p[0])
}

/// [`ink_share`] of interleaved pixels of `channels` bytes each, `to_luma` giving a pixel's 8-bit
/// luminance (a weighted mean of the channels); cells are scanned a row-run at a time, with no
/// page-sized luminance copy of a colour page.
fn ink_share_of(
    data: &[u8],
    channels: usize,
    width: u32,
    height: u32,
    to_luma: impl Fn(&[u8]) -> u8,
) -> f64 {
    let (w, h) = (width as usize, height as usize);
    let row_len = w.saturating_mul(channels);
    if w == 0 || h == 0 || channels == 0 || data.len() < row_len.saturating_mul(h) {
        return 0.0;
    }
    let cell = w.max(h).div_ceil(GRID).max(1);
    let (gw, gh) = (w.div_ceil(cell), h.div_ceil(cell));
    // Only whether a cell holds a pixel darker than INK_LUMA matters. Luminance is a weighted
    // mean of the channels, so a run whose every byte is at least INK_LUMA has no ink: that
    // (vectorised) test settles most of a page, and a cell already inked is not looked at again.
    let mut inked = vec![false; gw * gh];
    for (y, row) in data.chunks_exact(row_len).take(h).enumerate() {
        if row.iter().copied().min().unwrap_or(u8::MAX) >= INK_LUMA {
            continue;
        }
        let gy = y / cell;
        let cells = &mut inked[gy * gw..(gy + 1) * gw];
        for (done, run) in cells.iter_mut().zip(row.chunks(cell * channels)) {
            if *done || run.iter().copied().min().unwrap_or(u8::MAX) >= INK_LUMA {
                continue;
            }
            *done = run.chunks_exact(channels).any(|p| to_luma(p) < INK_LUMA);
        }
    }
    let ink = inked.iter().filter(|&&v| v).count();
    ink as f64 / inked.len() as f64
}

/// The ink share of a decoded PNG or JPEG page: RGB8 and grey pages directly, other layouts
/// through a luminance copy.
fn image_ink_share(image: &image::DynamicImage) -> f64 {
    let (w, h) = (image.width(), image.height());
    match image {
        image::DynamicImage::ImageRgb8(rgb) => {
            ink_share_of(rgb.as_raw(), 3, w, h, |p| luma(p[0], p[1], p[2]))
        }
        image::DynamicImage::ImageLuma8(grey) => ink_share(grey.as_raw(), w, h),
        other => ink_share(other.to_luma8().as_raw(), w, h),
    }
}

// ---------------------------------------------------------------------------------------------
// PNG and JPEG

fn decode_single(path: &Path, format: Format) -> Decoded {
    let head = match read_head(path, 256 * 1024) {
        Ok(h) => h,
        Err(e) => return fail(Vec::new(), 1, format!("cannot read: {e}")),
    };
    let header = if format == Format::Png {
        png_header(&head)
    } else {
        jpeg_header(&head)
    };
    let header = match header.and_then(|h| check_page_size(h.width, h.height).map(|()| h)) {
        Ok(h) => h,
        Err(reason) => return fail(Vec::new(), 1, reason),
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(Vec::new(), 1, format!("cannot open: {e}")),
    };
    let image_format = if format == Format::Png {
        ImageFormat::Png
    } else {
        ImageFormat::Jpeg
    };
    // A cut-off file is named as such, with where it ends, before the decoder's own error
    // (which for a JPEG cut in its entropy-coded data is about markers, not the cut).
    if let Err(reason) = check_trailer(path, format) {
        return fail(Vec::new(), 1, reason);
    }
    let image = match ImageReader::with_format(BufReader::new(file), image_format).decode() {
        Ok(i) => i,
        Err(e) => return fail(Vec::new(), 1, e.to_string()),
    };
    let (width, height) = (image.width(), image.height());
    if (width, height) != (header.width, header.height) {
        return fail(
            Vec::new(),
            1,
            format!(
                "decoded size {width}x{height} differs from the header's {}x{}",
                header.width, header.height
            ),
        );
    }
    let ink = image_ink_share(&image);
    drop(image);
    Decoded {
        pages: vec![Page {
            number: 1,
            width,
            height,
            dpi: header.dpi,
            colour: header.colour,
            bits: header.bits,
            ink,
            jpeg_quality: header.quality,
        }],
        failure: None,
    }
}

/// A PNG must end with its IEND chunk and a JPEG with its EOI marker (trailing NUL padding is
/// tolerated). Decoders stop once they have the pixels they need, and the JPEG decoder fills a
/// truncated scan with grey, so a cut-off file would otherwise decode "successfully".
fn check_trailer(path: &Path, format: Format) -> Result<(), String> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let len = file
        .seek(SeekFrom::End(0))
        .map_err(|e| format!("cannot read: {e}"))?;
    let start = len.saturating_sub(4096);
    file.seek(SeekFrom::Start(start))
        .map_err(|e| format!("cannot read: {e}"))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)
        .map_err(|e| format!("cannot read: {e}"))?;
    let end = tail.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let tail = &tail[..end];
    // Where the data stops: the file's length less trailing NUL padding.
    let at = start + end as u64;
    match format {
        Format::Png if !tail.ends_with(b"IEND\xae\x42\x60\x82") => Err(format!(
            "truncated at byte {at}: PNG does not end with an IEND chunk"
        )),
        Format::Jpeg if !tail.ends_with(b"\xff\xd9") => Err(format!(
            "truncated at byte {at}: JPEG does not end with an EOI marker"
        )),
        _ => Ok(()),
    }
}

fn read_head(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    File::open(path)?.take(max).read_to_end(&mut head)?;
    Ok(head)
}

/// Header facts of a PNG or JPEG, read without decoding pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution or why unknown.
    pub dpi: Result<Dpi, String>,
    /// Colour mode as stored.
    pub colour: ColourMode,
    /// Bits per channel as stored.
    pub bits: u8,
    /// IJG quality estimate (JPEG only).
    pub quality: Option<u8>,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Reads IHDR (size, colour type, bit depth) and pHYs (pixels per metre) from a PNG's chunks
/// before the first IDAT.
pub fn png_header(b: &[u8]) -> Result<Header, String> {
    let mut at = 8;
    let mut ihdr: Option<(u32, u32, u8, u8)> = None;
    let mut phys: Option<(u32, u32, u8)> = None;
    while let (Some(len), Some(kind)) = (be32(b, at), b.get(at + 4..at + 8)) {
        let data = b.get(at + 8..(at + 8).saturating_add(len as usize));
        match (kind, data) {
            (b"IHDR", Some(d)) if d.len() >= 13 => {
                let (Some(w), Some(h)) = (be32(d, 0), be32(d, 4)) else {
                    break;
                };
                ihdr = Some((w, h, d[8], d[9]));
            }
            (b"pHYs", Some(d)) if d.len() >= 9 => {
                if let (Some(x), Some(y)) = (be32(d, 0), be32(d, 4)) {
                    phys = Some((x, y, d[8]));
                }
            }
            (b"IDAT", _) | (b"IEND", _) | (_, None) => break,
            _ => {}
        }
        at = at.saturating_add(12).saturating_add(len as usize);
    }
    let (width, height, depth, colour_type) =
        ihdr.ok_or_else(|| "PNG has no readable IHDR chunk".to_string())?;
    let colour = match (colour_type, depth) {
        (0, 1) => ColourMode::Bilevel,
        (0, _) => ColourMode::Grey,
        (2, _) => ColourMode::Rgb,
        (3, _) => ColourMode::Palette,
        (4, _) => ColourMode::GreyAlpha,
        (6, _) => ColourMode::Rgba,
        (t, _) => return Err(format!("PNG colour type {t} is not defined")),
    };
    let dpi = match phys {
        None => Err("PNG has no pHYs chunk (resolution unknown)".to_string()),
        Some((_, _, 0)) => Err("PNG pHYs unit is unknown (aspect ratio only)".to_string()),
        Some((x, y, 1)) => to_dpi(f64::from(x), f64::from(y), 0.0254),
        Some((_, _, u)) => Err(format!("PNG pHYs unit {u} is not defined")),
    };
    Ok(Header {
        width,
        height,
        dpi,
        colour,
        bits: depth,
        quality: None,
    })
}

/// The IJG (libjpeg) standard luminance quantisation table, natural (row-major) order.
const STD_LUMA: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/// Position in natural order of the k-th coefficient in zig-zag order (DQT stores zig-zag).
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Estimates the IJG quality (1..=100) that produced a luminance quantisation table given in
/// natural order: the quality whose scaled standard table is closest (least absolute difference).
/// Tables from other encoders get the nearest IJG equivalent.
pub fn estimate_quality(table: &[u16; 64]) -> u8 {
    let mut best = (u64::MAX, 1u8);
    for q in 1u8..=100 {
        let scale: u32 = if q < 50 {
            5000 / u32::from(q)
        } else {
            200 - 2 * u32::from(q)
        };
        let diff: u64 = STD_LUMA
            .iter()
            .zip(table)
            .map(|(&s, &t)| {
                let v = ((u32::from(s) * scale + 50) / 100).clamp(1, 255);
                u64::from(v.abs_diff(u32::from(t)))
            })
            .sum();
        if diff < best.0 {
            best = (diff, q);
        }
    }
    best.1
}

/// Walks JPEG marker segments up to the first SOS: SOF (size, components, precision), DQT table 0
/// (quality estimate), APP0 JFIF and APP1 EXIF (resolution).
pub fn jpeg_header(b: &[u8]) -> Result<Header, String> {
    let mut at = 2;
    let mut sof: Option<(u32, u32, u8, u8)> = None;
    let mut luma_table: Option<[u16; 64]> = None;
    let mut jfif: Option<Result<Dpi, String>> = None;
    let mut exif: Option<Result<Dpi, String>> = None;
    while let Some(&ff) = b.get(at) {
        if ff != 0xFF {
            return Err(format!("JPEG marker expected at byte {at}"));
        }
        let Some(&marker) = b.get(at + 1) else { break };
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            break; // SOS or EOI: the header is over
        }
        let Some(len) = be16(b, at + 2) else { break };
        let len = usize::from(len);
        if len < 2 {
            return Err(format!("JPEG segment length {len} at byte {at}"));
        }
        let Some(seg) = b.get(at + 4..at + 2 + len) else {
            break;
        };
        match marker {
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => {
                if let (Some(&p), Some(h), Some(w), Some(&n)) =
                    (seg.first(), be16(seg, 1), be16(seg, 3), seg.get(5))
                {
                    sof = Some((u32::from(w), u32::from(h), p, n));
                }
            }
            0xDB => {
                let mut i = 0;
                while let Some(&pq_tq) = seg.get(i) {
                    let precision16 = pq_tq >> 4 == 1;
                    let id = pq_tq & 0x0F;
                    let size = if precision16 { 128 } else { 64 };
                    let Some(vals) = seg.get(i + 1..i + 1 + size) else {
                        break;
                    };
                    if id == 0 && luma_table.is_none() {
                        let mut t = [0u16; 64];
                        for (k, &pos) in ZIGZAG.iter().enumerate() {
                            t[pos] = if precision16 {
                                u16::from_be_bytes([vals[2 * k], vals[2 * k + 1]])
                            } else {
                                u16::from(vals[k])
                            };
                        }
                        luma_table = Some(t);
                    }
                    i += 1 + size;
                }
            }
            0xE0 if seg.starts_with(b"JFIF\0") && seg.len() >= 12 => {
                let units = seg[7];
                let (x, y) = (be16(seg, 8).unwrap_or(0), be16(seg, 10).unwrap_or(0));
                jfif = Some(match units {
                    1 => to_dpi(f64::from(x), f64::from(y), 1.0),
                    2 => to_dpi(f64::from(x), f64::from(y), 2.54),
                    0 => Err("JPEG JFIF density has no unit (aspect ratio only)".to_string()),
                    u => Err(format!("JPEG JFIF density unit {u} is not defined")),
                });
            }
            0xE1 if seg.starts_with(b"Exif\0\0") => {
                exif = exif_dpi(&seg[6..]);
            }
            _ => {}
        }
        at += 2 + len;
    }
    let (width, height, bits, components) =
        sof.ok_or_else(|| "JPEG has no frame header (SOF) before the scan".to_string())?;
    let colour = match components {
        1 => ColourMode::Grey,
        3 => ColourMode::Rgb,
        4 => ColourMode::Cmyk,
        n => return Err(format!("JPEG with {n} components is not supported")),
    };
    // A JFIF density with a real unit wins; else EXIF; else the JFIF reason; else nothing.
    let dpi = match (jfif, exif) {
        (Some(Ok(d)), _) => Ok(d),
        (_, Some(Ok(d))) => Ok(d),
        (Some(Err(e)), _) => Err(e),
        (None, Some(Err(e))) => Err(e),
        (None, None) => Err("JPEG has neither JFIF density nor EXIF resolution".to_string()),
    };
    Ok(Header {
        width,
        height,
        dpi,
        colour,
        bits,
        quality: luma_table.as_ref().map(estimate_quality),
    })
}

/// XResolution/YResolution/ResolutionUnit from EXIF IFD0 (a TIFF structure); `None` if absent.
fn exif_dpi(t: &[u8]) -> Option<Result<Dpi, String>> {
    let little = match t.get(..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return Some(Err("EXIF has no valid TIFF header".into())),
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = t.get(at..at + 2)?.try_into().ok()?;
        Some(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = t.get(at..at + 4)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = usize::from(u16_at(ifd)?);
    let (mut x, mut y, mut unit) = (None, None, 2u16);
    for i in 0..count {
        let e = ifd + 2 + i * 12;
        let (Some(tag), Some(kind)) = (u16_at(e), u16_at(e + 2)) else {
            break;
        };
        let rational = || -> Option<f64> {
            if kind != 5 {
                return None;
            }
            let off = u32_at(e + 8)? as usize;
            let (n, d) = (u32_at(off)?, u32_at(off + 4)?);
            (d != 0).then(|| f64::from(n) / f64::from(d))
        };
        match tag {
            0x011A => x = rational(),
            0x011B => y = rational(),
            0x0128 => unit = u16_at(e + 8).unwrap_or(2),
            _ => {}
        }
    }
    let (x, y) = match (x, y) {
        (Some(x), Some(y)) => (x, y),
        _ => return None,
    };
    Some(match unit {
        2 => to_dpi(x, y, 1.0),
        3 => to_dpi(x, y, 2.54),
        1 => Err("JPEG EXIF ResolutionUnit is none".into()),
        u => Err(format!("JPEG EXIF ResolutionUnit {u} is not defined")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_estimate_inverts_ijg_scaling() {
        for q in [10u8, 30, 50, 75, 90, 95] {
            let scale = if q < 50 {
                5000 / u32::from(q)
            } else {
                200 - 2 * u32::from(q)
            };
            let mut t = [0u16; 64];
            for (i, &s) in STD_LUMA.iter().enumerate() {
                t[i] = ((u32::from(s) * scale + 50) / 100).clamp(1, 255) as u16;
            }
            let est = estimate_quality(&t);
            assert!(est.abs_diff(q) <= 1, "q {q} estimated {est}");
        }
    }

    /// A 1-bit TIFF whose header claims `w`x`h` pixels in one strip (no pixel data follows).
    fn tiff_header_only(w: u32, h: u32) -> Vec<u8> {
        let entries: [(u16, u16, u32); 9] = [
            (256, 4, w),         // ImageWidth
            (257, 4, h),         // ImageLength
            (258, 3, 1),         // BitsPerSample
            (259, 3, 1),         // Compression: none
            (262, 3, 0),         // PhotometricInterpretation: WhiteIsZero
            (273, 4, 200),       // StripOffsets
            (277, 3, 1),         // SamplesPerPixel
            (278, 4, h),         // RowsPerStrip
            (279, 4, w / 8 * h), // StripByteCounts
        ];
        let mut b = b"II*\0\x08\0\0\0".to_vec();
        b.extend((entries.len() as u16).to_le_bytes());
        for (tag, typ, value) in entries {
            b.extend(tag.to_le_bytes());
            b.extend(typ.to_le_bytes());
            b.extend(1u32.to_le_bytes());
            if typ == 3 {
                b.extend((value as u16).to_le_bytes());
                b.extend([0, 0]);
            } else {
                b.extend(value.to_le_bytes());
            }
        }
        b.extend(0u32.to_le_bytes());
        b.resize(256, 0);
        b
    }

    /// Limits: a header that claims a huge page is refused before any pixel buffer exists
    /// (60000x60000 1-bit is 450 MB of data but 3.6 GB of luminance).
    #[test]
    fn huge_page_headers_are_refused_before_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let tif = dir.path().join("huge.tif");
        std::fs::write(&tif, tiff_header_only(60_000, 60_000)).unwrap();
        let d = decode(&tif, Format::Tiff);
        let reason = d.failure.expect("refused").reason;
        assert!(reason.contains("over the limit"), "{reason}");
        let jpg = dir.path().join("huge.jpg");
        let mut j = jpeg_with(&[], 1);
        // SOF0 height and width (offsets after SOI and the SOF header) to 65000x65000.
        let sof = j.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        j[sof + 5..sof + 9].copy_from_slice(&[0xFD, 0xE8, 0xFD, 0xE8]);
        std::fs::write(&jpg, j).unwrap();
        let d = decode(&jpg, Format::Jpeg);
        let reason = d.failure.expect("refused").reason;
        assert!(reason.contains("over the limit"), "{reason}");
        // Below the limit the same TIFF header fails for its missing data instead.
        std::fs::write(&tif, tiff_header_only(800, 600)).unwrap();
        let reason = decode(&tif, Format::Tiff)
            .failure
            .expect("truncated")
            .reason;
        assert!(!reason.contains("over the limit"), "{reason}");
    }

    #[test]
    fn ink_share_counts_thin_strokes() {
        let (w, h) = (2000u32, 1000u32);
        let mut luma = vec![255u8; (w * h) as usize];
        assert_eq!(ink_share(&luma, w, h), 0.0);
        // one-pixel vertical line: survives min-pooling
        for y in 0..h as usize {
            luma[y * w as usize + 7] = 0;
        }
        let s = ink_share(&luma, w, h);
        assert!(s > 0.0 && s < 0.01, "{s}");
        assert_eq!(ink_share(&[], 0, 0), 0.0);
        assert_eq!(ink_share(&[1, 2], 10, 10), 0.0);
    }

    /// SOI, the given segments (marker, payload), SOF0 for 40x30 with `components`, SOS.
    fn jpeg_with(segments: &[(u8, Vec<u8>)], components: u8) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        let mut seg = |marker: u8, payload: &[u8]| {
            b.extend([0xFF, marker]);
            b.extend(((payload.len() + 2) as u16).to_be_bytes());
            b.extend(payload);
        };
        for (m, p) in segments {
            seg(*m, p);
        }
        let mut sof = vec![8, 0, 30, 0, 40, components];
        for c in 0..components {
            sof.extend([c + 1, 0x11, 0]);
        }
        seg(0xC0, &sof);
        b.extend([0xFF, 0xDA, 0, 2]);
        b
    }

    fn jfif(units: u8, x: u16, y: u16) -> (u8, Vec<u8>) {
        let mut p = b"JFIF\0\x01\x02".to_vec();
        p.push(units);
        p.extend(x.to_be_bytes());
        p.extend(y.to_be_bytes());
        p.extend([0, 0]);
        (0xE0, p)
    }

    /// APP1 EXIF with IFD0 XResolution/YResolution (RATIONAL) and ResolutionUnit, big-endian.
    fn exif(x: u32, y: u32, unit: u16) -> (u8, Vec<u8>) {
        let mut t = b"MM\0*".to_vec();
        t.extend(8u32.to_be_bytes());
        t.extend(3u16.to_be_bytes());
        let data = 8 + 2 + 3 * 12 + 4;
        for (tag, kind, value) in [
            (0x011Au16, 5u16, data as u32),
            (0x011B, 5, data as u32 + 8),
            (0x0128, 3, u32::from(unit) << 16),
        ] {
            t.extend(tag.to_be_bytes());
            t.extend(kind.to_be_bytes());
            t.extend(1u32.to_be_bytes());
            t.extend(value.to_be_bytes());
        }
        t.extend(0u32.to_be_bytes());
        for v in [x, y] {
            t.extend(v.to_be_bytes());
            t.extend(1u32.to_be_bytes());
        }
        let mut p = b"Exif\0\0".to_vec();
        p.extend(t);
        (0xE1, p)
    }

    #[test]
    fn jpeg_resolution_from_jfif_and_exif() {
        let h = jpeg_header(&jpeg_with(&[jfif(1, 300, 300)], 3)).unwrap();
        assert_eq!(
            (h.width, h.height, h.colour, h.bits),
            (40, 30, ColourMode::Rgb, 8)
        );
        assert_eq!(h.dpi, Ok(Dpi { x: 300.0, y: 300.0 }));
        let h = jpeg_header(&jpeg_with(&[jfif(2, 118, 118)], 1)).unwrap();
        assert_eq!(h.colour, ColourMode::Grey);
        let d = h.dpi.unwrap();
        assert!((d.x - 299.72).abs() < 0.01, "{d:?}");
        // JFIF without unit: EXIF decides.
        let h = jpeg_header(&jpeg_with(&[jfif(0, 1, 1), exif(600, 400, 2)], 3)).unwrap();
        assert_eq!(h.dpi, Ok(Dpi { x: 600.0, y: 400.0 }));
        let h = jpeg_header(&jpeg_with(&[exif(100, 100, 3)], 4)).unwrap();
        assert_eq!(h.colour, ColourMode::Cmyk);
        assert_eq!(h.dpi, Ok(Dpi { x: 254.0, y: 254.0 }));
        // Unit-less JFIF and no EXIF: unknown, with the reason.
        let h = jpeg_header(&jpeg_with(&[jfif(0, 1, 1)], 3)).unwrap();
        assert_eq!(
            h.dpi,
            Err("JPEG JFIF density has no unit (aspect ratio only)".to_string())
        );
        let h = jpeg_header(&jpeg_with(&[exif(300, 300, 1)], 3)).unwrap();
        assert_eq!(h.dpi, Err("JPEG EXIF ResolutionUnit is none".to_string()));
        let h = jpeg_header(&jpeg_with(&[], 3)).unwrap();
        assert!(h.dpi.is_err());
        assert_eq!(h.quality, None);
        // A zero density is not a resolution.
        assert!(jpeg_header(&jpeg_with(&[jfif(1, 0, 300)], 3))
            .unwrap()
            .dpi
            .is_err());
        // No SOF before SOS.
        assert!(jpeg_header(b"\xff\xd8\xff\xda\x00\x02").is_err());
        assert!(jpeg_header(&jpeg_with(&[], 2)).is_err());
    }

    #[test]
    fn header_parsers_do_not_panic_on_prefixes() {
        let full = jpeg_with(&[jfif(1, 300, 300), exif(300, 300, 2)], 3);
        for n in 0..full.len() {
            let _ = jpeg_header(&full[..n]);
        }
        let jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x01\x01\x2c\x01\x2c\x00\x00\xff\xdb\x00\x43\x00";
        for n in 0..jpeg.len() {
            let _ = jpeg_header(&jpeg[..n]);
        }
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00";
        for n in 0..png.len() {
            let _ = png_header(&png[..n]);
        }
        assert!(exif_dpi(b"II*\0\xff\xff\xff\xff").is_none());
    }
}
