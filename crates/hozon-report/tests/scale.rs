//! The PDF report of 2,000 results (issue 20: thousands of files stay
//! printable): paginated with a running page number on every page, a
//! table of contents whose page numbers point at the right pages, failures
//! first, and a file `qpdf --check` accepts. Time is measured by
//! `bench/report.sh`, not here.

#[path = "../examples/report_scale/synthetic.rs"]
mod synthetic;

use std::path::Path;
use std::process::Command;

use hozon_i18n::Lang;
use hozon_report::{render_pdf, ReportFont, RunMeta};
use hozon_testkit as tools;

fn font() -> Option<ReportFont> {
    match ReportFont::find(std::env::var_os("HOZON_FONT").as_deref().map(Path::new)) {
        Ok(f) => Some(f),
        Err(e) if tools::tools_required() => panic!("{e}"),
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}

fn run(program: &Path, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_report_of_2000_results_is_paginated_with_a_table_of_contents_and_passes_qpdf() {
    let Some(font) = font() else { return };
    let (Some(qpdf), Some(pdftotext)) = (
        tools::tool("qpdf", "qpdf"),
        tools::tool("pdftotext", "poppler-utils"),
    ) else {
        return;
    };
    let report = synthetic::report(2000);
    let meta = RunMeta {
        hozon_version: "test".into(),
        host: "test".into(),
        generated_at: "2026-12-07T05:00:01Z".into(),
        ..RunMeta::default()
    };
    let pdf = render_pdf(&report, meta, Lang::Ja, &font).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.pdf"), &pdf).unwrap();
    run(&qpdf, &["--check", "r.pdf"], dir.path());
    let pages: usize = run(&qpdf, &["--show-npages", "r.pdf"], dir.path())
        .trim()
        .parse()
        .unwrap();
    assert!(pages > 100, "{pages} pages for 2,000 results");
    // Every page has its number and the total.
    let text = run(
        &pdftotext,
        &["-layout", "-enc", "UTF-8", "r.pdf", "-"],
        dir.path(),
    );
    let page_texts: Vec<&str> = text.split('\u{c}').collect();
    for (i, t) in page_texts.iter().take(pages).enumerate() {
        let number = format!("{} ページ / {pages}", i + 1);
        assert!(t.contains(&number), "page {}: no '{number}'", i + 1);
        assert!(
            t.contains("署名検証報告書"),
            "page {}: no running header",
            i + 1
        );
    }
    // The summary first: 2,000 in all, 668 failed, 333 indeterminate, 999 passed.
    let first = page_texts[0];
    for expected in ["合計", "2000", "668", "333", "999"] {
        assert!(
            first.contains(expected),
            "{expected} not on page 1:\n{first}"
        );
    }
    // The table of contents gives each verdict group's page; the group's
    // heading is on that page.
    let toc = page_texts
        .iter()
        .position(|t| t.contains("目次"))
        .expect("a table of contents");
    let mut groups = 0;
    for line in page_texts[toc].lines() {
        let line = line.trim();
        let Some((title, page)) = line.rsplit_once(char::is_whitespace) else {
            continue;
        };
        let Ok(page) = page.parse::<usize>() else {
            continue;
        };
        let title = title.trim_end_matches(['.', ' ', '…']).trim();
        if !(title.starts_with("無効")
            || title.starts_with("判定不能")
            || title.starts_with("有効"))
        {
            continue;
        }
        groups += 1;
        assert!(
            page_texts[page - 1].contains(title),
            "'{title}' is not on page {page} as the contents say"
        );
    }
    assert_eq!(
        groups, 3,
        "three verdict groups in the contents:\n{}",
        page_texts[toc]
    );
    // Failures first: the first detail of a failed signature precedes every passed one.
    let first_failed = text.find("無効 TOTAL_FAILED (HASH_FAILURE)").unwrap();
    let first_passed_section = text.rfind("有効 TOTAL_PASSED").unwrap();
    assert!(first_failed < first_passed_section);
}
