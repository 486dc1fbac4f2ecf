//! What every handler shares: the [`AppState`] (archive, users file,
//! configuration, sessions, language) and the session a request's cookie
//! names.

use std::path::PathBuf;

use axum::http::header::{self, HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};
use hozon_i18n::{Catalog, Lang};

use crate::sessions::{Session, Sessions, COOKIE};
use crate::settings::Settings;

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The archive's directory.
    pub root: PathBuf,
    /// The users file.
    pub users: PathBuf,
    /// The archive's configuration (verifier settings).
    pub config: hozon_archive::Config,
    /// The session table.
    pub sessions: Sessions,
    /// Whether the server speaks TLS (cookies get `Secure`).
    pub tls: bool,
    /// The UI language.
    pub lang: Lang,
}

impl AppState {
    /// The state for `settings`.
    pub fn new(settings: Settings, tls: bool, lang: Lang) -> AppState {
        AppState {
            sessions: Sessions::new(settings.session),
            root: settings.root,
            users: settings.users,
            config: settings.config,
            tls,
            lang,
        }
    }

    /// The UI's message catalogue.
    pub fn cat(&self) -> &'static Catalog {
        Catalog::get(self.lang)
    }

    /// The session cookie for `id`.
    pub fn cookie(&self, id: &str) -> HeaderValue {
        let c = Cookie::build((COOKIE, id.to_string()))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.tls)
            .path("/")
            .build();
        HeaderValue::from_str(&c.to_string()).unwrap_or(HeaderValue::from_static(""))
    }

    /// The session the request's cookie names, if live.
    pub fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let id = session_id(headers)?;
        let s = self.sessions.touch(&id)?;
        Some((id, s))
    }

    /// The logged-in user's session, if any.
    pub fn logged_in(&self, headers: &HeaderMap) -> Option<(String, Session, String)> {
        let (id, s) = self.session(headers)?;
        let user = s.user.clone()?;
        Some((id, s, user))
    }
}

/// The session id in the request's `Cookie` headers.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_string())
}
