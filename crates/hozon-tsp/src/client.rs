//! The HTTP client for real TSAs (RFC 3161 §3.4, time stamps over HTTP):
//! timeouts, bounded retries with exponential backoff on transient
//! failures, failover across several TSAs, HTTP Basic authentication and
//! TLS client certificates (which Japanese commercial TSAs use), and a
//! bound on requests in flight for batches.
//!
//! Credentials come in through [`TsaConfig`](crate::TsaConfig) from files or the environment;
//! they are never part of a URL, an error message or a log line.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use hozon_cms::{Cert, DigestAlgorithm, KeyCache};

use crate::breaker::{Breakers, Gate, TsaHealth};
use crate::config::TsaConfig;
use crate::error_chain::innermost;
use crate::http::{Answer, Http};
use crate::limits::MAX_RESPONSE_SIZE;
use crate::request::{check_response, Request};
use crate::{Error, Token};

/// A token obtained from a TSA, with the response it came in.
#[derive(Clone, Debug)]
pub struct Stamp {
    /// The TimeStampResp as received (what `FILE.tsr` holds).
    pub response: Vec<u8>,
    /// The token, checked against the request.
    pub token: Token,
    /// The TSA's certificate.
    pub tsa: Cert,
    /// The TSA that answered.
    pub url: String,
}

/// A counting semaphore bounding requests in flight.
///
/// It counts its waiters so that releasing a slot nobody waits for makes no
/// system call (`Condvar::notify_one` always does one), which is the common
/// case when a batch has no more threads than slots.
struct Slots {
    state: Mutex<SlotState>,
    ready: Condvar,
}

struct SlotState {
    free: usize,
    waiting: usize,
}

impl Slots {
    fn new(slots: usize) -> Slots {
        Slots {
            state: Mutex::new(SlotState {
                free: slots.max(1),
                waiting: 0,
            }),
            ready: Condvar::new(),
        }
    }

    fn acquire(&self) -> SlotGuard<'_> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while state.free == 0 {
            state.waiting += 1;
            state = self.ready.wait(state).unwrap_or_else(|p| p.into_inner());
            state.waiting -= 1;
        }
        state.free -= 1;
        SlotGuard(self)
    }
}

struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|p| p.into_inner());
        state.free += 1;
        let wake = state.waiting > 0;
        drop(state);
        if wake {
            self.0.ready.notify_one();
        }
    }
}

/// A client for one or more TSAs; share one across a batch.
pub struct TsaClient {
    config: TsaConfig,
    http: Http,
    slots: Slots,
    keys: KeyCache,
    /// The URLs, parsed once (parsing showed in profiles of large batches).
    urls: Vec<reqwest::Url>,
    breakers: Breakers,
}

impl std::fmt::Debug for TsaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsaClient")
            .field("urls", &self.config.urls)
            .field(
                "basic_auth",
                &self.config.basic_auth.as_ref().map(|a| &a.user),
            )
            .field("client_identity", &self.config.client_identity.is_some())
            .finish_non_exhaustive()
    }
}

impl TsaClient {
    /// A client for `config`.
    pub fn new(config: TsaConfig) -> Result<TsaClient, Error> {
        if config.urls.is_empty() {
            return Err(Error::Config("no TSA URL given (--tsa URL)".into()));
        }
        let mut urls = Vec::new();
        for url in &config.urls {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| Error::Config(format!("{url:?} is not a URL: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(Error::Config(format!(
                    "{url}: only http and https TSAs are supported"
                )));
            }
            if !parsed.username().is_empty() || parsed.password().is_some() {
                return Err(Error::Config(
                    "a TSA URL must not carry credentials; use --tsa-user with --tsa-pass-env or --tsa-pass-file".into(),
                ));
            }
            urls.push(parsed);
        }
        let http = Http::new(&config)?;
        let slots = Slots::new(config.concurrency);
        let breakers = Breakers::new(config.breaker, &config.urls);
        Ok(TsaClient {
            config,
            http,
            slots,
            keys: KeyCache::default(),
            urls,
            breakers,
        })
    }

    /// The digest algorithm of imprints this client requests.
    pub fn digest(&self) -> DigestAlgorithm {
        self.config.digest
    }

    /// Time-stamps `data` (hashed with the configured digest).
    pub fn stamp_data(&self, data: &[u8]) -> Result<Stamp, Error> {
        let digest = self
            .config
            .digest
            .digest(data)
            .map_err(|e| Error::Config(e.to_string()))?;
        self.stamp_digest(&digest)
    }

    /// Time-stamps a precomputed digest (of the configured algorithm),
    /// trying each TSA in turn with retries on transient failures. A TSA
    /// down for the run (see [`BreakerConfig`](crate::BreakerConfig)) is passed over; when every
    /// one is down, [`Error::NoTsaLeft`] comes at once, without a request.
    pub fn stamp_digest(&self, digest: &[u8]) -> Result<Stamp, Error> {
        if self.breakers.none_left() {
            return Err(Error::NoTsaLeft(self.breakers.last_errors()));
        }
        let _slot = self.slots.acquire();
        let mut failures = Vec::new();
        for (i, (url, parsed)) in self.config.urls.iter().zip(&self.urls).enumerate() {
            let probe = match self.breakers.gate(i) {
                Gate::Skip => continue,
                Gate::Use => false,
                Gate::Probe => true,
            };
            match self.stamp_at(i, url, parsed, digest, probe) {
                Ok(stamp) => return Ok(stamp),
                Err(e) => failures.push(e),
            }
        }
        if self.breakers.none_left() {
            return Err(Error::NoTsaLeft(self.breakers.last_errors()));
        }
        match failures.len() {
            // Every TSA was skipped, but one is due for a probe another
            // request holds: nothing was asked.
            0 => Err(Error::NoTsaLeft(self.breakers.last_errors())),
            1 => Err(failures.remove(0)),
            _ => Err(Error::AllFailed(failures)),
        }
    }

    /// How each TSA fared this run: which are down, how many connection
    /// failures, how many requests went past a down one.
    pub fn health(&self) -> Vec<TsaHealth> {
        self.breakers.health()
    }

    /// [`Error::NoTsaLeft`] when every TSA is down for the run (and none
    /// is due for a probe): a batch stops here rather than fail file by
    /// file.
    pub fn no_tsa_left(&self) -> Option<Error> {
        self.breakers
            .none_left()
            .then(|| Error::NoTsaLeft(self.breakers.last_errors()))
    }

    fn stamp_at(
        &self,
        i: usize,
        url: &str,
        parsed: &reqwest::Url,
        digest: &[u8],
        probe: bool,
    ) -> Result<Stamp, Error> {
        let mut delay = self.config.backoff;
        let mut attempt = 0;
        loop {
            // A fresh request (and nonce) for every attempt.
            let request = Request::new(self.config.digest, digest, self.config.policy)?;
            let (e, retry_after) = match self.exchange(url, parsed, &request) {
                Ok(body) => {
                    self.breakers.reached(i);
                    let (token, tsa) = check_response(&body, &request, url, &self.keys)?;
                    return Ok(Stamp {
                        response: body,
                        token,
                        tsa,
                        url: url.to_owned(),
                    });
                }
                Err(failure) => failure,
            };
            if e.is_connect_failure() {
                if self.breakers.failed(i, &e) {
                    return Err(e);
                }
            } else {
                self.breakers.reached(i);
            }
            if probe || !e.is_transient() || attempt >= self.config.retries {
                return Err(e);
            }
            attempt += 1;
            let wait = match retry_after {
                Some(after) => after.min(self.config.max_retry_after),
                None => jittered(delay),
            };
            std::thread::sleep(wait);
            delay = (delay * 2).min(Duration::from_secs(30));
            // Other requests may have found it down meanwhile.
            if self.breakers.is_down(i) {
                return Err(e);
            }
        }
    }

    /// One HTTP POST; the body of a 200 response, or the error with the
    /// delay a 429 or 503 answer asked for (`Retry-After`).
    fn exchange(
        &self,
        url: &str,
        parsed: &reqwest::Url,
        request: &Request,
    ) -> Result<Vec<u8>, (Error, Option<Duration>)> {
        let answer = self
            .http
            .post(parsed, request.der.clone(), self.config.basic_auth.as_ref())
            .map_err(|e| (e, None))?
            .map_err(|e| (self.http_error(url, &e), None))?;
        match answer {
            Answer::Body(body) => Ok(body),
            Answer::Status(status, retry_after) => {
                let hint = match status {
                    401 | 403 => " (check the TSA credentials: --tsa-user and --tsa-pass-env/--tsa-pass-file, or the client certificate)",
                    404 => " (check the TSA URL)",
                    _ => "",
                };
                let retry_after = retry_after.filter(|_| matches!(status, 429 | 503));
                Err((
                    Error::Http {
                        url: url.to_owned(),
                        status,
                        hint: hint.to_owned(),
                    },
                    retry_after,
                ))
            }
            Answer::TooLarge => Err((
                Error::Malformed {
                    origin: url.to_owned(),
                    reason: format!("the response is larger than {MAX_RESPONSE_SIZE} bytes"),
                },
                None,
            )),
        }
    }

    fn http_error(&self, url: &str, e: &reqwest::Error) -> Error {
        if e.is_timeout() {
            return Error::Timeout {
                url: url.to_owned(),
                seconds: self.config.timeout.as_secs(),
            };
        }
        let reason = innermost(e);
        if let Some((reason, hint)) = tls_failure(&reason) {
            return Error::Tls {
                url: url.to_owned(),
                reason,
                hint: hint.to_owned(),
            };
        }
        Error::Network {
            url: url.to_owned(),
            reason,
        }
    }
}

/// Recognises a TLS handshake failure in OpenSSL's error text (native-tls
/// gives no typed error through reqwest) and returns the reason without
/// OpenSSL's source-file location, and advice.
fn tls_failure(reason: &str) -> Option<(String, &'static str)> {
    const CASES: [(&str, &str); 6] = [
        (
            "certificate verify failed",
            " (the TSA's server certificate is not trusted: give its CA with --tsa-ca)",
        ),
        (
            "certificate required",
            " (the TSA requires a client certificate: --tsa-client-cert)",
        ),
        (
            "unknown ca",
            " (the TSA does not trust our client certificate's issuer)",
        ),
        (
            "bad certificate",
            " (the TSA rejected our client certificate)",
        ),
        (
            "certificate expired",
            " (a certificate of the TLS connection has expired)",
        ),
        ("handshake failure", ""),
    ];
    let lower = reason.to_ascii_lowercase();
    let (_, hint) = CASES.iter().find(|(needle, _)| lower.contains(needle))?;
    // "error:0A000086:SSL routines::certificate verify failed:../ssl/statem/statem_clnt.c:1889:"
    let clean = reason
        .split(":../")
        .next()
        .unwrap_or(reason)
        .trim_end_matches(':')
        .to_owned();
    Some((clean, hint))
}

/// `d` plus up to 25 % random jitter, so that a batch's retries do not
/// arrive at the TSA in lockstep.
fn jittered(d: Duration) -> Duration {
    let mut b = [0u8; 1];
    let _ = openssl::rand::rand_bytes(&mut b);
    d + d.mul_f64(f64::from(b[0]) / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BreakerConfig;

    #[test]
    fn tls_handshake_failures_are_recognised_cleaned_and_not_retried() {
        let (reason, hint) = tls_failure(
            "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:",
        )
        .unwrap();
        assert_eq!(
            reason,
            "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed"
        );
        assert!(hint.contains("--tsa-ca"));
        let (_, hint) = tls_failure("ssl/tls alert certificate required").unwrap();
        assert!(hint.contains("--tsa-client-cert"));
        assert!(tls_failure("Connection refused (os error 111)").is_none());
        let e = Error::Tls {
            url: "https://tsa".into(),
            reason: reason.clone(),
            hint: String::new(),
        };
        assert!(!e.is_transient());
    }

    /// A server on 127.0.0.1 that answers every request, on any number of
    /// connections, with `reply`; returns its URL.
    fn canned_server(reply: Vec<u8>) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        let reply = std::sync::Arc::new(reply);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { return };
                let reply = reply.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    while matches!(conn.read(&mut buf), Ok(n) if n > 0) {
                        if conn.write_all(&reply).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        url
    }

    fn client_for(url: &str) -> TsaClient {
        let mut config = TsaConfig::new(vec![url.to_owned()]);
        config.retries = 0;
        config.timeout = Duration::from_secs(10);
        TsaClient::new(config).unwrap()
    }

    #[test]
    fn redirects_are_reported_not_followed() {
        // Following would re-send the request as a GET to another host.
        let url = canned_server(
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/tsa\r\nContent-Length: 0\r\n\r\n"
                .to_vec(),
        );
        match client_for(&url).stamp_data(b"x") {
            Err(Error::Http { url: u, status, .. }) => {
                assert_eq!(u, url);
                assert_eq!(status, 302);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bodies_over_the_limit_are_refused_declared_or_chunked() {
        let declared =
            canned_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n".to_vec());
        let over = usize::try_from(MAX_RESPONSE_SIZE).unwrap() + 1;
        let mut chunked =
            format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{over:x}\r\n")
                .into_bytes();
        chunked.resize(chunked.len() + over, 0x30);
        chunked.extend_from_slice(b"\r\n0\r\n\r\n");
        for url in [declared, canned_server(chunked)] {
            match client_for(&url).stamp_data(b"x") {
                Err(Error::Malformed { reason, .. }) => {
                    assert!(reason.contains("larger than"), "{reason}")
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn one_client_serves_many_threads() {
        // Each thread gets its own runtime and connection pool; requests
        // from all of them reach the server and get its answer.
        let url = canned_server(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec());
        let client = client_for(&url);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..3 {
                        let result = client.stamp_data(b"x");
                        assert!(
                            matches!(result, Err(Error::Http { status: 404, .. })),
                            "{result:?}"
                        );
                    }
                });
            }
        });
    }

    #[test]
    fn requests_in_flight_never_exceed_the_concurrency() {
        use std::io::{Read, Write};
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use std::sync::Arc;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let served = Arc::new(AtomicUsize::new(0));
        {
            let (now, most, served) = (now.clone(), most.clone(), served.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    let Ok(mut conn) = conn else { return };
                    let (now, most, served) = (now.clone(), most.clone(), served.clone());
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 4096];
                        while matches!(conn.read(&mut buf), Ok(n) if n > 0) {
                            most.fetch_max(now.fetch_add(1, SeqCst) + 1, SeqCst);
                            std::thread::sleep(Duration::from_millis(30));
                            now.fetch_sub(1, SeqCst);
                            served.fetch_add(1, SeqCst);
                            let reply = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
                            if conn.write_all(reply).is_err() {
                                return;
                            }
                        }
                    });
                }
            });
        }
        let mut config = TsaConfig::new(vec![url]);
        config.retries = 0;
        config.concurrency = 2;
        let client = TsaClient::new(config).unwrap();
        std::thread::scope(|scope| {
            for _ in 0..6 {
                scope.spawn(|| {
                    for _ in 0..2 {
                        let _ = client.stamp_data(b"x");
                    }
                });
            }
        });
        assert_eq!(served.load(SeqCst), 12);
        assert_eq!(most.load(SeqCst), 2, "at most 2 in flight, and 2 reached");
    }

    #[test]
    fn calling_from_inside_an_async_runtime_is_an_error_not_a_panic() {
        let client = TsaClient::new(TsaConfig::new(vec!["http://127.0.0.1:9/tsa".into()])).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = runtime.block_on(async { client.stamp_data(b"x") });
        assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
    }

    #[test]
    fn urls_with_credentials_are_refused() {
        let err = TsaClient::new(TsaConfig::new(vec!["http://user:pw@127.0.0.1/tsa".into()]))
            .unwrap_err();
        assert!(!err.to_string().contains("pw"), "{err}");
        assert!(matches!(err, Error::Config(_)));
    }

    #[test]
    fn bad_urls_and_no_urls_are_configuration_errors() {
        assert!(matches!(
            TsaClient::new(TsaConfig::new(vec![])),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            TsaClient::new(TsaConfig::new(vec!["not a url".into()])),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            TsaClient::new(TsaConfig::new(vec!["ftp://127.0.0.1/".into()])),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn unreachable_tsa_is_a_network_error_after_retries() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        drop(listener);
        let mut config = TsaConfig::new(vec![url.clone()]);
        config.retries = 1;
        config.backoff = Duration::from_millis(10);
        let client = TsaClient::new(config).unwrap();
        match client.stamp_data(b"x") {
            Err(Error::Network { url: u, .. }) => assert_eq!(u, url),
            other => panic!("{other:?}"),
        }
    }

    fn dead_url() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        drop(listener);
        url
    }

    #[test]
    fn a_dead_first_tsa_is_given_up_after_the_threshold() {
        let dead = dead_url();
        let alive = canned_server(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec());
        let mut config = TsaConfig::new(vec![dead.clone(), alive.clone()]);
        config.retries = 0;
        config.breaker = BreakerConfig {
            threshold: 3,
            reprobe_after: Duration::from_secs(3600),
        };
        let client = TsaClient::new(config).unwrap();
        for _ in 0..20 {
            let result = client.stamp_data(b"x");
            // The second TSA answers (404): that is the request's outcome.
            assert!(
                matches!(
                    &result,
                    Err(Error::Http { status: 404, .. }) | Err(Error::AllFailed(_))
                ),
                "{result:?}"
            );
        }
        let health = client.health();
        assert_eq!(health[0].url, dead);
        assert!(health[0].down);
        assert_eq!(health[0].connect_failures, 3, "not one per request");
        assert_eq!(health[0].skipped, 17);
        assert!(!health[1].down);
        assert!(client.no_tsa_left().is_none());
    }

    #[test]
    fn with_every_tsa_down_the_client_answers_no_tsa_left_without_asking() {
        let dead = dead_url();
        let mut config = TsaConfig::new(vec![dead.clone()]);
        config.retries = 5;
        config.backoff = Duration::from_millis(1);
        config.breaker = BreakerConfig {
            threshold: 2,
            reprobe_after: Duration::from_secs(3600),
        };
        let client = TsaClient::new(config).unwrap();
        match client.stamp_data(b"x") {
            Err(Error::NoTsaLeft(errors)) => {
                assert_eq!(errors.len(), 1);
                assert!(errors[0].to_string().contains(&dead), "{}", errors[0]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            client.health()[0].connect_failures,
            2,
            "retries stop at the threshold"
        );
        assert!(matches!(client.stamp_data(b"x"), Err(Error::NoTsaLeft(_))));
        assert_eq!(client.health()[0].connect_failures, 2, "nothing asked");
        let message = client.no_tsa_left().unwrap().to_string();
        assert!(message.starts_with("no TSA left"), "{message}");
        assert!(message.contains(&dead), "{message}");
    }

    #[test]
    fn a_down_tsa_is_probed_again_after_the_interval() {
        let dead = dead_url();
        let mut config = TsaConfig::new(vec![dead]);
        config.retries = 0;
        config.breaker = BreakerConfig {
            threshold: 1,
            reprobe_after: Duration::ZERO,
        };
        let client = TsaClient::new(config).unwrap();
        let _ = client.stamp_data(b"x");
        assert!(client.health()[0].down);
        // Due at once: the next request probes it (one more attempt).
        let _ = client.stamp_data(b"x");
        assert_eq!(client.health()[0].connect_failures, 2);
    }

    #[test]
    fn retry_after_of_a_503_sets_the_delay_capped() {
        let url = canned_server(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"
                .to_vec(),
        );
        let mut config = TsaConfig::new(vec![url.clone()]);
        config.retries = 1;
        config.backoff = Duration::from_millis(1);
        let client = TsaClient::new(config).unwrap();
        let start = std::time::Instant::now();
        let result = client.stamp_data(b"x");
        assert!(
            matches!(result, Err(Error::Http { status: 503, .. })),
            "{result:?}"
        );
        assert!(
            start.elapsed() >= Duration::from_millis(950),
            "waited {:?}, not the Retry-After",
            start.elapsed()
        );
        // Capped at 0: the retry comes at once.
        let mut config = TsaConfig::new(vec![url]);
        config.retries = 1;
        config.backoff = Duration::from_millis(1);
        config.max_retry_after = Duration::ZERO;
        let client = TsaClient::new(config).unwrap();
        let start = std::time::Instant::now();
        let _ = client.stamp_data(b"x");
        assert!(
            start.elapsed() < Duration::from_millis(900),
            "{:?}",
            start.elapsed()
        );
    }
}
