//! Progress reporting for the long archive operations (ingest, renew,
//! evidence, replicate, verify, restore): a progress bar in the CLI, nothing
//! in a library caller that does not want one.

/// Progress reporting (a progress bar in the CLI).
pub trait Progress: Sync {
    /// A new phase with `total` steps.
    fn phase(&self, name: &str, total: u64);
    /// `n` steps done.
    fn advance(&self, n: u64);
    /// The phase is over.
    fn finish(&self);
}

/// No progress reporting.
pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
