use super::*;
use hozon_verify::report::{SignerReport, TimestampReport};
use hozon_verify::{Indication, SignatureReport, SubIndication, Summary};

fn signature(file: &str, indication: Indication, sub: Option<SubIndication>) -> SignatureReport {
    SignatureReport {
        file: file.to_owned(),
        content: Some(file.trim_end_matches(".p7s").to_owned()),
        signer_info: 0,
        format: "CAdES".into(),
        level: Some("B-T".into()),
        indication,
        sub_indication: sub,
        errors: sub
            .map(|s| vec![format!("a problem ({s})")])
            .unwrap_or_default(),
        warnings: vec![],
        signer: Some(SignerReport {
            subject: "CN=山田 太郎,O=保存病院".into(),
            issuer: "CN=HPKI Test CA".into(),
            serial: "1A2B".into(),
            hc_role: Some("Medical Doctor".into()),
        }),
        claimed_signing_time: Some("2026-01-01T00:00:00Z".into()),
        best_signature_time: Some("2026-01-01T00:00:05Z".into()),
        timestamps: vec![TimestampReport {
            kind: "signature".into(),
            gen_time: "2026-01-01T00:00:05Z".into(),
            tsa: "CN=Test TSA".into(),
            indication: "PASSED".into(),
            serial: None,
            policy: None,
            attribute: None,
        }],
        renew_by: None,
        renew_by_reason: None,
        evidence_records: vec![],
        revision: None,
        covers_whole_document: None,
        modifications: vec![],
        permitted_changes: vec![],
        counter_signatures: vec![],
        findings: vec![],
    }
}

fn report() -> Report {
    let signatures = vec![
        signature("records/2026/a.pdf.p7s", Indication::TotalPassed, None),
        signature("records/2026/b.pdf.p7s", Indication::TotalPassed, None),
        signature(
            "records/2025/c.pdf.p7s",
            Indication::TotalFailed,
            Some(SubIndication::HashFailure),
        ),
        signature(
            "records/2025/<script>alert(1) & co.p7s",
            Indication::Indeterminate,
            Some(SubIndication::OutOfBoundsNoPoe),
        ),
    ];
    Report {
        validation_time: "2026-12-07T05:00:00Z".into(),
        summary: Summary::of(&signatures),
        signatures,
        file_errors: vec![],
        unsigned_files: vec![],
        evidence_records: vec![],
        evidence_summary: None,
    }
}

fn meta() -> RunMeta {
    RunMeta {
        hozon_version: "0.1.0".into(),
        host: "records-01".into(),
        generated_at: "2026-12-07T05:00:01Z".into(),
        trust_anchors: vec![AnchorInfo {
            subject: "CN=HPKI Root".into(),
            sha256: "AB".repeat(32),
        }],
        crypto_policy: "built-in".into(),
        revocation: "require".into(),
        document_digests: [("records/2026/a.pdf".to_owned(), "00ff".repeat(16))].into(),
    }
}

#[test]
fn the_format_comes_from_the_extension() {
    assert_eq!(Format::of_path(Path::new("r.html")).unwrap(), Format::Html);
    assert_eq!(Format::of_path(Path::new("r.HTM")).unwrap(), Format::Html);
    assert_eq!(
        Format::of_path(Path::new("dir/r.Pdf")).unwrap(),
        Format::Pdf
    );
    for bad in ["r.txt", "r", "r.pdf.bak"] {
        let e = Format::of_path(Path::new(bad)).unwrap_err();
        assert!(matches!(e, ReportError::UnknownFormat(_)), "{bad}");
        assert!(e.to_string().contains(".html or .pdf"), "{e}");
    }
}

#[test]
fn the_model_puts_failures_first_and_counts_by_signer_level_and_folder() {
    let cat = hozon_i18n::Catalog::get(Lang::Ja);
    let m = model::Model::build(&report(), meta(), cat);
    let classes: Vec<&str> = m.groups.iter().map(|g| g.class).collect();
    assert_eq!(classes, ["failed", "indeterminate", "passed"]);
    assert_eq!(m.groups[2].entries.len(), 2);
    assert!(
        m.groups[0]
            .title
            .starts_with("無効 TOTAL_FAILED (HASH_FAILURE)"),
        "{}",
        m.groups[0].title
    );
    assert_eq!(m.total, 4);
    assert_eq!(
        m.verdicts.iter().map(|v| v.count).collect::<Vec<_>>(),
        [2, 1, 1]
    );
    assert_eq!(m.by_signer.len(), 1);
    assert_eq!(m.by_signer[0].label, "CN=山田 太郎,O=保存病院");
    assert_eq!(m.by_signer[0].detail, "Medical Doctor");
    assert_eq!(m.by_signer[0].total(), 4);
    let folders: Vec<(&str, usize)> = m
        .by_folder
        .iter()
        .map(|r| (r.label.as_str(), r.total()))
        .collect();
    assert_eq!(folders, [("records/2025", 2), ("records/2026", 2)]);
    assert_eq!(m.by_level[0].label, "B-T");
    let a = m.groups[2]
        .entries
        .iter()
        .find(|e| e.file.ends_with("a.pdf.p7s"))
        .unwrap();
    assert_eq!(
        a.document_sha256.as_deref(),
        Some("00ff".repeat(16).as_str())
    );
    // Each verdict that occurs is explained.
    assert_eq!(m.meanings.len(), 3);
    assert!(m.meanings[1].explanation.meaning.contains("有効期間"));
}

#[test]
fn html_is_self_contained_escaped_and_in_japanese() {
    let html = render_html(&report(), meta(), Lang::Ja).unwrap();
    for word in [
        "有効",
        "無効",
        "判定不能",
        "署名検証報告書",
        "山田 太郎",
        "HASH_FAILURE",
    ] {
        assert!(html.contains(word), "{word}");
    }
    assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
    assert!(
        !html.contains("<script"),
        "no script, and file names are escaped"
    );
    for external in ["src=", "http://", "https://", "<link", "@import"] {
        assert!(!html.contains(external), "{external}");
    }
    assert!(html.contains(r#"<td class="num" id="total">4</td>"#));
    assert!(html.contains(r#"data-verdict="TOTAL_PASSED">2<"#));
    let en = render_html(&report(), meta(), Lang::En).unwrap();
    assert!(en.contains("Signature verification report"));
    assert!(!en.contains("判定不能"));
}

fn font() -> Option<ReportFont> {
    match ReportFont::find(std::env::var_os("HOZON_FONT").as_deref().map(Path::new)) {
        Ok(f) => Some(f),
        Err(e) if std::env::var_os("HOZON_REQUIRE_TOOLS").is_some() => panic!("{e}"),
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}

#[test]
fn pdf_is_pdf_a_2b_with_the_font_embedded() {
    let Some(font) = font() else { return };
    let pdf = render_pdf(&report(), meta(), Lang::Ja, &font).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("pdfaid:part") && text.contains("<pdfaid:part>2</pdfaid:part>")
            || text.contains("pdfaid:part=\"2\""),
        "XMP pdfaid"
    );
    assert!(text.contains("/OutputIntents"));
    assert!(
        text.contains("/FontFile2") || text.contains("/FontFile3"),
        "embedded font"
    );
}

#[test]
fn a_missing_font_is_a_clear_error() {
    let e = ReportFont::find(Some(Path::new("/nonexistent/font.ttf"))).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/font.ttf"), "{e}");
    let e = ReportFont::load(Path::new("Cargo.toml")).unwrap_err();
    assert!(matches!(e, ReportError::BadFont { .. }), "{e}");
}
