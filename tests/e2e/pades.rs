//! PAdES against the oracles: pyHanko (pinned 0.38.0, in the virtualenv
//! scripts/setup makes) signs PDFs with the test PKI at B-B, B-T, B-LT and
//! B-LTA, with a certification signature, with two signatures, with xref
//! streams and with a change after signing, against the loopback TSA;
//! `hozon verify` must agree with pyHanko's own validation of each file
//! (its bottom line, and whether the signature covers the document), and
//! poppler's `pdfsig` must agree on which signatures cover the whole file.
//!
//! Without pyHanko or pdfsig the tests say "skipped", unless
//! HOZON_REQUIRE_TOOLS is set (scripts/test, CI), where they fail.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::util::{describe, testdata, Env, CRLS};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/oracles/pades-pyhanko.py"
);

fn require_tools() -> bool {
    std::env::var_os("HOZON_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The pyHanko virtualenv's python: HOZON_PYHANKO, or
/// `$HOZON_TOOLS/pyhanko-0.38.0/bin/python` (default HOZON_TOOLS
/// ~/.cache/hozon-tools).
pub(crate) fn pyhanko() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HOZON_PYHANKO") {
        return Some(PathBuf::from(p));
    }
    let tools = std::env::var_os("HOZON_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/hozon-tools"))
        })?;
    let python = tools.join("pyhanko-0.38.0/bin/python");
    python.is_file().then_some(python)
}

pub(crate) fn tool_missing(what: &str) {
    assert!(
        !require_tools(),
        "HOZON_REQUIRE_TOOLS is set but {what} is missing: run scripts/setup"
    );
    eprintln!("skipped: {what} is missing (run scripts/setup)");
}

/// The PDFs pyHanko signed, and pyHanko's verdicts on them.
struct Signed {
    env: Env,
    verdicts: Value,
}

fn signed() -> Option<&'static Signed> {
    static SIGNED: OnceLock<Option<Signed>> = OnceLock::new();
    SIGNED
        .get_or_init(|| {
            let Some(python) = pyhanko() else {
                tool_missing("pyHanko 0.38.0 (HOZON_TOOLS/pyhanko-0.38.0)");
                return None;
            };
            let env = Env::new();
            let pki = Pki::copy_to(&env.path("tsa-pki")).unwrap();
            let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
            let out = Command::new(&python)
                .arg(SCRIPT)
                .arg("sign")
                .arg(env.path("pdf"))
                .arg("--pki")
                .arg(env.path("pki"))
                .arg("--tsa")
                .arg(tsa.url())
                .output()
                .unwrap();
            assert!(out.status.success(), "pyHanko signing: {}", describe(&out));
            let mut files: Vec<PathBuf> = std::fs::read_dir(env.path("pdf"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            let out = Command::new(&python)
                .arg(SCRIPT)
                .arg("validate")
                .args(&files)
                .arg("--pki")
                .arg(env.path("pki"))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "pyHanko validation: {}",
                describe(&out)
            );
            let verdicts = serde_json::from_slice(&out.stdout).unwrap();
            Some(Signed { env, verdicts })
        })
        .as_ref()
}

/// `hozon verify pdf/NAME` (offline) with `extra` flags: the JSON report.
fn hozon(s: &Signed, name: &str, extra: &[&str]) -> (i32, Value) {
    let file = format!("pdf/{name}");
    let mut args = vec![
        "verify",
        &file,
        "--trust",
        "pki/trust.pem",
        "--offline",
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = s.env.hozon(&args);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: no JSON ({e}): {}", describe(&out)));
    (out.status.code().unwrap_or(-1), json)
}

/// pyHanko's verdict: does the signature cover the document as it is?
fn pyhanko_covers(v: &Value) -> bool {
    v["coverage"] == "ENTIRE_FILE"
        || matches!(
            v["modification_level"].as_str(),
            Some("NONE" | "LTA_UPDATES" | "FORM_FILLING")
        )
}

#[test]
fn pyhanko_signed_pdfs_get_pyhankos_verdicts() {
    let Some(s) = signed() else { return };
    let files = s.verdicts.as_object().unwrap();
    assert!(files.len() >= 9, "{}", s.verdicts);
    let mut table = Vec::new();
    let mut disagree = Vec::new();
    for (name, expected) in files {
        let expected = expected.as_array().unwrap();
        let (code, report) = hozon(s, name, &["--crl", CRLS]);
        if expected.is_empty() {
            assert_eq!(code, 0, "{name}: {report}");
            assert_eq!(
                report["unsigned_files"][0],
                format!("pdf/{name}"),
                "{name}: {report}"
            );
            table.push(format!("{name}: unsigned (both)"));
            continue;
        }
        let got = report["signatures"].as_array().unwrap();
        assert_eq!(got.len(), expected.len(), "{name}: {report}");
        for (g, e) in got.iter().zip(expected) {
            let hozon_pass = g["indication"] == "TOTAL_PASSED";
            let hozon_covers = g["covers_whole_document"].as_bool().unwrap();
            let py_pass = e["bottom_line"].as_bool().unwrap();
            table.push(format!(
                "{name} {}: pyHanko {} {}, hozon {} covers={hozon_covers}",
                e["field"], py_pass, e["modification_level"], g["indication"]
            ));
            if hozon_pass != py_pass || hozon_covers != pyhanko_covers(e) {
                disagree.push(format!("{name} {}: pyHanko {e}\nhozon {g}", e["field"]));
            }
            assert_eq!(g["format"], "PAdES");
        }
    }
    eprintln!("{}", table.join("\n"));
    assert!(
        disagree.is_empty(),
        "hozon and pyHanko disagree:\n{}",
        disagree.join("\n\n")
    );
}

#[test]
fn pyhanko_levels_and_document_timestamps() {
    let Some(s) = signed() else { return };
    for (name, level) in [
        ("b-b.pdf", "B-B"),
        ("b-t.pdf", "B-T"),
        ("b-lt.pdf", "B-LT"),
        ("b-lta.pdf", "B-LTA"),
    ] {
        let (code, report) = hozon(s, name, &["--crl", CRLS]);
        assert_eq!(code, 0, "{name}: {report}");
        let sig = &report["signatures"][0];
        assert_eq!(sig["level"], level, "{name}: {report}");
        assert_eq!(
            sig["revision"], 2,
            "{name}: pyHanko signs as an update: {report}"
        );
        assert_eq!(sig["covers_whole_document"], true, "{name}: {report}");
        assert!(
            sig["claimed_signing_time"].is_string(),
            "{name}: /M: {report}"
        );
    }
    // B-LTA: the document time stamp is reported under the signature it
    // covers and as an entry of its own.
    let (_, report) = hozon(s, "b-lta.pdf", &["--crl", CRLS]);
    let sigs = report["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{report}");
    let kinds: Vec<&str> = sigs[0]["timestamps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["signature", "document"], "{report}");
    assert_eq!(sigs[1]["timestamps"][0]["kind"], "document", "{report}");
    assert_eq!(sigs[1]["indication"], "TOTAL_PASSED", "{report}");
    let permitted = sigs[0]["permitted_changes"].to_string();
    assert!(permitted.contains("Document Security Store"), "{report}");
    assert!(permitted.contains("document time stamp"), "{report}");
}

#[test]
fn pyhanko_b_lt_verifies_offline_with_only_the_root() {
    let Some(s) = signed() else { return };
    for name in ["b-lt.pdf", "b-lta.pdf"] {
        let (code, report) = hozon(s, name, &[]);
        assert_eq!(code, 0, "{name}: the DSS must be enough: {report}");
    }
    // Without the DSS (B-B) and without --crl, revocation is unknown.
    let (code, report) = hozon(s, "b-b.pdf", &[]);
    assert_eq!(code, 3, "{report}");
}

#[test]
fn pyhanko_change_after_signing_is_reported() {
    let Some(s) = signed() else { return };
    let (code, report) = hozon(s, "modified-after-signing.pdf", &["--crl", CRLS]);
    assert_eq!(code, 1, "{report}");
    let sig = &report["signatures"][0];
    assert_eq!(sig["indication"], "TOTAL_FAILED");
    assert_eq!(sig["sub_indication"], "HASH_FAILURE");
    assert_eq!(sig["covers_whole_document"], false);
    assert_eq!(sig["modifications"][0]["revision"], 3, "{report}");
    assert!(
        sig["modifications"].to_string().contains("page object"),
        "{report}"
    );
    // Every error and warning carries its code, message for message.
    let findings = sig["findings"].as_array().expect("findings");
    assert_eq!(findings[0]["severity"], "error", "{report}");
    assert_eq!(
        findings[0]["code"], "PDF_MODIFIED_AFTER_SIGNING",
        "{report}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "PDF_SIGNATURE_FIELD" && f["severity"] == "warning"),
        "{report}"
    );
    let messages = |severity: &str| -> Vec<Value> {
        findings
            .iter()
            .filter(|f| f["severity"] == severity)
            .map(|f| f["message"].clone())
            .collect()
    };
    assert_eq!(sig["errors"].as_array().unwrap(), &messages("error"));
    assert_eq!(sig["warnings"].as_array().unwrap(), &messages("warning"));
}

#[test]
fn pyhanko_certified_document_allows_an_approval_signature() {
    let Some(s) = signed() else { return };
    let (code, report) = hozon(s, "certified-then-approved.pdf", &["--crl", CRLS]);
    assert_eq!(code, 0, "{report}");
    let sigs = report["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{report}");
    assert!(
        sigs[0]["permitted_changes"]
            .to_string()
            .contains("a signature was added"),
        "{report}"
    );
}

#[test]
fn a_directory_walk_picks_up_pdfs_by_content() {
    let Some(s) = signed() else { return };
    // A signed PDF under a name without .pdf is still found by content.
    std::fs::create_dir_all(s.env.path("walk")).unwrap();
    std::fs::copy(s.env.path("pdf/b-b.pdf"), s.env.path("walk/record-0001")).unwrap();
    std::fs::copy(s.env.path("pdf/unsigned.pdf"), s.env.path("walk/scan.pdf")).unwrap();
    let out = s.env.hozon(&[
        "verify",
        "walk",
        "--trust",
        "pki/trust.pem",
        "--crl",
        CRLS,
        "--offline",
        "--json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        report["signatures"][0]["file"], "walk/record-0001",
        "{report}"
    );
    assert_eq!(report["unsigned_files"][0], "walk/scan.pdf", "{report}");
}

#[test]
fn pdfsig_agrees_on_whole_document_coverage() {
    let Some(s) = signed() else { return };
    if Command::new("pdfsig").arg("-v").output().is_err() {
        tool_missing("pdfsig (Debian poppler-utils)");
        return;
    }
    let adversarial = testdata().join("adversarial/cases");
    let cases = [
        (s.env.path("pdf/b-b.pdf"), true),
        (s.env.path("pdf/modified-after-signing.pdf"), false),
        (adversarial.join("pdf-control-signed.pdf"), true),
        (adversarial.join("pdf-isa-overlay.pdf"), false),
    ];
    for (path, whole) in cases {
        let out = Command::new("pdfsig").arg(&path).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Signature is Valid"),
            "{}: {text}",
            path.display()
        );
        assert_eq!(
            text.contains("Total document signed") && !text.contains("Not total document signed"),
            whole,
            "{}: {text}",
            path.display()
        );
    }
}
