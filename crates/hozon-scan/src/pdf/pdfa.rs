//! PDF/A markers (XMP pdfaid, OutputIntents, embedded fonts, no JavaScript,
//! no external references), reported as the `pdfa` check: which hold, never
//! a claim of PDF/A validation.

use lopdf::{Dictionary, Document, Object};

use super::{deref, MAX_AUX_STREAM, MAX_MARKER_VISITS};
use crate::report::{Check, CheckName, Standard, Status};

/// The catalog's XMP metadata packet as text, if any.
pub(super) fn xmp(doc: &Document) -> Option<String> {
    let catalog = doc.catalog().ok()?;
    let stream = deref(doc, catalog.get(b"Metadata").ok()?)?
        .as_stream()
        .ok()?;
    let bytes = if stream.dict.get(b"Filter").is_err() {
        stream.content.clone()
    } else {
        stream
            .decompressed_content_with_limit(MAX_AUX_STREAM)
            .ok()?
    };
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The value of an XMP property written either as an attribute (`pdfaid:part="2"`) or as an
/// element (`<pdfaid:part>2</pdfaid:part>`).
pub(super) fn xmp_value(xmp: &str, property: &str) -> Option<String> {
    let attr = format!("{property}=");
    if let Some(at) = xmp.find(&attr) {
        let rest = &xmp[at + attr.len()..];
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let rest = &rest[1..];
        return rest.find(quote).map(|end| rest[..end].trim().to_string());
    }
    let open = format!("<{property}>");
    let at = xmp.find(&open)?;
    let rest = &xmp[at + open.len()..];
    let end = rest.find(&format!("</{property}>"))?;
    Some(rest[..end].trim().to_string())
}

/// What the PDF/A marker scan found.
#[derive(Default)]
struct Markers {
    fonts: usize,
    fonts_not_embedded: usize,
    javascript: bool,
    external: Vec<&'static str>,
    visits: usize,
    truncated: bool,
}

fn font_embedded(doc: &Document, font: &Dictionary) -> bool {
    let subtype = font
        .get(b"Subtype")
        .and_then(Object::as_name)
        .unwrap_or(b"");
    if subtype == b"Type3" {
        return true; // glyphs are content streams inside the font
    }
    if subtype == b"Type0" {
        return font
            .get(b"DescendantFonts")
            .ok()
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok())
            .is_some_and(|d| font_embedded(doc, d));
    }
    font.get(b"FontDescriptor")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
        .is_some_and(|fd| {
            [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                .iter()
                .any(|k| fd.get(k).is_ok())
        })
}

fn scan_dict(doc: &Document, d: &Dictionary, is_stream: bool, m: &mut Markers, depth: usize) {
    let name = |key: &[u8]| d.get(key).and_then(Object::as_name).ok();
    if name(b"Type") == Some(b"Font") && !is_stream {
        m.fonts += 1;
        if !font_embedded(doc, d) {
            m.fonts_not_embedded += 1;
        }
    }
    if d.get(b"JS").is_ok() || d.get(b"JavaScript").is_ok() || name(b"S") == Some(b"JavaScript") {
        m.javascript = true;
    }
    let external = match name(b"S") {
        Some(b"Launch") => Some("/Launch action"),
        Some(b"URI") => Some("/URI action"),
        Some(b"GoToR") | Some(b"GoToE") => Some("remote go-to action"),
        Some(b"ImportData") | Some(b"SubmitForm") => Some("form data action"),
        _ => None,
    };
    if let Some(e) = external {
        if !m.external.contains(&e) {
            m.external.push(e);
        }
    }
    let external_file = if is_stream {
        d.get(b"F").is_ok() // stream data in an external file (ISO 32000-1 7.3.8.2)
    } else {
        name(b"Type") == Some(b"Filespec") && d.get(b"EF").is_err()
    };
    if external_file && !m.external.contains(&"external file specification") {
        m.external.push("external file specification");
    }
    for (_, v) in d.iter() {
        scan_object(doc, v, m, depth + 1);
    }
}

fn scan_object(doc: &Document, o: &Object, m: &mut Markers, depth: usize) {
    m.visits += 1;
    if m.visits > MAX_MARKER_VISITS || depth > 64 {
        m.truncated = true;
        return;
    }
    match o {
        Object::Dictionary(d) => scan_dict(doc, d, false, m, depth),
        Object::Stream(s) => scan_dict(doc, &s.dict, true, m, depth),
        Object::Array(a) => a.iter().for_each(|v| scan_object(doc, v, m, depth + 1)),
        _ => {}
    }
}

pub(super) fn pdfa_check(doc: &Document) -> Check {
    let mut holds = Vec::new();
    let mut missing = Vec::new();
    let xmp = xmp(doc);
    let part = xmp.as_deref().and_then(|x| xmp_value(x, "pdfaid:part"));
    let conformance = xmp
        .as_deref()
        .and_then(|x| xmp_value(x, "pdfaid:conformance"));
    match (&part, &conformance) {
        (Some(p), Some(c)) => holds.push(format!("XMP identifies PDF/A-{p}{}", c.to_lowercase())),
        (Some(p), None) => {
            missing.push(format!("XMP has pdfaid:part {p} but no pdfaid:conformance"))
        }
        _ if xmp.is_none() => missing.push("no XMP metadata (no pdfaid identification)".into()),
        _ => missing.push("XMP has no pdfaid:part".into()),
    }
    let intents = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"OutputIntents").ok())
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_array().ok())
        .map_or(0, Vec::len);
    if intents > 0 {
        holds.push(format!("{intents} OutputIntent(s)"));
    } else {
        missing.push("no OutputIntents".into());
    }
    let mut m = Markers::default();
    for object in doc.objects.values() {
        scan_object(doc, object, &mut m, 0);
    }
    if m.fonts_not_embedded > 0 {
        missing.push(format!(
            "{} of {} font(s) not embedded",
            m.fonts_not_embedded, m.fonts
        ));
    } else if m.fonts == 0 {
        holds.push("no fonts".into());
    } else {
        holds.push(format!("all {} font(s) embedded", m.fonts));
    }
    if m.javascript {
        missing.push("JavaScript present".into());
    } else {
        holds.push("no JavaScript".into());
    }
    if m.external.is_empty() {
        holds.push("no external references".into());
    } else {
        missing.push(format!("external references: {}", m.external.join(", ")));
    }
    if m.truncated {
        missing.push("marker scan stopped early (file too large or deeply nested)".into());
    }
    let status = if missing.is_empty() {
        Status::Passed
    } else {
        Status::Warning
    };
    let mut detail = format!("markers hold: {}", holds.join(", "));
    if !missing.is_empty() {
        detail.push_str(&format!("; missing: {}", missing.join(", ")));
    }
    detail.push_str(" (PDF/A markers only, not a PDF/A validation)");
    Check::new(
        Standard::Preservability,
        CheckName::Pdfa,
        status,
        None,
        detail,
    )
}
