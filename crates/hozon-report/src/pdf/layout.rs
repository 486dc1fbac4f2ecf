//! Line breaking and pagination for the PDF report: text is measured with
//! the font's own advances (skrifa), broken into lines that fit, and laid
//! out top to bottom on A4 pages. The result is a list of pages of
//! drawing operations; `pdf::render` turns them into PDF with krilla once
//! the page count (for "page n of N") and every section's page (for the
//! table of contents) are known.

use std::collections::HashMap;

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// A4 in points.
pub(crate) const PAGE_W: f32 = 595.28;
/// A4 in points.
pub(crate) const PAGE_H: f32 = 841.89;
/// Left and right margin.
pub(crate) const MARGIN_X: f32 = 48.0;
/// Where the body starts (below the running header).
pub(crate) const TOP: f32 = 70.0;
/// Where the body ends (above the footer).
pub(crate) const BOTTOM: f32 = PAGE_H - 56.0;
/// The body's width.
pub(crate) const BODY_W: f32 = PAGE_W - 2.0 * MARGIN_X;

/// Text colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ink {
    Black,
    Grey,
    Passed,
    Failed,
    Indeterminate,
}

impl Ink {
    /// The ink of a verdict's CSS class.
    pub(crate) fn of_class(class: &str) -> Ink {
        match class {
            "passed" => Ink::Passed,
            "failed" => Ink::Failed,
            "indeterminate" => Ink::Indeterminate,
            _ => Ink::Black,
        }
    }

    pub(crate) fn rgb(self) -> (u8, u8, u8) {
        match self {
            Ink::Black => (17, 17, 17),
            Ink::Grey => (90, 90, 90),
            Ink::Passed => (10, 92, 31),
            Ink::Failed => (164, 0, 0),
            Ink::Indeterminate => (138, 90, 0),
        }
    }
}

/// One drawing operation on a page (y grows downwards, text y is the
/// baseline).
#[derive(Clone, Debug)]
pub(crate) enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        ink: Ink,
        text: String,
    },
    /// A horizontal rule.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
    },
    /// The page number of `target`, right-aligned at `x`.
    PageRef {
        x: f32,
        y: f32,
        size: f32,
        target: String,
    },
    /// A link from a rectangle to `target`.
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        target: String,
    },
}

/// Glyph advances of the report font, in em.
pub(crate) struct Metrics<'a> {
    font: FontRef<'a>,
    cache: HashMap<char, Option<f32>>,
}

impl<'a> Metrics<'a> {
    pub(crate) fn new(font: FontRef<'a>) -> Metrics<'a> {
        Metrics {
            font,
            cache: HashMap::new(),
        }
    }

    /// The advance of `c` in em, `None` when the font has no glyph for it.
    fn advance(&mut self, c: char) -> Option<f32> {
        if let Some(a) = self.cache.get(&c) {
            return *a;
        }
        let upem = f32::from(
            self.font
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em
                .max(1),
        );
        let gid = self.font.charmap().map(c);
        let a = gid.and_then(|g| {
            self.font
                .glyph_metrics(Size::unscaled(), LocationRef::default())
                .advance_width(g)
                .map(|w| w / upem)
        });
        self.cache.insert(c, a);
        a
    }

    /// `text` with every character the font cannot show replaced (control
    /// characters by a space, others by `?`): a PDF/A file may not show
    /// the .notdef glyph.
    pub(crate) fn printable(&mut self, text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    ' '
                } else if self.advance(c).is_some() {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }

    /// The width of `text` (already printable) at `size` points.
    pub(crate) fn width(&mut self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(c).unwrap_or(0.5))
            .sum::<f32>()
            * size
    }

    /// `text` broken into lines no wider than `max` at `size`: at spaces
    /// where there are some, anywhere in a run of CJK text or a long name
    /// without spaces.
    pub(crate) fn wrap(&mut self, text: &str, size: f32, max: f32) -> Vec<String> {
        let text = self.printable(text);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut width = 0.0;
            // The position in `line` after its last space, and the line's
            // width there.
            let mut last_space: Option<(usize, f32)> = None;
            for c in paragraph.chars() {
                let w = self.advance(c).unwrap_or(0.5) * size;
                if width + w > max && !line.is_empty() {
                    match last_space {
                        Some((at, w_at)) if at < line.len() && c != ' ' => {
                            let rest = line.split_off(at);
                            lines.push(line.trim_end().to_owned());
                            line = rest;
                            width -= w_at;
                        }
                        _ => {
                            lines.push(std::mem::take(&mut line).trim_end().to_owned());
                            width = 0.0;
                        }
                    }
                    last_space = None;
                    if c == ' ' {
                        continue;
                    }
                }
                line.push(c);
                width += w;
                if c == ' ' {
                    last_space = Some((line.len(), width));
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// A table column.
pub(crate) struct Column {
    pub(crate) width: f32,
    pub(crate) right: bool,
}

/// The pages laid out so far.
pub(crate) struct Layout<'a> {
    pub(crate) metrics: Metrics<'a>,
    pub(crate) pages: Vec<Vec<Op>>,
    /// Where each anchor is: page index and y.
    pub(crate) anchors: HashMap<String, (usize, f32)>,
    y: f32,
}

impl<'a> Layout<'a> {
    pub(crate) fn new(metrics: Metrics<'a>) -> Layout<'a> {
        Layout {
            metrics,
            pages: vec![Vec::new()],
            anchors: HashMap::new(),
            y: TOP,
        }
    }

    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page.
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Makes room for `h` points, on a new page when this one is full.
    pub(crate) fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    /// Vertical space.
    pub(crate) fn gap(&mut self, h: f32) {
        self.y += h;
    }

    /// Records `name` at the current position.
    pub(crate) fn anchor(&mut self, name: &str) {
        let page = self.pages.len().saturating_sub(1);
        self.anchors.insert(name.to_owned(), (page, self.y));
    }

    /// One line of text at `x` (no wrapping), advancing by `leading`.
    fn line(&mut self, x: f32, text: String, size: f32, ink: Ink) {
        let leading = size * 1.45;
        self.ensure(leading);
        let y = self.y + size;
        self.page().push(Op::Text {
            x,
            y,
            size,
            ink,
            text,
        });
        self.y += leading;
    }

    /// A wrapped paragraph indented by `indent`.
    pub(crate) fn para(&mut self, text: &str, size: f32, indent: f32, ink: Ink) {
        for l in self.metrics.wrap(text, size, BODY_W - indent) {
            self.line(MARGIN_X + indent, l, size, ink);
        }
    }

    /// A heading with a rule under it (level 1) or not, kept with the next
    /// lines.
    pub(crate) fn heading(&mut self, text: &str, size: f32, ink: Ink, rule: bool) {
        self.ensure(size * 1.45 * 3.0);
        self.gap(size * 0.4);
        self.para(text, size, 0.0, ink);
        if rule {
            let y = self.y - size * 0.25;
            self.page().push(Op::Rule {
                x1: MARGIN_X,
                x2: MARGIN_X + BODY_W,
                y,
                width: 0.8,
            });
            self.gap(2.0);
        }
    }

    /// A label and a wrapped value beside it.
    pub(crate) fn field(&mut self, label: &str, value: &str, size: f32, label_w: f32) {
        let label = self.metrics.printable(label);
        let lines = self.metrics.wrap(value, size, BODY_W - label_w - 12.0);
        let leading = size * 1.45;
        self.ensure(leading);
        for (i, l) in lines.into_iter().enumerate() {
            if i == 0 {
                self.ensure(leading);
                let y = self.y + size;
                self.page().push(Op::Text {
                    x: MARGIN_X + 12.0,
                    y,
                    size,
                    ink: Ink::Grey,
                    text: label.clone(),
                });
            }
            self.line(MARGIN_X + 12.0 + label_w, l, size, Ink::Black);
        }
    }

    /// A table: `header` then `rows`, cells wrapped to their column; the
    /// header is repeated on each new page.
    pub(crate) fn table(
        &mut self,
        cols: &[Column],
        header: &[String],
        rows: &[Vec<(String, Ink)>],
        size: f32,
    ) {
        let leading = size * 1.4;
        let head: Vec<(String, Ink)> = header.iter().map(|h| (h.clone(), Ink::Grey)).collect();
        self.ensure(leading * 2.0);
        self.row(cols, &head, size, leading, true);
        for r in rows {
            let cells: Vec<Vec<String>> = cols
                .iter()
                .zip(r)
                .map(|(c, (t, _))| self.metrics.wrap(t, size, c.width - 6.0))
                .collect();
            let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * leading;
            if self.y + h > BOTTOM {
                self.new_page();
                self.row(cols, &head, size, leading, true);
            }
            self.cells(cols, &cells, r, size, leading);
        }
        self.gap(leading * 0.5);
    }

    fn row(&mut self, cols: &[Column], r: &[(String, Ink)], size: f32, leading: f32, rule: bool) {
        let cells: Vec<Vec<String>> = cols
            .iter()
            .zip(r)
            .map(|(c, (t, _))| self.metrics.wrap(t, size, c.width - 6.0))
            .collect();
        self.cells(cols, &cells, r, size, leading);
        if rule {
            let y = self.y - leading * 0.2;
            let x2 = MARGIN_X + cols.iter().map(|c| c.width).sum::<f32>();
            self.page().push(Op::Rule {
                x1: MARGIN_X,
                x2,
                y,
                width: 0.4,
            });
        }
    }

    fn cells(
        &mut self,
        cols: &[Column],
        cells: &[Vec<String>],
        r: &[(String, Ink)],
        size: f32,
        leading: f32,
    ) {
        let n = cells.iter().map(Vec::len).max().unwrap_or(1);
        self.ensure(n as f32 * leading);
        let mut x = MARGIN_X;
        let top = self.y;
        for ((col, lines), (_, ink)) in cols.iter().zip(cells).zip(r) {
            for (i, l) in lines.iter().enumerate() {
                let w = self.metrics.width(l, size);
                let lx = if col.right {
                    x + col.width - 6.0 - w
                } else {
                    x
                };
                let y = top + i as f32 * leading + size;
                self.page().push(Op::Text {
                    x: lx,
                    y,
                    size,
                    ink: *ink,
                    text: l.clone(),
                });
            }
            x += col.width;
        }
        self.y = top + n as f32 * leading;
    }

    /// A line of the table of contents: `text` linking to `target`, with
    /// the target's page number right-aligned.
    pub(crate) fn toc_line(&mut self, text: &str, target: &str, size: f32, ink: Ink) {
        let leading = size * 1.5;
        self.ensure(leading);
        let max = BODY_W - 50.0;
        let mut t = self.metrics.printable(text);
        while self.metrics.width(&t, size) > max && t.pop().is_some() {}
        let y = self.y + size;
        let top = self.y;
        let page = self.page();
        page.push(Op::Text {
            x: MARGIN_X,
            y,
            size,
            ink,
            text: t,
        });
        page.push(Op::PageRef {
            x: MARGIN_X + BODY_W,
            y,
            size,
            target: target.to_owned(),
        });
        page.push(Op::Link {
            x: MARGIN_X,
            y: top,
            w: BODY_W,
            h: leading,
            target: target.to_owned(),
        });
        self.y += leading;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> Option<Vec<u8>> {
        crate::FONT_PATHS.iter().find_map(|p| std::fs::read(p).ok())
    }

    #[test]
    fn lines_fit_and_break_at_spaces_or_anywhere_in_japanese() {
        let Some(data) = font() else {
            eprintln!("skipped: no Japanese font installed");
            return;
        };
        let mut m = Metrics::new(FontRef::from_index(&data, 0).unwrap());
        let lines = m.wrap("alpha beta gamma delta epsilon", 10.0, 60.0);
        assert!(lines.len() > 1, "{lines:?}");
        for l in &lines {
            assert!(m.width(l, 10.0) <= 60.0, "{l:?}");
            assert!(!l.starts_with(' ') && !l.ends_with(' '), "{l:?}");
        }
        assert_eq!(lines.join(" "), "alpha beta gamma delta epsilon");
        let ja = "署名者の証明書の有効期間が終わっています。".repeat(3);
        let lines = m.wrap(&ja, 10.0, 100.0);
        assert!(lines.len() >= 6, "{lines:?}");
        assert_eq!(lines.concat(), ja);
        // A long name with no space is cut, never lost.
        let long = "a".repeat(300);
        assert_eq!(m.wrap(&long, 10.0, 100.0).concat(), long);
        // Characters the font lacks are replaced, not drawn as .notdef.
        assert_eq!(m.printable("a\u{1F600}\tb"), "a? b");
    }
}
