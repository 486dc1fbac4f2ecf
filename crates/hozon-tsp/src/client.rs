//! The HTTP client for real TSAs (RFC 3161 §3.4, time stamps over HTTP):
//! timeouts, bounded retries with exponential backoff on transient
//! failures, failover across several TSAs, HTTP Basic authentication and
//! TLS client certificates (which Japanese commercial TSAs use), and a
//! bound on requests in flight for batches.
//!
//! Credentials come in through [`TsaConfig`] from files or the environment;
//! they are never part of a URL, an error message or a log line.

use std::io::Read;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use der::asn1::ObjectIdentifier;
use hozon_cms::{Cert, DigestAlgorithm, KeyCache};
use zeroize::Zeroizing;

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
struct Slots {
    free: Mutex<usize>,
    ready: Condvar,
}

impl Slots {
    fn acquire(&self) -> SlotGuard<'_> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self.ready.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        SlotGuard(self)
    }
}

struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.ready.notify_one();
    }
}

/// A client for one or more TSAs; share one across a batch.
pub struct TsaClient {
    config: TsaConfig,
    http: reqwest::blocking::Client,
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
        let mut builder = reqwest::blocking::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("hozon/", env!("CARGO_PKG_VERSION")));
        if let Some(id) = &config.client_identity {
            // PKCS#12 files from older tools are encrypted with RC2/3DES,
            // which OpenSSL 3 keeps in its legacy provider.
            hozon_cms::pkcs12::allow_legacy_encryption();
            let identity = reqwest::Identity::from_pkcs12_der(&id.pkcs12, &id.password)
                .map_err(|e| {
                    Error::Config(format!(
                        "TLS client certificate: {} (wrong password, or not a PKCS#12 file with a key and certificate)",
                        innermost(&e)
                    ))
                })?;
            builder = builder.identity(identity);
        }
        for pem in &config.tls_roots_pem {
            for cert in reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::Config(format!("TLS CA certificates: {}", innermost(&e))))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("cannot set up HTTP: {}", innermost(&e))))?;
        let slots = Slots {
            free: Mutex::new(config.concurrency.max(1)),
            ready: Condvar::new(),
        };
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
                    let token = check_response(&body, &request, url, &self.keys)?;
                    let tsa = token.tsa_certificate(&[]).ok_or_else(|| Error::BadToken {
                        origin: url.to_owned(),
                        reason: "no TSA certificate in the token".into(),
                        fault: crate::TokenFault::MissingCertificate,
                    })?;
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
        let mut post = self
            .http
            .post(parsed.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/timestamp-query")
            .header(reqwest::header::ACCEPT, "application/timestamp-reply")
            .body(request.der.clone());
        if let Some(auth) = &self.config.basic_auth {
            post = post.basic_auth(&auth.user, Some(auth.password.as_str()));
        }
        let response = post.send().map_err(|e| self.http_error(url, &e))?;
        let status = response.status();
        if !status.is_success() {
            let hint = match status.as_u16() {
                401 | 403 => " (check the TSA credentials: --tsa-user and --tsa-pass-env/--tsa-pass-file, or the client certificate)",
                404 => " (check the TSA URL)",
                _ => "",
            };
            return Err(Error::Http {
                url: url.to_owned(),
                status: status.as_u16(),
                hint: hint.to_owned(),
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_SIZE)
        {
            return Err(Error::Malformed {
                origin: url.to_owned(),
                reason: format!("the response is larger than {MAX_RESPONSE_SIZE} bytes"),
            });
        }
        let reading = |e: &dyn std::fmt::Display| Error::Network {
            url: url.to_owned(),
            reason: format!("reading the response: {e}"),
        };
        let body = if response.content_length().is_some() {
            // A declared length (checked above): read it whole on the HTTP
            // client's own thread. Reading through `Read` instead costs a
            // hand-off between threads for every chunk, which showed as the
            // largest part of the client's CPU per stamp.
            response.bytes().map_err(|e| reading(&e))?.to_vec()
        } else {
            // Chunked: stream, stopping one byte past the limit.
            let mut body = Vec::with_capacity(16 * 1024);
            response
                .take(MAX_RESPONSE_SIZE + 1)
                .read_to_end(&mut body)
                .map_err(|e| reading(&e))?;
            body
        };
        if u64::try_from(body.len()).unwrap_or(u64::MAX) > MAX_RESPONSE_SIZE {
            return Err(Error::Malformed {
                origin: url.to_owned(),
                reason: format!("the response is larger than {MAX_RESPONSE_SIZE} bytes"),
            });
        }
        Ok(body)
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
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
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
