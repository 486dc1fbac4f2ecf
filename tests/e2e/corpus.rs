//! The interoperability corpus: signatures, time stamps and evidence records
//! that other tools made (`../shared/corpus`, see its README), each with the
//! verdict its owner's own tests assert. `hozon verify` must agree with
//! every row of `manifest.tsv`, apart from the deliberate policy differences
//! listed with their reason in `tests/corpus-allow.tsv` (and explained in
//! docs/interoperability.md).
//!
//! The corpus is found through `HOZON_CORPUS`, else at `../shared/corpus`
//! beside the checkout. Without it the test fails when
//! `HOZON_REQUIRE_TOOLS=1` (scripts/test, CI) and says "skipped" otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::HOZON;

/// Where the corpus is.
fn corpus_dir() -> PathBuf {
    match std::env::var_os("HOZON_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus")),
    }
}

/// Whether a missing corpus is an error (`HOZON_REQUIRE_TOOLS`).
fn required() -> bool {
    std::env::var_os("HOZON_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// One row of `manifest.tsv`.
struct Row {
    id: String,
    path: String,
    source: String,
    expected: String,
    trust: String,
    content: String,
    at: String,
    args: String,
    certs: String,
}

fn read_manifest(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join("manifest.tsv"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("manifest.tsv").display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("empty manifest").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("manifest.tsv has no column {name}"))
    };
    let (id, path, source, expected) = (col("id"), col("path"), col("source"), col("expected"));
    let (trust, content, at, args, certs) = (
        col("trust"),
        col("content"),
        col("at"),
        col("args"),
        col("certs"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or("-").trim().to_owned();
            Row {
                id: get(id),
                path: get(path),
                source: get(source),
                expected: get(expected),
                trust: get(trust),
                content: get(content),
                at: get(at),
                args: get(args),
                certs: get(certs),
            }
        })
        .collect()
}

/// `tests/corpus-allow.tsv`: id → (observed verdict, reason).
fn read_allow_list() -> BTreeMap<String, (String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus-allow.tsv");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert!(
            f.len() == 3 && !f[2].trim().is_empty(),
            "{path}: each entry is `id<TAB>observed verdict<TAB>reason`: {line:?}"
        );
        out.insert(
            f[0].to_owned(),
            (f[1].trim().to_owned(), f[2].trim().to_owned()),
        );
    }
    out
}

/// The verdict of one `hozon verify` run: the worst signature's indication
/// (with its sub-indication), or `ERROR` when the file could not be read.
fn verdict(report: &serde_json::Value, exit: Option<i32>) -> String {
    let rank = |i: &str| match i {
        "TOTAL_FAILED" => 3,
        "INDETERMINATE" => 2,
        "TOTAL_PASSED" => 1,
        _ => 4,
    };
    if report["file_errors"]
        .as_array()
        .is_some_and(|e| !e.is_empty())
    {
        return format!("ERROR(exit {exit:?})");
    }
    let mut worst: Option<(String, Option<String>)> = None;
    for s in report["signatures"].as_array().into_iter().flatten() {
        let ind = s["indication"].as_str().unwrap_or("?").to_owned();
        let sub = s["sub_indication"].as_str().map(str::to_owned);
        if worst.as_ref().is_none_or(|(w, _)| rank(&ind) > rank(w)) {
            worst = Some((ind, sub));
        }
    }
    match worst {
        None => format!("NO_SIGNATURE(exit {exit:?})"),
        Some((ind, None)) => ind,
        Some((ind, Some(sub))) => format!("{ind}/{sub}"),
    }
}

/// Whether `observed` is what the manifest's `expected` asserts.
fn agrees(expected: &str, observed: &str) -> bool {
    match expected {
        "PASSED" | "PASSED?" => observed == "TOTAL_PASSED",
        "FAILED" => observed.starts_with("TOTAL_FAILED"),
        "NOT_PASSED" => observed != "TOTAL_PASSED",
        other => match other.split_once('/') {
            Some((ind, sub)) => observed == format!("{}/{sub}", full_indication(ind)),
            None => observed.starts_with(full_indication(other)),
        },
    }
}

fn full_indication(short: &str) -> &str {
    match short {
        "PASSED" => "TOTAL_PASSED",
        "FAILED" => "TOTAL_FAILED",
        other => other,
    }
}

/// Runs `hozon verify` on one row as the corpus README says.
fn run_row(dir: &Path, row: &Row) -> (String, serde_json::Value) {
    let mut cmd = Command::new(HOZON);
    cmd.current_dir(dir)
        .stdin(std::process::Stdio::null())
        .args(["verify", "--json", &row.path, "--trust", &row.trust]);
    if row.content != "-" {
        for c in row.content.split(',') {
            cmd.args(["--content", c]);
        }
    }
    if row.at != "-" {
        cmd.args(["--at", &row.at]);
    }
    if row.args != "-" {
        cmd.args(row.args.split_whitespace());
    }
    if row.certs != "-" {
        for c in row.certs.split(',') {
            cmd.args(["--certs", c]);
        }
    }
    let out = cmd.output().expect("cannot run hozon");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        serde_json::json!({
            "file_errors": [{"error": String::from_utf8_lossy(&out.stderr)}]
        })
    });
    (verdict(&report, out.status.code()), report)
}

/// The source a row is counted under in the summary: the corpus folder.
fn source_of(row: &Row) -> &str {
    row.path.split('/').next().unwrap_or(&row.path)
}

#[test]
fn corpus_agrees_with_every_owner() {
    let dir = corpus_dir();
    if !dir.join("manifest.tsv").is_file() {
        assert!(
            !required(),
            "HOZON_REQUIRE_TOOLS is set but the interoperability corpus is missing at {} (set HOZON_CORPUS)",
            dir.display()
        );
        eprintln!(
            "skipped: no interoperability corpus at {} (set HOZON_CORPUS)",
            dir.display()
        );
        return;
    }
    let rows = read_manifest(&dir);
    assert!(!rows.is_empty(), "the manifest has no rows");
    let allow = read_allow_list();
    let mut per_source: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut allowed_seen = Vec::new();
    for row in &rows {
        let (observed, report) = run_row(&dir, row);
        let ok = agrees(&row.expected, &observed);
        let entry = per_source.entry(source_of(row).to_owned()).or_default();
        entry.0 += 1;
        if ok {
            entry.1 += 1;
        }
        eprintln!(
            "{} {:<42} expected {:<40} got {observed}",
            if ok { "ok  " } else { "DIFF" },
            row.id,
            row.expected
        );
        match (ok, allow.get(&row.id)) {
            (true, Some(_)) => unexpected.push(format!(
                "{}: agrees now ({observed}); remove it from tests/corpus-allow.tsv",
                row.id
            )),
            (false, Some((listed, _))) if *listed == observed => {
                allowed_seen.push(row.id.clone());
            }
            (false, _) => {
                let errors: Vec<String> = report["signatures"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|s| s["errors"].as_array().cloned().unwrap_or_default())
                    .chain(
                        report["file_errors"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default(),
                    )
                    .map(|e| e.to_string())
                    .collect();
                unexpected.push(format!(
                    "{} ({}): expected {}, got {observed}: {}",
                    row.id,
                    row.source,
                    row.expected,
                    errors.join("; ")
                ));
            }
            (true, None) => {}
        }
    }
    for id in allow.keys() {
        assert!(
            rows.iter().any(|r| &r.id == id),
            "tests/corpus-allow.tsv lists {id}, which is not in the manifest"
        );
    }
    for (source, (total, agreed)) in &per_source {
        eprintln!("{source}: {agreed}/{total} agree");
    }
    eprintln!("allow-listed differences: {}", allowed_seen.len());
    assert!(
        unexpected.is_empty(),
        "{} disagreement(s) with the corpus:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
