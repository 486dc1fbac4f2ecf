//! A circuit breaker per TSA: a TSA that cannot be connected to (or does
//! not answer in time) several times in a row is taken out of use for the
//! rest of the run, so that a batch goes straight to the next TSA instead
//! of paying a connection failure, retries and backoff on every file. A
//! TSA that is down is tried again now and then (one request, no retries:
//! a probe), and is back in use as soon as a probe succeeds.
//!
//! Only connection failures and timeouts count: a TSA that answers, even
//! with an HTTP error or a rejection, is reachable, and its answer is the
//! request's own business.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::Error;

/// When a TSA is taken out of use, and when it is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive connection failures or timeouts (attempts, retries
    /// included, across all threads) after which a TSA is down for the run.
    /// 0 disables the breaker.
    pub threshold: u32,
    /// How long a down TSA is left alone before one request probes it.
    pub reprobe_after: Duration,
}

impl Default for BreakerConfig {
    /// 3 failures in a row; a probe every 30 s.
    fn default() -> BreakerConfig {
        BreakerConfig {
            threshold: 3,
            reprobe_after: Duration::from_secs(30),
        }
    }
}

/// How one TSA fared this run (for the summary a batch prints once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TsaHealth {
    /// The TSA URL.
    pub url: String,
    /// Taken out of use (and not back).
    pub down: bool,
    /// Connection failures and timeouts this run.
    pub connect_failures: u64,
    /// Requests that went past it while it was down.
    pub skipped: u64,
    /// Its last connection failure or timeout.
    pub last_error: Option<Error>,
}

/// Whether a request may use a TSA now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Up: use it, with retries.
    Use,
    /// Down, and due for a probe: one attempt, no retries.
    Probe,
    /// Down: go to the next one.
    Skip,
}

#[derive(Default)]
struct State {
    consecutive: u32,
    down: bool,
    next_probe: Option<Instant>,
    probing: bool,
    connect_failures: u64,
    skipped: u64,
    last_error: Option<Error>,
}

/// The breakers of a client's TSAs.
pub(crate) struct Breakers {
    config: BreakerConfig,
    states: Vec<(String, Mutex<State>)>,
}

impl Breakers {
    pub(crate) fn new(config: BreakerConfig, urls: &[String]) -> Breakers {
        Breakers {
            config,
            states: urls
                .iter()
                .map(|u| (u.clone(), Mutex::new(State::default())))
                .collect(),
        }
    }

    fn state(&self, i: usize) -> std::sync::MutexGuard<'_, State> {
        self.states[i].1.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether TSA `i` may be used now; claims the probe when one is due.
    pub(crate) fn gate(&self, i: usize) -> Gate {
        let mut s = self.state(i);
        if !s.down {
            return Gate::Use;
        }
        let due = s.next_probe.is_none_or(|t| Instant::now() >= t);
        if due && !s.probing {
            s.probing = true;
            Gate::Probe
        } else {
            s.skipped += 1;
            Gate::Skip
        }
    }

    /// Whether TSA `i` is down now.
    pub(crate) fn is_down(&self, i: usize) -> bool {
        self.state(i).down
    }

    /// Whether every TSA is down and none is due for a probe: nothing is
    /// left to stamp with.
    pub(crate) fn none_left(&self) -> bool {
        let now = Instant::now();
        (0..self.states.len()).all(|i| {
            let s = self.state(i);
            s.down && (s.probing || s.next_probe.is_some_and(|t| now < t))
        })
    }

    /// Records an answer from TSA `i` (a stamp, or an error that is not a
    /// connection failure): it is reachable.
    pub(crate) fn reached(&self, i: usize) {
        let mut s = self.state(i);
        s.consecutive = 0;
        s.down = false;
        s.probing = false;
        s.next_probe = None;
    }

    /// Records a connection failure or timeout of TSA `i`; returns whether
    /// it is down now.
    pub(crate) fn failed(&self, i: usize, error: &Error) -> bool {
        let mut s = self.state(i);
        s.connect_failures += 1;
        s.consecutive = s.consecutive.saturating_add(1);
        s.last_error = Some(error.clone());
        let was_probe = std::mem::take(&mut s.probing);
        if self.config.threshold > 0 && (was_probe || s.consecutive >= self.config.threshold) {
            s.down = true;
            s.next_probe = Some(Instant::now() + self.config.reprobe_after);
        }
        s.down
    }

    /// The last connection error of every TSA (for "no TSA left").
    pub(crate) fn last_errors(&self) -> Vec<Error> {
        (0..self.states.len())
            .map(|i| {
                let s = self.state(i);
                s.last_error.clone().unwrap_or_else(|| Error::Network {
                    url: self.states[i].0.clone(),
                    reason: "down".into(),
                })
            })
            .collect()
    }

    /// How each TSA fared.
    pub(crate) fn health(&self) -> Vec<TsaHealth> {
        (0..self.states.len())
            .map(|i| {
                let s = self.state(i);
                TsaHealth {
                    url: self.states[i].0.clone(),
                    down: s.down,
                    connect_failures: s.connect_failures,
                    skipped: s.skipped,
                    last_error: s.last_error.clone(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> Error {
        Error::Network {
            url: url.into(),
            reason: "Connection refused".into(),
        }
    }

    fn breakers(threshold: u32, reprobe: Duration) -> Breakers {
        Breakers::new(
            BreakerConfig {
                threshold,
                reprobe_after: reprobe,
            },
            &["a".into(), "b".into()],
        )
    }

    #[test]
    fn down_after_threshold_consecutive_failures_only() {
        let b = breakers(3, Duration::from_secs(60));
        assert!(!b.failed(0, &refused("a")));
        assert!(!b.failed(0, &refused("a")));
        b.reached(0);
        assert!(!b.failed(0, &refused("a")));
        assert!(!b.failed(0, &refused("a")));
        assert!(b.failed(0, &refused("a")));
        assert_eq!(b.gate(0), Gate::Skip);
        assert_eq!(b.gate(1), Gate::Use);
        assert!(!b.none_left());
        let h = &b.health()[0];
        assert!(h.down);
        assert_eq!(h.connect_failures, 5);
        assert_eq!(h.skipped, 1);
    }

    #[test]
    fn a_due_probe_is_claimed_once_and_success_brings_it_back() {
        let b = breakers(1, Duration::ZERO);
        assert!(b.failed(0, &refused("a")));
        assert_eq!(b.gate(0), Gate::Probe);
        assert_eq!(b.gate(0), Gate::Skip, "one probe at a time");
        b.reached(0);
        assert_eq!(b.gate(0), Gate::Use);
    }

    #[test]
    fn a_failed_probe_keeps_it_down_and_none_left_when_all_down() {
        let b = breakers(1, Duration::from_secs(60));
        assert!(b.failed(0, &refused("a")));
        assert!(b.failed(1, &refused("b")));
        assert!(b.none_left());
        assert_eq!(b.last_errors(), vec![refused("a"), refused("b")]);
    }

    #[test]
    fn threshold_zero_never_trips() {
        let b = breakers(0, Duration::ZERO);
        for _ in 0..10 {
            assert!(!b.failed(0, &refused("a")));
        }
        assert_eq!(b.gate(0), Gate::Use);
    }
}
