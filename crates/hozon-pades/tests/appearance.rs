//! The visible signature stamp as objects: the widget on the chosen page
//! with its rectangle, `/F 4` and `/AP /N`, a Form XObject whose resources
//! bring the Japanese font embedded as a subset (Type0, CIDFontType2,
//! FontFile2, ToUnicode naming the kanji), the page's `/Annots`, a
//! `/Matrix` on a turned page; and the placements refused (no such page, a
//! rectangle off the page or too small), each a usage error.

use std::path::PathBuf;
use std::sync::Arc;

use hozon_cms::UnixTime;
use hozon_pades::appearance::{
    Corner, PageChoice, Position, Rectangle, Stamp, StampError, StampFont, StampLine,
};
use hozon_pades::lexer::{Dict, Object};
use hozon_pades::pdf::decode_stream;
use hozon_pades::prepare::{prepare, FieldRequest};
use hozon_pades::signature::Kind;
use hozon_pades::{diff, Error, Pdf};
use hozon_sign::{AlgorithmChoice, CadesSigner, SecretSource, SoftwareSigner};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/pki")
        .join(name)
}

fn signer() -> CadesSigner {
    let s = SoftwareSigner::from_pem_files(
        &pki("signer-doctor.key"),
        &pki("signer-doctor.crt"),
        Some(&pki("signing-ca.crt")),
        &SecretSource::Env("HOZON_TEST_NO_PASSWORD".into()),
        AlgorithmChoice::default(),
    )
    .expect("signer");
    CadesSigner::new(Arc::new(s)).expect("cades signer")
}

/// The stamp font, or `None` (skipped; a failure under HOZON_REQUIRE_TOOLS).
fn font() -> Option<StampFont> {
    match StampFont::find(
        std::env::var_os("HOZON_FONT")
            .as_deref()
            .map(PathBuf::from)
            .as_deref(),
    ) {
        Ok(f) => Some(f),
        Err(e) if hozon_testkit::tools_required() => panic!("{e}"),
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}

/// A PDF whose pages have the dictionaries' extra entries `pages`; the
/// page tree node has `tree` (e.g. an inherited /MediaBox).
fn pdf(tree: &str, pages: &[&str]) -> Vec<u8> {
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 3 + i)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} {tree} >>",
            kids.join(" ")
        ),
    ];
    for p in pages {
        objects.push(format!("<< /Type /Page /Parent 2 0 R {p} >>"));
    }
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f\r\n", n + 3).as_bytes());
    for off in &offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            n + 3
        )
        .as_bytes(),
    );
    out
}

const A4: &str = "/MediaBox [0 0 595 842]";

fn stamp(font: StampFont, page: PageChoice, position: Position) -> Stamp {
    Stamp {
        page,
        position,
        lines: vec![
            StampLine::Name,
            StampLine::Role,
            StampLine::Time,
            StampLine::Reason,
        ],
        reason: Some("退院時要約の確認".into()),
        font,
    }
}

/// 2026-12-07T05:33:35Z.
const TIME: UnixTime = UnixTime(1_796_621_615);

/// `bytes` with an unsigned signature field carrying `stamp`'s appearance:
/// the result read back.
fn stamped(bytes: &[u8], stamp: &Stamp) -> Result<Pdf, Error> {
    let pdf = Pdf::parse(bytes.to_vec())?;
    let cades = signer();
    let appearance = stamp.appearance(&pdf, cades.signer().certificate(), TIME)?;
    let prepared = prepare(
        &pdf,
        &FieldRequest {
            kind: Kind::Signature,
            reserve: 16,
            time: TIME,
            reason: stamp.reason.as_deref(),
            appearance: Some(&appearance),
        },
    )?;
    let update = prepared.fill(&[0x30, 0x00])?;
    Pdf::parse([bytes, &update].concat())
}

fn last(pdf: &Pdf) -> usize {
    pdf.revisions.len() - 1
}

fn get(pdf: &Pdf, o: &Object) -> Object {
    pdf.resolve(last(pdf), o)
        .expect("readable")
        .expect("present")
}

fn dict(o: &Object) -> &Dict {
    o.dict().expect("a dictionary")
}

fn real(o: &Object) -> f32 {
    match o {
        Object::Int(i) => *i as f32,
        Object::Real(r) => std::str::from_utf8(r).unwrap().parse().unwrap(),
        other => panic!("not a number: {other:?}"),
    }
}

/// The one widget on page object `page`.
fn widget(pdf: &Pdf, page: u32) -> Object {
    let page = pdf.object(last(pdf), page).unwrap().unwrap();
    let annots = dict(&page).get(b"Annots").expect("/Annots").clone();
    let Object::Array(items) = annots else {
        panic!("/Annots is not an array")
    };
    assert_eq!(items.len(), 1);
    get(pdf, &items[0])
}

#[test]
fn the_widget_carries_the_stamp_as_a_form_xobject_with_a_font_subset() {
    let Some(font) = font() else { return };
    let bytes = pdf(A4, &["", ""]);
    let rect = Rectangle::new(300.0, 100.0, 520.0, 180.0);
    let s = stamp(font, PageChoice::Number(2), Position::Rect(rect));
    let out = stamped(&bytes, &s).expect("stamped");
    // The widget is on page 2 (object 4), not page 1.
    assert!(dict(&out.object(last(&out), 3).unwrap().unwrap())
        .get(b"Annots")
        .is_none());
    let w = widget(&out, 4);
    let w = dict(&w);
    assert_eq!(w.name(b"Subtype"), Some(&b"Widget"[..]));
    assert_eq!(w.name(b"FT"), Some(&b"Sig"[..]));
    assert_eq!(w.int(b"F"), Some(4), "print, and not hidden or locked");
    assert_eq!(w.get(b"P"), Some(&Object::Ref(4, 0)));
    let Some(Object::Array(r)) = w.get(b"Rect") else {
        panic!("/Rect")
    };
    assert_eq!(
        r.iter().map(real).collect::<Vec<_>>(),
        [300.0, 100.0, 520.0, 180.0]
    );
    // The signature dictionary names the reason (UTF-16BE, with its BOM).
    let v = get(&out, w.get(b"V").unwrap());
    let Some(Object::Str(reason)) = dict(&v).get(b"Reason") else {
        panic!("/Reason")
    };
    assert_eq!(reason[..2], [0xFE, 0xFF]);
    let units: Vec<u16> = reason[2..]
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(String::from_utf16(&units).unwrap(), "退院時要約の確認");

    // /AP /N: a Form XObject as large as the rectangle.
    let ap = dict(w.get(b"AP").expect("/AP")).clone();
    let form = get(&out, ap.get(b"N").expect("/N"));
    let Object::Stream(fd, data) = &form else {
        panic!("/N is not a stream")
    };
    assert_eq!(fd.name(b"Type"), Some(&b"XObject"[..]));
    assert_eq!(fd.name(b"Subtype"), Some(&b"Form"[..]));
    let Some(Object::Array(bbox)) = fd.get(b"BBox") else {
        panic!("/BBox")
    };
    assert_eq!(
        bbox.iter().map(real).collect::<Vec<_>>(),
        [0.0, 0.0, 220.0, 80.0]
    );
    assert!(fd.get(b"Matrix").is_none(), "an upright page needs none");
    let content = String::from_utf8_lossy(&decode_stream(fd, data).unwrap()).into_owned();
    assert!(
        content.contains(" Tf") && content.contains("TJ"),
        "{content}"
    );

    // Its font: Type0 over a CIDFontType2 subset with FontFile2, and a
    // ToUnicode CMap naming 山 (U+5C71) and 田 (U+7530).
    let resources = get(&out, fd.get(b"Resources").expect("/Resources"));
    let fonts = get(&out, dict(&resources).get(b"Font").expect("/Font"));
    let fonts = dict(&fonts);
    assert_eq!(fonts.entries.len(), 1);
    let type0 = get(&out, &fonts.entries[0].1);
    let type0 = dict(&type0);
    assert_eq!(type0.name(b"Subtype"), Some(&b"Type0"[..]));
    let base = String::from_utf8_lossy(type0.name(b"BaseFont").unwrap()).into_owned();
    let (tag, name) = base.split_once('+').expect("a subset tag");
    assert!(tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()));
    assert!(name.starts_with("IPA"), "{base}");
    let Some(Object::Array(kids)) = type0.get(b"DescendantFonts") else {
        panic!("/DescendantFonts")
    };
    let cid = get(&out, &kids[0]);
    assert_eq!(dict(&cid).name(b"Subtype"), Some(&b"CIDFontType2"[..]));
    let descriptor = get(&out, dict(&cid).get(b"FontDescriptor").unwrap());
    let file = get(
        &out,
        dict(&descriptor).get(b"FontFile2").expect("/FontFile2"),
    );
    let Object::Stream(ffd, raw) = &file else {
        panic!("FontFile2 is not a stream")
    };
    let program = decode_stream(ffd, raw).unwrap();
    // A subset: far smaller than IPAex Gothic's 6 MB.
    assert!(program.len() < 200_000, "{} bytes", program.len());
    let to_unicode = get(&out, type0.get(b"ToUnicode").expect("/ToUnicode"));
    let Object::Stream(td, raw) = &to_unicode else {
        panic!("ToUnicode is not a stream")
    };
    let cmap = String::from_utf8_lossy(&decode_stream(td, raw).unwrap()).to_uppercase();
    assert!(cmap.contains("5C71") && cmap.contains("7530"), "{cmap}");

    // Everything the stamp added is what a signature may add.
    let changes = diff::analyse(&out, 0, None);
    assert!(changes.iter().all(|c| c.allowed), "{changes:?}");
}

#[test]
fn a_turned_page_gets_the_matrix_that_sets_the_stamp_upright() {
    let Some(font) = font() else { return };
    // /Rotate and /MediaBox inherited from the page tree.
    let bytes = pdf("/MediaBox [0 0 595 842] /Rotate 90", &[""]);
    let s = stamp(
        font,
        PageChoice::Last,
        Position::Corner(Corner::BottomRight),
    );
    let out = stamped(&bytes, &s).expect("stamped");
    let w = widget(&out, 3);
    let Some(Object::Array(r)) = dict(&w).get(b"Rect") else {
        panic!("/Rect")
    };
    // Displayed bottom right of a page turned clockwise: the page's bottom
    // right corner is displayed at the bottom left, its top right at the
    // bottom right.
    assert_eq!(
        r.iter().map(real).collect::<Vec<_>>(),
        [499.0, 606.0, 559.0, 806.0]
    );
    let ap = dict(dict(&w).get(b"AP").unwrap()).clone();
    let form = get(&out, ap.get(b"N").unwrap());
    let Some(Object::Array(m)) = dict(&form).get(b"Matrix") else {
        panic!("/Matrix")
    };
    assert_eq!(
        m.iter().map(real).collect::<Vec<_>>(),
        [0.0, 1.0, -1.0, 0.0, 0.0, 0.0]
    );
    let Some(Object::Array(bbox)) = dict(&form).get(b"BBox") else {
        panic!("/BBox")
    };
    // The stamp as displayed: 200 wide, 60 high.
    assert_eq!(
        bbox.iter().map(real).collect::<Vec<_>>(),
        [0.0, 0.0, 200.0, 60.0]
    );
}

fn refused(bytes: &[u8], page: PageChoice, position: Position) -> StampError {
    let font = font().expect("font");
    match stamped(bytes, &stamp(font, page, position)) {
        Err(Error::Stamp(e)) => {
            assert!(e.is_usage(), "{e}");
            e
        }
        Err(other) => panic!("not a stamp error: {other}"),
        Ok(_) => panic!("accepted"),
    }
}

#[test]
fn a_page_the_document_lacks_is_refused() {
    if font().is_none() {
        return;
    }
    let bytes = pdf(A4, &["", ""]);
    let corner = Position::Corner(Corner::BottomRight);
    let e = refused(&bytes, PageChoice::Number(3), corner);
    assert!(matches!(e, StampError::NoSuchPage { pages: 2, .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "the stamp cannot go on page 3: the document has 2 page(s)"
    );
    let e = refused(&bytes, PageChoice::Number(0), corner);
    assert!(matches!(e, StampError::NoSuchPage { .. }), "{e}");
}

#[test]
fn a_rectangle_off_the_page_is_refused() {
    if font().is_none() {
        return;
    }
    let bytes = pdf(A4, &[""]);
    let e = refused(
        &bytes,
        PageChoice::Number(1),
        Position::Rect(Rectangle::new(500.0, 10.0, 700.0, 70.0)),
    );
    assert!(matches!(e, StampError::OffPage { page: 1, .. }), "{e}");
    assert!(e.to_string().contains("[0 0 595 842]"), "{e}");
}

#[test]
fn a_rectangle_outside_the_crop_box_is_refused() {
    if font().is_none() {
        return;
    }
    // Within the media box, outside the crop box: not shown, so refused.
    let bytes = pdf(A4, &["/CropBox [50 50 545 792]"]);
    let e = refused(
        &bytes,
        PageChoice::Number(1),
        Position::Rect(Rectangle::new(10.0, 10.0, 210.0, 70.0)),
    );
    assert!(matches!(e, StampError::OffPage { .. }), "{e}");
}

#[test]
fn a_rectangle_too_small_for_the_lines_is_refused() {
    if font().is_none() {
        return;
    }
    let bytes = pdf(A4, &[""]);
    let e = refused(
        &bytes,
        PageChoice::Number(1),
        Position::Rect(Rectangle::new(100.0, 100.0, 160.0, 110.0)),
    );
    assert!(matches!(e, StampError::TooSmall { lines: 4, .. }), "{e}");
    let e = refused(
        &bytes,
        PageChoice::Number(1),
        Position::Rect(Rectangle::new(100.0, 100.0, 100.0, 160.0)),
    );
    assert!(matches!(e, StampError::EmptyRect { .. }), "{e}");
}

#[test]
fn the_lines_name_the_signer_role_time_and_reason() {
    let Some(font) = font() else { return };
    let s = stamp(font, PageChoice::Last, Position::Corner(Corner::TopLeft));
    let cades = signer();
    assert_eq!(
        s.text(cades.signer().certificate(), TIME),
        [
            "署名者: 山田 太郎",
            "資格: Medical Doctor",
            "署名日時: 2026-12-07 14:33:35 JST",
            "理由: 退院時要約の確認",
        ]
    );
    // No reason given: no reason line.
    let s = Stamp { reason: None, ..s };
    assert_eq!(s.text(cades.signer().certificate(), TIME).len(), 3);
}

#[test]
fn a_stamp_with_nothing_to_show_is_refused() {
    let Some(font) = font() else { return };
    let bytes = pdf(A4, &[""]);
    // Only the reason line, and no reason.
    let s = Stamp {
        lines: vec![StampLine::Reason],
        reason: None,
        ..stamp(
            font,
            PageChoice::Number(1),
            Position::Corner(Corner::BottomLeft),
        )
    };
    match stamped(&bytes, &s) {
        Err(Error::Stamp(e @ StampError::NoLines)) => assert!(e.is_usage()),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("an empty stamp was drawn"),
    }
}
