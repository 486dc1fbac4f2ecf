//! `hozon sign --format pades --visible`: the [`Stamp`] the visible
//! signature options make (hozon-pades draws and places it; docs/pades.md,
//! "The visible stamp").

use std::path::Path;

use hozon_pades::appearance::{Corner, Position, Stamp, StampFont, StampLine};

use crate::args::visible::{CornerArg, LineArg, VisibleArgs};

impl VisibleArgs {
    /// The stamp asked for (its font found now), or `None` without
    /// `--visible`.
    pub fn stamp(&self) -> anyhow::Result<Option<Stamp>> {
        if !self.visible {
            return Ok(None);
        }
        let font = StampFont::find(std::env::var_os("HOZON_FONT").as_deref().map(Path::new))?;
        let position = match self.visible_rect {
            Some(r) => Position::Rect(r),
            None => Position::Corner(match self.visible_corner {
                CornerArg::TopLeft => Corner::TopLeft,
                CornerArg::TopRight => Corner::TopRight,
                CornerArg::BottomLeft => Corner::BottomLeft,
                CornerArg::BottomRight => Corner::BottomRight,
            }),
        };
        let mut lines = Vec::new();
        for l in &self.visible_lines {
            let line = match l {
                LineArg::Name => StampLine::Name,
                LineArg::Role => StampLine::Role,
                LineArg::Time => StampLine::Time,
                LineArg::Reason => StampLine::Reason,
            };
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        Ok(Some(Stamp {
            page: self.visible_page,
            position,
            lines,
            reason: self.reason.clone(),
            font,
        }))
    }
}
