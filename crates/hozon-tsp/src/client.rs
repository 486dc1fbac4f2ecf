//! The HTTP client for real TSAs (RFC 3161 §3.4, time stamps over HTTP):
//! timeouts, bounded retries with exponential backoff on transient
//! failures, failover across several TSAs, HTTP Basic authentication and
//! TLS client certificates (which Japanese commercial TSAs use), and a
//! bound on requests in flight for batches.
//!
//! Credentials come in through [`TsaConfig`] from files or the environment;
//! they are never part of a URL, an error message or a log line.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use der::asn1::ObjectIdentifier;
use hozon_cms::{Cert, DigestAlgorithm, KeyCache};
use zeroize::Zeroizing;

use crate::http::{Answer, Http};
use crate::request::{check_response, Request};
use crate::{Error, Token};

/// The largest response accepted from a TSA.
pub const MAX_RESPONSE_SIZE: u64 = 1 << 20;

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
}

impl TsaConfig {
    /// Defaults: 30 s timeout, 3 retries from 0.5 s, SHA-256, 4 in flight.
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
        }
    }
}

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
        Ok(TsaClient {
            config,
            http,
            slots,
            keys: KeyCache::default(),
            urls,
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
    /// trying each TSA in turn with retries on transient failures.
    pub fn stamp_digest(&self, digest: &[u8]) -> Result<Stamp, Error> {
        let _slot = self.slots.acquire();
        let mut failures = Vec::new();
        for (url, parsed) in self.config.urls.iter().zip(&self.urls) {
            match self.stamp_at(url, parsed, digest) {
                Ok(stamp) => return Ok(stamp),
                Err(e) => failures.push(e),
            }
        }
        if failures.len() == 1 {
            Err(failures.remove(0))
        } else {
            Err(Error::AllFailed(failures))
        }
    }

    fn stamp_at(&self, url: &str, parsed: &reqwest::Url, digest: &[u8]) -> Result<Stamp, Error> {
        let mut delay = self.config.backoff;
        let mut attempt = 0;
        loop {
            // A fresh request (and nonce) for every attempt.
            let request = Request::new(self.config.digest, digest, self.config.policy)?;
            match self.exchange(url, parsed, &request) {
                Ok(body) => {
                    let (token, tsa) = check_response(&body, &request, url, &self.keys)?;
                    return Ok(Stamp {
                        response: body,
                        token,
                        tsa,
                        url: url.to_owned(),
                    });
                }
                Err(e) if e.is_transient() && attempt < self.config.retries => {
                    attempt += 1;
                    std::thread::sleep(jittered(delay));
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One HTTP POST; the body of a 200 response.
    fn exchange(
        &self,
        url: &str,
        parsed: &reqwest::Url,
        request: &Request,
    ) -> Result<Vec<u8>, Error> {
        let answer = self
            .http
            .post(parsed, request.der.clone(), self.config.basic_auth.as_ref())?
            .map_err(|e| self.http_error(url, &e))?;
        match answer {
            Answer::Body(body) => Ok(body),
            Answer::Status(status) => {
                let hint = match status {
                    401 | 403 => " (check the TSA credentials: --tsa-user and --tsa-pass-env/--tsa-pass-file, or the client certificate)",
                    404 => " (check the TSA URL)",
                    _ => "",
                };
                Err(Error::Http {
                    url: url.to_owned(),
                    status,
                    hint: hint.to_owned(),
                })
            }
            Answer::TooLarge => Err(Error::Malformed {
                origin: url.to_owned(),
                reason: format!("the response is larger than {MAX_RESPONSE_SIZE} bytes"),
            }),
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

/// The innermost cause of an error: the informative one ("Connection
/// refused", "mac verify failure"), where the outer ones say "builder error"
/// or "error sending request".
pub(crate) fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    reason
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
}
