//! `hozon verify --report FILE.html|FILE.pdf --lang ja|en` (docs/reports.md): the printable
//! report opened in headless Chromium, the PDF read back with poppler (`pdftotext`,
//! `pdffonts`, `pdftoppm`) and checked by `qpdf --check`, and the Japanese terminal output.

use std::path::Path;
use std::process::Command;

use hozon_testkit as tools;

use crate::util::{code, describe, flip_byte, stdout, Env, CRLS, TRUST};

/// Three signatures in two folders: one passes, one's document was altered (TOTAL_FAILED,
/// HASH_FAILURE), one's signer chains to no trusted root (INDETERMINATE).
fn mixed() -> Env {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "records/2026/referral-letter.txt");
    env.copy_doc(
        "discharge-summary.xml",
        "records/2026/discharge-summary.xml",
    );
    env.copy_doc("lab-report.pdf", "records/2025/山田太郎-lab-report.pdf");
    env.sign_doc("records/2026/referral-letter.txt", "signer-doctor", &[]);
    env.sign_doc("records/2026/discharge-summary.xml", "signer-doctor", &[]);
    flip_byte(&env.path("records/2026/discharge-summary.xml"), 5);
    env.openssl_sign(
        "records/2025/山田太郎-lab-report.pdf",
        "signer-untrusted",
        "records/2025/山田太郎-lab-report.pdf.p7s",
        &[],
    );
    env
}

fn verify_with(env: &Env, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "verify",
        "records",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
    ];
    args.extend_from_slice(extra);
    env.hozon(&args)
}

#[test]
fn japanese_terminal_output_uses_the_reports_words() {
    let env = mixed();
    let out = verify_with(&env, &["--lang", "ja"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l.starts_with(
            "無効 TOTAL_FAILED (HASH_FAILURE)  records/2026/discharge-summary.xml.p7s"
        )),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("有効 TOTAL_PASSED  ")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("判定不能 INDETERMINATE (")),
        "{text}"
    );
    assert!(
        text.contains("署名 3 件: 有効 1 件、無効 1 件、判定不能 1 件"),
        "{text}"
    );
    // HOZON_LANG and the locale choose the language when --lang is not given; --lang wins.
    let by_env = env.hozon_env(
        &[
            "verify",
            "records",
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--offline",
        ],
        &[("HOZON_LANG", "ja")],
    );
    assert!(
        stdout(&by_env).contains("署名 3 件"),
        "{}",
        describe(&by_env)
    );
    let by_locale = env.hozon_env(
        &[
            "verify",
            "records",
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--offline",
        ],
        &[("HOZON_LANG", ""), ("LC_ALL", ""), ("LANG", "ja_JP.UTF-8")],
    );
    assert!(
        stdout(&by_locale).contains("署名 3 件"),
        "{}",
        describe(&by_locale)
    );
    let english = env.hozon_env(
        &[
            "verify",
            "records",
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--offline",
            "--lang",
            "en",
        ],
        &[("HOZON_LANG", "ja")],
    );
    let text = stdout(&english);
    assert!(
        text.contains("3 signature(s): 1 passed, 1 failed, 1 indeterminate"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("TOTAL_FAILED (HASH_FAILURE)  ")),
        "{text}"
    );
    // JSON is language-neutral.
    let json = verify_with(&env, &["--lang", "ja", "--json"]);
    let json = stdout(&json);
    assert!(
        !json.contains("有効") && !json.contains("判定不能"),
        "{json}"
    );
}

#[test]
fn report_extension_and_language_are_usage_errors() {
    let env = mixed();
    let out = verify_with(&env, &["--report", "r.txt"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        describe(&out).contains(".html or .pdf"),
        "{}",
        describe(&out)
    );
    assert!(!env.exists("r.txt"));
    let out = verify_with(&env, &["--lang", "fr"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
}

#[test]
fn a_pdf_report_without_a_font_fails_before_verifying_and_writes_nothing() {
    let env = mixed();
    let out = env.hozon_env(
        &[
            "verify",
            "records",
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--offline",
            "--report",
            "r.pdf",
        ],
        &[("HOZON_FONT", "/nonexistent/ipaexg.ttf")],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        describe(&out).contains("/nonexistent/ipaexg.ttf"),
        "{}",
        describe(&out)
    );
    assert!(
        stdout(&out).is_empty(),
        "nothing verified: {}",
        describe(&out)
    );
    assert!(!env.exists("r.pdf"));
}

/// Headless Chromium's name on Debian (`chromium`) or elsewhere.
fn chromium() -> Option<std::path::PathBuf> {
    tools::which("chromium")
        .or_else(|| tools::which("chromium-browser"))
        .or_else(|| tools::tool("chromium", "chromium"))
}

fn run_chromium(browser: &Path, env: &Env, args: &[String]) -> (String, String) {
    let profile = env.path("chromium-profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn html_report_opens_in_chromium_with_the_numbers_and_japanese_verdicts() {
    let env = mixed();
    let out = verify_with(&env, &["--lang", "ja", "--report", "report.html"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let html = String::from_utf8(env.read("report.html")).unwrap();
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    let Some(browser) = chromium() else { return };
    let url = format!("file://{}", env.path("report.html").display());
    let (dom, log) = run_chromium(&browser, &env, &["--dump-dom".into(), url.clone()]);
    for expected in [
        r#"<td class="num" id="total">3</td>"#,
        r#"data-verdict="TOTAL_PASSED">1<"#,
        r#"data-verdict="TOTAL_FAILED">1<"#,
        r#"data-verdict="INDETERMINATE">1<"#,
        "有効",
        "無効",
        "判定不能",
        "署名検証報告書",
        "山田太郎-lab-report.pdf.p7s",
        "HASH_FAILURE",
        "records/2025",
    ] {
        assert!(dom.contains(expected), "{expected} not in the DOM:\n{dom}");
    }
    // Failures first: the altered document's section comes before the passing one's.
    let failed = dom.find("discharge-summary.xml.p7s</h4>").unwrap();
    let passed = dom.find("referral-letter.txt.p7s</h4>").unwrap();
    assert!(failed < passed);
    for bad in [
        "CONSOLE",
        "Uncaught",
        "ERR_FILE_NOT_FOUND",
        "Failed to load",
    ] {
        assert!(!log.contains(bad), "{bad} in Chromium's log:\n{log}");
    }
    let shot = env.path("report.png");
    run_chromium(
        &browser,
        &env,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,2000".into(),
            url,
        ],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
}

fn poppler(env: &Env, program: &str, args: &[&str]) -> Option<String> {
    let tool = tools::tool(program, "poppler-utils")?;
    let out = Command::new(tool)
        .args(args)
        .current_dir(env.dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn pdf_report_is_pdf_a_with_embedded_japanese_font_and_readable_text() {
    let env = mixed();
    let out = verify_with(&env, &["--lang", "ja", "--report", "report.pdf"]);
    if describe(&out).contains("no Japanese font") {
        assert!(!tools::tools_required(), "{}", describe(&out));
        eprintln!("skipped: no Japanese font (Debian fonts-ipaexfont-gothic)");
        return;
    }
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let Some(text) = poppler(&env, "pdftotext", &["-enc", "UTF-8", "report.pdf", "-"]) else {
        return;
    };
    for expected in [
        "署名検証報告書",
        "有効 TOTAL_PASSED",
        "無効 TOTAL_FAILED",
        "判定不能 INDETERMINATE",
        "HASH_FAILURE",
        "山田太郎-lab-report.pdf.p7s",
        "目次",
        "1 ページ",
        "records/2025",
    ] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
    // The altered document comes before the one that passed.
    assert!(
        text.find("discharge-summary.xml.p7s").unwrap()
            < text.find("referral-letter.txt.p7s").unwrap()
    );
    let fonts = poppler(&env, "pdffonts", &["report.pdf"]).unwrap_or_default();
    let font_lines: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!font_lines.is_empty(), "{fonts}");
    for l in &font_lines {
        let cols: Vec<&str> = l.split_whitespace().collect();
        // name type encoding emb sub uni object ID: embedded, subset, with a ToUnicode map.
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{fonts}");
    }
    let info = poppler(&env, "pdfinfo", &["report.pdf"]).unwrap_or_default();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(pages >= 3, "{info}");
    assert!(text.contains(&format!("1 ページ / {pages}")), "{text}");
    poppler(
        &env,
        "pdftoppm",
        &["-r", "40", "-png", "report.pdf", "page"],
    );
    let rendered = std::fs::read_dir(env.dir())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("page")
        })
        .count();
    assert_eq!(rendered, pages);
    let Some(qpdf) = tools::tool("qpdf", "qpdf") else {
        return;
    };
    let check = Command::new(&qpdf)
        .args(["--check", "report.pdf"])
        .current_dir(env.dir())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    // The XMP metadata, uncompressed by qpdf: PDF/A-2b, and an OutputIntent.
    let qdf = Command::new(&qpdf)
        .args([
            "--qdf",
            "--object-streams=disable",
            "report.pdf",
            "report-qdf.pdf",
        ])
        .current_dir(env.dir())
        .output()
        .unwrap();
    assert!(
        qdf.status.success(),
        "{}",
        String::from_utf8_lossy(&qdf.stderr)
    );
    let raw = String::from_utf8_lossy(&env.read("report-qdf.pdf")).into_owned();
    assert!(
        raw.contains("pdfaid:part") && raw.contains("pdfaid:conformance"),
        "no pdfaid in XMP"
    );
    assert!(raw.contains("<pdfaid:part>2</pdfaid:part>") || raw.contains("pdfaid:part=\"2\""));
    assert!(raw.contains("/OutputIntents") && raw.contains("/GTS_PDFA1"));
    assert!(raw.contains("/Outlines"), "bookmarks");
}

#[test]
fn english_report_has_no_japanese_verdict_words() {
    let env = mixed();
    let out = verify_with(&env, &["--lang", "en", "--report", "report.html"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let html = String::from_utf8(env.read("report.html")).unwrap();
    assert!(html.contains("Signature verification report"));
    assert!(html.contains("invalid") && html.contains("TOTAL_FAILED (HASH_FAILURE)"));
    assert!(!html.contains("判定不能"));
}
