//! The stamp drawn by krilla as a one-page PDF as large as the stamp: a
//! thin frame and the lines of text, at the largest size (up to
//! [`MAX_SIZE`]) at which every line fits, in the Japanese font embedded as
//! a subset. [`super::import`] then carries the page into the signed PDF.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

use super::{StampError, StampFont};

/// The largest text size, in points.
pub const MAX_SIZE: f32 = 12.0;
/// The smallest text size that is still legible on paper, in points.
pub const MIN_SIZE: f32 = 5.0;
/// Line height as a multiple of the text size.
const LEADING: f32 = 1.3;
/// The margin inside the frame, as a multiple of the text size.
const PADDING: f32 = 0.6;
/// The frame's line width, in points.
const FRAME: f32 = 0.75;

/// The width of each character in em, `None` for one the font lacks.
struct Metrics<'a> {
    face: skrifa::FontRef<'a>,
    upem: f32,
}

impl<'a> Metrics<'a> {
    fn new(face: skrifa::FontRef<'a>) -> Metrics<'a> {
        let upem = f32::from(
            face.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em
                .max(1),
        );
        Metrics { face, upem }
    }

    fn advance(&self, c: char) -> Option<f32> {
        let gid = self.face.charmap().map(c)?;
        self.face
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(gid)
            .map(|w| w / self.upem)
    }

    /// `text` with control characters as spaces and characters the font
    /// cannot show as `?` (no .notdef box in a signed document).
    fn printable(&self, text: &str) -> String {
        text.chars()
            .map(|c| match c {
                c if c.is_control() => ' ',
                c if self.advance(c).is_some() => c,
                _ => '?',
            })
            .collect()
    }

    /// The width of `text` in em.
    fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c).unwrap_or(1.0)).sum()
    }
}

/// The text size at which `lines` (widths in em) fit a `w` × `h` box with
/// the padding, at most [`MAX_SIZE`]; `None` below [`MIN_SIZE`].
pub fn fit(widths: &[f32], w: f32, h: f32) -> Option<f32> {
    let n = widths.len().max(1) as f32;
    // Height: n lines plus the padding above and below.
    let by_height = h / (n * LEADING + 2.0 * PADDING);
    let widest = widths.iter().copied().fold(0.0f32, f32::max);
    let by_width = if widest > 0.0 {
        w / (widest + 2.0 * PADDING)
    } else {
        MAX_SIZE
    };
    let size = by_height.min(by_width).min(MAX_SIZE);
    (size >= MIN_SIZE).then_some(size)
}

/// The stamp: `lines` in a `w` × `h` point frame, as a one-page PDF.
pub fn render(lines: &[String], w: f32, h: f32, font: &StampFont) -> Result<Vec<u8>, StampError> {
    let metrics = Metrics::new(font.face()?);
    let lines: Vec<String> = lines.iter().map(|l| metrics.printable(l)).collect();
    let widths: Vec<f32> = lines.iter().map(|l| metrics.width(l)).collect();
    let size = fit(&widths, w, h).ok_or(StampError::TooSmall {
        width: w,
        height: h,
        lines: lines.len(),
    })?;
    let pdf_font = Font::new(font.data.clone().into(), 0).ok_or_else(|| StampError::BadFont {
        path: font.path().to_path_buf(),
        reason: "krilla cannot read it".into(),
    })?;
    let mut document = Document::new_with(SerializeSettings {
        enable_tagging: false,
        xmp_metadata: false,
        ..SerializeSettings::default()
    });
    let settings = PageSettings::from_wh(w, h).ok_or(StampError::TooSmall {
        width: w,
        height: h,
        lines: lines.len(),
    })?;
    let mut page = document.start_page_with(settings);
    {
        let mut surface = page.surface();
        // The frame, inside the rectangle.
        let half = FRAME / 2.0;
        if let Some(rect) = Rect::from_xywh(half, half, w - FRAME, h - FRAME) {
            let mut pb = PathBuilder::new();
            pb.push_rect(rect);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(40, 40, 120).into(),
                    width: FRAME,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(0, 0, 0).into(),
            ..Fill::default()
        }));
        // krilla's y grows downwards; a line's y is its baseline.
        let x = PADDING * size;
        let mut y = PADDING * size;
        for line in &lines {
            y += size * LEADING;
            surface.draw_text(
                Point::from_xy(x, y - size * (LEADING - 1.0) - size * 0.12),
                pdf_font.clone(),
                size,
                line,
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
    }
    page.finish();
    document
        .finish()
        .map_err(|e| StampError::Render(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_size_fits_the_box() {
        // Three lines of 10 em in 200 × 60 points: the height decides.
        let size = fit(&[10.0, 10.0, 10.0], 200.0, 60.0).unwrap();
        assert!((size - 60.0 / (3.0 * LEADING + 2.0 * PADDING)).abs() < 1e-4);
        // One long line: the width decides.
        let size = fit(&[30.0], 200.0, 60.0).unwrap();
        assert!((size - 200.0 / 31.2).abs() < 1e-4);
        // Never larger than MAX_SIZE.
        assert_eq!(fit(&[1.0], 500.0, 500.0), Some(MAX_SIZE));
        // Too small to read: refused.
        assert_eq!(fit(&[10.0, 10.0, 10.0], 40.0, 60.0), None);
        assert_eq!(fit(&[10.0, 10.0, 10.0], 200.0, 15.0), None);
    }
}
