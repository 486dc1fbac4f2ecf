//! `--help` texts: they name only documentation a user has (the guides under `docs/`, never
//! DESIGN.md or the source tree), every guide they name exists, and each command points to
//! its own guide.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::util::{describe, HOZON};

/// `hozon ARGS --help`, which must succeed.
fn help(args: &[&str]) -> String {
    let out = Command::new(HOZON)
        .args(args)
        .arg("--help")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hozon {} --help: {}",
        args.join(" "),
        describe(&out)
    );
    String::from_utf8(out.stdout).expect("help text is UTF-8")
}

/// The subcommand names listed under "Commands:" (clap's layout: two spaces, the name, its
/// description; wrapped description lines are indented further), without `help`.
fn subcommands(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_commands = false;
    for line in text.lines() {
        if line == "Commands:" {
            in_commands = true;
            continue;
        }
        if !in_commands {
            continue;
        }
        if line.trim().is_empty() {
            break;
        }
        if let Some(rest) = line.strip_prefix("  ") {
            if !rest.starts_with(' ') {
                let name = rest.split_whitespace().next().unwrap();
                if name != "help" {
                    names.push(name.to_string());
                }
            }
        }
    }
    names
}

/// Every command's `--help` text, found by walking the "Commands:" lists from `hozon --help`,
/// keyed by the command path ("" for `hozon` itself, "archive replica add", ...).
fn all_help_texts() -> BTreeMap<String, String> {
    let mut texts = BTreeMap::new();
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = queue.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&args);
        for name in subcommands(&text) {
            let mut sub = path.clone();
            sub.push(name);
            queue.push(sub);
        }
        texts.insert(path.join(" "), text);
    }
    // The walk must really have found the commands (else every check below passes vacuously).
    for expected in [
        "",
        "sign",
        "verify",
        "extend",
        "timestamp",
        "scan",
        "demo",
        "pkcs11 list",
        "archive",
        "archive init",
        "archive ingest",
        "archive renew",
        "archive verify",
        "archive status",
        "archive replica add",
        "archive replicate",
        "archive restore",
    ] {
        assert!(
            texts.contains_key(expected),
            "`hozon {expected} --help` was not found by the walk; found: {:?}",
            texts.keys().collect::<Vec<_>>()
        );
    }
    texts
}

/// A subcommand's entry in its parent's "Commands:" list, wrapped lines included.
fn command_entry(text: &str, name: &str) -> String {
    let mut entry = String::new();
    for line in text.lines() {
        let starts_entry = line.starts_with("  ") && !line.starts_with("   ");
        if !entry.is_empty() {
            if starts_entry || line.trim().is_empty() {
                break;
            }
            entry.push_str(line);
        } else if starts_entry && line[2..].split_whitespace().next() == Some(name) {
            entry.push_str(line);
        }
    }
    assert!(!entry.is_empty(), "no entry for {name} in:\n{text}");
    entry
}

/// The text above "Usage:": the command's description.
fn description(text: &str) -> &str {
    text.split("\nUsage:").next().unwrap()
}

/// Every `docs/NAME.md` path a text names.
fn docs_paths(text: &str) -> Vec<&str> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("docs/") {
        let tail = &rest[start..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || "/._-".contains(c)))
            .unwrap_or(tail.len());
        let path = tail[..len].trim_end_matches('.');
        if path.ends_with(".md") {
            paths.push(path);
        }
        rest = &tail[len.max(1)..];
    }
    paths
}

#[test]
fn no_help_text_names_design_md_or_files_of_the_source_tree() {
    for (cmd, text) in all_help_texts() {
        for forbidden in ["DESIGN.md", "testdata/", "cli/src", "crates/", "tests/e2e"] {
            assert!(
                !text.contains(forbidden),
                "`hozon {cmd} --help` names {forbidden}, which a user does not have:\n{text}"
            );
        }
    }
}

#[test]
fn every_guide_a_help_text_names_exists_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut named = 0;
    for (cmd, text) in all_help_texts() {
        for path in docs_paths(&text) {
            named += 1;
            assert!(
                root.join(path).is_file(),
                "`hozon {cmd} --help` names {path}, which is not in the repository"
            );
        }
    }
    assert!(
        named >= 8,
        "only {named} guide references in all help texts"
    );
}

#[test]
fn each_command_s_help_points_to_its_guide() {
    let texts = all_help_texts();
    for (cmd, guide) in [
        ("", "docs/README.md"),
        ("sign", "docs/signing.md"),
        ("sign", "docs/hpki-cards.md"),
        ("verify", "docs/verifying.md"),
        ("extend", "docs/long-term-validation.md"),
        ("timestamp", "docs/timestamps.md"),
        ("scan", "docs/scans.md"),
        ("demo", "docs/installing.md"),
        ("pkcs11", "docs/hpki-cards.md"),
        ("archive", "docs/archive.md"),
        ("archive", "docs/replicas.md"),
        ("archive ingest", "docs/archive.md"),
        ("archive renew", "docs/archive.md"),
        ("archive replicate", "docs/replicas.md"),
        ("archive restore", "docs/replicas.md"),
    ] {
        let text = &texts[cmd];
        assert!(
            docs_paths(text).contains(&guide),
            "`hozon {cmd} --help` does not point to {guide}:\n{text}"
        );
    }
}

#[test]
fn sign_help_says_what_level_does() {
    let texts = all_help_texts();
    let sign = &texts["sign"];
    assert!(
        description(sign).contains("--level"),
        "`hozon sign --help` does not describe --level above its usage:\n{sign}"
    );
    assert!(sign.contains("--level <LEVEL>"), "{sign}");
    let entry = command_entry(&texts[""], "sign");
    assert!(entry.contains("--level"), "`hozon --help`: {entry}");
}

#[test]
fn scan_help_lists_pdf_among_the_formats() {
    let texts = all_help_texts();
    let scan = &texts["scan"];
    assert!(
        description(scan).contains("TIFF, PNG, JPEG, PDF"),
        "`hozon scan --help` does not list PDF among the formats:\n{scan}"
    );
    let entry = command_entry(&texts[""], "scan");
    assert!(entry.contains("PDF"), "`hozon --help`: {entry}");
}
