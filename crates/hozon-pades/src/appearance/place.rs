//! Where the stamp goes: the page (1-based, or the last), its visible box
//! (the crop box within the media box, both inheritable through the page
//! tree, ISO 32000-1 §7.7.3.4, §14.11.2) and rotation, and the widget's
//! rectangle in the page's default user space — a named corner of the page
//! as displayed, or a rectangle given in points, which must lie on the
//! page.

use crate::lexer::{Dict, Object};
use crate::page_tree::pages;
use crate::pdf::Pdf;
use crate::Error;

use super::{Corner, PageChoice, Position, StampError};

/// The stamp's size at a named corner (as displayed), in points.
pub const CORNER_SIZE: (f32, f32) = (200.0, 60.0);
/// Its distance from the edges of the page (half an inch), in points.
pub const CORNER_MARGIN: f32 = 36.0;
/// Deepest `/Parent` chain followed.
const MAX_DEPTH: usize = 64;

/// A rectangle `[x1 y1 x2 y2]` in default user space, x1 < x2, y1 < y2.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rectangle {
    /// Lower left x.
    pub x1: f32,
    /// Lower left y.
    pub y1: f32,
    /// Upper right x.
    pub x2: f32,
    /// Upper right y.
    pub y2: f32,
}

impl Rectangle {
    /// The rectangle with its corners in order.
    pub fn new(a: f32, b: f32, c: f32, d: f32) -> Rectangle {
        Rectangle {
            x1: a.min(c),
            y1: b.min(d),
            x2: a.max(c),
            y2: b.max(d),
        }
    }

    /// Width.
    pub fn width(&self) -> f32 {
        self.x2 - self.x1
    }

    /// Height.
    pub fn height(&self) -> f32 {
        self.y2 - self.y1
    }

    /// Whether `inner` lies within `self`.
    pub fn contains(&self, inner: &Rectangle) -> bool {
        inner.x1 >= self.x1 && inner.y1 >= self.y1 && inner.x2 <= self.x2 && inner.y2 <= self.y2
    }

    /// The intersection of two rectangles (empty ones have zero size).
    fn intersect(&self, other: &Rectangle) -> Rectangle {
        let x1 = self.x1.max(other.x1);
        let y1 = self.y1.max(other.y1);
        Rectangle {
            x1,
            y1,
            x2: self.x2.min(other.x2).max(x1),
            y2: self.y2.min(other.y2).max(y1),
        }
    }
}

impl std::fmt::Display for Rectangle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} {} {} {}]", self.x1, self.y1, self.x2, self.y2)
    }
}

/// The stamp's place, found on a page of the PDF.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    /// The page's object number.
    pub page: u32,
    /// The page, 1-based.
    pub page_number: usize,
    /// The widget's `/Rect` in default user space.
    pub rect: Rectangle,
    /// The page's `/Rotate` (0, 90, 180 or 270): the appearance is turned
    /// against it so that the stamp reads upright.
    pub rotate: i64,
}

impl Placement {
    /// The stamp's size as displayed (width, height).
    pub fn displayed_size(&self) -> (f32, f32) {
        match self.rotate {
            90 | 270 => (self.rect.height(), self.rect.width()),
            _ => (self.rect.width(), self.rect.height()),
        }
    }
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Int(i) => Some(*i as f32),
        Object::Real(r) => std::str::from_utf8(r).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// A page attribute, inherited from the page tree when the page lacks it.
fn inherited(pdf: &Pdf, rev: usize, page: &Dict, key: &[u8]) -> Result<Option<Object>, Error> {
    let mut node = page.clone();
    for _ in 0..MAX_DEPTH {
        if let Some(v) = node.get(key) {
            return pdf.resolve(rev, v);
        }
        let Some(parent) = node.get(b"Parent").and_then(Object::reference) else {
            return Ok(None);
        };
        node = match pdf.object(rev, parent.0)? {
            Some(Object::Dict(d)) => d,
            _ => return Ok(None),
        };
    }
    Err(Error::Unsupported("the page tree is too deep".into()))
}

fn rectangle(o: Option<Object>) -> Option<Rectangle> {
    match o? {
        Object::Array(items) if items.len() == 4 => {
            let v: Vec<f32> = items.iter().filter_map(number).collect();
            (v.len() == 4).then(|| Rectangle::new(v[0], v[1], v[2], v[3]))
        }
        _ => None,
    }
}

/// The page `choice` names and the stamp's rectangle on it.
pub fn place(pdf: &Pdf, choice: PageChoice, position: Position) -> Result<Placement, StampError> {
    let last = pdf.revisions.len() - 1;
    let all = pages(pdf)?;
    let index = match choice {
        PageChoice::Last => all.len().checked_sub(1),
        PageChoice::Number(n) => n.checked_sub(1).filter(|i| *i < all.len()),
    }
    .ok_or(StampError::NoSuchPage {
        page: choice,
        pages: all.len(),
    })?;
    let page = all[index];
    let dict = match pdf.object(last, page)? {
        Some(Object::Dict(d)) => d,
        _ => return Err(Error::Unsupported("the page is not a dictionary".into()).into()),
    };
    let media = rectangle(inherited(pdf, last, &dict, b"MediaBox")?).ok_or_else(|| {
        StampError::from(Error::Unsupported(format!(
            "page {} has no valid /MediaBox",
            index + 1
        )))
    })?;
    let visible = rectangle(inherited(pdf, last, &dict, b"CropBox")?)
        .map_or(media, |crop| crop.intersect(&media));
    let rotate = match inherited(pdf, last, &dict, b"Rotate")? {
        Some(Object::Int(r)) if r % 90 == 0 => r.rem_euclid(360),
        None => 0,
        Some(_) => {
            return Err(StampError::from(Error::Unsupported(format!(
                "page {} has a /Rotate that is not a multiple of 90",
                index + 1
            ))))
        }
    };
    let rect = match position {
        Position::Rect(r) => r,
        Position::Corner(c) => corner(&visible, rotate, c),
    };
    if rect.width() <= 0.0 || rect.height() <= 0.0 {
        return Err(StampError::EmptyRect { rect });
    }
    if !visible.contains(&rect) {
        return Err(StampError::OffPage {
            rect,
            page: index + 1,
            visible,
        });
    }
    Ok(Placement {
        page,
        page_number: index + 1,
        rect,
        rotate,
    })
}

/// The rectangle of [`CORNER_SIZE`] at corner `c` of the page as
/// displayed (turned by `rotate` degrees clockwise), [`CORNER_MARGIN`] from
/// its edges; smaller on a page too small for it.
fn corner(visible: &Rectangle, rotate: i64, c: Corner) -> Rectangle {
    // The displayed corner as a corner of the unrotated page: turning the
    // page clockwise by 90° shows its bottom-left corner at the top left.
    let turns = (rotate / 90) as usize;
    let ring = [
        Corner::TopLeft,
        Corner::TopRight,
        Corner::BottomRight,
        Corner::BottomLeft,
    ];
    let at = ring.iter().position(|x| *x == c).unwrap_or(0);
    let unrotated = ring[(at + 4 - turns % 4) % 4];
    let (mut w, mut h) = CORNER_SIZE;
    if turns % 2 == 1 {
        std::mem::swap(&mut w, &mut h);
    }
    let w = w.min(visible.width() - 2.0 * CORNER_MARGIN).max(0.0);
    let h = h.min(visible.height() - 2.0 * CORNER_MARGIN).max(0.0);
    let left = visible.x1 + CORNER_MARGIN;
    let right = visible.x2 - CORNER_MARGIN - w;
    let bottom = visible.y1 + CORNER_MARGIN;
    let top = visible.y2 - CORNER_MARGIN - h;
    let (x, y) = match unrotated {
        Corner::TopLeft => (left, top),
        Corner::TopRight => (right, top),
        Corner::BottomRight => (right, bottom),
        Corner::BottomLeft => (left, bottom),
    };
    Rectangle::new(x, y, x + w, y + h)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A4: Rectangle = Rectangle {
        x1: 0.0,
        y1: 0.0,
        x2: 595.0,
        y2: 842.0,
    };

    #[test]
    fn corners_of_an_upright_page() {
        assert_eq!(
            corner(&A4, 0, Corner::BottomRight),
            Rectangle::new(359.0, 36.0, 559.0, 96.0)
        );
        assert_eq!(
            corner(&A4, 0, Corner::TopLeft),
            Rectangle::new(36.0, 746.0, 236.0, 806.0)
        );
    }

    #[test]
    fn corners_of_a_turned_page_are_corners_as_displayed() {
        // Turned 90° clockwise, the page's top-left corner is displayed at
        // the top right, and the stamp is 60 wide and 200 high unrotated.
        assert_eq!(
            corner(&A4, 90, Corner::TopRight),
            Rectangle::new(36.0, 606.0, 96.0, 806.0)
        );
        // Upside down, the displayed bottom right is the top left.
        assert_eq!(
            corner(&A4, 180, Corner::BottomRight),
            Rectangle::new(36.0, 746.0, 236.0, 806.0)
        );
        // Turned 270° (90° anticlockwise), the displayed bottom right is
        // the page's bottom left.
        assert_eq!(
            corner(&A4, 270, Corner::BottomRight),
            Rectangle::new(36.0, 36.0, 96.0, 236.0)
        );
    }

    #[test]
    fn a_crop_box_moves_the_corners() {
        let crop = Rectangle::new(100.0, 100.0, 500.0, 700.0);
        assert_eq!(
            corner(&crop, 0, Corner::BottomLeft),
            Rectangle::new(136.0, 136.0, 336.0, 196.0)
        );
    }

    #[test]
    fn rectangles_are_ordered_and_contained() {
        let r = Rectangle::new(300.0, 90.0, 100.0, 10.0);
        assert_eq!((r.x1, r.y1, r.x2, r.y2), (100.0, 10.0, 300.0, 90.0));
        assert!(A4.contains(&r));
        assert!(!A4.contains(&Rectangle::new(500.0, 10.0, 600.0, 50.0)));
        assert!(!A4.contains(&Rectangle::new(-1.0, 10.0, 60.0, 50.0)));
    }
}
