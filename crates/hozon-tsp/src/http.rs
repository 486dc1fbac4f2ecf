//! The HTTP POST of a time-stamp request, made on the calling thread.
//!
//! Why not reqwest's blocking client: it runs every request on a runtime
//! thread of its own and hands the request there and the response back —
//! futex and eventfd wake-ups and two more context switches per stamp. On a
//! two-core machine shared with the TSA, where each stamp starts with cold
//! caches after the TSA's turn, those hand-offs were the largest part of the
//! client's CPU per stamp (the 5 % budget of issue 3).
//!
//! Here every calling thread drives its own single-threaded runtime and has
//! its own connection pool (a connection belongs to the runtime that opened
//! it: a pool shared across runtimes would hand one thread a connection whose
//! readiness only another thread's runtime sees). All of them share one TLS
//! configuration, because native-tls reads the system CA bundle each time a
//! configuration is built (tens of milliseconds).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

use crate::config::{BasicAuth, TsaConfig};
use crate::error_chain::innermost;
use crate::limits::MAX_RESPONSE_SIZE;
use crate::Error;

/// Threads remembered before the memory is emptied (a long-lived client used
/// from short-lived threads must not keep a runtime per thread forever).
const MAX_THREADS: usize = 256;

/// What a TSA answered.
pub(crate) enum Answer {
    /// A 2xx response's body (at most [`MAX_RESPONSE_SIZE`] bytes).
    Body(Vec<u8>),
    /// A response that is not 2xx, with its `Retry-After` delay when it
    /// gave one in seconds (an HTTP-date is not read: the default backoff
    /// applies).
    Status(u16, Option<Duration>),
    /// A body larger than [`MAX_RESPONSE_SIZE`].
    TooLarge,
}

/// Per-thread HTTP clients with one shared configuration.
pub(crate) struct Http {
    tls: native_tls::TlsConnector,
    timeout: Duration,
    locals: Mutex<HashMap<ThreadId, Arc<Local>>>,
}

/// One thread's runtime and connection pool.
struct Local {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Http {
    /// The TLS configuration of `config` (client certificate, extra CAs),
    /// built once.
    pub(crate) fn new(config: &TsaConfig) -> Result<Http, Error> {
        let mut tls = native_tls::TlsConnector::builder();
        if let Some(id) = &config.client_identity {
            // PKCS#12 files from older tools are encrypted with RC2/3DES,
            // which OpenSSL 3 keeps in its legacy provider.
            hozon_cms::pkcs12::allow_legacy_encryption();
            let identity =
                native_tls::Identity::from_pkcs12(&id.pkcs12, &id.password).map_err(|e| {
                    Error::Config(format!(
                        "TLS client certificate: {} (wrong password, or not a PKCS#12 file with a key and certificate)",
                        innermost(&e)
                    ))
                })?;
            tls.identity(identity);
        }
        for pem in &config.tls_roots_pem {
            let certs = openssl::x509::X509::stack_from_pem(pem)
                .map_err(|e| Error::Config(format!("TLS CA certificates: {e}")))?;
            if certs.is_empty() {
                return Err(Error::Config(
                    "TLS CA certificates: no PEM certificate found".into(),
                ));
            }
            for cert in certs {
                let der = cert
                    .to_der()
                    .map_err(|e| Error::Config(format!("TLS CA certificates: {e}")))?;
                let cert = native_tls::Certificate::from_der(&der)
                    .map_err(|e| Error::Config(format!("TLS CA certificates: {e}")))?;
                tls.add_root_certificate(cert);
            }
        }
        let tls = tls
            .build()
            .map_err(|e| Error::Config(format!("cannot set up TLS: {}", innermost(&e))))?;
        Ok(Http {
            tls,
            timeout: config.timeout,
            locals: Mutex::new(HashMap::new()),
        })
    }

    /// This thread's runtime and client, made on first use.
    fn local(&self) -> Result<Arc<Local>, Error> {
        let id = std::thread::current().id();
        let mut locals = self.locals.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(local) = locals.get(&id) {
            return Ok(Arc::clone(local));
        }
        let setup = |e: &dyn std::fmt::Display| Error::Config(format!("cannot set up HTTP: {e}"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| setup(&e))?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(self.tls.clone())
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("hozon/", env!("CARGO_PKG_VERSION")))
            // A redirected POST would be re-sent as a GET; a TSA that
            // redirects is misconfigured and gets reported with its status.
            .redirect(reqwest::redirect::Policy::none())
            // Retries are the caller's, each with a fresh request and nonce.
            .retry(reqwest::retry::never())
            .build()
            .map_err(|e| setup(&innermost(&e)))?;
        if locals.len() >= MAX_THREADS {
            // In use elsewhere, an entry lives on through its Arc.
            locals.clear();
        }
        let local = Arc::new(Local { runtime, client });
        locals.insert(id, Arc::clone(&local));
        Ok(local)
    }

    /// POSTs a TimeStampReq to `url` and reads the answer.
    pub(crate) fn post(
        &self,
        url: &reqwest::Url,
        body: Vec<u8>,
        auth: Option<&BasicAuth>,
    ) -> Result<Result<Answer, reqwest::Error>, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "the TSA client blocks; it cannot be called from inside an async runtime".into(),
            ));
        }
        let local = self.local()?;
        let mut post = local
            .client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/timestamp-query")
            .header(reqwest::header::ACCEPT, "application/timestamp-reply")
            .body(body);
        if let Some(auth) = auth {
            post = post.basic_auth(&auth.user, Some(auth.password.as_str()));
        }
        Ok(local.runtime.block_on(async move {
            let mut response = post.send().await?;
            let status = response.status();
            if !status.is_success() {
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                return Ok(Answer::Status(status.as_u16(), retry_after));
            }
            if response
                .content_length()
                .is_some_and(|n| n > MAX_RESPONSE_SIZE)
            {
                return Ok(Answer::TooLarge);
            }
            let capacity = response.content_length().unwrap_or(16 * 1024);
            let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
            while let Some(chunk) = response.chunk().await? {
                body.extend_from_slice(&chunk);
                if u64::try_from(body.len()).unwrap_or(u64::MAX) > MAX_RESPONSE_SIZE {
                    return Ok(Answer::TooLarge);
                }
            }
            Ok(Answer::Body(body))
        }))
    }
}
