//! Image XObjects decoded as the page checks measure them: DCTDecode with
//! the `image` JPEG decoder, CCITTFax with [`crate::ccitt`], raw samples
//! (Flate, LZW, ASCII85, ASCIIHex, RunLength) through their colour space.
//! What is not decoded here is reported "not checked", never passed.

use image::ImageFormat;
use lopdf::{Dictionary, Document, Object, Stream};

use super::{deref, number, MAX_AUX_STREAM, MAX_IMAGE_PIXELS};
use crate::ccitt;
use crate::raster::{self, ColourMode};

/// A decoded image: size, stored colour, and 8-bit luminance for the blank-page measure.
pub(super) struct Pixels {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) colour: ColourMode,
    pub(super) bits: u8,
    pub(super) luma: Vec<u8>,
    pub(super) quality: Option<u8>,
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

pub(super) fn decode_image(doc: &Document, stream: &Stream) -> Result<Pixels, ImageError> {
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
    let header = raster::jpeg_header(data).map_err(|e| ImageError::Failed(e.0))?;
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
