//! What the PDF report says, in order: the summary page, the table of
//! contents, what the verdicts mean, then one block per signature grouped
//! by verdict (failures first).

use hozon_i18n::Catalog;
use hozon_verify::Indication;

use super::layout::{Column, Ink, Layout, BODY_W};
use crate::model::{CountRow, Entry, Model};

/// Outline entries: title, anchor, children (title, anchor).
pub(crate) type OutlineEntries = Vec<(String, String, Vec<(String, String)>)>;

const BODY: f32 = 9.0;
const SMALL: f32 = 8.0;
const LABEL_W: f32 = 120.0;

/// Lays `model` out; returns the outline.
pub(crate) fn lay_out(model: &Model, cat: &Catalog, l: &mut Layout<'_>) -> OutlineEntries {
    let mut outline: OutlineEntries = Vec::new();
    l.anchor("summary");
    l.heading(&model.title, 18.0, Ink::Black, true);
    l.field(
        &cat.text("report-generated"),
        &model.meta.generated_at,
        BODY,
        LABEL_W,
    );
    l.field(
        &cat.text("report-validation-time"),
        &model.validation_time,
        BODY,
        LABEL_W,
    );
    summary(model, cat, l);
    outline.push((cat.text("report-summary"), "summary".into(), Vec::new()));

    // The table of contents: a line per section and per verdict group.
    l.new_page();
    l.anchor("contents");
    l.heading(&cat.text("report-contents"), 14.0, Ink::Black, true);
    l.toc_line(&cat.text("report-summary"), "summary", 10.0, Ink::Black);
    l.toc_line(&cat.text("report-meanings"), "meanings", 10.0, Ink::Black);
    l.toc_line(&cat.text("report-details"), "details", 10.0, Ink::Black);
    for g in &model.groups {
        l.toc_line(
            &format!("    {}", g.title),
            &g.id,
            10.0,
            Ink::of_class(g.class),
        );
    }
    if !model.file_errors.is_empty() {
        l.toc_line(&model.file_errors_title, "file-errors", 10.0, Ink::Black);
    }

    l.gap(12.0);
    l.anchor("meanings");
    l.heading(&cat.text("report-meanings"), 14.0, Ink::Black, true);
    outline.push((cat.text("report-meanings"), "meanings".into(), Vec::new()));
    for m in &model.meanings {
        l.ensure(40.0);
        l.para(&format!("{} {}", m.word, m.code), 10.0, 0.0, Ink::Black);
        l.para(&m.explanation.meaning, BODY, 12.0, Ink::Black);
        l.para(
            &format!("{}: {}", cat.text("report-action"), m.explanation.action),
            BODY,
            12.0,
            Ink::Grey,
        );
        l.gap(4.0);
    }
    if !model.code_meanings.is_empty() {
        l.ensure(40.0);
        l.anchor("codes");
        l.heading(&cat.text("report-code-meanings"), 12.0, Ink::Black, false);
        for c in &model.code_meanings {
            l.ensure(24.0);
            l.para(c.code, BODY, 0.0, Ink::Black);
            l.para(&c.text, BODY, 12.0, Ink::Grey);
        }
    }

    l.new_page();
    l.anchor("details");
    l.heading(&cat.text("report-details"), 14.0, Ink::Black, true);
    outline.push((cat.text("report-details"), "details".into(), Vec::new()));
    for g in &model.groups {
        l.ensure(60.0);
        l.anchor(&g.id);
        l.heading(&g.title, 12.0, Ink::of_class(g.class), false);
        let mut children = Vec::new();
        for e in &g.entries {
            l.anchor(&e.id);
            entry(e, cat, l);
            // Thousands of bookmarks make a viewer's outline unusable for
            // passed signatures; failures are each listed.
            if g.class != "passed" {
                children.push((e.file.clone(), e.id.clone()));
            }
        }
        outline.push((g.title.clone(), g.id.clone(), children));
    }
    if !model.file_errors.is_empty() {
        l.ensure(60.0);
        l.anchor("file-errors");
        l.heading(&model.file_errors_title, 12.0, Ink::Failed, false);
        for (f, why) in &model.file_errors {
            l.para(f, BODY, 0.0, Ink::Black);
            l.para(why, BODY, 12.0, Ink::Grey);
        }
        outline.push((
            model.file_errors_title.clone(),
            "file-errors".into(),
            Vec::new(),
        ));
    }
    if !model.unsigned_files.is_empty() {
        l.ensure(60.0);
        l.heading(&cat.text("report-unsigned-files"), 12.0, Ink::Black, false);
        for f in &model.unsigned_files {
            l.para(f, BODY, 0.0, Ink::Black);
        }
    }
    outline
}

fn summary(model: &Model, cat: &Catalog, l: &mut Layout<'_>) {
    l.heading(&cat.text("report-verdicts"), 12.0, Ink::Black, false);
    let cols = [
        Column {
            width: 260.0,
            right: false,
        },
        Column {
            width: 80.0,
            right: true,
        },
    ];
    let mut rows: Vec<Vec<(String, Ink)>> = model
        .verdicts
        .iter()
        .map(|v| {
            vec![
                (format!("{} {}", v.word, v.code), Ink::of_class(v.class)),
                (v.count.to_string(), Ink::Black),
            ]
        })
        .collect();
    rows.push(vec![
        (cat.text("report-total"), Ink::Black),
        (model.total.to_string(), Ink::Black),
    ]);
    l.table(
        &cols,
        &[cat.text("report-verdict"), cat.text("report-count")],
        &rows,
        10.0,
    );
    if !model.evidence.is_empty() {
        l.heading(
            &cat.text("report-evidence-summary"),
            12.0,
            Ink::Black,
            false,
        );
        let rows: Vec<Vec<(String, Ink)>> = model
            .evidence
            .iter()
            .map(|v| {
                vec![
                    (format!("{} {}", v.word, v.code), Ink::of_class(v.class)),
                    (v.count.to_string(), Ink::Black),
                ]
            })
            .collect();
        l.table(
            &cols,
            &[cat.text("report-verdict"), cat.text("report-count")],
            &rows,
            10.0,
        );
    }

    l.heading(&cat.text("report-policy"), 12.0, Ink::Black, false);
    l.field(
        &cat.text("report-crypto-policy"),
        &model.meta.crypto_policy,
        BODY,
        LABEL_W,
    );
    l.field(
        &cat.text("report-revocation-mode"),
        &model.meta.revocation,
        BODY,
        LABEL_W,
    );
    l.field(
        &cat.text("report-version"),
        &model.meta.hozon_version,
        BODY,
        LABEL_W,
    );
    l.field(&cat.text("report-host"), &model.meta.host, BODY, LABEL_W);
    l.gap(4.0);
    let anchors: Vec<Vec<(String, Ink)>> = model
        .meta
        .trust_anchors
        .iter()
        .map(|a| {
            vec![
                (a.subject.clone(), Ink::Black),
                (a.sha256.clone(), Ink::Black),
            ]
        })
        .collect();
    l.table(
        &[
            Column {
                width: BODY_W * 0.45,
                right: false,
            },
            Column {
                width: BODY_W * 0.55,
                right: false,
            },
        ],
        &[
            cat.text("report-trust-anchors"),
            cat.text("report-fingerprint"),
        ],
        &anchors,
        SMALL,
    );

    for (k, v) in &model.facts {
        l.field(k, v, BODY, LABEL_W);
    }
    let counts = |title: &str, first: &str, rows: &[CountRow], role: bool| CountTable {
        title: title.to_owned(),
        first: first.to_owned(),
        rows: rows.to_vec(),
        role,
        accepted: model.accepted_column,
    };
    count_table(
        cat,
        l,
        &counts(
            &cat.text("report-by-level"),
            &cat.text("report-level"),
            &model.by_level,
            false,
        ),
    );
    count_table(
        cat,
        l,
        &counts(
            &cat.text("report-by-signer"),
            &cat.text("report-signer"),
            &model.by_signer,
            true,
        ),
    );
    count_table(
        cat,
        l,
        &counts(
            &model.by_folder_title,
            &model.by_folder_label,
            &model.by_folder,
            false,
        ),
    );
}

/// A count table: its heading, first column, rows, and whether it has
/// the role and accepted-failed columns.
struct CountTable {
    title: String,
    first: String,
    rows: Vec<CountRow>,
    role: bool,
    accepted: bool,
}

fn count_table(cat: &Catalog, l: &mut Layout<'_>, t: &CountTable) {
    let role = t.role;
    l.heading(&t.title, 12.0, Ink::Black, false);
    let n = 52.0;
    let numbers = if t.accepted { 5 } else { 4 };
    let mut cols = vec![Column {
        width: BODY_W - numbers as f32 * n - if role { 90.0 } else { 0.0 },
        right: false,
    }];
    let mut header = vec![t.first.clone()];
    if role {
        cols.push(Column {
            width: 90.0,
            right: false,
        });
        header.push(cat.text("report-role"));
    }
    for _ in 0..numbers {
        cols.push(Column {
            width: n,
            right: true,
        });
    }
    header.extend([
        cat.verdict_word(Indication::TotalPassed),
        cat.verdict_word(Indication::TotalFailed),
        cat.verdict_word(Indication::Indeterminate),
    ]);
    if t.accepted {
        header.push(cat.text("record-accepted-failed"));
    }
    header.push(cat.text("report-total"));
    let body: Vec<Vec<(String, Ink)>> = t
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![(r.label.clone(), Ink::Black)];
            if role {
                cells.push((r.detail.clone(), Ink::Black));
            }
            cells.extend([
                (r.passed.to_string(), Ink::Passed),
                (r.failed.to_string(), Ink::Failed),
                (r.indeterminate.to_string(), Ink::Indeterminate),
            ]);
            if t.accepted {
                cells.push((r.accepted.to_string(), Ink::Grey));
            }
            cells.push((r.total().to_string(), Ink::Black));
            cells
        })
        .collect();
    l.table(&cols, &header, &body, SMALL);
}

fn entry(e: &Entry, cat: &Catalog, l: &mut Layout<'_>) {
    l.ensure(70.0);
    l.gap(3.0);
    l.para(&e.file, 10.0, 0.0, Ink::Black);
    l.para(
        &format!("{} {}", e.word, e.code),
        BODY,
        12.0,
        Ink::of_class(e.class),
    );
    if e.class != "passed" {
        l.para(&e.explanation.meaning, BODY, 12.0, Ink::Black);
        l.para(
            &format!("{}: {}", cat.text("report-action"), e.explanation.action),
            BODY,
            12.0,
            Ink::Grey,
        );
    }
    for (k, v) in &e.fields {
        l.field(k, v, BODY, LABEL_W);
    }
    l.field(
        &cat.text("report-format"),
        &format!("{} {}", e.format_text(), e.level_text()),
        BODY,
        LABEL_W,
    );
    if let Some(d) = &e.document {
        l.field(&cat.text("report-document"), d, BODY, LABEL_W);
    }
    if let Some(h) = &e.document_sha256 {
        l.field(&cat.text("report-sha256"), h, BODY, LABEL_W);
    }
    match &e.signer {
        Some(s) => {
            l.field(&cat.text("report-signer"), &s.subject, BODY, LABEL_W);
            if !s.role.is_empty() {
                l.field(&cat.text("report-role"), &s.role, BODY, LABEL_W);
            }
            l.field(&cat.text("report-issuer"), &s.issuer, BODY, LABEL_W);
            l.field(&cat.text("report-serial"), &s.serial, BODY, LABEL_W);
        }
        None if e.format != Some(hozon_verify::SignatureFormat::Ers) => l.field(
            &cat.text("report-signer"),
            &cat.text("report-no-signer"),
            BODY,
            LABEL_W,
        ),
        None => {}
    }
    if let Some(t) = &e.claimed_time {
        l.field(&cat.text("report-claimed-time"), t, BODY, LABEL_W);
    }
    if let Some(t) = &e.proven_time {
        l.field(&cat.text("report-proven-time"), t, BODY, LABEL_W);
    }
    for t in &e.timestamps {
        let kind = match &t.attribute {
            Some(a) => format!("{} ({a})", t.kind),
            None => t.kind.to_string(),
        };
        l.field(
            &cat.text("report-timestamps"),
            &format!("{kind} {} — {} — {}", t.gen_time, t.tsa, t.indication),
            BODY,
            LABEL_W,
        );
    }
    match &e.revocation {
        Some(rows) if rows.is_empty() => l.field(
            &cat.text("report-revocation"),
            &cat.text("report-revocation-none"),
            BODY,
            LABEL_W,
        ),
        Some(rows) => {
            for r in rows {
                l.field(
                    &cat.text("report-revocation"),
                    &format!("{} — {} — {} — {}", r.kind, r.issuer, r.time, r.source),
                    BODY,
                    LABEL_W,
                );
            }
        }
        None => {}
    }
    for r in &e.evidence_records {
        l.field(
            &cat.text("report-evidence-records"),
            &format!(
                "{} — {} — {} — {}: {}",
                r.data_object,
                r.proven_time.as_deref().unwrap_or("-"),
                r.digest_algorithms.join(", "),
                cat.text("report-archive-time-stamps"),
                r.archive_time_stamps
            ),
            BODY,
            LABEL_W,
        );
    }
    if let Some(r) = &e.renew_by {
        let v = match &e.renew_by_reason {
            Some(why) => format!("{r} — {}: {why}", cat.text("report-renew-by-reason")),
            None => r.clone(),
        };
        l.field(&cat.text("report-renew-by"), &v, BODY, LABEL_W);
    }
    for x in &e.errors {
        l.field(&cat.text("report-errors"), x, BODY, LABEL_W);
    }
    for x in &e.warnings {
        l.field(&cat.text("report-warnings"), x, BODY, LABEL_W);
    }
    for x in &e.counter_signatures {
        l.para(x, BODY, 12.0, Ink::Black);
    }
    l.gap(4.0);
}
