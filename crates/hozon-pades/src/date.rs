//! PDF dates (ISO 32000-1 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`.

use hozon_cms::UnixTime;

/// The time a PDF date string names.
pub fn parse(s: &str) -> Option<UnixTime> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 || digits.len() > 14 || !digits.len().is_multiple_of(2) {
        return None;
    }
    let field = |i: usize, default: &str| digits.get(i..i + 2).unwrap_or(default).to_owned();
    let year = &digits[..4];
    let (month, day) = (field(4, "01"), field(6, "01"));
    let (hour, minute, second) = (field(8, "00"), field(10, "00"), field(12, "00"));
    let rest = &s[digits.len()..];
    let offset = match rest.chars().next() {
        None | Some('Z') => "Z".to_owned(),
        Some(sign @ ('+' | '-')) => {
            let t: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let hh = t.get(..2)?;
            let mm = t.get(2..4).unwrap_or("00");
            format!("{sign}{hh}:{mm}")
        }
        _ => return None,
    };
    UnixTime::parse_rfc3339(&format!(
        "{year}-{month}-{day}T{hour}:{minute}:{second}{offset}"
    ))
    .ok()
}

/// `t` as a PDF date in UTC (`D:YYYYMMDDHHmmSSZ`).
pub fn format(t: UnixTime) -> String {
    let digits: String = t
        .rfc3339()
        .chars()
        .take(19)
        .filter(char::is_ascii_digit)
        .collect();
    format!("D:{digits}Z")
}

#[cfg(test)]
mod tests {
    use super::{format, parse};

    #[test]
    fn pdf_dates_written_read_back() {
        let t = hozon_cms::UnixTime(1_796_000_000);
        assert_eq!(format(t), "D:20261130005320Z");
        assert_eq!(parse(&format(t)), Some(t));
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(
            parse("D:20261126090000+09'00'").map(|t| t.rfc3339()),
            Some("2026-11-26T00:00:00Z".to_owned())
        );
        assert_eq!(
            parse("D:20261126000000Z").map(|t| t.rfc3339()),
            Some("2026-11-26T00:00:00Z".to_owned())
        );
        assert_eq!(
            parse("D:2026").map(|t| t.rfc3339()),
            Some("2026-01-01T00:00:00Z".to_owned())
        );
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("D:20261126x"), None);
    }
}
