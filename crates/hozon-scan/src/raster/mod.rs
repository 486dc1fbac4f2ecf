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

mod headers;
mod single;
mod tiff_pages;

use std::io::Read;
use std::path::Path;

use crate::format::Format;

pub use headers::{estimate_quality, jpeg_header, png_header, Header, HeaderError};

/// Why a page's resolution is unknown (no unit, not positive, not recorded),
/// in the words the resolution check reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnknownDpi(pub String);

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
    pub dpi: Result<Dpi, UnknownDpi>,
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
        Format::Tiff => tiff_pages::decode_tiff(path),
        Format::Png | Format::Jpeg => single::decode_single(path, format),
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

/// 8-bit luminance of an RGB sample.
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

#[cfg(test)]
mod tests {
    use super::headers::{exif_dpi, STD_LUMA};
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
            Err(UnknownDpi(
                "JPEG JFIF density has no unit (aspect ratio only)".to_string()
            ))
        );
        let h = jpeg_header(&jpeg_with(&[exif(300, 300, 1)], 3)).unwrap();
        assert_eq!(
            h.dpi,
            Err(UnknownDpi("JPEG EXIF ResolutionUnit is none".to_string()))
        );
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
