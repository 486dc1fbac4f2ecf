//! PDF scans built here with lopdf: A4 pages (595.28x841.89 pt) carrying one page image drawn
//! over the whole page, so the image's pixels over 8.27x11.69 in give its dpi.

use std::fs;
use std::io::Cursor;
use std::path::PathBuf;

use hozon_scan::pdf::{creation_date, DateSource};
use hozon_scan::{check_file, FileReport, Policy, Standard, Status};
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
    assert_eq!(r.format, "PDF", "{r:#?}");
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
fn ccitt_image_is_not_checked_and_fails() {
    let d = Dir::new();
    let (w, h) = a4_px(300);
    let img = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1, "Filter" => "CCITTFaxDecode",
        },
        vec![0u8; 64],
    );
    let r = run(&d, "g4.pdf", &pdf(Some(img), DRAW, |_, _| {}));
    assert_eq!(r.verdict, Status::Failed);
    assert_check(
        &r,
        "decode",
        Some(1),
        Status::Failed,
        "cannot decode CCITTFaxDecode: not checked",
    );
    assert!(!r
        .checks
        .iter()
        .any(|c| c.check == "resolution" && c.status == Status::Passed));
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

/// Runs `qpdf` on `input` with `args`; `None` (the test is skipped) if qpdf is not installed.
fn qpdf(d: &Dir, input: &[u8], args: &[&str]) -> Option<Vec<u8>> {
    let src = d.write("qpdf-in.pdf", input);
    let dst = d.0.path().join("qpdf-out.pdf");
    let status = match std::process::Command::new("qpdf")
        .args(args)
        .arg(&src)
        .arg(&dst)
        .status()
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("qpdf not run ({e}); skipping the qpdf interop case");
            return None;
        }
    };
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
