//! PNG and JPEG pages (one per file): the header facts from [`super::headers`],
//! every pixel decoded by `image`, and the file's trailer checked (a cut-off
//! file must not decode "successfully").

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use image::{ImageFormat, ImageReader};

use super::headers::{jpeg_header, png_header};
use super::{check_page_size, fail, image_ink_share, Decoded, Page};
use crate::format::Format;

pub(super) fn decode_single(path: &Path, format: Format) -> Decoded {
    let head = match read_head(path, 256 * 1024) {
        Ok(h) => h,
        Err(e) => return fail(Vec::new(), 1, format!("cannot read: {e}")),
    };
    let header = if format == Format::Png {
        png_header(&head)
    } else {
        jpeg_header(&head)
    };
    let header = match header
        .map_err(|e| e.0)
        .and_then(|h| check_page_size(h.width, h.height).map(|()| h))
    {
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
