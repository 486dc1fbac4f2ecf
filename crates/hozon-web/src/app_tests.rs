//! The router called with `tower::ServiceExt::oneshot`, no socket: login
//! (wrong password, expired session, missing CSRF token), the security
//! headers, traversal in downloads, and the audit lines of each view.

use std::path::Path;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use cookie::{Cookie, SameSite};
use hozon_archive::record::{FileEntry, Kind, RecordMeta, Role, State as RecordState};
use hozon_i18n::Lang;
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::*;
use crate::sessions::COOKIE;
use crate::settings::Settings;

const ID: &str = "0123456789abcdef0123456789abcdef";
const DOC: &[u8] = b"discharge summary\n";

struct Fixture {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    app: Arc<AppState>,
}

/// An archive with one record (`ID`, file `summary.txt`), a users file
/// with alice / "correct horse", and a secret file beside the archive.
fn fixture(tls: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    let mut config = hozon_archive::Config::default();
    config.web.users = Some("web-users".into());
    hozon_archive::session::init(&root, &config).unwrap();
    crate::users::add_user(
        &root.join("web-users"),
        "alice",
        &Zeroizing::new("correct horse".into()),
    )
    .unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"SECRET").unwrap();
    let layout = hozon_archive::Layout::new(&root);
    let rel = format!("2026/12/{ID}");
    let rdir = layout.records().join(&rel);
    std::fs::create_dir_all(&rdir).unwrap();
    std::fs::write(rdir.join("summary.txt"), DOC).unwrap();
    let meta = RecordMeta {
        format: hozon_archive::record::RecordFormat::V1,
        id: ID.into(),
        source: "/in/summary.txt".into(),
        sha256: hozon_archive::sha256_hex(DOC),
        kind: Kind::Document,
        class: None,
        level: None,
        state: RecordState::Archived,
        failure: None,
        ingested: "2026-12-07T00:00:00Z".into(),
        retain_until: None,
        dir: rel,
        files: vec![FileEntry {
            name: "summary.txt".into(),
            role: Role::Document,
            sha256: hozon_archive::sha256_hex(DOC),
            size: DOC.len() as u64,
        }],
        history: Vec::new(),
        metadata: None,
    };
    std::fs::write(rdir.join("record.json"), meta.to_bytes()).unwrap();
    let mut catalog = hozon_archive::catalog::Catalog::open(&layout.catalog()).unwrap();
    catalog.insert(&[&meta]).unwrap();
    drop(catalog);
    let settings = Settings::load(&root).unwrap();
    let app = Arc::new(AppState::new(settings, tls, Lang::Ja));
    Fixture {
        _dir: dir,
        root,
        app,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn cookie(&self) -> Option<String> {
        let v = self.headers.get(header::SET_COOKIE)?.to_str().ok()?;
        let c = Cookie::parse(v.to_string()).ok()?;
        Some(c.value().to_string())
    }

    fn csrf(&self) -> String {
        let text = self.text();
        let at = text.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        text[at..at + 64].to_string()
    }
}

async fn call(app: &Arc<AppState>, request: Request<Body>) -> Answer {
    let response = router(app.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, format!("{COOKIE}={c}"));
    }
    r.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let mut r =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, format!("{COOKIE}={c}"));
    }
    r.body(Body::from(form.to_string())).unwrap()
}

/// Logs in as alice; returns the session cookie.
async fn login_as_alice(app: &Arc<AppState>) -> String {
    let form = call(app, get("/login", None)).await;
    let anon = form.cookie().unwrap();
    let body = format!("csrf={}&user=alice&password=correct+horse", form.csrf());
    let r = call(app, post("/login", Some(&anon), &body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = r.cookie().unwrap();
    assert_ne!(id, anon, "a login gets a new session id");
    id
}

fn audit_lines(root: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(hozon_archive::Layout::new(root).audit_log()).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["event"] == "access")
        .collect()
}

#[tokio::test]
async fn a_request_without_login_goes_to_the_login_page() {
    let f = fixture(false);
    for path in [
        "/",
        "/search?patient=1",
        &format!("/records/{ID}"),
        &format!("/records/{ID}/files/summary.txt"),
    ] {
        let r = call(&f.app, get(path, None)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers[header::LOCATION], "/login", "{path}");
    }
    assert!(audit_lines(&f.root).is_empty());
}

#[tokio::test]
async fn a_wrong_password_is_refused() {
    let f = fixture(false);
    let form = call(&f.app, get("/login", None)).await;
    let anon = form.cookie().unwrap();
    let body = format!("csrf={}&user=alice&password=wrong", form.csrf());
    let r = call(&f.app, post("/login", Some(&anon), &body)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("login-failed"), "{}", r.text());
    let id = r.cookie().unwrap();
    let r = call(&f.app, get("/", Some(&id))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // An unknown user likewise.
    let form = call(&f.app, get("/login", None)).await;
    let body = format!("csrf={}&user=mallory&password=correct+horse", form.csrf());
    let r = call(&f.app, post("/login", form.cookie().as_deref(), &body)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Both attempts are in the audit log, with the name as typed and no
    // password.
    let lines = audit_lines(&f.root);
    let failed: Vec<_> = lines
        .iter()
        .filter(|l| l["action"] == "login-failed")
        .map(|l| l["who"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(failed, ["web:alice", "web:mallory"], "{lines:?}");
    let text = std::fs::read_to_string(hozon_archive::Layout::new(&f.root).audit_log()).unwrap();
    assert!(!text.contains("wrong") && !text.contains("correct horse"));
}

#[tokio::test]
async fn a_login_without_the_csrf_token_is_refused() {
    let f = fixture(false);
    let form = call(&f.app, get("/login", None)).await;
    let anon = form.cookie().unwrap();
    let r = call(
        &f.app,
        post("/login", Some(&anon), "user=alice&password=correct+horse"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another session's token, and a token without its session's cookie.
    let other = call(&f.app, get("/login", None)).await;
    let body = format!("csrf={}&user=alice&password=correct+horse", other.csrf());
    let r = call(&f.app, post("/login", Some(&anon), &body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(&f.app, post("/login", None, &body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie().is_none());
}

#[tokio::test]
async fn a_logout_needs_the_sessions_csrf_token() {
    let f = fixture(false);
    let id = login_as_alice(&f.app).await;
    let r = call(&f.app, post("/logout", Some(&id), "csrf=00")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = call(&f.app, get("/", Some(&id))).await;
    assert_eq!(page.status, StatusCode::OK);
    let r = call(
        &f.app,
        post("/logout", Some(&id), &format!("csrf={}", page.csrf())),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = call(&f.app, get("/", Some(&id))).await;
    assert_eq!(r.headers[header::LOCATION], "/login");
}

#[tokio::test]
async fn an_expired_session_goes_back_to_the_login_page() {
    let f = fixture(false);
    let id = login_as_alice(&f.app).await;
    assert_eq!(
        call(&f.app, get("/", Some(&id))).await.status,
        StatusCode::OK
    );
    f.app.sessions.expire(&id);
    let r = call(&f.app, get("/", Some(&id))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let f = fixture(false);
    let id = login_as_alice(&f.app).await;
    for (path, cookie) in [
        ("/login", None),
        ("/", Some(id.as_str())),
        ("/nowhere", Some(id.as_str())),
        (
            &format!("/records/{ID}/files/summary.txt") as &str,
            Some(id.as_str()),
        ),
    ] {
        let r = call(&f.app, get(path, cookie)).await;
        let h = &r.headers;
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], CSP, "{path}");
        assert!(CSP.starts_with("default-src 'none'"));
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
    }
}

#[tokio::test]
async fn the_session_cookie_is_httponly_strict_and_secure_under_tls() {
    for tls in [false, true] {
        let f = fixture(tls);
        let r = call(&f.app, get("/login", None)).await;
        let c = Cookie::parse(r.headers[header::SET_COOKIE].to_str().unwrap().to_string()).unwrap();
        assert_eq!(c.http_only(), Some(true));
        assert_eq!(c.same_site(), Some(SameSite::Strict));
        assert_eq!(c.secure().unwrap_or(false), tls);
    }
}

#[tokio::test]
async fn downloads_reach_only_files_the_record_lists() {
    let f = fixture(false);
    let id = login_as_alice(&f.app).await;
    let ok = call(
        &f.app,
        get(&format!("/records/{ID}/files/summary.txt"), Some(&id)),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body, DOC);
    assert!(ok.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"summary.txt\""));
    for path in [
        format!("/records/{ID}/files/..%2F..%2F..%2F..%2Fsecret.txt"),
        format!("/records/{ID}/files/..%2F..%2F..%2F..%2F..%2Fsecret.txt"),
        format!("/records/{ID}/files/record.json"),
        format!("/records/{ID}/files/%2E%2E"),
        format!("/records/{ID}/files/summary.txt%00"),
        format!("/records/{ID}/files/SUMMARY.TXT"),
        format!("/records/{ID}/files/..%5Csecret.txt"),
        format!("/records/{ID}/files/%2Fetc%2Fpasswd"),
        "/records/..%2F..%2Fsecret.txt/files/summary.txt".to_string(),
        "/records/ffffffffffffffffffffffffffffffff/files/summary.txt".to_string(),
        "/records/../secret.txt".to_string(),
        format!("/records/{ID}/files/../../../../secret.txt"),
    ] {
        let r = call(&f.app, get(&path, Some(&id))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.text().contains("SECRET"), "{path}");
        assert!(!r.text().contains("discharge"), "{path}");
    }
    // Only the one real download was logged.
    let lines = audit_lines(&f.root);
    let downloads: Vec<_> = lines.iter().filter(|l| l["action"] == "download").collect();
    assert_eq!(downloads.len(), 1, "{lines:?}");
    assert_eq!(downloads[0]["file"], "summary.txt");
    assert_eq!(downloads[0]["records"], serde_json::json!([ID]));
}

#[tokio::test]
async fn an_altered_file_is_not_handed_out() {
    let f = fixture(false);
    let id = login_as_alice(&f.app).await;
    let path = hozon_archive::Layout::new(&f.root)
        .records()
        .join(format!("2026/12/{ID}/summary.txt"));
    std::fs::write(&path, b"altered\n").unwrap();
    let r = call(
        &f.app,
        get(&format!("/records/{ID}/files/summary.txt"), Some(&id)),
    )
    .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.text().contains("altered"), "{}", r.text());
    assert!(!r.text().contains("altered\n<"), "{}", r.text());
}

#[tokio::test]
async fn every_view_search_and_download_appends_an_audit_line() {
    let f = fixture(false);
    let id = login_as_alice(&f.app).await;
    let dash = call(&f.app, get("/", Some(&id))).await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.text().contains("id=\"total\">1<"), "{}", dash.text());
    assert!(
        dash.text().contains("有効 (TOTAL_PASSED)"),
        "{}",
        dash.text()
    );
    let search = call(&f.app, get("/search?state=archived", Some(&id))).await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(
        search.text().contains(&format!("/records/{ID}")),
        "{}",
        search.text()
    );
    let bad = call(&f.app, get("/search?from=2026-13-01", Some(&id))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let record = call(&f.app, get(&format!("/records/{ID}"), Some(&id))).await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.text());
    assert!(record.text().contains(&hozon_archive::sha256_hex(DOC)));
    call(
        &f.app,
        get(&format!("/records/{ID}/files/summary.txt"), Some(&id)),
    )
    .await;
    let lines = audit_lines(&f.root);
    let got: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["who"].as_str().unwrap().to_string(),
                l["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = ["login", "view", "search", "view", "download"]
        .iter()
        .map(|a| ("web:alice".to_string(), a.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(lines[2]["query"]["state"], "archived");
    assert_eq!(lines[2]["records"], serde_json::json!([ID]));
    assert_eq!(lines[3]["records"], serde_json::json!([ID]));
    assert_eq!(lines[3]["page"], format!("/records/{ID}"));
    let chain =
        hozon_archive::audit::verify_chain(&hozon_archive::Layout::new(&f.root).audit_log())
            .unwrap();
    assert!(chain.problems.is_empty(), "{:?}", chain.problems);
}

#[tokio::test]
async fn a_bag_is_made_only_for_a_record_of_the_catalog() {
    let f = fixture(false);
    let id = login_as_alice(&f.app).await;
    for path in [
        "/records/ffffffffffffffffffffffffffffffff/bag.tar",
        "/records/..%2F..%2Fsecret.txt/bag.tar",
        "/records/..%2F/bag.tar",
        "/records/0123456789ABCDEF0123456789ABCDEF/bag.tar",
    ] {
        let r = call(&f.app, get(path, Some(&id))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert!(
        !audit_lines(&f.root).iter().any(|l| l["action"] == "export"),
        "nothing was exported"
    );
}

#[tokio::test]
async fn the_level_shows_as_its_name_or_a_dash() {
    let f = fixture(false);
    // The dashboard counts from the catalog, the record page reads record.json (no level).
    let catalog =
        hozon_archive::catalog::Catalog::open(&hozon_archive::Layout::new(&f.root).catalog())
            .unwrap();
    catalog
        .connection()
        .execute_batch("UPDATE records SET level = 'B-LT'")
        .unwrap();
    drop(catalog);
    let id = login_as_alice(&f.app).await;
    let dash = call(&f.app, get("/", Some(&id))).await;
    assert!(dash.text().contains("<td>B-LT</td>"), "{}", dash.text());
    let page = call(&f.app, get(&format!("/records/{ID}"), Some(&id))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("<th>レベル</th><td>-</td>"),
        "{}",
        page.text()
    );
}
