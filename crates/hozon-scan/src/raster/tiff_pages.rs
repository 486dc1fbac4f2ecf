//! TIFF pages (multi-page), one at a time, from the `tiff` crate's decoder:
//! size, resolution from XResolution/YResolution/ResolutionUnit, and
//! luminance for the blank-page measure.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use tiff::decoder::{Decoder as TiffDecoder, DecodingResult};
use tiff::tags::Tag;

use super::{
    check_page_size, fail, ink_share, luma, to_dpi, ColourMode, Decoded, Dpi, Page, UnknownDpi,
};

pub(super) fn decode_tiff(path: &Path) -> Decoded {
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

fn tiff_page<R: Read + std::io::Seek>(
    dec: &mut TiffDecoder<R>,
    number: u32,
) -> Result<Page, String> {
    let (width, height) = dec.dimensions().map_err(|e| e.to_string())?;
    check_page_size(width, height)?;
    let colortype = dec.colortype().map_err(|e| e.to_string())?;
    let dpi = tiff_dpi(dec).map_err(UnknownDpi);
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
