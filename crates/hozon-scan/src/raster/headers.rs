//! The header fields of PNG and JPEG that the decoders do not expose (PNG
//! IHDR/pHYs, JPEG SOF, DQT, JFIF density, EXIF resolution), read by small
//! bounds-checked parsers without decoding pixels; and the IJG quality
//! estimate from the luminance quantisation table.

use super::{to_dpi, ColourMode, Dpi, UnknownDpi};

/// Why a PNG or JPEG header cannot be read (truncated, malformed, a colour
/// type that is not defined), in the words the decode check reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HeaderError(pub String);
use crate::exif::{NotTiff, Tiff};

/// Header facts of a PNG or JPEG, read without decoding pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution or why unknown.
    pub dpi: Result<Dpi, UnknownDpi>,
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
pub fn png_header(b: &[u8]) -> Result<Header, HeaderError> {
    read_png_header(b).map_err(HeaderError)
}

fn read_png_header(b: &[u8]) -> Result<Header, String> {
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
        dpi: dpi.map_err(UnknownDpi),
        colour,
        bits: depth,
        quality: None,
    })
}

/// The IJG (libjpeg) standard luminance quantisation table, natural (row-major) order.
pub(super) const STD_LUMA: [u16; 64] = [
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
pub fn jpeg_header(b: &[u8]) -> Result<Header, HeaderError> {
    read_jpeg_header(b).map_err(HeaderError)
}

fn read_jpeg_header(b: &[u8]) -> Result<Header, String> {
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
        dpi: dpi.map_err(UnknownDpi),
        colour,
        bits,
        quality: luma_table.as_ref().map(estimate_quality),
    })
}

/// XResolution/YResolution/ResolutionUnit from EXIF IFD0 (a TIFF structure); `None` if absent.
pub(super) fn exif_dpi(t: &[u8]) -> Option<Result<Dpi, String>> {
    let t = match Tiff::new(t) {
        Ok(t) => t,
        Err(NotTiff::Short) => return None,
        Err(NotTiff::BadHeader) => return Some(Err("EXIF has no valid TIFF header".into())),
    };
    let ifd = t.first_ifd()?;
    let (mut x, mut y, mut unit) = (None, None, 2u16);
    for e in t.entries(ifd) {
        match e.tag {
            0x011A => x = t.rational(&e),
            0x011B => y = t.rational(&e),
            0x0128 => unit = t.short(&e).unwrap_or(2),
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
