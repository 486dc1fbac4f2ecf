//! `hozon verify --report FILE.html|FILE.pdf --lang ja|en` (docs/reports.md): the printable
//! report opened in headless Chromium, the PDF read back with poppler (`pdftotext`,
//! `pdffonts`, `pdftoppm`) and checked by `qpdf --check`, and the Japanese terminal output.

use std::path::Path;
use std::process::Command;

use hozon_testkit as tools;

use crate::util::{code, describe, flip_byte, stdout, Env, CHAIN, CRLS, TRUST};

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
    // The revocation data each validation relied on: the CRLs of --crl, by issuer and file.
    assert!(dom.contains("失効情報"), "{dom}");
    assert!(dom.contains("ファイル pki/crls.pem"), "{dom}");
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

/// An archive of two records, the first signed by the test doctor at ingest; the document of
/// `discharge-summary.xml`'s record altered afterwards.
fn archive_with_an_altered_record() -> (Env, hozon_testkit::TsaServer) {
    let env = Env::new();
    let pki = hozon_testkit::Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = hozon_testkit::TsaServer::start(&pki, hozon_testkit::TsaMode::Normal).unwrap();
    env.copy_doc("discharge-summary.xml", "in/discharge-summary.xml");
    env.copy_doc("referral-letter.txt", "in/referral-letter.txt");
    crate::archive::init(&env, &tsa.url());
    let out = env.hozon(&["archive", "--archive", "arc", "ingest", "in"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let mut altered = false;
    for entry in walk(&env.path("arc/records")) {
        if entry.file_name().and_then(|n| n.to_str()) != Some("record.json") {
            continue;
        }
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&entry).unwrap()).unwrap();
        if meta["source"]
            .as_str()
            .unwrap()
            .ends_with("discharge-summary.xml")
        {
            let doc = meta["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["role"] == "document")
                .unwrap()["name"]
                .as_str()
                .unwrap()
                .to_owned();
            let path = entry.parent().unwrap().join(doc);
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            flip_byte(&path, 5);
            altered = true;
        }
    }
    assert!(altered);
    (env, tsa)
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn archive_verify_report_has_every_record_failures_first_in_japanese() {
    let (env, _tsa) = archive_with_an_altered_record();
    let out = env.hozon(&[
        "archive",
        "--archive",
        "arc",
        "verify",
        "--lang",
        "ja",
        "--report",
        "archive.html",
    ]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let html = String::from_utf8(env.read("archive.html")).unwrap();
    for expected in [
        "アーカイブ検証報告書",
        r#"<td class="num" id="total">2</td>"#,
        r#"data-verdict="failed">1<"#,
        r#"data-verdict="passed">1<"#,
        "改変",
        "discharge-summary.xml",
        "referral-letter.txt",
        "文書種別別",
        "監査ログ",
        "記録 ID",
    ] {
        assert!(html.contains(expected), "{expected} not in:\n{html}");
    }
    // Failures first: the altered record's section before the passing one's.
    let failed = html.find("in/discharge-summary.xml").unwrap();
    let passed = html.find("in/referral-letter.txt").unwrap();
    assert!(failed < passed, "failures first");
    // The engine's revocation evidence reaches archive records too: the passing record's
    // signature lists the revocation data it relied on, with where it came from.
    let section = &html[passed..];
    let rows = &section[section
        .find(r#"class="revocation""#)
        .unwrap_or_else(|| panic!("no revocation evidence in:\n{section}"))..];
    let rows = &rows[..rows.find("</div>").unwrap()];
    assert!(rows.contains("<td>CRL</td>"), "{rows}");
    assert!(
        rows.contains("署名に埋め込み") || rows.contains("から取得") || rows.contains("ファイル "),
        "{rows}"
    );
    assert!(!html.contains("<script"));
    // The terminal listing in Japanese uses the report's words; English is as it was.
    let ja = env.hozon(&["archive", "--archive", "arc", "verify", "--lang", "ja"]);
    let text = stdout(&ja);
    assert!(
        text.lines().any(|l| l.starts_with("無効 FAILED  ")),
        "{}",
        describe(&ja)
    );
    assert!(text.contains("    改変: "), "{text}");
    assert!(
        text.contains("記録 2 件を検証: 有効 1 件、無効 1 件"),
        "{text}"
    );
    let en = env.hozon(&["archive", "--archive", "arc", "verify", "--lang", "en"]);
    let text = stdout(&en);
    assert!(text.lines().any(|l| l.starts_with("FAILED  ")), "{text}");
    assert!(text.contains("    Altered: "), "{text}");
    assert!(
        text.contains("verified 2 record(s): 1 passed, 1 failed (0 missing, "),
        "{text}"
    );
    // --json keeps its shape: no signature reports in it.
    let json = env.hozon(&["archive", "--archive", "arc", "verify", "--json", "--all"]);
    let json = stdout(&json);
    assert!(
        json.contains("\"records\"") && !json.contains("\"signatures\""),
        "{json}"
    );

    // The PDF: the same words, and a valid PDF/A file.
    let out = env.hozon(&[
        "archive",
        "--archive",
        "arc",
        "verify",
        "--lang",
        "ja",
        "--report",
        "archive.pdf",
    ]);
    if describe(&out).contains("no Japanese font") {
        assert!(!tools::tools_required(), "{}", describe(&out));
        eprintln!("skipped: no Japanese font (Debian fonts-ipaexfont-gothic)");
        return;
    }
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let Some(text) = poppler(&env, "pdftotext", &["-enc", "UTF-8", "archive.pdf", "-"]) else {
        return;
    };
    for expected in ["アーカイブ検証報告書", "無効 failed", "有効 passed", "目次"] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
    let Some(qpdf) = tools::tool("qpdf", "qpdf") else {
        return;
    };
    let check = Command::new(&qpdf)
        .args(["--check", "archive.pdf"])
        .current_dir(env.dir())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn archive_verify_report_with_an_unknown_extension_is_a_usage_error() {
    let env = Env::new();
    let out = env.hozon(&["archive", "--archive", "arc", "verify", "--report", "r.txt"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        describe(&out).contains(".html or .pdf"),
        "{}",
        describe(&out)
    );
    assert!(!env.exists("r.txt"));
}

const SIGN_REPORT: [&str; 7] = [
    "--sign-report",
    "--key",
    "pki/signer-doctor.key",
    "--cert",
    "pki/signer-doctor.crt",
    "--chain",
    CHAIN,
];

/// `hozon verify FILE --json` of a signed report: its signatures' indications.
fn verify_signed_report(env: &Env, file: &str) -> Vec<(String, String)> {
    let out = env.hozon(&[
        "verify",
        file,
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(&out)));
    json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["format"].as_str().unwrap().to_owned(),
                s["indication"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_signed_html_report_has_a_detached_cades_signature_that_verifies() {
    let env = mixed();
    let mut args = vec!["--lang", "ja", "--report", "report.html"];
    args.extend_from_slice(&SIGN_REPORT);
    let out = verify_with(&env, &args);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(env.exists("report.html.p7s"));
    assert_eq!(
        verify_signed_report(&env, "report.html.p7s"),
        [("CAdES".to_owned(), "TOTAL_PASSED".to_owned())]
    );
    // The report changed after signing no longer verifies.
    let mut html = env.read("report.html");
    let at = html.len() / 2;
    html[at] ^= 1;
    env.write("report.html", &html);
    assert_eq!(
        verify_signed_report(&env, "report.html.p7s"),
        [("CAdES".to_owned(), "TOTAL_FAILED".to_owned())]
    );
}

#[test]
fn a_signed_pdf_report_carries_a_pades_signature_that_verifies() {
    let env = mixed();
    let mut args = vec!["--lang", "ja", "--report", "report.pdf"];
    args.extend_from_slice(&SIGN_REPORT);
    let out = verify_with(&env, &args);
    if describe(&out).contains("no Japanese font") {
        assert!(!tools::tools_required(), "{}", describe(&out));
        eprintln!("skipped: no Japanese font (Debian fonts-ipaexfont-gothic)");
        return;
    }
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(!env.exists("report.pdf.p7s"));
    assert_eq!(
        verify_signed_report(&env, "report.pdf"),
        [("PAdES".to_owned(), "TOTAL_PASSED".to_owned())]
    );
    if let Some(qpdf) = tools::tool("qpdf", "qpdf") {
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
    }
}

#[test]
fn sign_report_needs_a_report_and_a_signer_and_takes_no_password_argument() {
    let env = mixed();
    // Without --report: a usage error.
    let out = verify_with(&env, &SIGN_REPORT);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    // Without a signer: a usage error, nothing verified or written.
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
            "r.html",
            "--sign-report",
        ],
        &[("HOZON_PKCS11_MODULE", "")],
    );
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(!env.exists("r.html"));
    // There is no option that takes a password on the command line.
    let out = verify_with(
        &env,
        &["--report", "r.html", "--sign-report", "--pass", "secret"],
    );
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(!env.exists("r.html"));
}

#[test]
fn a_revoked_signer_does_not_sign_the_report_and_nothing_is_verified() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "records/referral-letter.txt");
    env.sign_doc("records/referral-letter.txt", "signer-doctor", &[]);
    let revoked = [
        "--sign-report",
        "--key",
        "pki/signer-revoked.key",
        "--cert",
        "pki/signer-revoked.crt",
        "--chain",
        CHAIN,
    ];
    for (lang, refusal) in [("en", "revoked"), ("ja", "署名しません: ")] {
        let mut args = vec!["--lang", lang, "--report", "report.html"];
        args.extend_from_slice(&revoked);
        let out = verify_with(&env, &args);
        // The signer's revocation pre-check refuses (exit 1, as `hozon sign` does) before
        // anything is verified: no verdict line, no report, no signature.
        assert_eq!(code(&out), 1, "{}", describe(&out));
        let err = crate::util::stderr(&out);
        assert!(err.contains(refusal), "{}", describe(&out));
        assert!(!stdout(&out).contains("TOTAL_PASSED"), "{}", describe(&out));
        assert!(!env.exists("report.html") && !env.exists("report.html.p7s"));
    }
    let mut args = vec!["--json", "--report", "report.html"];
    args.extend_from_slice(&revoked);
    let out = verify_with(&env, &args);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(&out)));
    assert!(json["refused"]["code"].is_string(), "{json}");
    assert!(!env.exists("report.html"));
    // The same run with a good signer signs the report and passes.
    let mut args = vec!["--report", "report.html"];
    args.extend_from_slice(&SIGN_REPORT);
    let out = verify_with(&env, &args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(env.exists("report.html.p7s"));
}

#[test]
fn archive_verify_refuses_a_revoked_report_signer_it_can_check() {
    // The signer's own chain and what its CRL distribution point serves (the loopback
    // CRL and OCSP servers on the ports the test certificates name).
    let _ports = hozon_testkit::fixed_ports();
    let (env, _tsa) = archive_with_an_altered_record();
    let pki = hozon_testkit::Pki::copy_to(&env.path("server-pki")).unwrap();
    let _crl = hozon_testkit::CrlServer::start_on(&pki, hozon_testkit::CRL_PORT).unwrap();
    let _ocsp = hozon_testkit::OcspServer::start_on(&pki, hozon_testkit::OCSP_PORT).unwrap();
    let out = env.hozon(&[
        "archive",
        "--archive",
        "arc",
        "verify",
        "--report",
        "archive.html",
        "--sign-report",
        "--key",
        "pki/signer-revoked.key",
        "--cert",
        "pki/signer-revoked.crt",
        "--chain",
        CHAIN,
    ]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        crate::util::stderr(&out).contains("revoked"),
        "{}",
        describe(&out)
    );
    assert!(!env.exists("archive.html") && !env.exists("archive.html.p7s"));
}
