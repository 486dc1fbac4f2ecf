//! How to reach the TSAs ([`TsaConfig`]: URLs, credentials, TLS, digest,
//! and the client's behaviour) and the part of it a user tunes
//! ([`TsaSettings`]: timeout, retries, requests in flight, when a TSA is
//! given up; read from `hozon.toml` `[tsa]` and the command line). Shared
//! by the client and its HTTP layer.
//!
//! Credentials come in from files or the environment; they are never part
//! of a URL, an error message or a log line.

use std::time::Duration;

use der::asn1::ObjectIdentifier;
use hozon_cms::DigestAlgorithm;
use zeroize::Zeroizing;

use crate::breaker::BreakerConfig;

/// HTTP Basic credentials.
pub struct BasicAuth {
    /// User name.
    pub user: String,
    /// Password (wiped on drop).
    pub password: Zeroizing<String>,
}

/// A TLS client certificate and key (PKCS#12).
pub struct ClientIdentity {
    /// The PKCS#12 file's bytes (wiped on drop).
    pub pkcs12: Zeroizing<Vec<u8>>,
    /// Its password (wiped on drop).
    pub password: Zeroizing<String>,
}

/// How to reach the TSAs.
pub struct TsaConfig {
    /// TSA URLs, tried in order (failover).
    pub urls: Vec<String>,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Retries per TSA on transient failures (network errors, HTTP 5xx,
    /// 429, timeouts); 0 means one attempt.
    pub retries: u32,
    /// Delay before the first retry; doubled each time, at most 30 s.
    pub backoff: Duration,
    /// HTTP Basic authentication.
    pub basic_auth: Option<BasicAuth>,
    /// TLS client certificate.
    pub client_identity: Option<ClientIdentity>,
    /// Extra CA certificates (PEM) for HTTPS TSAs with a private CA.
    pub tls_roots_pem: Vec<Vec<u8>>,
    /// Policy to request (reqPolicy); the token must carry it.
    pub policy: Option<ObjectIdentifier>,
    /// Digest of the message imprint.
    pub digest: DigestAlgorithm,
    /// Requests in flight at most (batches).
    pub concurrency: usize,
    /// When a TSA is taken out of use for the run, and probed again.
    pub breaker: BreakerConfig,
    /// The longest `Retry-After` of a 429 or 503 answer that is honoured;
    /// a longer one is cut to this.
    pub max_retry_after: Duration,
}

/// The client settings a user tunes (`hozon.toml` `[tsa]`, command-line
/// flags); `None` leaves [`TsaConfig::new`]'s default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TsaSettings {
    /// Seconds to wait for one answer.
    pub timeout_secs: Option<u64>,
    /// Retries per TSA on transient failures.
    pub retries: Option<u32>,
    /// Requests in flight at most.
    pub concurrency: Option<usize>,
    /// Consecutive connection failures or timeouts that take a TSA out of
    /// use for the run (0: never).
    pub breaker_threshold: Option<u32>,
    /// Seconds before a TSA taken out of use is probed again.
    pub reprobe_secs: Option<u64>,
    /// The longest `Retry-After` honoured, in seconds.
    pub max_retry_after_secs: Option<u64>,
}

impl TsaSettings {
    /// Each setting of `self`, or else of `fallback` (flags over a
    /// configuration file).
    pub fn or(self, fallback: TsaSettings) -> TsaSettings {
        TsaSettings {
            timeout_secs: self.timeout_secs.or(fallback.timeout_secs),
            retries: self.retries.or(fallback.retries),
            concurrency: self.concurrency.or(fallback.concurrency),
            breaker_threshold: self.breaker_threshold.or(fallback.breaker_threshold),
            reprobe_secs: self.reprobe_secs.or(fallback.reprobe_secs),
            max_retry_after_secs: self.max_retry_after_secs.or(fallback.max_retry_after_secs),
        }
    }

    /// Sets what is set in `config` (a timeout of at least 1 s, at least
    /// one request in flight).
    pub fn apply(&self, config: &mut TsaConfig) {
        if let Some(t) = self.timeout_secs {
            config.timeout = Duration::from_secs(t.max(1));
        }
        if let Some(r) = self.retries {
            config.retries = r;
        }
        if let Some(c) = self.concurrency {
            config.concurrency = c.max(1);
        }
        if let Some(n) = self.breaker_threshold {
            config.breaker.threshold = n;
        }
        if let Some(s) = self.reprobe_secs {
            config.breaker.reprobe_after = Duration::from_secs(s);
        }
        if let Some(s) = self.max_retry_after_secs {
            config.max_retry_after = Duration::from_secs(s);
        }
    }
}

impl TsaConfig {
    /// Defaults: 30 s timeout, 3 retries from 0.5 s, SHA-256, 4 in flight,
    /// a TSA down after 3 connection failures in a row and probed every
    /// 30 s, `Retry-After` honoured up to 120 s.
    pub fn new(urls: Vec<String>) -> TsaConfig {
        TsaConfig {
            urls,
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
            basic_auth: None,
            client_identity: None,
            tls_roots_pem: Vec::new(),
            policy: None,
            digest: DigestAlgorithm::Sha256,
            concurrency: 4,
            breaker: BreakerConfig::default(),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_apply_what_is_set_and_flags_win_over_the_file() {
        let file = TsaSettings {
            timeout_secs: Some(5),
            retries: Some(1),
            breaker_threshold: Some(7),
            ..TsaSettings::default()
        };
        let flags = TsaSettings {
            retries: Some(0),
            concurrency: Some(0),
            ..TsaSettings::default()
        };
        let mut config = TsaConfig::new(vec![]);
        flags.or(file).apply(&mut config);
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.retries, 0);
        assert_eq!(config.concurrency, 1, "at least one in flight");
        assert_eq!(config.breaker.threshold, 7);
        assert_eq!(config.breaker.reprobe_after, Duration::from_secs(30));
    }
}
