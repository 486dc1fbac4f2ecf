//! Test hooks stay out of production: `HOZON_ARCHIVE_CRASH_AT` (abort at a
//! named step) is compiled into the `hozon` binary only through the
//! `crash-points` feature of hozon-archive, which the e2e tests'
//! dev-dependency enables. Building a release binary here would take
//! minutes, so the proof is the dependency graph itself: cargo's resolved
//! features for the graph that `cargo install` / `cargo build --release`
//! build (normal dependencies only) against the graph of a test build.
//! `hozon-archive`'s unit test
//! `crash::tests::the_variable_aborts_only_builds_with_the_feature` shows
//! that a build without the feature ignores the variable, and the archive
//! crash-safety tests (`*_killed_at_each_*`) that the test build honours it.

use std::process::Command;

/// hozon-archive's enabled features in `hozon`'s graph with these edges.
fn archive_features(edges: &str) -> String {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--manifest-path",
            manifest,
            "-p",
            "hozon",
        ])
        .args(["-e", edges, "--prefix", "none", "--format", "{p} [{f}]"])
        .output()
        .expect("cargo tree");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.starts_with("hozon-archive "))
        .unwrap_or_else(|| panic!("no hozon-archive in:\n{text}"))
        .to_owned()
}

#[test]
fn the_installed_binary_has_no_crash_points_and_the_test_build_has() {
    let release = archive_features("normal");
    assert!(!release.contains("crash-points"), "{release}");
    // The same query sees the feature where it is on: the check can fail.
    let test = archive_features("normal,dev");
    assert!(test.contains("crash-points"), "{test}");
}
