//! `--visible ...`: the options of the visible PDF signature stamp
//! (`hozon sign --format pades`, `hozon scan --sign --format pades`;
//! docs/pades.md, "The visible stamp").

use clap::{Args, ValueEnum};
use hozon_pades::appearance::{PageChoice, Rectangle};

/// The stamp's options (`hozon sign --format pades`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Visible signature stamp (--format pades; docs/pades.md)")]
pub struct VisibleArgs {
    /// With --format pades: a visible signature stamp on the page — the signer's name from the
    /// certificate, the HPKI role (hcRole), the signing time in JST and the --reason, in an
    /// embedded Japanese font (IPAex Gothic, a subset) — instead of an invisible signature.
    #[arg(long)]
    pub visible: bool,
    /// The stamp's page: a number from 1, or `last`.
    #[arg(long, value_name = "N|last", value_parser = parse_page, default_value = "1", requires = "visible")]
    pub visible_page: PageChoice,
    /// The stamp's corner of the page as displayed (200 × 60 points, half an inch from the
    /// edges).
    #[arg(
        long,
        value_enum,
        value_name = "CORNER",
        default_value = "bottom-right",
        requires = "visible",
        conflicts_with = "visible_rect"
    )]
    pub visible_corner: CornerArg,
    /// The stamp's rectangle instead of a corner: X1,Y1,X2,Y2 in PDF points (1/72 inch), in the
    /// page's user space (origin at the bottom left, before the page's /Rotate). It must lie
    /// on the page's visible area.
    #[arg(long, value_name = "X1,Y1,X2,Y2", value_parser = parse_rect, requires = "visible")]
    pub visible_rect: Option<Rectangle>,
    /// The stamp's lines, in order, comma separated (name: 署名者, role: 資格, time: 署名日時
    /// in JST, reason: 理由, shown when --reason is given).
    #[arg(
        long,
        value_enum,
        value_name = "LINES",
        value_delimiter = ',',
        default_value = "name,role,time,reason",
        requires = "visible"
    )]
    pub visible_lines: Vec<LineArg>,
    /// With --format pades: the reason for signing, written as the signature's /Reason and,
    /// with --visible, shown in the stamp.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

/// `--visible-corner`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CornerArg {
    /// Top left.
    TopLeft,
    /// Top right.
    TopRight,
    /// Bottom left.
    BottomLeft,
    /// Bottom right.
    BottomRight,
}

/// `--visible-lines`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LineArg {
    /// The signer's name (the certificate's common name).
    Name,
    /// The HPKI role (hcRole), when the certificate has one.
    Role,
    /// The signing time in JST.
    Time,
    /// The --reason, when given.
    Reason,
}

fn parse_page(s: &str) -> Result<PageChoice, String> {
    if s.eq_ignore_ascii_case("last") {
        return Ok(PageChoice::Last);
    }
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(PageChoice::Number(n)),
        _ => Err(format!(
            "{s:?} is not a page: give a number from 1, or last"
        )),
    }
}

fn parse_rect(s: &str) -> Result<Rectangle, String> {
    let v: Vec<f32> = s
        .split(',')
        .map(|p| p.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{s:?}: give four numbers X1,Y1,X2,Y2 in points"))?;
    match v[..] {
        [a, b, c, d] if v.iter().all(|x| x.is_finite()) => Ok(Rectangle::new(a, b, c, d)),
        _ => Err(format!("{s:?}: give four numbers X1,Y1,X2,Y2 in points")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_rectangles_parse() {
        assert_eq!(parse_page("3"), Ok(PageChoice::Number(3)));
        assert_eq!(parse_page("LAST"), Ok(PageChoice::Last));
        assert!(parse_page("0").is_err());
        assert!(parse_page("-1").is_err());
        assert_eq!(
            parse_rect("300, 100,520,180"),
            Ok(Rectangle::new(300.0, 100.0, 520.0, 180.0))
        );
        assert!(parse_rect("1,2,3").is_err());
        assert!(parse_rect("1,2,3,x").is_err());
        assert!(parse_rect("1,2,3,inf").is_err());
    }
}
