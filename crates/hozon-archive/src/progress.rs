//! Progress reporting of the archive's jobs (a progress bar in the CLI).

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
