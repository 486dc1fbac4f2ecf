//! PDF scans built here with lopdf: A4 pages (595.28x841.89 pt) carrying one page image drawn
//! over the whole page, so the image's pixels over 8.27x11.69 in give its dpi.

use std::fs;
use std::io::Cursor;
use std::path::PathBuf;

use hozon_scan::pdf::{creation_date, DateSource};
use hozon_scan::{check_file, FileReport, Format, Policy, Standard, Status};
use image::codecs::jpeg::JpegEncoder;
use lopdf::{dictionary, Dictionary, Document, Object, Stream, StringFormat};

const A4: (f64, f64) = (595.28, 841.89);

/// A4 at `dpi` in pixels.
fn a4_px(dpi: u32) -> (u32, u32) {
    (
        (8.2677 * f64::from(dpi)).round() as u32,
        (11.6929 * f64::from(dpi)).round() as u32,
    )
}

/// A white page with dark text bars, or a blank one.
fn grey_page(w: u32, h: u32, blank: bool) -> Vec<u8> {
    let mut px = vec![250u8; (w * h) as usize];
    if !blank {
        for y in (h / 8..h - h / 8).step_by(16) {
            for x in w / 10..w - w / 10 {
                px[(y * w + x) as usize] = 20;
                px[((y + 1) * w + x) as usize] = 40;
            }
        }
    }
    px
}

fn jpeg_image(dpi: u32) -> Stream {
    let (w, h) = a4_px(dpi);
    let grey = grey_page(w, h, false);
    let rgb: Vec<u8> = grey.iter().flat_map(|&v| [v, v, v / 2 + 100]).collect();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
        },
        out,
    )
}

fn flate_grey_image(dpi: u32, blank: bool) -> Stream {
    let (w, h) = a4_px(dpi);
    let mut s = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        grey_page(w, h, blank),
    );
    s.compress().unwrap();
    assert!(s.dict.get(b"Filter").is_ok());
    s
}

/// Draws /Im0 over the whole A4 page.
const DRAW: &str = "q 595.28 0 0 841.89 0 0 cm /Im0 Do Q";

/// A one-page A4 PDF; `image` becomes /Im0; `extra` edits the document before saving.
fn pdf(
    image: Option<Stream>,
    content: &str,
    extra: impl FnOnce(&mut Document, &mut Dictionary),
) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut resources = Dictionary::new();
    if let Some(image) = image {
        let id = doc.add_object(image);
        resources.set("XObject", dictionary! { "Im0" => id });
    }
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Resources" => resources,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(A4.0 as f32), Object::Real(A4.1 as f32)],
        }),
    );
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    extra(&mut doc, &mut catalog);
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    let mut out = Cursor::new(Vec::new());
    doc.save_to(&mut out).unwrap();
    out.into_inner()
}

struct Dir(tempfile::TempDir);
impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.path().join(name);
        fs::write(&p, bytes).unwrap();
        p
    }
}

fn run(d: &Dir, name: &str, bytes: &[u8]) -> FileReport {
    let p = d.write(name, bytes);
    let r = check_file(&p, &Policy::default(), "default").unwrap();
    assert_eq!(r.format, Format::Pdf, "{r:#?}");
    r
}

fn assert_check(r: &FileReport, name: &str, page: Option<u32>, status: Status, detail: &str) {
    assert!(
        r.checks.iter().any(|c| c.check == name
            && c.page == page
            && c.status == status
            && c.detail.contains(detail)),
        "no {name} {page:?} {status:?} containing {detail:?} in {r:#?}"
    );
}

#[test]
fn jpeg_page_at_300_dpi_passes() {
    let d = Dir::new();
    let r = run(
        &d,
        "a4-300.pdf",
        &pdf(Some(jpeg_image(300)), DRAW, |_, _| {}),
    );
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_eq!(r.pages, 1);
    assert_check(
        &r,
        "resolution",
        Some(1),
        Status::Passed,
        "300x300 dpi, policy minimum 300",
    );
    assert_check(
        &r,
        "pdf-image",
        Some(1),
        Status::Passed,
        "drawn size from the content stream's cm",
    );
    assert_check(&r, "colour", Some(1), Status::Passed, "RGB 8-bit");
    assert_check(
        &r,
        "jpeg-quality",
        Some(1),
        Status::Passed,
        "estimated JPEG quality 90",
    );
    assert_check(&r, "blank-page", Some(1), Status::Passed, "ink on");
    assert_check(&r, "decode", None, Status::Passed, "decoded completely");
    // No XMP, no OutputIntent: PDF/A markers missing is a warning, not a failure.
    assert_check(&r, "pdfa", None, Status::Warning, "no OutputIntents");
}

#[test]
fn jpeg_page_at_150_dpi_fails_resolution() {
    let d = Dir::new();
    let r = run(
        &d,
        "a4-150.pdf",
        &pdf(Some(jpeg_image(150)), DRAW, |_, _| {}),
    );
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
fn image_without_cm_is_measured_over_the_media_box() {
    let d = Dir::new();
    let r = run(
        &d,
        "nocm.pdf",
        &pdf(Some(jpeg_image(150)), "/Im0 Do", |_, _| {}),
    );
    assert_check(
        &r,
        "pdf-image",
        Some(1),
        Status::Passed,
        "page MediaBox (drawn size not readable)",
    );
    assert_check(&r, "resolution", Some(1), Status::Failed, "150x150 dpi");
}

#[test]
fn flate_grey_page_passes() {
    let d = Dir::new();
    let r = run(
        &d,
        "grey.pdf",
        &pdf(Some(flate_grey_image(300, false)), DRAW, |_, _| {}),
    );
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
    assert_check(&r, "colour", Some(1), Status::Passed, "grey 8-bit");
    assert_check(&r, "blank-page", Some(1), Status::Passed, "ink on");
    assert!(!r.checks.iter().any(|c| c.check == "jpeg-quality"));
}

#[test]
fn blank_page_image_is_flagged() {
    let d = Dir::new();
    let r = run(
        &d,
        "blank.pdf",
        &pdf(Some(flate_grey_image(300, true)), DRAW, |_, _| {}),
    );
    assert_check(
        &r,
        "blank-page",
        Some(1),
        Status::Warning,
        "blank or near-blank: ink on 0.00%",
    );
}

#[test]
fn page_without_image_fails_legibility() {
    let d = Dir::new();
    let r = run(&d, "text.pdf", &pdf(None, "BT ET", |_, _| {}));
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "pdf-image",
        Some(1),
        Status::Failed,
        "no scanned image on the page",
    );
}

#[test]
fn jbig2_image_is_not_checked_and_fails() {
    let d = Dir::new();
    let (w, h) = a4_px(300);
    let img = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1, "Filter" => "JBIG2Decode",
        },
        vec![0u8; 64],
    );
    let r = run(&d, "jbig2.pdf", &pdf(Some(img), DRAW, |_, _| {}));
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "decode",
        Some(1),
        Status::Failed,
        "cannot decode JBIG2Decode: not checked",
    );
    assert!(!r
        .checks
        .iter()
        .any(|c| c.check == "resolution" && c.status == Status::Passed));
}

// ---------------------------------------------------------------------------------------------
// CCITT images made by libtiff (ppm2tiff) and put into a PDF by img2pdf, as a scanner's
// black-and-white PDF is: the decoded pixels must be the ones the PBM said.

/// A bilevel page, 1 = black: a frame, a diagonal, a checkerboard block and text-like bars.
fn bilevel_pattern(w: u32, h: u32) -> Vec<u8> {
    let mut px = vec![0u8; (w * h) as usize];
    for y in 0..h {
        for x in 0..w {
            let frame = x < 4 || y < 4 || x >= w - 4 || y >= h - 4;
            let diagonal = x * h / w == y;
            let checker = x > w / 2 && y < h / 3 && (x / 7 + y / 5) % 2 == 0;
            let bars = y > h / 2 && y % 12 < 3 && x > w / 10 && x < w * 9 / 10 && x % 97 > 5;
            if frame || diagonal || checker || bars {
                px[(y * w + x) as usize] = 1;
            }
        }
    }
    px
}

/// The pattern as a raw PBM (P4: rows of bits, 1 = black, padded to bytes).
fn pbm(w: u32, h: u32, px: &[u8]) -> Vec<u8> {
    let mut out = format!("P4\n{w} {h}\n").into_bytes();
    for row in px.chunks(w as usize) {
        for byte in row.chunks(8) {
            out.push(
                byte.iter()
                    .enumerate()
                    .fold(0u8, |b, (i, &p)| b | (p << (7 - i))),
            );
        }
    }
    out
}

fn tool_run(tool: &std::path::Path, args: &[&std::ffi::OsStr]) {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?}: {}",
        tool.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ppm2tiff -c <compression>` of the pattern at 300 dpi, one strip; `None` when libtiff-tools is
/// missing and the test runs alone.
fn libtiff_ccitt(d: &Dir, compression: &str, w: u32, h: u32) -> Option<(Vec<u8>, PathBuf)> {
    let ppm2tiff = hozon_testkit::tool("ppm2tiff", "libtiff-tools")?;
    let px = bilevel_pattern(w, h);
    let src = d.write("page.pbm", &pbm(w, h, &px));
    let tif =
        d.0.path()
            .join(format!("page-{}.tif", compression.replace(':', "-")));
    let rows = h.to_string();
    tool_run(
        &ppm2tiff,
        &[
            "-R".as_ref(),
            "300".as_ref(),
            "-r".as_ref(),
            rows.as_ref(),
            "-c".as_ref(),
            compression.as_ref(),
            src.as_os_str(),
            tif.as_os_str(),
        ],
    );
    Some((px, tif))
}

/// The image XObjects of a PDF (object order).
fn images(doc: &Document) -> Vec<&Stream> {
    doc.objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| matches!(s.dict.get(b"Subtype"), Ok(Object::Name(n)) if n == b"Image"))
        .collect()
}

fn assert_pixels(got: &hozon_scan::pdf::ImageLuma, w: u32, h: u32, px: &[u8], invert: bool) {
    assert_eq!((got.width, got.height), (w, h));
    let want: Vec<u8> = px
        .iter()
        .map(|&b| if (b == 1) != invert { 0 } else { 255 })
        .collect();
    let wrong = got.luma.iter().zip(&want).filter(|(a, b)| a != b).count();
    assert_eq!(wrong, 0, "{wrong} of {} pixels differ", want.len());
}

fn bilevel_policy() -> Policy {
    Policy::parse("[classes.default]\ncolour = \"any\"\n").unwrap()
}

#[test]
fn ccitt_g4_pdf_made_by_img2pdf_decodes_to_the_scanned_pixels() {
    let d = Dir::new();
    let (w, h) = (1240, 1754); // A5 at 300 dpi: quick in a debug build
    let Some((px, tif)) = libtiff_ccitt(&d, "g4", w, h) else {
        return;
    };
    let Some(img2pdf) = hozon_testkit::tool("img2pdf", "img2pdf") else {
        return;
    };
    let out = d.0.path().join("g4.pdf");
    tool_run(&img2pdf, &[tif.as_os_str(), "-o".as_ref(), out.as_os_str()]);

    let r = check_file(&out, &bilevel_policy(), "default").unwrap();
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "decode", None, Status::Passed, "all 1 page(s) decoded");
    assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
    assert_check(&r, "colour", Some(1), Status::Passed, "1-bit");
    assert_check(&r, "blank-page", Some(1), Status::Passed, "ink on");

    // img2pdf embeds the G4 data as it is (no re-encoding): the decoded pixels are the PBM's.
    let doc = Document::load(&out).unwrap();
    let image = images(&doc)[0];
    let first = |key: &[u8]| match image.dict.get(key).unwrap() {
        Object::Array(a) => a[0].clone(),
        o => o.clone(),
    };
    assert_eq!(first(b"Filter").as_name().unwrap(), b"CCITTFaxDecode");
    let parms = first(b"DecodeParms");
    let k = parms
        .as_dict()
        .unwrap()
        .get(b"K")
        .unwrap()
        .as_i64()
        .unwrap();
    assert_eq!(k, -1, "Group 4");
    let got = hozon_scan::pdf::image_luma(&doc, image).unwrap();
    assert_pixels(&got, w, h, &px, false);

    // /BlackIs1 true and /Decode [1 0] each turn the same data round; both turn it back.
    let mut flipped = image.clone();
    let mut parms = Dictionary::new();
    parms.set("K", -1);
    parms.set("Columns", w as i64);
    parms.set("Rows", h as i64);
    parms.set("BlackIs1", true);
    flipped.dict.set("DecodeParms", parms.clone());
    flipped.dict.set("Filter", "CCITTFaxDecode");
    assert_pixels(
        &hozon_scan::pdf::image_luma(&doc, &flipped).unwrap(),
        w,
        h,
        &px,
        true,
    );
    flipped
        .dict
        .set("Decode", vec![Object::Integer(1), Object::Integer(0)]);
    assert_pixels(
        &hozon_scan::pdf::image_luma(&doc, &flipped).unwrap(),
        w,
        h,
        &px,
        false,
    );
}

#[test]
fn truncated_ccitt_g4_data_fails_and_says_so() {
    let d = Dir::new();
    let (w, h) = (1240, 1754);
    let Some((_, tif)) = libtiff_ccitt(&d, "g4", w, h) else {
        return;
    };
    let Some(img2pdf) = hozon_testkit::tool("img2pdf", "img2pdf") else {
        return;
    };
    let out = d.0.path().join("g4.pdf");
    tool_run(&img2pdf, &[tif.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    let doc = Document::load(&out).unwrap();
    let mut image = images(&doc)[0].clone();
    let half = image.content.len() / 2;
    image.set_content(image.content[..half].to_vec());
    let r = run(&d, "cut.pdf", &pdf(Some(image), DRAW, |_, _| {}));
    assert_eq!(r.verdict, Status::Failed, "{r:#?}");
    assert_check(&r, "decode", Some(1), Status::Failed, "CCITT Group 4 data");
    assert_check(
        &r,
        "decode",
        Some(1),
        Status::Failed,
        &format!("of {h} rows"),
    );
}

#[test]
fn ccitt_columns_must_match_the_width() {
    let d = Dir::new();
    let (w, h) = a4_px(300);
    let img = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1, "Filter" => "CCITTFaxDecode",
            "DecodeParms" => dictionary! { "K" => -1 },
        },
        vec![0u8; 64],
    );
    let r = run(&d, "cols.pdf", &pdf(Some(img), DRAW, |_, _| {}));
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "decode",
        Some(1),
        Status::Failed,
        &format!("/DecodeParms /Columns 1728 differs from the image /Width {w}"),
    );
}

/// Group 3 (1-D and 2-D, with EOL codes, as libtiff writes them): the strip of the TIFF put
/// into a PDF with the matching /DecodeParms.
#[test]
fn ccitt_g3_one_and_two_dimensional_decode_to_the_scanned_pixels() {
    let d = Dir::new();
    let (w, h) = (640, 480);
    for (compression, k) in [("g3", 0), ("g3:2d", 4)] {
        let Some((px, tif)) = libtiff_ccitt(&d, compression, w, h) else {
            return;
        };
        let bytes = fs::read(&tif).unwrap();
        let mut dec = tiff::decoder::Decoder::new(Cursor::new(&bytes)).unwrap();
        let offsets = dec.get_tag_u64_vec(tiff::tags::Tag::StripOffsets).unwrap();
        let counts = dec
            .get_tag_u64_vec(tiff::tags::Tag::StripByteCounts)
            .unwrap();
        assert_eq!(offsets.len(), 1, "one strip");
        let strip = bytes[offsets[0] as usize..(offsets[0] + counts[0]) as usize].to_vec();
        let image = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1, "Filter" => "CCITTFaxDecode",
                "DecodeParms" => dictionary! {
                    "K" => k, "Columns" => w as i64, "Rows" => h as i64, "EndOfLine" => true,
                },
            },
            strip,
        );
        let doc = Document::with_version("1.7");
        let got = hozon_scan::pdf::image_luma(&doc, &image)
            .unwrap_or_else(|e| panic!("{compression}: {e}"));
        assert_pixels(&got, w, h, &px, false);
    }
}

#[test]
fn short_flate_samples_fail_decode() {
    let d = Dir::new();
    let (w, h) = a4_px(300);
    let mut img = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![200u8; 1000],
    );
    img.compress().unwrap();
    let r = run(&d, "short.pdf", &pdf(Some(img), DRAW, |_, _| {}));
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "decode",
        Some(1),
        Status::Failed,
        "image data has 1000 bytes",
    );
}

#[test]
fn encrypted_pdf_fails_preservability() {
    let d = Dir::new();
    let bytes = pdf(Some(flate_grey_image(300, false)), DRAW, |doc, _| {
        let enc = doc.add_object(dictionary! {
            "Filter" => "Standard", "V" => 1, "R" => 2, "P" => -4,
            "O" => Object::String(vec![1u8; 32], StringFormat::Hexadecimal),
            "U" => Object::String(vec![2u8; 32], StringFormat::Hexadecimal),
        });
        doc.trailer.set("Encrypt", enc);
    });
    let r = run(&d, "enc.pdf", &bytes);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "decode",
        Some(1),
        Status::Failed,
        "encrypted: not readable for the retention period",
    );
    let c = r.checks.iter().find(|c| c.check == "decode").unwrap();
    assert_eq!(c.standard, Standard::Preservability);
    assert!(creation_date(&d.write("enc2.pdf", &bytes)).is_err());
}

const XMP: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>
<xmp:CreateDate>2026-11-20T09:30:00+09:00</xmp:CreateDate>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;

#[test]
fn pdfa_markers_hold_and_xmp_gives_the_scan_time() {
    let d = Dir::new();
    let bytes = pdf(Some(jpeg_image(300)), DRAW, |doc, catalog| {
        let meta = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            XMP.as_bytes().to_vec(),
        ));
        catalog.set("Metadata", meta);
        catalog.set(
            "OutputIntents",
            vec![Object::Dictionary(dictionary! {
                "Type" => "OutputIntent", "S" => "GTS_PDFA1",
                "OutputConditionIdentifier" => Object::string_literal("sRGB"),
            })],
        );
    });
    let r = run(&d, "pdfa.pdf", &bytes);
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "pdfa", None, Status::Passed, "XMP identifies PDF/A-2b, 1 OutputIntent(s), no fonts, no JavaScript, no external references");
    assert_check(&r, "pdfa", None, Status::Passed, "not a PDF/A validation");
    let when = creation_date(&d.write("pdfa2.pdf", &bytes))
        .unwrap()
        .unwrap();
    assert_eq!(when.source, DateSource::Xmp);
    assert!(!when.zone_assumed);
    assert_eq!(when.at, time::macros::datetime!(2026-11-20 00:30:00 UTC));
}

#[test]
fn info_creation_date_wins() {
    let d = Dir::new();
    let bytes = pdf(Some(flate_grey_image(150, false)), DRAW, |doc, _| {
        let info = doc.add_object(dictionary! {
            "CreationDate" => Object::string_literal("D:20261125143000+09'00'"),
        });
        doc.trailer.set("Info", info);
    });
    let when = creation_date(&d.write("info.pdf", &bytes))
        .unwrap()
        .unwrap();
    assert_eq!(when.source, DateSource::Info);
    assert_eq!(when.at, time::macros::datetime!(2026-11-25 05:30:00 UTC));
    let none = creation_date(&d.write("none.pdf", &pdf(None, "", |_, _| {}))).unwrap();
    assert!(none.is_none());
}

#[test]
fn javascript_and_uri_are_reported_as_missing_markers() {
    let d = Dir::new();
    let bytes = pdf(Some(jpeg_image(300)), DRAW, |doc, catalog| {
        let js = doc.add_object(dictionary! {
            "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)"),
        });
        catalog.set("OpenAction", js);
        let uri = doc.add_object(dictionary! { "S" => "URI", "URI" => Object::string_literal("http://example.invalid/") });
        catalog.set("AA", dictionary! { "WC" => uri });
    });
    let r = run(&d, "js.pdf", &bytes);
    // The page itself meets the policy; the markers are warnings, never PASSED.
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "pdfa", None, Status::Warning, "JavaScript present");
    assert_check(
        &r,
        "pdfa",
        None,
        Status::Warning,
        "external references: /URI action",
    );
}

#[test]
fn truncated_pdf_fails() {
    let d = Dir::new();
    let full = pdf(Some(flate_grey_image(300, false)), DRAW, |_, _| {});
    for cut in [full.len() / 2, full.len() - 10] {
        let r = run(&d, "cut.pdf", &full[..cut]);
        assert_eq!(r.verdict, Status::Failed, "{r:#?}");
        assert_check(&r, "decode", Some(1), Status::Failed, "truncated");
    }
}

#[test]
fn random_bytes_after_the_magic_fail_without_panic() {
    let d = Dir::new();
    let mut bytes = b"%PDF-".to_vec();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        bytes.push((x >> 16) as u8);
    }
    let r = run(&d, "random.pdf", &bytes);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(&r, "decode", Some(1), Status::Failed, "PDF");
    bytes.extend_from_slice(b"\n%%EOF\n");
    let r = run(&d, "random2.pdf", &bytes);
    assert_eq!(r.verdict, Status::Failed);
    assert_check(&r, "decode", Some(1), Status::Failed, "PDF does not parse");
}

#[test]
fn small_image_on_a_page_is_not_a_page_scan() {
    // A 300-dpi logo (417x417 px drawn 100x100 pt) on an otherwise born-digital page: its dpi is
    // fine, but the page was not scanned, so the page must not pass.
    let d = Dir::new();
    let mut img = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 417, "Height" => 417,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        grey_page(417, 417, false),
    );
    img.compress().unwrap();
    let r = run(
        &d,
        "logo.pdf",
        &pdf(Some(img), "q 100 0 0 100 50 700 cm /Im0 Do Q", |_, _| {}),
    );
    assert_eq!(r.verdict, Status::Failed, "{r:#?}");
    assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
    assert_check(
        &r,
        "pdf-image",
        Some(1),
        Status::Failed,
        "images cover 2% of the page",
    );
}

#[test]
fn image_inside_a_form_xobject_is_found_with_the_form_matrix() {
    let d = Dir::new();
    let bytes = pdf(None, "/Fm0 Do", |doc, _| {
        let image = doc.add_object(jpeg_image(300));
        let form = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 1.into(), 1.into()],
                "Matrix" => vec![Object::Real(595.28), 0.into(), 0.into(), Object::Real(841.89), 0.into(), 0.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image } },
            },
            b"/Im0 Do".to_vec(),
        ));
        // The catalog is not in the trailer yet: find the page by its type.
        let page = doc
            .objects
            .values_mut()
            .filter_map(|o| o.as_dict_mut().ok())
            .find(|d| d.get(b"Type").and_then(Object::as_name).ok() == Some(b"Page"))
            .unwrap();
        page.set(
            "Resources",
            dictionary! { "XObject" => dictionary! { "Fm0" => form } },
        );
    });
    let r = run(&d, "form.pdf", &bytes);
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
}

#[test]
fn one_bit_page_is_bilevel_and_fails_the_colour_rule() {
    let d = Dir::new();
    let (w, h) = a4_px(300);
    let row = (w as usize).div_ceil(8);
    // 1 = white, 0 = black (DeviceGray); a black band across the middle rows.
    let mut bits = vec![0xFFu8; row * h as usize];
    for y in (h / 2) as usize..(h / 2 + 20) as usize {
        bits[y * row..(y + 1) * row].fill(0);
    }
    let mut img = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1,
        },
        bits,
    );
    img.compress().unwrap();
    let r = run(&d, "bw.pdf", &pdf(Some(img), DRAW, |_, _| {}));
    assert_eq!(r.verdict, Status::Failed, "{r:#?}");
    assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
    assert_check(&r, "colour", Some(1), Status::Failed, "bilevel 1-bit");
    assert_check(&r, "blank-page", Some(1), Status::Passed, "ink on");
}

#[test]
fn launch_action_and_external_file_are_reported() {
    let d = Dir::new();
    let bytes = pdf(Some(jpeg_image(300)), DRAW, |doc, catalog| {
        let launch = doc.add_object(dictionary! {
            "S" => "Launch",
            "F" => dictionary! { "Type" => "Filespec", "F" => Object::string_literal("other.exe") },
        });
        catalog.set("OpenAction", launch);
    });
    let r = run(&d, "launch.pdf", &bytes);
    assert_check(&r, "pdfa", None, Status::Warning, "/Launch action");
    assert_check(
        &r,
        "pdfa",
        None,
        Status::Warning,
        "external file specification",
    );
    assert_check(
        &r,
        "pdfa",
        None,
        Status::Warning,
        "markers hold: no fonts, no JavaScript",
    );
}

#[test]
fn pdf_and_xmp_dates_parse() {
    use hozon_scan::pdf::{parse_pdf_date, parse_xmp_date};
    use time::macros::datetime;
    assert_eq!(
        parse_pdf_date("D:20261125143000-05'30'"),
        Some((datetime!(2026-11-25 20:00:00 UTC), false))
    );
    assert_eq!(
        parse_pdf_date("D:20261125Z"),
        Some((datetime!(2026-11-25 00:00:00 UTC), false))
    );
    assert_eq!(
        parse_pdf_date("D:20261125143000"),
        Some((datetime!(2026-11-25 14:30:00 UTC), true))
    );
    assert_eq!(parse_pdf_date("D:20261345"), None);
    assert_eq!(parse_pdf_date("D:2026112"), None);
    assert_eq!(parse_pdf_date("yesterday"), None);
    assert_eq!(
        parse_xmp_date("2026-11-20T09:30:00.25-05:00"),
        Some((datetime!(2026-11-20 14:30:00 UTC), false))
    );
    assert_eq!(
        parse_xmp_date("2026-11-20"),
        Some((datetime!(2026-11-20 00:00:00 UTC), true))
    );
}

/// Runs `qpdf` on `input` with `args`; `None` (the test is skipped) if qpdf is not installed and
/// the test runs alone, a failure under scripts/test (`HOZON_REQUIRE_TOOLS`).
fn qpdf(d: &Dir, input: &[u8], args: &[&str]) -> Option<Vec<u8>> {
    let qpdf = hozon_testkit::tool("qpdf", "qpdf")?;
    let src = d.write("qpdf-in.pdf", input);
    let dst = d.0.path().join("qpdf-out.pdf");
    let status = std::process::Command::new(qpdf)
        .args(args)
        .arg(&src)
        .arg(&dst)
        .status()
        .unwrap();
    // qpdf exits 3 for warnings, with the output written.
    assert!(
        matches!(status.code(), Some(0 | 3)),
        "qpdf {args:?}: {status}"
    );
    Some(fs::read(dst).unwrap())
}

#[test]
fn qpdf_object_streams_and_linearization_still_pass() {
    let d = Dir::new();
    let base = pdf(Some(jpeg_image(300)), DRAW, |_, _| {});
    let Some(rewritten) = qpdf(&d, &base, &["--object-streams=generate", "--linearize"]) else {
        return;
    };
    assert!(
        rewritten.windows(7).any(|w| w == b"/ObjStm"),
        "qpdf wrote no object stream"
    );
    let r = run(&d, "qpdf.pdf", &rewritten);
    assert_eq!(r.verdict, Status::Passed, "{r:#?}");
    assert_check(&r, "resolution", Some(1), Status::Passed, "300x300 dpi");
}

#[test]
fn qpdf_encrypted_pdfs_fail_even_with_an_empty_user_password() {
    let d = Dir::new();
    let base = pdf(Some(flate_grey_image(150, false)), DRAW, |_, _| {});
    for user in ["secret", ""] {
        let Some(enc) = qpdf(&d, &base, &["--encrypt", user, "owner", "256", "--"]) else {
            return;
        };
        let r = run(&d, "qpdf-enc.pdf", &enc);
        assert_eq!(r.verdict, Status::Failed, "{r:#?}");
        assert_check(
            &r,
            "decode",
            Some(1),
            Status::Failed,
            "encrypted: not readable for the retention period",
        );
        assert!(creation_date(&d.write("qpdf-enc2.pdf", &enc)).is_err());
    }
}

#[test]
fn hostile_image_sizes_fail_without_allocating() {
    let d = Dir::new();
    for (w, h, reason) in [
        (
            100_000i64,
            100_000i64,
            "more than the limit of 600000000 pixels",
        ),
        (0, 100, "/Width 0 is not a size"),
        (-5, 100, "/Width -5 is not a size"),
    ] {
        let mut img = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            vec![0u8; 100],
        );
        img.compress().unwrap();
        let r = run(&d, "huge.pdf", &pdf(Some(img), DRAW, |_, _| {}));
        assert_eq!(r.verdict, Status::Failed);
        assert_check(&r, "decode", Some(1), Status::Failed, reason);
    }
}

/// The scan time of a PDF for the authenticity check is its CreationDate;
/// a date without a zone is Japan time (as TIFF and EXIF times are).
#[test]
fn pdf_creation_date_is_the_scan_time() {
    use hozon_scan::authenticity::{scan_time, ScanTimeSource};
    let d = Dir::new();
    for (raw, expected) in [
        ("D:20261125143000+09'00'", "2026-11-25T05:30:00Z"),
        ("D:20261125143000", "2026-11-25T05:30:00Z"),
        ("D:20261125053000Z", "2026-11-25T05:30:00Z"),
    ] {
        let bytes = pdf(Some(flate_grey_image(150, false)), DRAW, |doc, _| {
            let info = doc.add_object(dictionary! {
                "CreationDate" => Object::string_literal(raw),
            });
            doc.trailer.set("Info", info);
        });
        let path = d.write("dated.pdf", &bytes);
        let (at, source) = scan_time(&path, hozon_scan::Format::Pdf).unwrap();
        assert_eq!(source, ScanTimeSource::PdfCreationDate, "{raw}");
        assert_eq!(at.rfc3339(), expected, "{raw}");
    }
    // No date: the file's modification time, and the report says so.
    let path = d.write(
        "undated.pdf",
        &pdf(Some(flate_grey_image(150, false)), DRAW, |_, _| {}),
    );
    let (_, source) = scan_time(&path, hozon_scan::Format::Pdf).unwrap();
    assert_eq!(source, ScanTimeSource::Mtime);
}
