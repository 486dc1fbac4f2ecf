//! Listening: plain HTTP on a loopback address, or TLS (rustls, given a
//! certificate chain and key in PEM) on any address. A non-loopback
//! address without TLS is refused before anything is bound: the login's
//! password and the session cookie would cross the network in clear.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

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
        match tls {
            None => axum::serve(listener, app)
                .await
                .map_err(io(&bound.to_string())),
            Some(acceptor) => serve_tls(listener, acceptor, app).await,
        }
    })
}

async fn serve_tls(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    app: axum::Router,
) -> Result<(), ListenError> {
    loop {
        let (tcp, _) = match listener.accept().await {
            Ok(x) => x,
            // A client gone before accept, or no file descriptors left
            // for a moment: keep serving the others.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper_util::service::TowerToHyperService::new(app);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
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
}
