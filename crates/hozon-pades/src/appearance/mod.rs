//! The visible signature stamp (ISO 32000-1 §12.5.5 appearance streams,
//! §12.7.4.5 signature fields): the signer's name from the certificate,
//! the HPKI role (hcRole), the signing time in Japan Standard Time and an
//! optional reason, drawn in a frame on a page of the PDF.
//!
//! No PDF text or font syntax is written by hand: krilla lays the stamp out
//! as a one-page PDF as large as the stamp, embedding the Japanese font as
//! a subset (Type0 / CIDFontType2 with FontFile2 and ToUnicode)
//! (`render.rs`); that page's content stream and every object its resources
//! reach are then carried into the signed revision, renumbered, as the
//! Form XObject of the widget's normal appearance (`/AP /N`) (`import.rs`).
//! [`place()`] finds the page and the widget's rectangle.

mod font;
mod import;
mod place;
mod render;

use std::path::PathBuf;

use hozon_cms::{Cert, UnixTime};
use openssl::nid::Nid;

use crate::pdf::Pdf;
use crate::writer::Update;
use crate::Error;

pub use font::{StampFont, FONT_PATHS};
pub use place::{place, Placement, Rectangle, CORNER_MARGIN, CORNER_SIZE};
pub use render::{MAX_SIZE, MIN_SIZE};

/// A corner of the page as displayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    /// Top left.
    TopLeft,
    /// Top right.
    TopRight,
    /// Bottom left.
    BottomLeft,
    /// Bottom right.
    BottomRight,
}

/// Which page the stamp goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageChoice {
    /// Page N, 1-based.
    Number(usize),
    /// The last page.
    Last,
}

impl std::fmt::Display for PageChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageChoice::Number(n) => write!(f, "page {n}"),
            PageChoice::Last => f.write_str("the last page"),
        }
    }
}

/// Where on the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Position {
    /// [`CORNER_SIZE`] at a corner, [`CORNER_MARGIN`] from the edges.
    Corner(Corner),
    /// A rectangle in the page's default user space (points, before the
    /// page's `/Rotate`).
    Rect(Rectangle),
}

/// A line of the stamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StampLine {
    /// `署名者: ` and the certificate's common name (else its subject).
    Name,
    /// `資格: ` and the hcRole of an HPKI certificate (left out when the
    /// certificate has none).
    Role,
    /// `署名日時: ` and the signing time (`/M`) in JST.
    Time,
    /// `理由: ` and the reason (left out when none is given).
    Reason,
}

/// What the stamp shows and where.
#[derive(Clone, Debug)]
pub struct Stamp {
    /// The page.
    pub page: PageChoice,
    /// The rectangle.
    pub position: Position,
    /// The lines, in order.
    pub lines: Vec<StampLine>,
    /// The reason (also written as the signature's `/Reason`).
    pub reason: Option<String>,
    /// The font.
    pub font: StampFont,
}

/// Why a stamp cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum StampError {
    /// The page does not exist.
    #[error("the stamp cannot go on {page}: the document has {pages} page(s)")]
    NoSuchPage {
        /// The page asked for.
        page: PageChoice,
        /// How many pages the document has.
        pages: usize,
    },
    /// The rectangle is not within the page's visible area.
    #[error("the stamp rectangle {rect} is off page {page}, whose visible area is {visible}")]
    OffPage {
        /// The rectangle asked for.
        rect: Rectangle,
        /// The page, 1-based.
        page: usize,
        /// The page's crop box within its media box.
        visible: Rectangle,
    },
    /// The rectangle has no area.
    #[error("the stamp rectangle {rect} has no area")]
    EmptyRect {
        /// The rectangle asked for.
        rect: Rectangle,
    },
    /// The lines do not fit at a legible size.
    #[error("{lines} line(s) do not fit a {width} × {height} point stamp at {MIN_SIZE} points or more: give a larger rectangle or fewer lines")]
    TooSmall {
        /// Width in points.
        width: f32,
        /// Height in points.
        height: f32,
        /// How many lines.
        lines: usize,
    },
    /// None of the lines asked for has anything to show (a reason line
    /// without a reason, a role line for a certificate without hcRole).
    #[error("the stamp would be empty: none of its lines has anything to show")]
    NoLines,
    /// No font was found.
    #[error("no Japanese font for the signature stamp: install fonts-ipaexfont-gothic or set HOZON_FONT to a TrueType font file (looked for {searched})")]
    NoFont {
        /// Where it was looked for.
        searched: String,
    },
    /// The font cannot be used.
    #[error("the stamp font {} cannot be used: {reason}", path.display())]
    BadFont {
        /// The font file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// krilla failed, or its page could not be carried over.
    #[error("the signature stamp cannot be drawn: {0}")]
    Render(String),
    /// The PDF could not be read.
    #[error(transparent)]
    Pdf(Box<Error>),
}

impl From<Error> for StampError {
    fn from(e: Error) -> StampError {
        StampError::Pdf(Box::new(e))
    }
}

impl StampError {
    /// Whether the options asked for something this document cannot have
    /// (a usage error: no such page, a rectangle off the page or too small).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            StampError::NoSuchPage { .. }
                | StampError::OffPage { .. }
                | StampError::EmptyRect { .. }
                | StampError::TooSmall { .. }
                | StampError::NoLines
        )
    }
}

/// The stamp, placed and drawn, ready to be written into an update.
#[derive(Clone, Debug)]
pub struct Appearance {
    /// Where it goes.
    pub placement: Placement,
    /// The one-page PDF krilla drew.
    pub(crate) drawn: Vec<u8>,
}

/// The signer's name: the common name of `cert` (any string type, as
/// UTF-8), else its whole subject.
pub fn signer_name(cert: &Cert) -> String {
    cert.to_openssl()
        .ok()
        .and_then(|x| {
            x.subject_name()
                .entries_by_nid(Nid::COMMONNAME)
                .next()
                .and_then(|e| e.data().to_string().ok())
        })
        .unwrap_or_else(|| cert.subject())
}

/// `t` in Japan Standard Time (UTC+9, no daylight saving):
/// `2026-12-07 23:33:35 JST`.
pub fn jst(t: UnixTime) -> String {
    let shifted = UnixTime(t.0 + 9 * 3600).rfc3339();
    format!(
        "{} JST",
        shifted.trim_end_matches('Z').replacen('T', " ", 1)
    )
}

impl Stamp {
    /// The text of each line for a signature by `cert` at `time`.
    pub fn text(&self, cert: &Cert, time: UnixTime) -> Vec<String> {
        self.lines
            .iter()
            .filter_map(|line| match line {
                StampLine::Name => Some(format!("署名者: {}", signer_name(cert))),
                StampLine::Role => {
                    hozon_verify::hc_role::hc_role(cert).map(|r| format!("資格: {r}"))
                }
                StampLine::Time => Some(format!("署名日時: {}", jst(time))),
                StampLine::Reason => self.reason.as_ref().map(|r| format!("理由: {r}")),
            })
            .collect()
    }

    /// The stamp on `pdf` for a signature by `cert` at `time`: placed,
    /// and drawn with its lines.
    pub fn appearance(
        &self,
        pdf: &Pdf,
        cert: &Cert,
        time: UnixTime,
    ) -> Result<Appearance, StampError> {
        let placement = place(pdf, self.page, self.position)?;
        let (w, h) = placement.displayed_size();
        let lines = self.text(cert, time);
        if lines.is_empty() {
            return Err(StampError::NoLines);
        }
        let drawn = render::render(&lines, w, h, &self.font)?;
        Ok(Appearance { placement, drawn })
    }
}

impl Appearance {
    /// Writes the appearance into `update` as a Form XObject (the drawn
    /// page's content, its resources and everything they reach, renumbered):
    /// its object number, for the widget's `/AP << /N … >>`.
    pub(crate) fn write(&self, update: &mut Update<'_>) -> Result<u32, StampError> {
        import::form_xobject(update, &self.drawn, &self.placement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_japan_standard_time() {
        // 2026-11-30T00:53:20Z is 09:53:20 the same day in Tokyo.
        assert_eq!(jst(UnixTime(1_796_000_000)), "2026-11-30 09:53:20 JST");
        // 14:00 UTC is 23:00 in Tokyo; 15:00 UTC midnight of the next day.
        assert_eq!(jst(UnixTime(1_796_047_200)), "2026-11-30 23:00:00 JST");
        assert_eq!(jst(UnixTime(1_796_050_800)), "2026-12-01 00:00:00 JST");
    }
}
