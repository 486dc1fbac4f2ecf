//! Listening: plain HTTP on a loopback address, or TLS (rustls, given a
//! certificate chain and key in PEM) on any address. A non-loopback
//! address without TLS is refused before anything is bound: the login's
//! password and the session cookie would cross the network in clear.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hozon_i18n::Lang;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::app::{router, AppState};
use crate::settings::{Settings, SettingsError};

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The archive's directory.
    pub root: PathBuf,
    /// Where to listen (port 0: any free port; the bound address is
    /// reported to `on_bound`).
    pub listen: SocketAddr,
    /// Certificate chain and private key files (PEM) for TLS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The UI language.
    pub lang: Lang,
}

/// Why the server cannot start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// A non-loopback address without TLS (a usage error).
    #[error("--listen {0}: not a loopback address; serving beyond this machine needs TLS (--tls-cert and --tls-key; docs/web.md)")]
    NotLoopbackWithoutTls(SocketAddr),
    /// The archive's `[web]` settings.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The users file is missing or wrong.
    #[error(transparent)]
    Users(#[from] crate::users::UsersError),
    /// The certificate or key file.
    #[error("{}: {reason}", path.display())]
    Tls {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Binding or serving failed.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// Whether `options` may be served at all.
pub fn check(options: &ServeOptions) -> Result<(), ListenError> {
    if options.tls.is_none() && !options.listen.ip().is_loopback() {
        return Err(ListenError::NotLoopbackWithoutTls(options.listen));
    }
    Ok(())
}

fn tls_config(
    cert: &PathBuf,
    key: &PathBuf,
) -> Result<tokio_rustls::rustls::ServerConfig, ListenError> {
    let bad = |path: &PathBuf, reason: String| ListenError::Tls {
        path: path.clone(),
        reason,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad(cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(bad(cert, "no CERTIFICATE in the file".into()));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, e.to_string()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| bad(key, e.to_string()))
}

/// Serves the web view of `options.root` until the process ends;
/// `on_bound` is told the bound address and scheme (`http` / `https`)
/// once the socket listens.
pub fn serve(
    options: &ServeOptions,
    on_bound: &dyn Fn(&str, SocketAddr),
) -> Result<(), ListenError> {
    check(options)?;
    let settings = Settings::load(&options.root)?;
    // The users file must be readable now, not at the first login.
    crate::users::Users::read(&settings.users)?;
    let tls = match &options.tls {
        Some((cert, key)) => Some(tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(
            cert, key,
        )?))),
        None => None,
    };
    let state = Arc::new(AppState::new(settings, tls.is_some(), options.lang));
    let app = router(state);
    let io = |what: &str| {
        let what = what.to_string();
        move |e| ListenError::Io(what, e)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(io("tokio runtime"))?;
    let std_listener =
        std::net::TcpListener::bind(options.listen).map_err(io(&options.listen.to_string()))?;
    std_listener
        .set_nonblocking(true)
        .map_err(io(&options.listen.to_string()))?;
    let bound = std_listener
        .local_addr()
        .map_err(io(&options.listen.to_string()))?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(std_listener).map_err(io(&bound.to_string()))?;
        on_bound(if tls.is_some() { "https" } else { "http" }, bound);
        accept_loop(listener, tls, app, Limits::default()).await;
        Ok(())
    })
}

/// How long a client may take for the TLS handshake before its
/// connection is dropped.
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's header before its
/// connection is closed (a slow client cannot hold a connection open).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The time limits a connection is served under.
#[derive(Clone, Copy, Debug)]
struct Limits {
    handshake: Duration,
    header_read: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            handshake: TLS_HANDSHAKE_TIMEOUT,
            header_read: HEADER_READ_TIMEOUT,
        }
    }
}

/// Accepts connections until the process ends, each served on its own
/// task: through TLS when `tls` is given, within `limits`.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: axum::Router,
    limits: Limits,
) {
    loop {
        let (tcp, _) = match listener.accept().await {
            Ok(x) => x,
            // A client gone before accept, or no file descriptors left
            // for a moment: keep serving the others.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let tls = tls.clone();
        let app = app.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(tcp, app, limits).await,
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(limits.handshake, acceptor.accept(tcp)).await;
                    if let Ok(Ok(stream)) = handshake {
                        serve_connection(stream, app, limits).await;
                    }
                }
            }
        });
    }
}

/// Serves HTTP/1.1 requests on one connection with the router.
async fn serve_connection<S>(stream: S, app: axum::Router, limits: Limits)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper_util::service::TowerToHyperService::new(app);
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(listen: &str, tls: bool) -> ServeOptions {
        ServeOptions {
            root: PathBuf::from("/nonexistent"),
            listen: listen.parse().unwrap(),
            tls: tls.then(|| (PathBuf::from("c.pem"), PathBuf::from("k.pem"))),
            lang: Lang::En,
        }
    }

    #[test]
    fn a_non_loopback_address_needs_tls() {
        for addr in ["0.0.0.0:8400", "192.0.2.1:8400", "[::]:8400"] {
            let err = check(&options(addr, false)).unwrap_err();
            assert!(
                matches!(err, ListenError::NotLoopbackWithoutTls(_)),
                "{addr}"
            );
            assert!(err.to_string().contains("needs TLS"), "{err}");
            check(&options(addr, true)).unwrap();
        }
        check(&options("127.0.0.1:0", false)).unwrap();
        check(&options("[::1]:8400", false)).unwrap();
    }

    #[test]
    fn the_refusal_comes_before_the_archive_is_read() {
        let err = serve(&options("0.0.0.0:0", false), &|_, _| {}).unwrap_err();
        assert!(
            matches!(err, ListenError::NotLoopbackWithoutTls(_)),
            "{err}"
        );
    }

    /// A client that opens a connection and sends half a request header
    /// is cut off after the header-read limit instead of holding the
    /// connection (and a task) for ever.
    #[tokio::test]
    async fn a_slow_client_is_cut_off_after_the_header_read_limit() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let limits = Limits {
            handshake: Duration::from_millis(200),
            header_read: Duration::from_millis(200),
        };
        tokio::spawn(accept_loop(listener, None, axum::Router::new(), limits));
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut buf))
            .await
            .expect("the server closes the connection well before 10 s");
        // Closed, with at most hyper's 408 response before the close.
        read.unwrap();
        let text = String::from_utf8_lossy(&buf);
        assert!(buf.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
    }
}
