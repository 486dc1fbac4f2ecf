//! Deterministic crash points for the crash-safety tests — compiled in
//! only with the `crash-points` feature, which the end-to-end tests enable
//! through their dev-dependency. The `hozon` binary's normal dependency
//! (what `cargo install` and `cargo build --release` build) does not, so a
//! production binary has no code that reads the variable.
//!
//! `HOZON_ARCHIVE_CRASH_AT=STEP` (or `STEP:N`, the N-th time the step is
//! reached, 1-based) makes the job call `std::process::abort()` there: the
//! process dies as under `kill -9`, with no destructor or buffered write
//! run. The variable is read once; without it this costs one atomic load.
//! Steps are named where they are reached (`ingest-staged`,
//! `ingest-published`, `ingest-cataloged`, `evidence-written`, ...).

/// Whether this build honours `HOZON_ARCHIVE_CRASH_AT` (the `crash-points`
/// feature).
pub const ENABLED: bool = cfg!(feature = "crash-points");

/// Aborts the process if the test hook names `step` (and this is the
/// chosen occurrence); nothing without the `crash-points` feature.
#[cfg(feature = "crash-points")]
pub(crate) fn point(step: &str) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;

    static TARGET: OnceLock<Option<(String, u64)>> = OnceLock::new();
    static HITS: AtomicU64 = AtomicU64::new(0);
    let target = TARGET.get_or_init(|| {
        let v = std::env::var("HOZON_ARCHIVE_CRASH_AT").ok()?;
        let (name, n) = match v.split_once(':') {
            Some((name, n)) => (name.to_string(), n.parse().unwrap_or(1)),
            None => (v, 1),
        };
        Some((name, n))
    });
    if let Some((name, n)) = target {
        if name == step && HITS.fetch_add(1, Ordering::SeqCst) + 1 >= *n {
            eprintln!("hozon: test crash point {step} reached: aborting");
            std::process::abort();
        }
    }
}

/// Without the `crash-points` feature a crash point is nothing.
#[cfg(not(feature = "crash-points"))]
#[inline(always)]
pub(crate) fn point(_step: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reaches the step `crash-probe`; run by the test below in a child
    /// process with the variable set (alone, without it, it just passes).
    #[test]
    fn probe_reaches_the_crash_point() {
        point("crash-probe");
    }

    #[test]
    fn the_variable_aborts_only_builds_with_the_feature() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash::tests::probe_reaches_the_crash_point"])
            // The child's own stderr, not libtest's capture (which an
            // abort never prints).
            .args(["--test-threads", "1", "--nocapture"])
            .env("HOZON_ARCHIVE_CRASH_AT", "crash-probe")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if ENABLED {
            assert!(!out.status.success(), "the crash point did not abort");
            assert!(
                stderr.contains("crash point crash-probe reached"),
                "{stderr}"
            );
        } else {
            assert!(out.status.success(), "{stderr}");
            // The probe really ran (not filtered out).
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("1 passed"),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}
