//! Deterministic crash points for the crash-safety tests.
//!
//! `HOZON_ARCHIVE_CRASH_AT=STEP` (or `STEP:N`, the N-th time the step is
//! reached, 1-based) makes the job call `std::process::abort()` there: the
//! process dies as under `kill -9`, with no destructor or buffered write
//! run. The variable is read once; without it this costs one atomic load.
//! Steps are named where they are reached (`ingest-staged`,
//! `ingest-published`, `ingest-cataloged`, `evidence-written`, ...).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

static TARGET: OnceLock<Option<(String, u64)>> = OnceLock::new();
static HITS: AtomicU64 = AtomicU64::new(0);

/// Aborts the process if the test hook names `step` (and this is the
/// chosen occurrence).
pub(crate) fn point(step: &str) {
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
