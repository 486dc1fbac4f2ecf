use super::*;
use hozon_verify::report::{SignerReport, TimestampReport};
use hozon_verify::{Indication, SignatureReport, SubIndication, Summary};

fn signature(file: &str, indication: Indication, sub: Option<SubIndication>) -> SignatureReport {
    SignatureReport {
        file: file.to_owned(),
        content: Some(file.trim_end_matches(".p7s").to_owned()),
        signer_info: 0,
        format: hozon_verify::SignatureFormat::Cades,
        level: Some(hozon_verify::Level::BT),
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
            kind: hozon_verify::TimestampKind::Signature,
            gen_time: "2026-01-01T00:00:05Z".into(),
            tsa: "CN=Test TSA".into(),
            indication: hozon_verify::TimestampIndication::Passed,
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
        revocation_used: None,
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

#[test]
fn errors_carry_their_finding_code_and_the_code_is_explained() {
    use hozon_verify::report::{FindingReport, Severity};
    use hozon_verify::Code;
    let mut r = report();
    let failed = r
        .signatures
        .iter_mut()
        .find(|s| s.file.ends_with("c.pdf.p7s"))
        .unwrap();
    failed.errors = vec!["the content was altered".into()];
    failed.warnings = vec!["no signing time".into()];
    failed.findings = vec![
        FindingReport {
            severity: Severity::Error,
            code: Code::MessageDigestMismatch,
            message: "the content was altered".into(),
        },
        FindingReport {
            severity: Severity::Warning,
            code: Code::SigningTimeMissing,
            message: "no signing time".into(),
        },
    ];
    let cat = hozon_i18n::Catalog::get(Lang::Ja);
    let m = model::Model::build(&r, meta(), cat);
    let e = &m.groups[0].entries[0];
    assert_eq!(
        e.errors,
        ["the content was altered [MESSAGE_DIGEST_MISMATCH]"]
    );
    assert_eq!(e.warnings, ["no signing time [SIGNING_TIME_MISSING]"]);
    let codes: Vec<&str> = m.code_meanings.iter().map(|c| c.code).collect();
    assert_eq!(codes, ["MESSAGE_DIGEST_MISMATCH", "SIGNING_TIME_MISSING"]);
    assert!(
        m.code_meanings[0].text.contains("改変"),
        "{:?}",
        m.code_meanings
    );
    let html = render_html(&r, meta(), Lang::Ja).unwrap();
    assert!(html.contains("指摘コードの意味"));
    assert!(html.contains(&m.code_meanings[1].text));
    // Findings that do not match the messages one to one are not paired.
    let mut odd = r.clone();
    odd.signatures
        .iter_mut()
        .find(|s| s.file.ends_with("c.pdf.p7s"))
        .unwrap()
        .errors
        .push("another".into());
    let m = model::Model::build(&odd, meta(), cat);
    assert_eq!(
        m.groups[0].entries[0].errors,
        ["the content was altered", "another"]
    );
}

fn record(id: &str, outcome: RecordOutcome, sig: Option<SignatureReport>) -> RecordRun {
    RecordRun {
        id: id.into(),
        dir: format!("records/2026/12/{id}"),
        document: Some("document.pdf".into()),
        document_sha256: Some("ab".repeat(32)),
        source: Some(format!("in/{id}.pdf")),
        class: Some("discharge-summary".into()),
        outcome,
        problems: match outcome {
            RecordOutcome::Failed => vec!["altered: document.pdf: the file was altered".into()],
            _ => vec![],
        },
        warnings: vec![],
        signatures: sig.into_iter().collect(),
        evidence: None,
        evidence_files: 1,
    }
}

fn archive_run() -> ArchiveRun {
    let mut evidence = signature(
        "evidence/0001.ers",
        Indication::Indeterminate,
        Some(SubIndication::NoPoe),
    );
    evidence.format = hozon_verify::SignatureFormat::Ers;
    evidence.renew_by = Some("2030-01-01T00:00:00Z".into());
    evidence.renew_by_reason = Some("the TSA certificate expires".into());
    let mut stale = record(
        "r-indet",
        RecordOutcome::Indeterminate,
        Some(signature(
            "records/2026/12/r-indet/document.pdf.p7s",
            Indication::TotalPassed,
            None,
        )),
    );
    stale.evidence = Some(evidence);
    stale.class = Some("referral".into());
    ArchiveRun {
        validation_time: "2026-12-07T05:00:00Z".into(),
        records: vec![
            record(
                "r-pass",
                RecordOutcome::Passed,
                Some(signature(
                    "records/2026/12/r-pass/document.pdf.p7s",
                    Indication::TotalPassed,
                    None,
                )),
            ),
            record(
                "r-fail",
                RecordOutcome::Failed,
                Some(signature(
                    "records/2026/12/r-fail/document.pdf.p7s",
                    Indication::TotalFailed,
                    Some(SubIndication::HashFailure),
                )),
            ),
            stale,
            record("r-accepted", RecordOutcome::AcceptedFailed, None),
        ],
        missing_records: vec!["records/2026/11/gone (record gone)".into()],
        problem_counts: (1, 1, 0),
        audit: AuditRun {
            lines: 12,
            proven_time: Some("2026-12-01T00:00:00Z".into()),
            problems: vec![],
            indeterminate: vec![],
        },
    }
}

#[test]
fn the_archive_model_has_one_section_per_record_failures_first() {
    let cat = hozon_i18n::Catalog::get(Lang::Ja);
    let m = model::Model::build_archive(&archive_run(), meta(), cat);
    assert_eq!(m.title, "アーカイブ検証報告書");
    assert_eq!(m.total, 4);
    let counts: Vec<(&str, usize)> = m.verdicts.iter().map(|v| (v.code, v.count)).collect();
    assert_eq!(
        counts,
        [
            ("failed", 1),
            ("indeterminate", 1),
            ("accepted-failed", 1),
            ("passed", 1)
        ]
    );
    let order: Vec<&str> = m
        .groups
        .iter()
        .flat_map(|g| g.entries.iter().map(|e| e.file.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            "records/2026/12/r-fail",
            "records/2026/12/r-indet",
            "records/2026/12/r-accepted",
            "records/2026/12/r-pass"
        ]
    );
    // A failed record is explained by what decided it: its signature's HASH_FAILURE.
    assert!(
        m.groups[0].title.contains("HASH_FAILURE"),
        "{}",
        m.groups[0].title
    );
    let failed = &m.groups[0].entries[0];
    assert_eq!(failed.word, "無効");
    assert_eq!(
        failed.explanation,
        cat.explain_sub(SubIndication::HashFailure)
    );
    assert!(failed
        .fields
        .iter()
        .any(|(k, v)| k == "署名" && v == "無効 TOTAL_FAILED (HASH_FAILURE)"));
    assert_eq!(
        failed.errors,
        ["altered: document.pdf: the file was altered"]
    );
    // The indeterminate record: its evidence record decided, and drives renew_by.
    let indet = &m.groups[1].entries[0];
    assert_eq!(indet.explanation, cat.explain_sub(SubIndication::NoPoe));
    assert_eq!(indet.renew_by.as_deref(), Some("2030-01-01T00:00:00Z"));
    assert!(indet
        .fields
        .iter()
        .any(|(k, v)| k == "証拠記録" && v.starts_with("判定不能 INDETERMINATE (NO_POE)")));
    // By document class, with the accepted-failed column.
    assert!(m.accepted_column);
    assert_eq!(m.by_folder_title, "文書種別別");
    let classes: Vec<(&str, usize, usize)> = m
        .by_folder
        .iter()
        .map(|r| (r.label.as_str(), r.total(), r.accepted))
        .collect();
    assert_eq!(classes, [("discharge-summary", 3, 1), ("referral", 1, 0)]);
    assert_eq!(m.by_signer[0].total(), 3);
    assert_eq!(m.by_signer[1].label, "署名者不明");
    // The meanings: each record outcome and each deciding ETSI verdict.
    let codes: Vec<&str> = m.meanings.iter().map(|x| x.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "failed",
            "TOTAL_FAILED (HASH_FAILURE)",
            "indeterminate",
            "INDETERMINATE (NO_POE)",
            "accepted-failed",
            "passed"
        ]
    );
    assert!(m.facts.iter().any(|(_, v)| v == "12 行、連鎖は正常"));
    assert_eq!(m.file_errors.len(), 1);
    assert_eq!(m.file_errors_title, "アーカイブ全体の問題");
}

#[test]
fn the_archive_report_renders_as_html_and_pdf() {
    let html = render_archive_html(&archive_run(), meta(), Lang::Ja).unwrap();
    for expected in [
        "アーカイブ検証報告書",
        r#"data-verdict="accepted-failed">1<"#,
        r#"<td class="num" id="total">4</td>"#,
        "無効（受入時から既知）",
        "records/2026/12/r-fail",
        "文書種別別",
        "discharge-summary",
        "2030-01-01T00:00:00Z",
        "アーカイブ全体の問題",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    let en = render_archive_html(&archive_run(), meta(), Lang::En).unwrap();
    assert!(en.contains("Archive verification report"));
    assert!(!en.contains("判定不能"));
    let Some(font) = font() else { return };
    let pdf = render_archive_pdf(&archive_run(), meta(), Lang::Ja, &font).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
}

#[test]
fn revocation_evidence_used_is_listed_with_its_source() {
    let m = meta();
    let mut report = report();
    let set = |report: &mut Report, name: &str, used: Vec<RevocationUsed>| {
        report
            .signatures
            .iter_mut()
            .find(|s| s.file.ends_with(name))
            .unwrap()
            .revocation_used = Some(used);
    };
    set(
        &mut report,
        "a.pdf.p7s",
        vec![
            RevocationUsed {
                kind: RevocationKind::Crl,
                issuer: "CN=HPKI Test CA".into(),
                time: "2026-12-01T00:00:00Z".into(),
                source: RevocationSource::File("pki/crls.pem".into()),
            },
            RevocationUsed {
                kind: RevocationKind::Ocsp,
                issuer: "CN=OCSP Responder".into(),
                time: "2026-12-06T00:00:00Z".into(),
                source: RevocationSource::Fetched("http://127.0.0.1:18081/ocsp".into()),
            },
        ],
    );
    set(&mut report, "b.pdf.p7s", Vec::new());
    let cat = hozon_i18n::Catalog::get(Lang::Ja);
    let model = model::Model::build(&report, m.clone(), cat);
    let entry = |name: &str| {
        model
            .groups
            .iter()
            .flat_map(|g| &g.entries)
            .find(|e| e.file.ends_with(name))
            .unwrap()
    };
    let a = entry("a.pdf.p7s").revocation.clone().unwrap();
    assert_eq!(
        a[0],
        model::RevocationRow {
            kind: RevocationKind::Crl,
            issuer: "CN=HPKI Test CA".to_owned(),
            time: "2026-12-01T00:00:00Z".to_owned(),
            source: "ファイル pki/crls.pem".to_owned()
        }
    );
    assert_eq!(a[1].source, "http://127.0.0.1:18081/ocsp から取得");
    assert_eq!(entry("b.pdf.p7s").revocation.as_deref(), Some(&[][..]));
    assert!(entry("c.pdf.p7s").revocation.is_none());
    let html = render_html(&report, m, Lang::Ja).unwrap();
    assert!(html.contains("ファイル pki/crls.pem"));
    assert!(html.contains("失効情報は使われていません"));
}
