//! External tools a test needs (qpdf, SoftHSM, tiffcp, img2pdf, …): found, or the test is
//! skipped with a printed reason when run alone, or it fails where skipping is not allowed.
//!
//! A test that returns early, green, because its tool is missing proves nothing, and in CI it
//! would hide the missing install step. So `scripts/test` exports `HOZON_REQUIRE_TOOLS=1` (as it
//! does `HOZON_REQUIRE_S3` for the replica tests): there a missing tool panics, naming the tool
//! and the Debian package `scripts/setup` installs it from. Without the variable (a developer
//! running one test on a machine without the tool), [`tool`] and [`tool_file`] print
//! `skipped: <tool> missing (…)` and return `None`, and the test returns.

use std::path::{Path, PathBuf};

/// Whether a missing tool is a failure rather than a skip (`HOZON_REQUIRE_TOOLS` set and not
/// `0`).
pub fn tools_required() -> bool {
    std::env::var_os("HOZON_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// `program` as found on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// The program `program` on `PATH` (from the Debian package `package`), or `None` after printing
/// `skipped: <program> missing`; panics instead when [`tools_required`].
pub fn tool(program: &str, package: &str) -> Option<PathBuf> {
    let found = which(program);
    if found.is_none() {
        missing(program, package, tools_required());
    }
    found
}

/// The file `path` (a module such as SoftHSM's `libsofthsm2.so`, from the Debian package
/// `package`), or `None` after printing `skipped: <path> missing`; panics instead when
/// [`tools_required`].
pub fn tool_file(path: &Path, package: &str) -> Option<PathBuf> {
    if path.is_file() {
        return Some(path.to_path_buf());
    }
    missing(&path.display().to_string(), package, tools_required());
    None
}

fn missing(what: &str, package: &str, required: bool) {
    assert!(
        !required,
        "HOZON_REQUIRE_TOOLS is set but {what} is missing: install the Debian package {package} (scripts/setup does)"
    );
    eprintln!("skipped: {what} missing (Debian package {package}; scripts/setup installs it)");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_program_on_path() {
        // `sh` is on every machine this builds on.
        assert!(which("sh").is_some());
        assert!(which("hozon-no-such-tool-4f2a").is_none());
    }

    #[test]
    #[should_panic(expected = "HOZON_REQUIRE_TOOLS is set but hozon-no-such-tool is missing")]
    fn a_missing_tool_fails_where_tools_are_required() {
        missing("hozon-no-such-tool", "none", true);
    }

    #[test]
    fn a_missing_tool_is_skipped_when_run_alone() {
        missing("hozon-no-such-tool", "none", false);
    }
}
