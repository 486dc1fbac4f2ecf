//! Answers the page handlers share: the way to the login page, and the
//! audit-log step whose failure becomes an error page.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::audit::WebAccess;
use crate::state::AppState;
use crate::view;

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
