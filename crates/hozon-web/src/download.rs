//! Downloads: a record's file, or its BagIt export as one tar file.
//!
//! Paths come only from the catalog: the record id must be a record id in
//! the catalog (which gives its directory), and the file name must be,
//! byte for byte, one of the names in that record's own `record.json`
//! (which [`RecordMeta::read`] has already checked are plain names). The
//! request's text is only ever compared with those names, never joined to
//! a path, so `..`, `/`, `%2F` or a symlink name cannot reach another
//! file. A file is handed out only if its bytes still have the SHA-256 the
//! record says.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hozon_archive::export::ExportRequest;
use hozon_archive::lock::Wait;
use hozon_archive::record::RecordMeta;
use serde_json::{json, Map};

use crate::audit::WebAccess;
use crate::pages::record_dir;
use crate::respond::{log, to_login};
use crate::state::AppState;
use crate::view::error_page;

/// Why a download is not served.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// No such record, or no such file in its `record.json`.
    #[error("not found")]
    NotFound,
    /// The file's bytes no longer match `record.json`.
    #[error("{0}: its SHA-256 is not the one the record holds (altered); `hozon archive verify` reports it")]
    Altered(String),
    /// Anything else (catalog, I/O, export).
    #[error("{0}")]
    Other(String),
}

/// The bytes of file `name` of record `id`, resolved through the catalog
/// and the record's file list, with its fixity checked.
pub fn resolve_file(
    root: &std::path::Path,
    id: &str,
    name: &str,
) -> Result<(String, Vec<u8>), DownloadError> {
    let dir = record_dir(root, id)
        .map_err(|e| DownloadError::Other(e.to_string()))?
        .ok_or(DownloadError::NotFound)?;
    let meta = RecordMeta::read(&dir).map_err(|e| DownloadError::Other(e.to_string()))?;
    let entry = meta
        .files
        .iter()
        .find(|f| f.name == name)
        .ok_or(DownloadError::NotFound)?;
    // The path is built from the record's own entry, not from `name`.
    let path = dir.join(&entry.name);
    let bytes = std::fs::read(&path)
        .map_err(|e| DownloadError::Other(format!("{}: {e}", path.display())))?;
    if hozon_archive::sha256_hex(&bytes) != entry.sha256 {
        return Err(DownloadError::Altered(entry.name.clone()));
    }
    Ok((entry.name.clone(), bytes))
}

/// `Content-Disposition: attachment` naming `name` (RFC 6266: an ASCII
/// `filename` and the exact UTF-8 name in `filename*`).
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or(HeaderValue::from_static("attachment"))
}

fn attachment(name: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_DISPOSITION, disposition(name));
    r
}

fn failure(app: &AppState, e: &DownloadError) -> Response {
    match e {
        DownloadError::NotFound => {
            error_page(app, StatusCode::NOT_FOUND, &app.cat().text("web-not-found"))
        }
        other => error_page(app, StatusCode::INTERNAL_SERVER_ERROR, &other.to_string()),
    }
}

/// `GET /records/{id}/files/{name}`.
pub async fn file(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let Some((_, _, user)) = app.logged_in(&headers) else {
        return to_login();
    };
    let root = app.root.clone();
    let (rid, rname) = (id.clone(), name.clone());
    let found = tokio::task::spawn_blocking(move || resolve_file(&root, &rid, &rname)).await;
    let (name, bytes) = match found {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return failure(&app, &e),
        Err(e) => return failure(&app, &DownloadError::Other(e.to_string())),
    };
    let mut details = Map::new();
    details.insert("file".into(), json!(name));
    let access = WebAccess {
        user,
        action: "download",
        details,
        records: vec![id],
    };
    if let Err(r) = log(&app, access).await {
        return r;
    }
    attachment(&name, "application/octet-stream", bytes)
}

/// Exports record `id` for `who` as a BagIt bag in a temporary directory
/// (`hozon_archive::export`, which logs the `export` access line) and
/// returns the bag as a tar archive (the `tar` crate), named `<id>-bag/`.
pub fn bag_tar(app: &AppState, id: &str, who: &str) -> Result<Vec<u8>, DownloadError> {
    if record_dir(&app.root, id)
        .map_err(|e| DownloadError::Other(e.to_string()))?
        .is_none()
    {
        return Err(DownloadError::NotFound);
    }
    let other = |e: &dyn std::fmt::Display| DownloadError::Other(e.to_string());
    let temp = tempfile::tempdir().map_err(|e| other(&e))?;
    let to = temp.path().join(format!("{id}-bag"));
    let mut session = hozon_archive::Session::open(
        &app.root,
        Wait::Yes,
        "hozon archive serve (export bag)",
        &|_| {},
    )
    .map_err(|e| other(&e))?;
    let verifier = hozon_archive::tools::verifier_setup(&session.config, None)
        .build()
        .map_err(|e| other(&e))?;
    let request = ExportRequest {
        records: vec![id.to_string()],
        patients: Vec::new(),
        to: to.clone(),
    };
    hozon_archive::export::run(&mut session, &request, &verifier, who).map_err(|e| other(&e))?;
    drop(session);
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    builder
        .append_dir_all(format!("{id}-bag"), &to)
        .map_err(|e| other(&e))?;
    builder.into_inner().map_err(|e| other(&e))
}

/// `GET /records/{id}/bag.tar`.
pub async fn bag(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some((_, _, user)) = app.logged_in(&headers) else {
        return to_login();
    };
    let state = app.clone();
    let rid = id.clone();
    let who = crate::audit::who(&user);
    let made = tokio::task::spawn_blocking(move || bag_tar(&state, &rid, &who)).await;
    match made {
        Ok(Ok(bytes)) => attachment(&format!("{id}-bag.tar"), "application/x-tar", bytes),
        Ok(Err(e)) => failure(&app, &e),
        Err(e) => failure(&app, &DownloadError::Other(e.to_string())),
    }
}
