//! `[watch]` in `hozon.toml`: how long a file must stay unchanged, how
//! large and how long an intake window is, and where inputs go afterwards.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `archive watch`'s settings (docs/intake.md). Command-line flags override them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WatchConfig {
    /// Seconds a file's size and modification time must stay unchanged
    /// before it is taken (after a closed-after-write event: at most half
    /// a second of it).
    #[serde(default = "default_settle_seconds")]
    pub settle_seconds: f64,
    /// A window is ingested when it holds this many inputs ...
    #[serde(default = "default_batch_records")]
    pub batch_records: usize,
    /// ... or this many seconds after its first input was ready: one
    /// evidence batch, one TSA request per window.
    #[serde(default = "default_batch_seconds")]
    pub batch_seconds: f64,
    /// Where archived inputs go (default: `done/` in each watched folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<PathBuf>,
    /// Where refused inputs go, each with `NAME.reason.txt` and
    /// `NAME.reason.json` (default: `quarantine/` in each watched folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<PathBuf>,
    /// Poll the folders every this many seconds instead of inotify (network
    /// shares, where inotify sees no change made by another machine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_seconds: Option<f64>,
}

fn default_settle_seconds() -> f64 {
    5.0
}

fn default_batch_records() -> usize {
    1000
}

fn default_batch_seconds() -> f64 {
    60.0
}

impl Default for WatchConfig {
    fn default() -> WatchConfig {
        WatchConfig {
            settle_seconds: default_settle_seconds(),
            batch_records: default_batch_records(),
            batch_seconds: default_batch_seconds(),
            done: None,
            quarantine: None,
            poll_seconds: None,
        }
    }
}

/// A `[watch]` value out of range.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WatchConfigError {
    /// A number of seconds that is negative, not finite or too large.
    #[error("[watch] {field} = {value}: not a number of seconds from {min} to one day")]
    Seconds {
        /// The key.
        field: &'static str,
        /// Its value.
        value: f64,
        /// The smallest value allowed.
        min: f64,
    },
    /// `batch_records = 0`.
    #[error("[watch] batch_records must be at least 1")]
    NoRecords,
}

/// The settings as durations, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// [`WatchConfig::settle_seconds`].
    pub settle: Duration,
    /// [`WatchConfig::batch_records`].
    pub batch_records: usize,
    /// [`WatchConfig::batch_seconds`].
    pub batch_window: Duration,
    /// [`WatchConfig::poll_seconds`].
    pub poll: Option<Duration>,
}

fn seconds(field: &'static str, value: f64, min: f64) -> Result<Duration, WatchConfigError> {
    if !(min..=86_400.0).contains(&value) {
        return Err(WatchConfigError::Seconds { field, value, min });
    }
    Ok(Duration::from_secs_f64(value))
}

impl WatchConfig {
    /// Whether nothing is set (then `hozon.toml` has no `[watch]`).
    pub fn is_default(&self) -> bool {
        *self == WatchConfig::default()
    }

    /// The durations, or the first value out of range.
    pub fn timing(&self) -> Result<Timing, WatchConfigError> {
        if self.batch_records == 0 {
            return Err(WatchConfigError::NoRecords);
        }
        Ok(Timing {
            settle: seconds("settle_seconds", self.settle_seconds, 0.0)?,
            batch_records: self.batch_records,
            batch_window: seconds("batch_seconds", self.batch_seconds, 0.0)?,
            poll: self
                .poll_seconds
                .map(|p| seconds("poll_seconds", p, 0.05))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_left_out_and_values_round_trip() {
        assert!(WatchConfig::default().is_default());
        let c: WatchConfig = toml::from_str(
            "settle_seconds = 0.5\nbatch_records = 10\nbatch_seconds = 2\ndone = \"/srv/done\"\npoll_seconds = 30\n",
        )
        .unwrap();
        let t = c.timing().unwrap();
        assert_eq!(t.settle, Duration::from_millis(500));
        assert_eq!(t.batch_records, 10);
        assert_eq!(t.batch_window, Duration::from_secs(2));
        assert_eq!(t.poll, Some(Duration::from_secs(30)));
        assert_eq!(c.done.as_deref(), Some(std::path::Path::new("/srv/done")));
        assert!(toml::from_str::<WatchConfig>("settle = 1\n").is_err());
    }

    #[test]
    fn values_out_of_range_are_refused_naming_the_key() {
        let bad = |text: &str| {
            toml::from_str::<WatchConfig>(text)
                .unwrap()
                .timing()
                .unwrap_err()
        };
        assert_eq!(bad("batch_records = 0\n"), WatchConfigError::NoRecords);
        assert!(bad("settle_seconds = -1\n")
            .to_string()
            .contains("settle_seconds = -1"));
        assert!(bad("batch_seconds = 1e9\n")
            .to_string()
            .contains("batch_seconds"));
        assert!(bad("poll_seconds = 0\n")
            .to_string()
            .contains("poll_seconds"));
        assert!(bad("settle_seconds = nan\n")
            .to_string()
            .contains("settle_seconds"));
    }
}
