//! Retention dates: a record's `retain_until` (ingest plus the configured
//! years, by the calendar), the lock mode, and RFC 3339 in and out.

use hozon_replica::RetentionMode;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::config::{Config, LockMode};
use crate::record::RecordMeta;

pub(super) fn mode_of(lock: LockMode) -> RetentionMode {
    match lock {
        LockMode::Compliance => RetentionMode::Compliance,
        LockMode::Governance => RetentionMode::Governance,
    }
}

pub(super) fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

pub(super) fn format_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// `t` plus `years` calendar years (29 February becomes 28 February).
pub(super) fn add_years(t: OffsetDateTime, years: u32) -> OffsetDateTime {
    // Dates stop at year 9999; a hand-edited hozon.toml asking for more
    // gets the latest date there is, not an overflow.
    let year = t
        .year()
        .saturating_add(i32::try_from(years).unwrap_or(i32::MAX))
        .min(9999);
    t.replace_year(year)
        .or_else(|_| t.replace_day(28).and_then(|d| d.replace_year(year)))
        // Never shorter: the end of the calendar, if all else fails.
        .unwrap_or(time::PrimitiveDateTime::MAX.assume_utc())
}

/// The end of the retention of a record ingested at `ingested` (RFC 3339)
/// kept `years` years, RFC 3339; `None` if `ingested` does not parse.
pub fn retain_until_after(ingested: &str, years: u32) -> Option<String> {
    parse_time(ingested).map(|t| format_time(add_years(t, years)))
}

/// A record's retention end: its `retain_until`, or its ingest time plus
/// the configured years for records from before the field.
pub(super) fn record_retain_until(meta: &RecordMeta, config: &Config) -> Option<OffsetDateTime> {
    match meta.retain_until.as_deref().and_then(parse_time) {
        Some(t) => Some(t),
        None => parse_time(&meta.ingested).map(|t| add_years(t, config.retention.retention_years)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_added_by_the_calendar_and_stop_at_year_9999() {
        use time::macros::datetime;
        let leap = datetime!(2028-02-29 12:00 UTC);
        assert_eq!(super::add_years(leap, 10), datetime!(2038-02-28 12:00 UTC));
        assert_eq!(
            super::add_years(datetime!(2026-11-27 00:00 UTC), 10),
            datetime!(2036-11-27 00:00 UTC)
        );
        assert_eq!(super::add_years(leap, u32::MAX).year(), 9999);
    }

    #[test]
    fn retention_adds_calendar_years() {
        assert_eq!(
            retain_until_after("2026-11-26T12:34:56Z", 10).as_deref(),
            Some("2036-11-26T12:34:56Z")
        );
        assert_eq!(
            retain_until_after("2028-02-29T00:00:00Z", 1).as_deref(),
            Some("2029-02-28T00:00:00Z")
        );
        assert!(retain_until_after("yesterday", 10).is_none());
    }
}
