//! Seconds since the Unix epoch, the one time representation of the trust
//! layer, printable as RFC 3339.

use std::time::{Duration, SystemTime};

/// Text that is not an RFC 3339 time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an RFC 3339 time ({reason}); example: 2026-11-26T09:00:00Z")]
pub struct NotRfc3339 {
    /// The text as given.
    pub text: String,
    /// The parser's reason.
    pub reason: String,
}

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// The current time.
    pub fn now() -> UnixTime {
        UnixTime::from(SystemTime::now())
    }

    /// From an X.509 `Time`.
    pub fn from_x509(t: &x509_cert::time::Time) -> UnixTime {
        UnixTime(i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
    }

    /// Parses RFC 3339 (`2026-11-26T09:00:00Z`, `2026-11-26T18:00:00+09:00`).
    pub fn parse_rfc3339(s: &str) -> Result<UnixTime, NotRfc3339> {
        let t = ::time::OffsetDateTime::parse(s, &::time::format_description::well_known::Rfc3339)
            .map_err(|e| NotRfc3339 {
                text: s.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(UnixTime(t.unix_timestamp()))
    }

    /// RFC 3339 in UTC with a `Z`.
    pub fn rfc3339(self) -> String {
        ::time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| {
                t.format(&::time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| format!("@{}", self.0))
    }

    /// As a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        match u64::try_from(self.0) {
            Ok(s) => SystemTime::UNIX_EPOCH + Duration::from_secs(s),
            Err(_) => SystemTime::UNIX_EPOCH - Duration::from_secs(self.0.unsigned_abs()),
        }
    }
}

impl From<SystemTime> for UnixTime {
    fn from(t: SystemTime) -> UnixTime {
        match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => UnixTime(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Err(e) => UnixTime(-i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

impl std::fmt::Display for UnixTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip_and_offsets() {
        let t = UnixTime::parse_rfc3339("2026-11-26T18:00:00+09:00").unwrap();
        assert_eq!(t.rfc3339(), "2026-11-26T09:00:00Z");
        assert!(UnixTime::parse_rfc3339("yesterday").is_err());
    }
}
