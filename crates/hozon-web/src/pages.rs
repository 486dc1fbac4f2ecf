//! The GET pages: the status dashboard, search and a record's page. Each
//! is logged in the audit log (who, which page, which records) before it
//! is sent; patient IDs appear only on the search results and record pages
//! the user asked for, never on the dashboard.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hozon_archive::catalog::Catalog as ArchiveCatalog;
use hozon_archive::record::{is_record_id, RecordMeta};
use hozon_archive::search::{self, Hit};
use hozon_archive::status::StatusReport;
use hozon_archive::verify::Outcome;
use hozon_archive::Layout;
use hozon_verify::{Indication, SignatureReport};
use serde_json::{json, Map, Value};

use crate::audit::WebAccess;
use crate::respond::{log, to_login};
use crate::state::AppState;
use crate::view::{self, error_page, Frame, Texts};

/// One bar of the renewal forecast chart (SVG coordinates).
pub struct Bar {
    /// `YYYY-MM`.
    pub month: String,
    /// Records due.
    pub count: u64,
    /// Left edge.
    pub x: u64,
    /// Top edge.
    pub y: u64,
    /// Height.
    pub h: u64,
}

/// Chart geometry: bar pitch, bar width, plot height, top margin.
const PITCH: u64 = 48;
const BAR: u64 = 32;
const PLOT: u64 = 140;
const TOP: u64 = 18;

/// The bars of `by_month`, scaled to the largest month.
pub fn bars(by_month: &[hozon_archive::status::Due]) -> Vec<Bar> {
    let max = by_month.iter().map(|d| d.count).max().unwrap_or(0).max(1);
    by_month
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let h = (d.count * PLOT).div_ceil(max).max(1);
            Bar {
                month: d.month.clone(),
                count: d.count,
                x: 10 + i as u64 * PITCH,
                y: TOP + PLOT - h,
                h,
            }
        })
        .collect()
}

/// The dashboard.
#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    frame: Frame,
    lang: &'static str,
    t: Texts,
    status: StatusReport,
    bars: Vec<Bar>,
    chart_width: u64,
    bar_width: u64,
    chart_height: u64,
    axis_y: u64,
}

fn frame(app: &AppState, user: &str, csrf: &str) -> Frame {
    Frame {
        t: Texts(app.cat()),
        user: user.to_string(),
        csrf: csrf.to_string(),
    }
}

fn page_access(user: &str, action: &'static str, page: &str, records: Vec<String>) -> WebAccess {
    let mut details = Map::new();
    details.insert("page".into(), json!(page));
    WebAccess {
        user: user.to_string(),
        action,
        details,
        records,
    }
}

async fn blocking<T: Send + 'static>(
    app: &AppState,
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, Response> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(error_page(app, StatusCode::INTERNAL_SERVER_ERROR, &e)),
        Err(e) => Err(error_page(
            app,
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
        )),
    }
}

/// `GET /`: counts by kind/level/state, the renewal forecast by month as
/// a chart, records without evidence, the last verification.
pub async fn dashboard(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some((_, session, user)) = app.logged_in(&headers) else {
        return to_login();
    };
    let root = app.root.clone();
    let status = match blocking(&app, move || {
        let now = hozon_cms::UnixTime::now().rfc3339();
        hozon_archive::status::run(&root, &now).map_err(|e| e.to_string())
    })
    .await
    {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = log(&app, page_access(&user, "view", "/", Vec::new())).await {
        return r;
    }
    let bars = bars(&status.renewal.by_month);
    let page = DashboardPage {
        frame: frame(&app, &user, &session.csrf),
        lang: app.lang.code(),
        t: Texts(app.cat()),
        chart_width: 20 + bars.len() as u64 * PITCH,
        bar_width: BAR,
        chart_height: TOP + PLOT + 40,
        axis_y: TOP + PLOT,
        bars,
        status,
    };
    view::render(&page)
}

/// The search page.
#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    frame: Frame,
    lang: &'static str,
    t: Texts,
    form: HashMap<String, String>,
    error: Option<String>,
    hits: Option<Vec<Hit>>,
    truncated: bool,
}

impl SearchPage {
    fn value(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }

    fn selected(&self, state: &str) -> bool {
        self.form.get("state").map(String::as_str) == Some(state)
    }
}

fn nonempty(form: &HashMap<String, String>, name: &str) -> Option<String> {
    form.get(name)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `GET /search?patient=&type=&from=&to=&signer=&state=`: the filters of
/// `archive search`; without any, just the form.
pub async fn search(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(form): Query<HashMap<String, String>>,
) -> Response {
    let Some((_, session, user)) = app.logged_in(&headers) else {
        return to_login();
    };
    let query = search::Query {
        patient: nonempty(&form, "patient"),
        document_type: nonempty(&form, "type"),
        from: nonempty(&form, "from"),
        to: nonempty(&form, "to"),
        signer: nonempty(&form, "signer"),
        state: nonempty(&form, "state"),
        limit: Some(search::DEFAULT_LIMIT),
    };
    let mut page = SearchPage {
        frame: frame(&app, &user, &session.csrf),
        lang: app.lang.code(),
        t: Texts(app.cat()),
        form,
        error: None,
        hits: None,
        truncated: false,
    };
    if query
        == (search::Query {
            limit: query.limit,
            ..Default::default()
        })
    {
        if let Err(r) = log(&app, page_access(&user, "view", "/search", Vec::new())).await {
            return r;
        }
        return view::render(&page);
    }
    let query = match query.checked() {
        Ok(q) => q,
        Err(e) => {
            page.error = Some(e.to_string());
            let mut r = view::render(&page);
            *r.status_mut() = StatusCode::BAD_REQUEST;
            return r;
        }
    };
    let root = app.root.clone();
    let q = query.clone();
    let result = match blocking(&app, move || {
        let catalog = ArchiveCatalog::open_read_only(&Layout::new(&root).catalog())
            .map_err(|e| e.to_string())?;
        search::find(&catalog, &q).map_err(|e| e.to_string())
    })
    .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    let ids: Vec<String> = result.records.iter().map(|h| h.id.clone()).collect();
    let mut details = Map::new();
    details.insert(
        "query".into(),
        serde_json::to_value(&query).unwrap_or(Value::Null),
    );
    if result.truncated {
        details.insert("truncated".into(), json!(true));
    }
    let access = WebAccess {
        user: user.clone(),
        action: "search",
        details,
        records: ids,
    };
    if let Err(r) = log(&app, access).await {
        return r;
    }
    page.truncated = result.truncated;
    page.hits = Some(result.records);
    view::render(&page)
}

/// A signature or evidence record, in words.
pub struct Verdict {
    /// The file.
    pub file: String,
    /// 有効 (TOTAL-PASSED) / ...
    pub words: String,
    /// `passed` / `failed` / `indeterminate` (the CSS class).
    pub class: &'static str,
    /// What it means.
    pub meaning: String,
    /// The sub-indication's explanation, if any.
    pub detail: Option<String>,
    /// The signer's subject.
    pub signer: Option<String>,
    /// The best signature time.
    pub time: Option<String>,
}

/// One evidence step: an archive time stamp.
pub struct Step {
    /// Its time.
    pub time: String,
    /// Its kind.
    pub kind: hozon_verify::TimestampKind,
    /// The TSA.
    pub tsa: String,
    /// Its own indication.
    pub indication: hozon_verify::TimestampIndication,
}

fn class(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "passed",
        Indication::TotalFailed => "failed",
        Indication::Indeterminate => "indeterminate",
    }
}

fn verdict(t: Texts, r: &SignatureReport) -> Verdict {
    Verdict {
        file: r.file.rsplit('/').next().unwrap_or(&r.file).to_string(),
        words: t.verdict(r.indication),
        class: class(r.indication),
        meaning: t.0.explain(r.indication).meaning,
        detail: r.sub_indication.map(|s| {
            let e = t.0.explain_sub(s);
            format!("{} — {} ({s})", e.meaning, e.action)
        }),
        signer: r.signer.as_ref().map(|s| s.subject.clone()),
        time: r.best_signature_time.clone(),
    }
}

/// The record page.
#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordPage {
    frame: Frame,
    lang: &'static str,
    t: Texts,
    meta: RecordMeta,
    outcome: Verdict,
    problems: Vec<String>,
    signatures: Vec<Verdict>,
    evidence: Option<Verdict>,
    evidence_files: Vec<String>,
    timeline: Vec<Step>,
}

impl RecordPage {
    fn role(&self, f: &hozon_archive::record::FileEntry) -> String {
        serde_json::to_value(f.role)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    fn field(&self, name: &str) -> String {
        self.meta
            .metadata
            .as_ref()
            .and_then(|m| serde_json::to_value(m).ok())
            .and_then(|v| v.get(name).and_then(|x| x.as_str().map(str::to_string)))
            .unwrap_or_default()
    }
}

/// The directory of record `id` from the catalog (`None`: not a record id
/// or not in the catalog).
pub fn record_dir(
    root: &std::path::Path,
    id: &str,
) -> hozon_archive::Result<Option<std::path::PathBuf>> {
    if !is_record_id(id) {
        return Ok(None);
    }
    let layout = Layout::new(root);
    let catalog = ArchiveCatalog::open_read_only(&layout.catalog())?;
    let rows = catalog.rows_where("id = ?1", Some(id))?;
    Ok(rows
        .into_iter()
        .next()
        .map(|row| layout.records().join(row.dir)))
}

fn outcome_indication(o: Outcome) -> Indication {
    match o {
        Outcome::Passed => Indication::TotalPassed,
        Outcome::Indeterminate => Indication::Indeterminate,
        Outcome::Failed | Outcome::AcceptedFailed => Indication::TotalFailed,
    }
}

/// `GET /records/{id}`: the record's files with their SHA-256, its
/// signature(s) and evidence verified now, in plain words, and the
/// evidence timeline.
pub async fn record(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some((_, session, user)) = app.logged_in(&headers) else {
        return to_login();
    };
    let root = app.root.clone();
    let config = app.config.clone();
    let rid = id.clone();
    let found = blocking(&app, move || {
        let Some(dir) = record_dir(&root, &rid).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let meta = RecordMeta::read(&dir).map_err(|e| e.to_string())?;
        let verifier = hozon_archive::tools::verifier_setup(&config, None)
            .build()
            .map_err(|e| e.to_string())?;
        let check = hozon_archive::verify::verify_record(&dir, &verifier);
        let files = hozon_archive::record::evidence_files(&dir).map_err(|e| e.to_string())?;
        let names = files
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect::<Vec<_>>();
        Ok(Some((meta, check, names)))
    })
    .await;
    let (meta, check, evidence_files) = match found {
        Ok(Some(x)) => x,
        Ok(None) => {
            return error_page(
                &app,
                StatusCode::NOT_FOUND,
                &app.cat().text("web-not-found"),
            )
        }
        Err(r) => return r,
    };
    if let Err(r) = log(
        &app,
        page_access(&user, "view", &format!("/records/{id}"), vec![id.clone()]),
    )
    .await
    {
        return r;
    }
    let t = Texts(app.cat());
    let ind = outcome_indication(check.outcome);
    let outcome = Verdict {
        file: check.id.clone(),
        words: t.verdict(ind),
        class: class(ind),
        meaning: t.0.explain(ind).meaning,
        detail: (check.outcome == Outcome::AcceptedFailed)
            .then(|| meta.failure.clone().unwrap_or_default()),
        signer: None,
        time: None,
    };
    let timeline = check
        .evidence
        .as_ref()
        .map(|e| {
            e.timestamps
                .iter()
                .map(|ts| Step {
                    time: ts.gen_time.clone(),
                    kind: ts.kind,
                    tsa: ts.tsa.clone(),
                    indication: ts.indication,
                })
                .collect()
        })
        .unwrap_or_default();
    let page = RecordPage {
        frame: frame(&app, &user, &session.csrf),
        lang: app.lang.code(),
        t,
        outcome,
        problems: check
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.file, p.detail))
            .collect(),
        signatures: check.signatures.iter().map(|r| verdict(t, r)).collect(),
        evidence: check.evidence.as_ref().map(|r| verdict(t, r)),
        evidence_files,
        timeline,
        meta,
    };
    view::render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hozon_archive::status::Due;

    #[test]
    fn the_chart_scales_bars_to_the_busiest_month() {
        let due = |month: &str, count| Due {
            month: month.into(),
            count,
        };
        let b = bars(&[due("2031-01", 10), due("2031-02", 5), due("2031-03", 1)]);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].h, PLOT);
        assert_eq!(b[0].y, TOP);
        assert_eq!(b[1].h, PLOT / 2);
        assert_eq!(b[1].y + b[1].h, TOP + PLOT, "bars stand on the axis");
        assert_eq!(b[2].h, PLOT.div_ceil(10), "a small month stays visible");
        assert_eq!(b[1].x - b[0].x, PITCH);
        assert!(bars(&[]).is_empty());
    }
}
