//! The creation date of a PDF (Info `/CreationDate`, else XMP
//! `xmp:CreateDate`): the scan time for the scan-to-time-stamp delay.

use std::path::Path;

use super::pdfa::{xmp, xmp_value};
use super::{deref, load};

/// Where a PDF's creation date was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateSource {
    /// The document information dictionary's `/CreationDate`.
    Info,
    /// The XMP metadata's `xmp:CreateDate`.
    Xmp,
}

/// A PDF's creation date, the scan time for the scan-to-time-stamp delay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreationDate {
    /// The instant.
    pub at: time::OffsetDateTime,
    /// Where it came from.
    pub source: DateSource,
    /// The date as written in the file.
    pub raw: String,
    /// True if the file gave no time zone and UTC was assumed.
    pub zone_assumed: bool,
}

/// A PDF that could not be read for its metadata.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct PdfError {
    /// The file.
    pub path: std::path::PathBuf,
    /// Why it could not be read (encrypted, truncated, does not parse, ...).
    pub reason: String,
}

/// The creation date of a PDF: Info `/CreationDate`, else XMP `xmp:CreateDate`; `Ok(None)` if the
/// file has neither (or neither parses); an error naming the file and reason if it does not load.
pub fn creation_date(path: &Path) -> Result<Option<CreationDate>, PdfError> {
    let doc = load(path).map_err(|reason| PdfError {
        path: path.to_path_buf(),
        reason,
    })?;
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| deref(&doc, o))
        .and_then(|o| o.as_dict().ok())
        .and_then(|d| d.get(b"CreationDate").ok())
        .and_then(|o| o.as_str().ok())
        .map(text_string);
    if let Some(raw) = info {
        if let Some((at, zone_assumed)) = parse_pdf_date(&raw) {
            return Ok(Some(CreationDate {
                at,
                source: DateSource::Info,
                raw,
                zone_assumed,
            }));
        }
    }
    let raw = xmp(&doc).and_then(|x| xmp_value(&x, "xmp:CreateDate"));
    Ok(raw.and_then(|raw| {
        parse_xmp_date(&raw).map(|(at, zone_assumed)| CreationDate {
            at,
            source: DateSource::Xmp,
            raw,
            zone_assumed,
        })
    }))
}

/// A PDF text string: UTF-16BE with a BOM, else (for dates, which are ASCII) bytes as Latin-1.
fn text_string(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

fn build_date(
    digits: &[u32],
    offset: Option<(i8, i8, i8)>,
) -> Option<(time::OffsetDateTime, bool)> {
    let get = |i: usize, default: u32| digits.get(i).copied().unwrap_or(default);
    let year = i32::try_from(*digits.first()?).ok()?;
    let month = time::Month::try_from(u8::try_from(get(1, 1)).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(get(2, 1)).ok()?).ok()?;
    let t = time::Time::from_hms(
        u8::try_from(get(3, 0)).ok()?,
        u8::try_from(get(4, 0)).ok()?,
        u8::try_from(get(5, 0)).ok()?,
    )
    .ok()?;
    let (zone, assumed) = match offset {
        Some((h, m, s)) => (time::UtcOffset::from_hms(h, m, s).ok()?, false),
        None => (time::UtcOffset::UTC, true),
    };
    Some((
        time::PrimitiveDateTime::new(date, t).assume_offset(zone),
        assumed,
    ))
}

/// Parses a PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (ISO 32000-1 7.9.4; fields after the year optional).
pub fn parse_pdf_date(s: &str) -> Option<(time::OffsetDateTime, bool)> {
    let s = s.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, zone) = s.split_at(digits_end);
    if num.len() < 4 || num.len() > 14 || num.len() % 2 != 0 {
        return None;
    }
    let mut digits = vec![num.get(..4)?.parse().ok()?];
    let mut i = 4;
    while i < num.len() {
        digits.push(num.get(i..i + 2)?.parse().ok()?);
        i += 2;
    }
    let offset = match zone.chars().next() {
        None => None,
        Some('Z') => Some((0, 0, 0)),
        Some(sign @ ('+' | '-')) => {
            let rest: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            let h: i8 = rest.get(..2)?.parse().ok()?;
            let m: i8 = rest.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            let k = if sign == '-' { -1 } else { 1 };
            Some((k * h, k * m, 0))
        }
        Some(_) => return None,
    };
    build_date(&digits, offset)
}

/// Parses an XMP date (ISO 8601: `YYYY[-MM[-DD[THH:MM[:SS[.s]]]]][Z|±HH:MM]`).
pub fn parse_xmp_date(s: &str) -> Option<(time::OffsetDateTime, bool)> {
    let s = s.trim();
    let (body, zone) = match s
        .find(['Z', '+'])
        .or_else(|| s.rfind('-').filter(|&i| i > 10))
    {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let body = body.split('.').next().unwrap_or(body);
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let zone_pdf = zone.replace(':', "");
    parse_pdf_date(&format!("{digits}{zone_pdf}"))
}
