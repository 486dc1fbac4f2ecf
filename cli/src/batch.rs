//! The printing side of file-producing batches (`sign`, `timestamp`,
//! `extend`): the batch itself (walk, plan, parallel run, report) is
//! `hozon_batch`; here are the progress bar it advances, the problems
//! printed on stderr and the exit outcome of its report.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

pub use hozon_batch::{
    code, plan, prepare_output_dirs, raced_reason, run, BatchReport, CheckExisting, Halt, Problem,
    Produced, Settings, Task,
};

use crate::outcome::Outcome;
use crate::output;

/// The progress bar of a batch (hidden for JSON output, `--quiet`, or when
/// stderr is not a terminal).
pub struct Bar {
    label: &'static str,
    quiet: bool,
    bar: OnceLock<indicatif::ProgressBar>,
}

impl Bar {
    /// A bar labelled `label` (a `progress-<label>` catalogue word), shown
    /// unless `quiet`.
    pub fn new(label: &'static str, quiet: bool) -> Bar {
        Bar {
            label,
            quiet,
            bar: OnceLock::new(),
        }
    }
}

impl hozon_batch::Progress for Bar {
    fn start(&self, tasks: usize) {
        let bar = if self.quiet {
            indicatif::ProgressBar::hidden()
        } else {
            output::progress(tasks, self.label)
        };
        let _ = self.bar.set(bar);
    }

    fn advance(&self) {
        if let Some(bar) = self.bar.get() {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// What the CLI does with a batch's report besides its JSON.
pub trait ReportExt {
    /// Prints failures and skips (the first few) on stderr. A reason that
    /// many files share (a TSA that is down, a batch stopped) is printed
    /// once, with the first file and a count.
    fn print_problems(&self, quiet: bool);

    /// Exit outcome: a changed input fails the run (1); any other failure
    /// is an I/O, network or configuration error (4).
    fn outcome(&self) -> Outcome;
}

impl ReportExt for BatchReport {
    fn print_problems(&self, quiet: bool) {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for p in &self.failed {
            *counts.entry(p.reason.as_str()).or_default() += 1;
        }
        let mut printed = HashSet::new();
        for p in &self.failed {
            let n = counts[p.reason.as_str()];
            if n == 1 {
                output::error(&format!("{}: {}", p.file, p.reason));
            } else if printed.insert(p.reason.as_str()) {
                let more = crate::lang::cat()
                    .text_with("cli-same-error", &[("count", &(n - 1).to_string())]);
                output::error(&format!("{}: {}\n{more}", p.file, p.reason));
            }
        }
        for p in &self.changed {
            output::error(&format!("{}: {}", p.file, p.reason));
        }
        if quiet {
            return;
        }
        const SHOWN: usize = 10;
        let t = crate::lang::cat();
        for p in self.skipped.iter().take(SHOWN) {
            eprintln!(
                "hozon: {}",
                t.text_with("cli-skipped", &[("file", &p.file), ("reason", &p.reason)])
            );
        }
        if self.skipped.len() > SHOWN {
            let count = (self.skipped.len() - SHOWN).to_string();
            eprintln!(
                "hozon: {}",
                t.text_with("cli-more-skipped", &[("count", &count)])
            );
        }
    }

    fn outcome(&self) -> Outcome {
        let failed = if self.failed.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Error
        };
        if self.changed.is_empty() {
            failed
        } else {
            failed.worst(Outcome::Failed)
        }
    }
}
