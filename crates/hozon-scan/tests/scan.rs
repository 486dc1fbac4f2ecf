//! Every case is generated here with the `image`, `tiff` and `png` encoders (or, for 1-bit TIFF,
//! written by hand): pages are A4 scaled down to a tenth in each direction, so the dpi is what the
//! scanner would have recorded while the pixel count stays small and the suite fast.

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use hozon_scan::{check_file, FileReport, Format, Policy, Standard, Status};
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use tiff::encoder::{colortype, Rational, TiffEncoder};
use tiff::tags::ResolutionUnit;

/// A4 (210x297 mm) at `dpi`, a tenth of the size in each direction.
fn a4_tenth(dpi: u32) -> (u32, u32) {
    ((827 * dpi).div_ceil(1000), (1169 * dpi).div_ceil(1000))
}

/// A white page with "text": dark bars every 8 rows across the middle of the page.
fn grey_page(w: u32, h: u32, blank: bool) -> Vec<u8> {
    let mut px = vec![250u8; (w * h) as usize];
    if !blank {
        for y in (h / 8..h - h / 8).step_by(8) {
            for x in w / 10..w - w / 10 {
                px[(y * w + x) as usize] = 20;
                px[((y + 1) * w + x) as usize] = 40;
            }
        }
    }
    px
}

fn rgb_from_grey(g: &[u8]) -> Vec<u8> {
    g.iter()
        .flat_map(|&v| [v, v.saturating_sub(10), v / 2 + 100])
        .collect()
}

enum Mode {
    Grey8,
    Grey16,
    Rgb8,
}

struct TiffPage {
    dpi: Option<u32>,
    unit: ResolutionUnit,
    mode: Mode,
    blank: bool,
}

fn page(dpi: u32, mode: Mode) -> TiffPage {
    TiffPage {
        dpi: Some(dpi),
        unit: ResolutionUnit::Inch,
        mode,
        blank: false,
    }
}

fn write_tiff(path: &Path, pages: &[TiffPage]) {
    let mut buf = Cursor::new(Vec::new());
    {
        let mut enc = TiffEncoder::new(&mut buf).unwrap();
        for p in pages {
            let (w, h) = a4_tenth(p.dpi.unwrap_or(300));
            let grey = grey_page(w, h, p.blank);
            macro_rules! res {
                ($img:expr) => {
                    if let Some(d) = p.dpi {
                        let v = match p.unit {
                            ResolutionUnit::Centimeter => Rational { n: d * 100, d: 254 },
                            _ => Rational { n: d, d: 1 },
                        };
                        $img.resolution(p.unit, v);
                    }
                };
            }
            match p.mode {
                Mode::Grey8 => {
                    let mut img = enc.new_image::<colortype::Gray8>(w, h).unwrap();
                    res!(img);
                    img.write_data(&grey).unwrap();
                }
                Mode::Grey16 => {
                    let mut img = enc.new_image::<colortype::Gray16>(w, h).unwrap();
                    res!(img);
                    let g16: Vec<u16> = grey.iter().map(|&v| u16::from(v) * 257).collect();
                    img.write_data(&g16).unwrap();
                }
                Mode::Rgb8 => {
                    let mut img = enc.new_image::<colortype::RGB8>(w, h).unwrap();
                    res!(img);
                    img.write_data(&rgb_from_grey(&grey)).unwrap();
                }
            }
        }
    }
    fs::write(path, buf.into_inner()).unwrap();
}

/// A one-page 1-bit TIFF (WhiteIsZero, as fax-style scanners write), by hand: the `tiff` encoder
/// has no bilevel colour type.
fn write_bilevel_tiff(path: &Path, dpi: Option<u32>) {
    let (w, h) = a4_tenth(dpi.unwrap_or(300));
    let row = w.div_ceil(8) as usize;
    let mut data = vec![0u8; row * h as usize]; // 0 = white
    for y in (h as usize / 8..h as usize * 7 / 8).step_by(8) {
        for b in &mut data[y * row + 2..y * row + row - 2] {
            *b = 0xFF; // black bars
        }
    }
    let entries: u32 = if dpi.is_some() { 11 } else { 9 };
    let ifd_len = 2 + 12 * entries + 4;
    let rational_at = 8 + ifd_len;
    let data_at = rational_at + 16;
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    t.extend((entries as u16).to_le_bytes());
    let mut entry = |tag: u16, kind: u16, value: u32| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(1u32.to_le_bytes());
        t.extend(value.to_le_bytes());
    };
    entry(256, 4, w);
    entry(257, 4, h);
    entry(258, 3, 1);
    entry(259, 3, 1);
    entry(262, 3, 0);
    entry(273, 4, data_at);
    entry(277, 3, 1);
    entry(278, 4, h);
    entry(279, 4, data.len() as u32);
    if dpi.is_some() {
        entry(282, 5, rational_at);
        entry(283, 5, rational_at + 8);
    }
    // ResolutionUnit absent: TIFF's default is inch.
    t.extend(0u32.to_le_bytes());
    for _ in 0..2 {
        t.extend(dpi.unwrap_or(0).to_le_bytes());
        t.extend(1u32.to_le_bytes());
    }
    t.extend(&data);
    fs::write(path, t).unwrap();
}

fn png_bytes(
    w: u32,
    h: u32,
    mode: png::ColorType,
    depth: png::BitDepth,
    dpi: Option<u32>,
) -> Vec<u8> {
    let grey = grey_page(w, h, false);
    let data: Vec<u8> = match (mode, depth) {
        (png::ColorType::Grayscale, png::BitDepth::One) => {
            let row = w.div_ceil(8) as usize;
            let mut d = vec![0u8; row * h as usize];
            for y in 0..h as usize {
                for x in 0..w as usize {
                    if grey[y * w as usize + x] > 128 {
                        d[y * row + x / 8] |= 0x80 >> (x % 8);
                    }
                }
            }
            d
        }
        (png::ColorType::Grayscale, _) => grey,
        (png::ColorType::Indexed, _) => grey.iter().map(|&v| u8::from(v > 128)).collect(),
        _ => rgb_from_grey(&grey),
    };
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(mode);
        enc.set_depth(depth);
        if mode == png::ColorType::Indexed {
            enc.set_palette(vec![0u8, 0, 0, 255, 255, 255]);
        }
        if let Some(d) = dpi {
            enc.set_pixel_dims(Some(png::PixelDimensions {
                xppu: (f64::from(d) / 0.0254).round() as u32,
                yppu: (f64::from(d) / 0.0254).round() as u32,
                unit: png::Unit::Meter,
            }));
        }
        let mut wr = enc.write_header().unwrap();
        wr.write_image_data(&data).unwrap();
    }
    out
}

fn jpeg_bytes(dpi: u32, quality: u8) -> Vec<u8> {
    let (w, h) = a4_tenth(dpi);
    let rgb = rgb_from_grey(&grey_page(w, h, false));
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, quality);
    enc.set_pixel_density(PixelDensity::dpi(dpi as u16));
    enc.encode(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

fn run(path: &Path) -> FileReport {
    check_file(path, &Policy::default(), "default").unwrap()
}

fn run_with(path: &Path, policy: &Policy, class: &str) -> FileReport {
    check_file(path, policy, class).unwrap()
}

/// The one check with this name (and page), panicking with the whole report if absent.
fn find<'a>(r: &'a FileReport, name: &str, page: Option<u32>) -> &'a hozon_scan::Check {
    r.checks
        .iter()
        .find(|c| c.check == name && c.page == page)
        .unwrap_or_else(|| panic!("no check {name} page {page:?} in {r:#?}"))
}

fn assert_check(r: &FileReport, name: &str, page: Option<u32>, status: Status, detail: &str) {
    let c = find(r, name, page);
    assert_eq!(c.status, status, "{name} {page:?}: {c:#?}");
    assert!(
        c.detail.contains(detail),
        "{name} {page:?}: {:?} lacks {detail:?}",
        c.detail
    );
}

#[test]
fn tiff_resolutions_against_the_300_dpi_default() {
    let d = Dir::new();
    for (dpi, want) in [
        (150, Status::Failed),
        (200, Status::Failed),
        (300, Status::Passed),
        (600, Status::Passed),
    ] {
        let p = d.path(&format!("chart-{dpi}.tif"));
        write_tiff(&p, &[page(dpi, Mode::Rgb8)]);
        let r = run(&p);
        assert_eq!(r.format, Format::Tiff);
        assert_eq!(r.pages, 1);
        assert_eq!(r.verdict, want, "{dpi}: {r:#?}");
        assert_check(
            &r,
            "resolution",
            Some(1),
            want,
            &format!("{dpi}x{dpi} dpi, policy minimum 300"),
        );
        let c = find(&r, "resolution", Some(1));
        assert_eq!(c.standard, Standard::Legibility);
        assert_check(&r, "decode", None, Status::Passed, "all 1 page(s) decoded");
    }
}

#[test]
fn tax_law_floor_class_accepts_200_dpi() {
    let policy = Policy::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/scan-policy.toml"
    )))
    .unwrap();
    let d = Dir::new();
    let p = d.path("consent-01.tif");
    write_tiff(&p, &[page(200, Mode::Grey8)]);
    assert_eq!(policy.class_for("ward3/consent-01.tif"), "consent-form");
    assert_eq!(policy.class_for("film/x.tif"), "film");
    assert_eq!(policy.class_for("chart.tif"), "default");
    let r = run_with(&p, &policy, "consent-form");
    // The sample's consent-form class requires FILE.p7s: that alone fails this unsigned scan.
    let failed: Vec<&str> = r.failures().map(|c| c.check.as_str()).collect();
    assert_eq!(failed, ["signature"], "{r:#?}");
    assert_eq!(find(&r, "signature", None).standard, Standard::Authenticity);
    assert_check(
        &r,
        "resolution",
        Some(1),
        Status::Passed,
        "200x200 dpi, policy minimum 200",
    );
    // Same file, film class: 600 dpi and colour required, both fail.
    let r = run_with(&p, &policy, "film");
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "resolution",
        Some(1),
        Status::Failed,
        "policy minimum 600",
    );
    assert_check(
        &r,
        "colour",
        Some(1),
        Status::Failed,
        "grey 8-bit per channel, policy rgb24",
    );
}

#[test]
fn resolution_in_centimetres_is_converted() {
    let d = Dir::new();
    let p = d.path("cm.tif");
    write_tiff(
        &p,
        &[TiffPage {
            dpi: Some(300),
            unit: ResolutionUnit::Centimeter,
            mode: Mode::Grey8,
            blank: false,
        }],
    );
    let r = run(&p);
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
}

#[test]
fn colour_modes_against_rgb24_or_grey8() {
    let d = Dir::new();
    let bi = d.path("bilevel.tif");
    write_bilevel_tiff(&bi, Some(300));
    let r = run(&bi);
    assert_eq!(r.verdict, Status::Failed, "{r:#?}");
    assert_check(
        &r,
        "colour",
        Some(1),
        Status::Failed,
        "bilevel 1-bit per channel, policy rgb24-or-grey8",
    );
    assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
    // WhiteIsZero was honoured: the bars are ink, the page is not blank.
    assert_check(&r, "blank-page", Some(1), Status::Passed, "ink on");

    let g8 = d.path("grey8.tif");
    write_tiff(&g8, &[page(300, Mode::Grey8)]);
    let r = run(&g8);
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "colour", Some(1), Status::Passed, "grey 8-bit");

    let g16 = d.path("grey16.tif");
    write_tiff(&g16, &[page(300, Mode::Grey16)]);
    let r = run(&g16);
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "colour", Some(1), Status::Passed, "grey 16-bit");

    let rgb = d.path("rgb.tif");
    write_tiff(&rgb, &[page(300, Mode::Rgb8)]);
    assert_check(
        &run(&rgb),
        "colour",
        Some(1),
        Status::Passed,
        "RGB 8-bit per channel",
    );

    // Same bilevel file under a policy that accepts any colour mode.
    let any = Policy::parse(
        "[classes.default]\nmin_dpi = 300\ncolour = \"any\"\nformats = [\"tiff\"]\njpeg_min_quality = 75\n\
         max_scan_to_stamp_business_days = 1\nblank_page = { max_ink = 0.002, action = \"warn\" }\n",
    )
    .unwrap();
    assert_eq!(run_with(&bi, &any, "default").verdict, Status::Passed);
    assert!(
        run_with(&bi, &any, "default")
            .checks
            .iter()
            .all(|c| c.check != "bitonal"),
        "no bitonal warning where any colour mode is accepted"
    );

    // Under a class that requires colour, a bitonal page also gets the
    // issue's named warning, besides the colour failure.
    let colour =
        Policy::parse("[classes.default]\ncolour = \"rgb24\"\nformats = [\"tiff\"]\n").unwrap();
    let r = run_with(&bi, &colour, "default");
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "bitonal",
        Some(1),
        Status::Warning,
        "requires in colour",
    );
    assert_check(&r, "colour", Some(1), Status::Failed, "policy rgb24");
}

#[test]
fn png_colour_modes_and_phys() {
    let d = Dir::new();
    let (w, h) = a4_tenth(300);
    let cases = [
        (
            "bi.png",
            png::ColorType::Grayscale,
            png::BitDepth::One,
            Status::Failed,
            "bilevel 1-bit",
        ),
        (
            "g8.png",
            png::ColorType::Grayscale,
            png::BitDepth::Eight,
            Status::Passed,
            "grey 8-bit",
        ),
        (
            "rgb.png",
            png::ColorType::Rgb,
            png::BitDepth::Eight,
            Status::Passed,
            "RGB 8-bit",
        ),
        (
            "pal.png",
            png::ColorType::Indexed,
            png::BitDepth::Eight,
            Status::Failed,
            "palette 8-bit",
        ),
    ];
    for (name, mode, depth, want, detail) in cases {
        let p = d.path(name);
        fs::write(&p, png_bytes(w, h, mode, depth, Some(300))).unwrap();
        let r = run(&p);
        assert_eq!(r.format, Format::Png);
        assert_eq!(r.verdict, want, "{name}: {r:#?}");
        assert_check(&r, "colour", Some(1), want, detail);
        assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
    }
}

#[test]
fn png_without_phys_fails_legibility_with_that_reason() {
    let d = Dir::new();
    let p = d.path("nophys.png");
    let (w, h) = a4_tenth(300);
    fs::write(
        &p,
        png_bytes(w, h, png::ColorType::Rgb, png::BitDepth::Eight, None),
    )
    .unwrap();
    let r = run(&p);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "resolution",
        Some(1),
        Status::Failed,
        "resolution unknown: PNG has no pHYs chunk",
    );
    assert_check(&r, "decode", None, Status::Passed, "decoded completely");
}

#[test]
fn tiff_without_resolution_fails_legibility() {
    let d = Dir::new();
    let p = d.path("nores.tif");
    write_bilevel_tiff(&p, None);
    let r = run(&p);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "resolution",
        Some(1),
        Status::Failed,
        "resolution unknown: TIFF has no XResolution/YResolution",
    );
    assert_check(&r, "decode", None, Status::Passed, "decoded completely");
    // The `tiff` encoder without a resolution writes 1/1 with ResolutionUnit "none".
    let p = d.path("unit-none.tif");
    write_tiff(
        &p,
        &[TiffPage {
            dpi: None,
            unit: ResolutionUnit::Inch,
            mode: Mode::Grey8,
            blank: false,
        }],
    );
    let r = run(&p);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "resolution",
        Some(1),
        Status::Failed,
        "resolution unknown: TIFF ResolutionUnit is none",
    );
}

#[test]
fn truncated_png_fails_preservability() {
    let d = Dir::new();
    let (w, h) = a4_tenth(300);
    let full = png_bytes(w, h, png::ColorType::Rgb, png::BitDepth::Eight, Some(300));
    for cut in [full.len() - 12, full.len() - 1, full.len() / 2, 30] {
        let p = d.path("trunc.png");
        fs::write(&p, &full[..cut]).unwrap();
        let r = run(&p);
        assert_eq!(r.verdict, Status::Failed, "cut {cut}: {r:#?}");
        let c = find(&r, "decode", Some(1));
        assert!(
            c.detail.starts_with("does not decode completely: "),
            "{c:#?}"
        );
    }
    let p = d.path("trunc.png");
    fs::write(&p, &full[..full.len() - 12]).unwrap();
    assert_check(
        &run(&p),
        "decode",
        Some(1),
        Status::Failed,
        &format!(
            "does not decode completely: truncated at byte {}: PNG does not end with an IEND chunk",
            full.len() - 12
        ),
    );
}

#[test]
fn multi_page_tiff_with_one_low_resolution_page() {
    let d = Dir::new();
    let p = d.path("multi.tif");
    write_tiff(
        &p,
        &[
            page(300, Mode::Rgb8),
            page(150, Mode::Rgb8),
            page(300, Mode::Grey8),
        ],
    );
    let r = run(&p);
    assert_eq!(r.pages, 3);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
    assert_check(
        &r,
        "resolution",
        Some(2),
        Status::Failed,
        "150x150 dpi, policy minimum 300",
    );
    assert_check(&r, "resolution", Some(3), Status::Passed, "300x300 dpi");
    assert_check(&r, "decode", None, Status::Passed, "all 3 page(s)");
    assert_eq!(r.failures().count(), 1, "{r:#?}");
}

#[test]
fn blank_page_warns_by_default_and_fails_where_the_class_says() {
    let d = Dir::new();
    let p = d.path("blank.tif");
    write_tiff(
        &p,
        &[
            page(300, Mode::Grey8),
            TiffPage {
                blank: true,
                ..page(300, Mode::Grey8)
            },
        ],
    );
    let r = run(&p);
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "blank-page", Some(1), Status::Passed, "ink on");
    assert_check(
        &r,
        "blank-page",
        Some(2),
        Status::Warning,
        "blank or near-blank: ink on 0.00% of the page",
    );
    let strict = Policy::parse(
        "[classes.default]\nmin_dpi = 300\ncolour = \"rgb24-or-grey8\"\nformats = [\"tiff\"]\njpeg_min_quality = 75\n\
         max_scan_to_stamp_business_days = 1\nblank_page = { max_ink = 0.002, action = \"fail\" }\n",
    )
    .unwrap();
    let r = run_with(&p, &strict, "default");
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "blank-page",
        Some(2),
        Status::Failed,
        "blank or near-blank",
    );
}

#[test]
fn jpeg_quality_is_estimated_and_low_quality_warned() {
    let d = Dir::new();
    for (q, want) in [(30u8, Status::Warning), (90, Status::Passed)] {
        let p = d.path(&format!("q{q}.jpg"));
        fs::write(&p, jpeg_bytes(300, q)).unwrap();
        let r = run(&p);
        assert_eq!(r.format, Format::Jpeg);
        assert_eq!(r.verdict, Status::Passed, "{r:#?}");
        let c = find(&r, "jpeg-quality", Some(1));
        assert_eq!(c.status, want, "{c:#?}");
        let est: u8 = c
            .detail
            .trim_start_matches("estimated JPEG quality ")
            .split(',')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{c:#?}"));
        assert!(est.abs_diff(q) <= 3, "quality {q} estimated {est}");
        assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
        assert_check(&r, "colour", Some(1), Status::Passed, "RGB 8-bit");
    }
    let p = d.path("low-dpi.jpg");
    fs::write(&p, jpeg_bytes(150, 90)).unwrap();
    let r = run(&p);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "resolution",
        Some(1),
        Status::Failed,
        "150x150 dpi, policy minimum 300",
    );
}

#[test]
fn truncated_jpeg_fails_preservability() {
    let d = Dir::new();
    let full = jpeg_bytes(300, 90);
    for cut in [full.len() / 2, full.len() - 2, 40] {
        let p = d.path("trunc.jpg");
        fs::write(&p, &full[..cut]).unwrap();
        let r = run(&p);
        assert_eq!(r.verdict, Status::Failed, "cut {cut}: {r:#?}");
        let c = find(&r, "decode", Some(1));
        assert_eq!(c.status, Status::Failed);
        assert_eq!(c.standard, Standard::Preservability);
        assert!(
            c.detail.starts_with("does not decode completely: "),
            "{c:#?}"
        );
    }
    // Where the file was cut is named, whether the cut falls in the entropy-coded data or
    // just before the EOI marker.
    for cut in [full.len() / 2, full.len() - 2] {
        let p = d.path("trunc.jpg");
        fs::write(&p, &full[..cut]).unwrap();
        assert_check(
            &run(&p),
            "decode",
            Some(1),
            Status::Failed,
            &format!("truncated at byte {cut}: JPEG does not end with an EOI marker"),
        );
    }
}

#[test]
fn truncated_tiff_fails_preservability() {
    let d = Dir::new();
    let src = d.path("full.tif");
    write_tiff(&src, &[page(300, Mode::Rgb8), page(300, Mode::Rgb8)]);
    let full = fs::read(&src).unwrap();
    for cut in [full.len() * 3 / 4, full.len() / 2, full.len() / 4, 12] {
        let p = d.path("trunc.tif");
        fs::write(&p, &full[..cut]).unwrap();
        let r = run(&p);
        assert_eq!(r.verdict, Status::Failed, "cut {cut}: {r:#?}");
        assert!(r.pages < 2, "cut {cut}: {r:#?}");
        let c = r.checks.iter().find(|c| c.check == "decode").unwrap();
        assert_eq!(c.status, Status::Failed);
        assert!(
            c.detail.starts_with("does not decode completely: "),
            "{c:#?}"
        );
    }
}

#[test]
fn tif_name_with_png_content_is_checked_as_png_with_a_warning() {
    let d = Dir::new();
    let p = d.path("liar.tif");
    let (w, h) = a4_tenth(300);
    fs::write(
        &p,
        png_bytes(w, h, png::ColorType::Rgb, png::BitDepth::Eight, Some(300)),
    )
    .unwrap();
    let r = run(&p);
    assert_eq!(r.format, Format::Png);
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(
        &r,
        "file-name",
        None,
        Status::Warning,
        "name says TIFF but the content is PNG",
    );
    assert_check(&r, "format", None, Status::Passed, "PNG by content");
}

#[test]
fn format_not_allowed_by_the_class_fails() {
    let policy = Policy::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/scan-policy.toml"
    )))
    .unwrap();
    let d = Dir::new();
    let p = d.path("film.jpg");
    fs::write(&p, jpeg_bytes(600, 95)).unwrap();
    let r = run_with(&p, &policy, "film");
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "format",
        None,
        Status::Failed,
        "JPEG by content, not allowed by the policy (tiff, png)",
    );
}

#[test]
fn random_bytes_and_empty_file_fail_without_panicking() {
    let d = Dir::new();
    let p = d.path("random.tif");
    let mut x: u32 = 0x1234_5678;
    let bytes: Vec<u8> = (0..5000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    fs::write(&p, &bytes).unwrap();
    let r = run(&p);
    assert_eq!(r.verdict, Status::Failed);
    assert_eq!(r.format, Format::Unknown);
    assert_check(
        &r,
        "format",
        None,
        Status::Failed,
        "not a recognised scan format",
    );

    // Random bytes behind each magic number: decoders must fail, not panic.
    for magic in [
        &b"II*\0"[..],
        b"MM\0*",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff\xe0",
    ] {
        let mut b = magic.to_vec();
        b.extend(&bytes);
        fs::write(&p, &b).unwrap();
        let r = run(&p);
        assert_eq!(r.verdict, Status::Failed, "{magic:?}: {r:#?}");
        assert_eq!(r.pages, 0);
    }

    let e = d.path("empty.png");
    fs::write(&e, b"").unwrap();
    let r = run(&e);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(&r, "format", None, Status::Failed, "file is empty");
    assert_eq!(
        r.sha256.as_deref(),
        Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
}

#[test]
fn header_only_pdf_is_identified_and_fails_as_truncated() {
    let d = Dir::new();
    let p = d.path("doc.pdf");
    fs::write(&p, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap();
    let r = run(&p);
    assert_eq!(r.format, Format::Pdf);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "decode",
        Some(1),
        Status::Failed,
        "PDF does not end with %%EOF (truncated)",
    );
}

#[test]
fn fixity_is_the_sha256_of_the_file() {
    let d = Dir::new();
    let p = d.path("f.tif");
    write_tiff(&p, &[page(300, Mode::Grey8)]);
    let bytes = fs::read(&p).unwrap();
    let want = hex::encode(openssl::sha::sha256(&bytes));
    let r = run(&p);
    assert_eq!(r.sha256.as_deref(), Some(want.as_str()));
    assert_check(
        &r,
        "fixity",
        None,
        Status::Passed,
        &format!("sha256 {want}, {} bytes", bytes.len()),
    );
}

#[test]
fn report_serialises_to_the_design_contract() {
    let d = Dir::new();
    let p = d.path("chart-001.tif");
    write_tiff(&p, &[page(150, Mode::Rgb8)]);
    let report = hozon_scan::ScanReport::new(vec![run(&p)]);
    let v: serde_json::Value = serde_json::to_value(&report).unwrap();
    assert_eq!(v["summary"]["total"], 1);
    assert_eq!(v["summary"]["failed"], 1);
    let f = &v["files"][0];
    assert_eq!(f["format"], "TIFF");
    assert_eq!(f["pages"], 1);
    assert_eq!(f["verdict"], "FAILED");
    let res = f["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "resolution")
        .unwrap();
    assert_eq!(res["standard"], "legibility");
    assert_eq!(res["status"], "FAILED");
    assert_eq!(res["page"], 1);
    assert!(res["detail"]
        .as_str()
        .unwrap()
        .starts_with("150x150 dpi, policy minimum 300"));
    let fix = f["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "fixity")
        .unwrap();
    assert!(fix.get("page").is_none());
}

#[test]
fn unknown_class_is_an_error() {
    let d = Dir::new();
    let p = d.path("x.tif");
    write_tiff(&p, &[page(300, Mode::Grey8)]);
    let e = check_file(&p, &Policy::default(), "film")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("x.tif") && e.contains("no class \"film\""),
        "{e}"
    );
}

/// A JPEG 2000 scan allowed by the policy: its header is read and shown,
/// but its pixels are not decoded, so it fails rather than passes unchecked.
#[test]
fn jpeg_2000_header_is_reported_and_the_file_never_passes() {
    fn jp2_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&3508u32.to_be_bytes());
    ihdr.extend_from_slice(&2480u32.to_be_bytes());
    ihdr.extend_from_slice(&3u16.to_be_bytes());
    ihdr.extend_from_slice(&[7, 7, 0, 0]);
    let mut file = jp2_box(b"jP  ", &[0x0d, 0x0a, 0x87, 0x0a]);
    file.extend(jp2_box(b"jp2h", &jp2_box(b"ihdr", &ihdr)));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chart.jp2");
    fs::write(&path, &file).unwrap();
    let policy = Policy::parse("[classes.default]\nformats = [\"jpeg2000\"]\n").unwrap();
    let report = check_file(&path, &policy, "default").unwrap();
    assert_eq!(report.verdict, Status::Failed);
    let decode = report.checks.iter().find(|c| c.check == "decode").unwrap();
    assert_eq!(decode.status, Status::Failed);
    assert_eq!(decode.standard, Standard::Preservability);
    assert!(
        decode
            .detail
            .contains("2480x3508 px, 3 component(s) of 8 bit(s)")
            && decode.detail.contains("not decoded"),
        "{}",
        decode.detail
    );
}

/// `require_signature`: a scan without `FILE.p7s` fails it, unless the caller makes the
/// signature (`scan --sign`, archive ingest): then the requirement is met by that signature.
#[test]
fn require_signature_is_met_by_a_signature_the_caller_makes() {
    use hozon_scan::{check_file_opts, CheckOptions, SignatureSource};
    let d = Dir::new();
    let p = d.path("consent.jpg");
    fs::write(&p, jpeg_bytes(300, 90)).unwrap();
    let policy = Policy::parse("[classes.default]\nrequire_signature = true\n").unwrap();
    let r = check_file(&p, &policy, "default").unwrap();
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "signature",
        None,
        Status::Failed,
        "the class requires one",
    );

    let by_caller = CheckOptions {
        verifier: None,
        signature: SignatureSource::ByCaller,
    };
    let r = check_file_opts(&p, &policy, "default", &by_caller).unwrap();
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(
        &r,
        "signature",
        None,
        Status::Passed,
        hozon_scan::authenticity::SIGNED_BY_CALLER,
    );
    // A signature that is there is checked as usual (here: not verified without trust).
    fs::write(d.path("consent.jpg.p7s"), b"not a signature").unwrap();
    let r = check_file_opts(&p, &policy, "default", &by_caller).unwrap();
    assert_check(&r, "signature", None, Status::Warning, "not verified");
}
