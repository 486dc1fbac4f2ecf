//! The pages' askama templates (compiled in, auto-escaped; `templates/`)
//! and what they are filled with. Words come from hozon-i18n's catalogue.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use hozon_i18n::Catalog;
use hozon_verify::Indication;

use crate::state::AppState;

/// The catalogue, for `{{ t.get("web-…") }}` in templates.
#[derive(Clone, Copy)]
pub struct Texts(pub &'static Catalog);

impl Texts {
    /// Message `id`.
    pub fn get(&self, id: &str) -> String {
        self.0.text(id)
    }

    /// Message `id` with one argument.
    pub fn with(&self, id: &str, name: &str, value: &str) -> String {
        self.0.text_with(id, &[(name, value)])
    }

    /// The verdict word (有効 / 無効 / 判定不能) beside its code.
    pub fn verdict(&self, indication: Indication) -> String {
        format!(
            "{} ({})",
            self.0.verdict_word(indication),
            indication.as_str()
        )
    }
}

/// What every logged-in page shows in its header.
pub struct Frame {
    /// Texts.
    pub t: Texts,
    /// The logged-in user.
    pub user: String,
    /// The logout form's token.
    pub csrf: String,
}

/// Renders `page` as HTML (a template error is a 500 page).
pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("template: {e}")).into_response(),
    }
}

/// The login page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// Texts.
    pub t: Texts,
    /// `ja` / `en`.
    pub lang: &'static str,
    /// The anonymous session's token.
    pub csrf: String,
    /// Whether the last attempt failed.
    pub failed: bool,
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Texts.
    pub t: Texts,
    /// `ja` / `en`.
    pub lang: &'static str,
    /// What went wrong.
    pub message: String,
}

/// An error page with `status`.
pub fn error_page(app: &AppState, status: StatusCode, message: &str) -> Response {
    let page = ErrorPage {
        t: Texts(app.cat()),
        lang: app.lang.code(),
        message: message.to_string(),
    };
    let mut r = render(&page);
    *r.status_mut() = status;
    r
}
