//! The router, its state, the security headers every answer carries, and
//! the login / logout handlers (the only POSTs, each with its session's
//! CSRF token).

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use cookie::{Cookie, SameSite};
use hozon_i18n::{Catalog, Lang};
use serde::Deserialize;
use serde_json::Map;
use zeroize::Zeroizing;

use crate::audit::WebAccess;
use crate::sessions::{same_token, Session, Sessions, COOKIE};
use crate::settings::Settings;
use crate::users::Users;
use crate::view::{self, LoginPage};

/// The Content-Security-Policy of every answer: nothing may load from
/// anywhere (no script at all), styles only from the page's own `<style>`,
/// forms only to this server, no framing.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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

/// The web view's routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(crate::pages::dashboard))
        .route("/search", get(crate::pages::search))
        .route("/records/{id}", get(crate::pages::record))
        .route("/records/{id}/files/{name}", get(crate::download::file))
        .route("/records/{id}/bag.tar", get(crate::download::bag))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn security_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn not_found(State(app): State<Arc<AppState>>) -> Response {
    view::error_page(
        &app,
        StatusCode::NOT_FOUND,
        &app.cat().text("web-not-found"),
    )
}

/// Where a request without a login goes.
pub fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

/// Appends `access` to the audit log on a blocking thread; an error
/// becomes a 500 page (nothing is shown that was not logged).
pub async fn log(app: &Arc<AppState>, access: WebAccess) -> Result<(), Response> {
    let root = app.root.clone();
    let done = tokio::task::spawn_blocking(move || crate::audit::append(&root, &access)).await;
    match done {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(view::error_page(
            app,
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("audit log: {e}"),
        )),
        Err(e) => Err(view::error_page(
            app,
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("audit log: {e}"),
        )),
    }
}

fn login_page(app: &AppState, status: StatusCode, failed: bool) -> Response {
    let (id, s) = app.sessions.create(None);
    let page = LoginPage {
        t: view::Texts(app.cat()),
        lang: app.lang.code(),
        csrf: s.csrf,
        failed,
    };
    let mut r = (status, view::render(&page)).into_response();
    r.headers_mut().insert(header::SET_COOKIE, app.cookie(&id));
    r
}

async fn login_form(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if app.logged_in(&headers).is_some() {
        return Redirect::to("/").into_response();
    }
    login_page(&app, StatusCode::OK, false)
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    user: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
}

/// The logout form's field.
#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

fn forbidden(app: &AppState) -> Response {
    view::error_page(app, StatusCode::FORBIDDEN, &app.cat().text("web-forbidden"))
}

async fn login(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let password = Zeroizing::new(form.password.unwrap_or_default());
    let Some((old, session)) = app.session(&headers) else {
        return forbidden(&app);
    };
    let Some(csrf) = form.csrf.filter(|c| same_token(c, &session.csrf)) else {
        return forbidden(&app);
    };
    drop(csrf);
    let user = form.user.unwrap_or_default();
    let users_path = app.users.clone();
    let name = user.clone();
    let checked = tokio::task::spawn_blocking(move || {
        Users::read(&users_path).map(|u| u.check(&name, &password))
    })
    .await;
    let ok = match checked {
        Ok(Ok(ok)) => ok,
        Ok(Err(e)) => {
            return view::error_page(&app, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
        Err(e) => return view::error_page(&app, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    app.sessions.remove(&old);
    if !ok {
        // A failed attempt is an access event too (GL 6.0 asks for the
        // log of attempts, not only of successes); the name is logged as
        // typed, the password never.
        if let Err(r) = log(
            &app,
            WebAccess {
                user: user.clone(),
                action: "login-failed",
                details: Map::new(),
                records: Vec::new(),
            },
        )
        .await
        {
            return r;
        }
        return login_page(&app, StatusCode::UNAUTHORIZED, true);
    }
    if let Err(r) = log(
        &app,
        WebAccess {
            user: user.clone(),
            action: "login",
            details: Map::new(),
            records: Vec::new(),
        },
    )
    .await
    {
        return r;
    }
    let (id, _) = app.sessions.create(Some(user));
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().insert(header::SET_COOKIE, app.cookie(&id));
    r
}

async fn logout(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let Some((id, session, user)) = app.logged_in(&headers) else {
        return to_login();
    };
    if !form.csrf.is_some_and(|c| same_token(&c, &session.csrf)) {
        return forbidden(&app);
    }
    app.sessions.remove(&id);
    if let Err(r) = log(
        &app,
        WebAccess {
            user,
            action: "logout",
            details: Map::new(),
            records: Vec::new(),
        },
    )
    .await
    {
        return r;
    }
    Redirect::to("/login").into_response()
}

#[cfg(test)]
#[path = "app_tests.rs"]
mod tests;
