//! How the watcher notices new files (`mode` in `watch.json`): inotify, or
//! polling every so many seconds. Written as today's text, `inotify` or
//! `poll every N s`, and read back from it.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::vocabulary::UnknownName;

/// How the watcher notices new files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WatchMode {
    /// Kernel notifications (inotify).
    #[default]
    Inotify,
    /// A rescan of the folders at this interval.
    Poll(Duration),
}

const POLL_PREFIX: &str = "poll every ";
const POLL_SUFFIX: &str = " s";

impl WatchMode {
    /// The mode for a polling interval (`None`: inotify).
    pub fn from_poll(poll: Option<Duration>) -> WatchMode {
        poll.map_or(WatchMode::Inotify, WatchMode::Poll)
    }
}

impl std::fmt::Display for WatchMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WatchMode::Inotify => f.write_str("inotify"),
            WatchMode::Poll(d) => write!(f, "{POLL_PREFIX}{}{POLL_SUFFIX}", d.as_secs_f64()),
        }
    }
}

impl std::str::FromStr for WatchMode {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<WatchMode, UnknownName> {
        if s == "inotify" {
            return Ok(WatchMode::Inotify);
        }
        s.strip_prefix(POLL_PREFIX)
            .and_then(|r| r.strip_suffix(POLL_SUFFIX))
            .and_then(|n| n.parse::<f64>().ok())
            .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
            .map(WatchMode::Poll)
            .ok_or_else(|| UnknownName {
                kind: "watch mode",
                name: s.to_owned(),
            })
    }
}

impl Serialize for WatchMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WatchMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WatchMode, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip_through_todays_text() {
        for (mode, text) in [
            (WatchMode::Inotify, "inotify"),
            (WatchMode::Poll(Duration::from_secs(2)), "poll every 2 s"),
            (
                WatchMode::Poll(Duration::from_millis(500)),
                "poll every 0.5 s",
            ),
            (
                WatchMode::Poll(Duration::from_millis(50)),
                "poll every 0.05 s",
            ),
            (
                WatchMode::Poll(Duration::from_millis(300)),
                "poll every 0.3 s",
            ),
            (
                WatchMode::Poll(Duration::from_millis(1)),
                "poll every 0.001 s",
            ),
        ] {
            assert_eq!(mode.to_string(), text);
            let json = serde_json::to_string(&mode).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<WatchMode>(&json).unwrap(), mode);
            assert_eq!(text.parse::<WatchMode>(), Ok(mode));
        }
    }

    #[test]
    fn other_text_is_refused_with_its_name() {
        for bad in [
            "fanotify",
            "poll every x s",
            "poll every -1 s",
            "poll every 2",
            "",
        ] {
            let e = bad.parse::<WatchMode>().unwrap_err();
            assert_eq!(e.name, bad);
            assert_eq!(e.kind, "watch mode");
        }
        assert!(serde_json::from_str::<WatchMode>("\"fanotify\"")
            .unwrap_err()
            .to_string()
            .contains("\"fanotify\" is not a known watch mode"));
    }
}
