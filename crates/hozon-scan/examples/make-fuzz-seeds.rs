//! Writes the small TIFF and JPEG seeds of the `scan_decode` fuzz target
//! (fuzz/seeds/scan_decode/; the PNG and PDF seeds come from testdata/docs):
//! a 48x32 grey JPEG with a 300-dpi JFIF density, and 48x32 RGB and grey
//! TIFFs (uncompressed and Deflate), with resolution tags.
//!
//!     cargo run -p hozon-scan --example make-fuzz-seeds -- fuzz/seeds/scan_decode

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use image::codecs::jpeg::{JpegEncoder, PixelDensity};

const W: u32 = 48;
const H: u32 = 32;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: make-fuzz-seeds DIR")?,
    );
    std::fs::create_dir_all(&dir)?;
    let grey: Vec<u8> = (0..W * H)
        .map(|i| if i % 7 == 0 { 20 } else { 240 })
        .collect();
    let rgb: Vec<u8> = grey
        .iter()
        .flat_map(|&g| [g, g, g.saturating_sub(10)])
        .collect();

    let mut jpeg =
        JpegEncoder::new_with_quality(BufWriter::new(File::create(dir.join("grey.jpg"))?), 80);
    jpeg.set_pixel_density(PixelDensity::dpi(300));
    jpeg.encode(&grey, W, H, image::ExtendedColorType::L8)?;

    for (name, compression) in [
        ("rgb.tif", tiff::encoder::Compression::Uncompressed),
        (
            "rgb-deflate.tif",
            tiff::encoder::Compression::Deflate(Default::default()),
        ),
    ] {
        let mut enc = tiff::encoder::TiffEncoder::new(File::create(dir.join(name))?)?
            .with_compression(compression);
        let mut img = enc.new_image::<tiff::encoder::colortype::RGB8>(W, H)?;
        img.resolution(
            tiff::tags::ResolutionUnit::Inch,
            tiff::encoder::Rational { n: 300, d: 1 },
        );
        img.write_data(&rgb)?;
    }
    let mut enc = tiff::encoder::TiffEncoder::new(File::create(dir.join("grey.tif"))?)?;
    let mut img = enc.new_image::<tiff::encoder::colortype::Gray8>(W, H)?;
    img.resolution(
        tiff::tags::ResolutionUnit::Inch,
        tiff::encoder::Rational { n: 300, d: 1 },
    );
    img.write_data(&grey)?;
    Ok(())
}
