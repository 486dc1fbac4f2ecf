//! The router, its state, the security headers every answer carries, and
//! the login / logout handlers (the only POSTs, each with its session's
//! CSRF token).

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::Map;
use zeroize::Zeroizing;

use crate::audit::WebAccess;
use crate::sessions::same_token;
use crate::users::Users;
use crate::view::{self, LoginPage};

pub use crate::respond::{log, to_login};
pub use crate::state::{session_id, AppState};

/// The Content-Security-Policy of every answer: nothing may load from
/// anywhere (no script at all), styles only from the page's own `<style>`,
/// forms only to this server, no framing.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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
