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
    /// After a closed-after-write event, a file is complete once unchanged
    /// for this long (at most `settle_seconds`): a writer that reopens the
    /// file between chunks has this long to come back.
    #[serde(default = "default_closed_quiet_seconds")]
    pub closed_quiet_seconds: f64,
    /// A signature (`X.p7s`) or metadata sidecar whose document has not
    /// appeared is given to ingest, which quarantines it, this long after
    /// it settled.
    #[serde(default = "default_orphan_seconds")]
    pub orphan_seconds: f64,
    /// When a window's evidence batch got no time stamp (the TSA was down),
    /// the watcher tries again after this long while no window waits, until
    /// the records have evidence (a new window stamps them too).
    #[serde(default = "default_evidence_retry_seconds")]
    pub evidence_retry_seconds: f64,
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

fn default_closed_quiet_seconds() -> f64 {
    0.5
}

fn default_orphan_seconds() -> f64 {
    10.0
}

fn default_evidence_retry_seconds() -> f64 {
    300.0
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
            closed_quiet_seconds: default_closed_quiet_seconds(),
            orphan_seconds: default_orphan_seconds(),
            evidence_retry_seconds: default_evidence_retry_seconds(),
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
    /// [`WatchConfig::closed_quiet_seconds`].
    pub closed_quiet: Duration,
    /// [`WatchConfig::orphan_seconds`].
    pub orphan_grace: Duration,
    /// [`WatchConfig::evidence_retry_seconds`].
    pub evidence_retry: Duration,
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
            closed_quiet: seconds("closed_quiet_seconds", self.closed_quiet_seconds, 0.0)?,
            orphan_grace: seconds("orphan_seconds", self.orphan_seconds, 0.0)?,
            evidence_retry: seconds("evidence_retry_seconds", self.evidence_retry_seconds, 0.1)?,
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
    fn the_fixed_timings_are_settings_with_the_old_values_as_defaults() {
        let t = WatchConfig::default().timing().unwrap();
        assert_eq!(t.closed_quiet, Duration::from_millis(500));
        assert_eq!(t.orphan_grace, Duration::from_secs(10));
        assert_eq!(t.evidence_retry, Duration::from_secs(300));
        let c: WatchConfig = toml::from_str(
            "closed_quiet_seconds = 2\norphan_seconds = 30\nevidence_retry_seconds = 1.5\n",
        )
        .unwrap();
        assert!(!c.is_default());
        let t = c.timing().unwrap();
        assert_eq!(t.closed_quiet, Duration::from_secs(2));
        assert_eq!(t.orphan_grace, Duration::from_secs(30));
        assert_eq!(t.evidence_retry, Duration::from_millis(1500));
        let text = toml::to_string(&c).unwrap();
        assert_eq!(toml::from_str::<WatchConfig>(&text).unwrap(), c);
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
        assert!(bad("closed_quiet_seconds = -0.5\n")
            .to_string()
            .contains("closed_quiet_seconds"));
        assert!(bad("orphan_seconds = 1e9\n")
            .to_string()
            .contains("orphan_seconds"));
        // A retry at once would hammer a TSA that is down.
        assert!(bad("evidence_retry_seconds = 0\n")
            .to_string()
            .contains("evidence_retry_seconds"));
        assert!(bad("settle_seconds = nan\n")
            .to_string()
            .contains("settle_seconds"));
    }
}
