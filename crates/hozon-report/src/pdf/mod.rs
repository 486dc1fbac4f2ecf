//! The PDF report: laid out by [`layout`], written by krilla as PDF/A-2b
//! (fonts embedded as subsets, XMP metadata with pdfaid, an sRGB
//! OutputIntent — krilla checks the PDF/A rules it can when exporting).

mod content;
mod layout;

use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::destination::{Destination, XyzDestination};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use hozon_i18n::Catalog;

use crate::model::Model;
use crate::{ReportError, ReportFont};
use layout::{Ink, Layout, Metrics, Op, MARGIN_X, PAGE_H, PAGE_W};

/// Renders `model` as a PDF/A-2b document.
pub(crate) fn render(
    model: &Model,
    cat: &Catalog,
    font: &ReportFont,
) -> Result<Vec<u8>, ReportError> {
    let face =
        skrifa::FontRef::from_index(&font.data, font.index).map_err(|e| ReportError::BadFont {
            path: font.path().to_path_buf(),
            reason: e.to_string(),
        })?;
    let mut layout = Layout::new(Metrics::new(face));
    let outline_entries = content::lay_out(model, cat, &mut layout);
    let pdf_font =
        Font::new(font.data.clone().into(), font.index).ok_or_else(|| ReportError::BadFont {
            path: font.path().to_path_buf(),
            reason: "krilla cannot read it".into(),
        })?;
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        enable_tagging: false,
        ..SerializeSettings::default()
    });
    let title = model.title.clone();
    let header = layout.metrics.printable(&format!(
        "{title} — {}: {}",
        cat.text("report-validation-time"),
        model.validation_time
    ));
    let pages = std::mem::take(&mut layout.pages);
    let total = pages.len();
    for (n, ops) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| ReportError::Pdf("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut links = Vec::new();
        {
            let mut surface = page.surface();
            let text = |s: &mut Surface<'_>, x: f32, y: f32, size: f32, ink: Ink, t: &str| {
                let (r, g, b) = ink.rgb();
                s.set_fill(Some(Fill {
                    paint: rgb::Color::new(r, g, b).into(),
                    ..Fill::default()
                }));
                s.draw_text(
                    Point::from_xy(x, y),
                    pdf_font.clone(),
                    size,
                    t,
                    false,
                    TextDirection::Auto,
                );
            };
            // The running header and the page number.
            text(&mut surface, MARGIN_X, 36.0, 8.0, Ink::Grey, &header);
            rule(&mut surface, MARGIN_X, PAGE_W - MARGIN_X, 42.0, 0.5);
            let number = format!(
                "{} / {total}",
                cat.text_with("report-page", &[("page", &(n + 1).to_string())])
            );
            let w = layout.metrics.width(&number, 8.0);
            text(
                &mut surface,
                (PAGE_W - w) / 2.0,
                PAGE_H - 30.0,
                8.0,
                Ink::Grey,
                &number,
            );
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        ink,
                        text: t,
                    } => text(&mut surface, *x, *y, *size, *ink, t),
                    Op::Rule { x1, x2, y, width } => rule(&mut surface, *x1, *x2, *y, *width),
                    Op::PageRef { x, y, size, target } => {
                        if let Some((p, _)) = layout.anchors.get(target) {
                            let s = (p + 1).to_string();
                            let w = layout.metrics.width(&s, *size);
                            text(&mut surface, x - w, *y, *size, Ink::Black, &s);
                        }
                    }
                    Op::Link { x, y, w, h, target } => {
                        if let (Some(&(p, ty)), Some(rect)) =
                            (layout.anchors.get(target), Rect::from_xywh(*x, *y, *w, *h))
                        {
                            links.push((rect, p, ty));
                        }
                    }
                }
            }
            surface.finish();
        }
        for (rect, p, ty) in links {
            page.add_annotation(Annotation::new_link(
                LinkAnnotation::new(
                    rect,
                    Target::Destination(Destination::Xyz(XyzDestination::new(
                        p,
                        Point::from_xy(0.0, (ty - 20.0).max(0.0)),
                    ))),
                ),
                None,
            ));
        }
        page.finish();
    }
    let mut outline = Outline::new();
    for (title, anchor, children) in outline_entries {
        let Some(&(p, y)) = layout.anchors.get(&anchor) else {
            continue;
        };
        let mut node = OutlineNode::new(
            title,
            XyzDestination::new(p, Point::from_xy(0.0, (y - 20.0).max(0.0))),
        );
        for (t, a) in children {
            if let Some(&(p, y)) = layout.anchors.get(&a) {
                node.push_child(OutlineNode::new(
                    t,
                    XyzDestination::new(p, Point::from_xy(0.0, (y - 20.0).max(0.0))),
                ));
            }
        }
        outline.push_child(node);
    }
    document.set_outline(outline);
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language(cat.lang().code().to_owned())
            .creator(format!("hozon {}", model.meta.hozon_version))
            .producer(format!("hozon {} (krilla)", model.meta.hozon_version))
            .creation_date(pdf_date(&model.meta.generated_at)),
    );
    document
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

fn rule(surface: &mut Surface<'_>, x1: f32, x2: f32, y: f32, width: f32) {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y);
    pb.line_to(x2, y);
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(120, 120, 120).into(),
            width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// The document date from an RFC 3339 time (UTC): `2026-12-07T05:00:00Z`.
fn pdf_date(rfc3339: &str) -> krilla::metadata::DateTime {
    let num = |r: std::ops::Range<usize>| rfc3339.get(r).and_then(|s| s.parse::<u16>().ok());
    let byte = |r: std::ops::Range<usize>| num(r).and_then(|n| u8::try_from(n).ok()).unwrap_or(0);
    krilla::metadata::DateTime::new(num(0..4).unwrap_or(2000))
        .month(byte(5..7).max(1))
        .day(byte(8..10).max(1))
        .hour(byte(11..13))
        .minute(byte(14..16))
        .second(byte(17..19))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}
