//! Writes the pages of `bench/scan.sh`: N A4 pages at 300 dpi (2480x3508), 24-bit colour JPEG,
//! quality 85, JFIF density 300 dpi, with text-like lines so they compress like real charts.
//!
//!     cargo run --release -p hozon-scan --example make-bench-pages -- DIR [N] [DISTINCT]
//!
//! DISTINCT pages (default 8) are encoded and copied round-robin to N files (decoding cost does
//! not depend on which copy is read). Every copy carries its number in a JPEG comment segment
//! (COM, right after SOI), so no two files have the same bytes: the archive (`bench/watch.sh`)
//! refuses the same content twice.

use std::path::PathBuf;

use image::codecs::jpeg::{JpegEncoder, PixelDensity};

const W: u32 = 2480;
const H: u32 = 3508;
const DISTINCT: usize = 8;

fn page(seed: u32) -> Vec<u8> {
    let mut rgb = vec![0u8; (W * H * 3) as usize];
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    // Paper, slightly darker towards the binding edge, as a scanner sees it.
    for (i, px) in rgb.chunks_exact_mut(3).enumerate() {
        let x = (i as u32 % W) as u8;
        let n = 10 - (x / 26).min(10);
        px.copy_from_slice(&[245 - n, 243 - n, 237 - n]);
    }
    // Lines of "words": dark blue-black runs of random length, 40 px line pitch.
    let margin = 240;
    for line in 0..((H - 2 * margin) / 40) {
        let y0 = margin + line * 40;
        let mut x = margin;
        while x < W - margin {
            let word = 30 + next() % 160;
            let end = (x + word).min(W - margin);
            for y in y0..y0 + 22 {
                for xx in x..end {
                    // Glyph-like strokes: 3-px verticals every 9 px, top and bottom bars.
                    if (xx - x) % 9 < 3 || y - y0 < 3 || y0 + 22 - y <= 3 {
                        let i = ((y * W + xx) * 3) as usize;
                        rgb[i..i + 3].copy_from_slice(&[30, 32, 60]);
                    }
                }
            }
            x = end + 18 + next() % 20;
        }
    }
    // A red stamp (hanko) near the bottom right.
    let (cx, cy, r) = (W as i64 - 500, H as i64 - 500, 120i64);
    for y in cy - r..cy + r {
        for x in cx - r..cx + r {
            let d = (x - cx).pow(2) + (y - cy).pow(2);
            if d < r * r && d > (r - 14).pow(2) {
                let i = ((y as u32 * W + x as u32) * 3) as usize;
                rgb[i..i + 3].copy_from_slice(&[200, 30, 40]);
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 85);
    enc.set_pixel_density(PixelDensity::dpi(300));
    if let Err(e) = enc.encode(&rgb, W, H, image::ExtendedColorType::Rgb8) {
        eprintln!("make-bench-pages: cannot encode page {seed}: {e}");
        std::process::exit(1);
    }
    out
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: make-bench-pages DIR [N]");
        std::process::exit(2);
    };
    let n: usize = match args.next().map(|a| a.to_string_lossy().parse()) {
        None => 200,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("make-bench-pages: N: {e}");
            std::process::exit(2);
        }
    };
    let distinct: usize = match args.next().map(|a| a.to_string_lossy().parse()) {
        None => DISTINCT,
        Some(Ok(d)) if d > 0 => d,
        Some(_) => {
            eprintln!("make-bench-pages: DISTINCT: a positive number");
            std::process::exit(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("make-bench-pages: {}: {e}", dir.display());
        std::process::exit(1);
    }
    let name = |i: usize| dir.join(format!("page-{i:04}.jpg"));
    let write = |i: usize, bytes: &[u8]| {
        if let Err(e) = std::fs::write(name(i), bytes) {
            eprintln!("make-bench-pages: {}: {e}", name(i).display());
            std::process::exit(1);
        }
    };
    // The distinct pages, encoded on every core (one page's pixels at a
    // time per thread: 26 MB each).
    let first = distinct.min(n);
    let workers = std::thread::available_parallelism().map_or(2, |p| p.get());
    std::thread::scope(|s| {
        for w in 0..workers {
            s.spawn(move || {
                for i in (w..first).step_by(workers) {
                    write(i, &page(i as u32));
                }
            });
        }
    });
    // The copies, each with its own comment segment.
    for i in first..n {
        match std::fs::read(name(i % distinct)) {
            Ok(bytes) => write(i, &with_comment(&bytes, &format!("copy {i}"))),
            Err(e) => {
                eprintln!("make-bench-pages: {}: {e}", name(i % distinct).display());
                std::process::exit(1);
            }
        }
    }
}

/// `jpeg` with a COM segment holding `text` right after its SOI marker.
fn with_comment(jpeg: &[u8], text: &str) -> Vec<u8> {
    let len = u16::try_from(text.len() + 2).expect("a short comment");
    let mut out = Vec::with_capacity(jpeg.len() + text.len() + 4);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}
