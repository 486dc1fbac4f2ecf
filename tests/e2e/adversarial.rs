//! The adversarial corpus (`testdata/adversarial/`, made by
//! `make-adversarial.py`): hostile and malformed signatures from a foreign
//! system, each with the verdict `hozon verify` must give.
//!
//! Every case runs through the real command, so a panic shows as exit 101
//! (and a crash as a signal) instead of unwinding into the test. The test
//! fails on any TOTAL_PASSED the manifest does not expect, any verdict that
//! differs from the manifest, a warning the manifest expects and the report
//! lacks, an exit status that does not follow from the
//! verdicts, and any case that takes more than a second (a limit against
//! memory and CPU bombs, not a benchmark). All failures are collected and
//! reported together.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{describe, testdata, HOZON};

/// The time one case may take (debug build, loaded machine included).
const CASE_LIMIT: Duration = Duration::from_secs(1);

fn corpus() -> PathBuf {
    testdata().join("adversarial")
}

fn manifest() -> Vec<Value> {
    let path = corpus().join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let m: Value = serde_json::from_str(&text).unwrap();
    m["cases"].as_array().unwrap().clone()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

/// Runs one case; returns a description of what is wrong, if anything.
fn check(case: &Value) -> Option<String> {
    let id = case["id"].as_str().unwrap();
    let file = case["file"].as_str().unwrap();
    let mut cmd = Command::new(HOZON);
    cmd.current_dir(corpus())
        .args([
            "verify",
            file,
            "--trust",
            "../pki/trust.pem",
            "--offline",
            "--json",
        ])
        .args(strings(&case["args"]));
    if let Some(content) = case["content"].as_str() {
        cmd.args(["--content", content]);
    }
    let started = Instant::now();
    let out = cmd.output().unwrap();
    let took = started.elapsed();
    let code = out.status.code();
    let mut problems = Vec::new();
    if took > CASE_LIMIT {
        problems.push(format!("took {took:?}, over the {CASE_LIMIT:?} limit"));
    }
    match code {
        None => problems.push("killed by a signal".into()),
        Some(101) => problems.push("panicked (exit 101)".into()),
        _ => {}
    }
    let expect = &case["expect"];
    if expect.as_str() == Some("REFUSED") {
        // An unusable option file: exit 4, the file named, no verdict.
        let stderr = String::from_utf8_lossy(&out.stderr);
        if code != Some(4) || !stderr.contains("extra/") {
            problems.push("expected exit 4 naming the refused file".into());
        }
    } else {
        match serde_json::from_slice::<Value>(&out.stdout) {
            Err(e) => problems.push(format!("no JSON report: {e}")),
            Ok(report) => {
                problems.extend(check_report(&report, expect, code));
                problems.extend(check_coverage(&report, &case["covers_whole_document"]));
                problems.extend(check_warning(&report, &case["warning"]));
            }
        }
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{id} ({}): {}\n{}",
            case["description"].as_str().unwrap_or(""),
            problems.join("; "),
            describe(&out)
        )
    })
}

fn check_report(report: &Value, expect: &Value, code: Option<i32>) -> Vec<String> {
    let mut problems = Vec::new();
    let got: Vec<(String, Option<String>)> = report["signatures"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s["indication"].as_str().unwrap_or("?").to_owned(),
                        s["sub_indication"].as_str().map(str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if got.is_empty() {
        problems.push("no verdict in the report".into());
    }
    if expect.as_str() == Some("NOT_TOTAL_PASSED") {
        if got.iter().any(|(i, _)| i == "TOTAL_PASSED") {
            problems.push(format!("WRONG TOTAL_PASSED: {got:?}"));
        }
    } else {
        let want: Vec<(String, Option<String>)> = expect
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["indication"].as_str().unwrap().to_owned(),
                    e["sub_indication"].as_str().map(str::to_owned),
                )
            })
            .collect();
        if got != want {
            let wrong_pass = got
                .iter()
                .zip(&want)
                .any(|(g, w)| g.0 == "TOTAL_PASSED" && w.0 != "TOTAL_PASSED");
            let tag = if wrong_pass {
                "WRONG TOTAL_PASSED: "
            } else {
                ""
            };
            problems.push(format!("{tag}expected {want:?}, got {got:?}"));
        }
    }
    // The exit status follows from the verdicts (README "Exit status").
    let want_code = if got.iter().any(|(i, _)| i == "TOTAL_FAILED") {
        1
    } else if got.iter().any(|(i, _)| i == "INDETERMINATE") {
        3
    } else {
        0
    };
    if !got.is_empty() && code != Some(want_code) {
        problems.push(format!("exit {code:?}, expected {want_code}"));
    }
    problems
}

/// A case with `warning`: some signature's warnings contain that text.
fn check_warning(report: &Value, want: &Value) -> Option<String> {
    let want = want.as_str()?;
    let found = report["signatures"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["warnings"].as_array().into_iter().flatten())
        .any(|w| w.as_str().is_some_and(|w| w.contains(want)));
    (!found).then(|| format!("no warning containing {want:?}"))
}

/// A PDF case: every signature's `covers_whole_document` must be `want`
/// (false for every attack: none may pass as covering the whole document).
fn check_coverage(report: &Value, want: &Value) -> Vec<String> {
    let Some(want) = want.as_bool() else {
        return Vec::new();
    };
    report["signatures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["covers_whole_document"].as_bool() != Some(want))
        .map(|s| {
            format!(
                "covers_whole_document is {}, expected {want}",
                s["covers_whole_document"]
            )
        })
        .collect()
}

#[test]
fn every_adversarial_case_gets_its_verdict() {
    let cases = manifest();
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(check).collect();
    assert!(
        failures.is_empty(),
        "{} of {} adversarial cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn manifest_lists_every_corpus_file_once() {
    let cases = manifest();
    let mut listed: Vec<String> = cases
        .iter()
        .map(|c| c["file"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    let before = listed.len();
    listed.dedup();
    assert_eq!(before, listed.len(), "a file is listed twice");
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus().join("cases"))
        .unwrap()
        .map(|e| format!("cases/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk, "manifest.json and cases/ disagree");
    for c in &cases {
        for key in ["id", "description"] {
            assert!(
                c[key].as_str().is_some_and(|s| !s.is_empty()),
                "{c}: no {key}"
            );
        }
        for path in c["content"].as_str().into_iter().chain(
            strings(&c["args"])
                .iter()
                .filter(|a| a.starts_with("extra/") || a.starts_with("../"))
                .map(String::as_str),
        ) {
            assert!(
                Path::new(&corpus()).join(path).is_file(),
                "{}: {path} is missing",
                c["id"]
            );
        }
    }
}
