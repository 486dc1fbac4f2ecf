//! Exit status (DESIGN.md §3, a contract).

use std::process::ExitCode;

/// The outcome of a run, from which the exit status follows. When a run has
/// several outcomes, the worst one counts, in this order: a failed signature
/// or check (1), then an I/O or configuration problem (4), then an
/// indeterminate result (3), then success (0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything passed: 0.
    Passed,
    /// At least one INDETERMINATE, none failed: 3.
    Indeterminate,
    /// An I/O, network or configuration error prevented (part of) the job: 4.
    Error,
    /// At least one TOTAL_FAILED or failed check: 1.
    Failed,
}

impl Outcome {
    fn severity(self) -> u8 {
        match self {
            Outcome::Passed => 0,
            Outcome::Indeterminate => 1,
            Outcome::Error => 2,
            Outcome::Failed => 3,
        }
    }

    /// The worse of two outcomes.
    pub fn worst(self, other: Outcome) -> Outcome {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }

    /// The process exit status.
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Outcome::Passed => 0,
            Outcome::Failed => 1,
            Outcome::Indeterminate => 3,
            Outcome::Error => 4,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_outranks_everything() {
        use Outcome::*;
        assert_eq!(Passed.worst(Indeterminate), Indeterminate);
        assert_eq!(Indeterminate.worst(Error), Error);
        assert_eq!(Error.worst(Failed), Failed);
        assert_eq!(Failed.worst(Passed), Failed);
    }
}
