//! What every file-producing batch shares (`sign`, `timestamp`, `extend`):
//! a plan of inputs and outputs, parallel work, outputs published by group
//! commit (nothing half-written, nothing lost when interrupted), and one
//! report that counts what was done, skipped and failed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use hozon_io::{BatchWriter, Overwrite};

use crate::outcome::Outcome;
use crate::output;
use crate::walk::{Input, Walked};

/// Files per group commit: enough to amortise one `syncfs`, few enough that
/// an interrupted run loses little work.
const GROUP_COMMIT: usize = 256;

/// One file to produce.
pub struct Task {
    /// The file worked on.
    pub input: Input,
    /// The file written.
    pub output: PathBuf,
    /// The output certainly did not exist when the batch was planned (the
    /// walk listed its directory); otherwise its existence is checked.
    pub absent: bool,
}

/// An entry of the plan.
pub enum Planned {
    /// Work to do.
    Task(Task),
    /// Left alone, with why.
    Skip { file: PathBuf, reason: String },
    /// Cannot be done, with why.
    Fail { file: PathBuf, reason: String },
}

/// What the work on one task produced.
pub enum Produced {
    /// Bytes to publish as the task's output.
    Write(Vec<u8>),
    /// Nothing to do, with why.
    Skip(String),
}

/// A check run before each task's work: `Some(reason)` when the batch must
/// stop (every task not yet started fails with the reason, undone).
pub type Halt<'a> = &'a (dyn Fn() -> Option<String> + Sync);

/// A check of a task whose output exists (when existing outputs are kept):
/// `Some(reason)` when the output no longer fits its input (a document
/// changed after signing), which fails the run (exit 1).
pub type CheckExisting<'a> = &'a (dyn Fn(&Task) -> Option<String> + Sync);

/// How a batch runs.
pub struct Settings<'a> {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Whether existing outputs are replaced.
    pub overwrite: Overwrite,
    /// Skip a task whose output exists (checked in the parallel phase).
    pub skip_existing: bool,
    /// Progress bar label.
    pub label: &'static str,
    /// No progress bar (JSON output).
    pub quiet: bool,
    /// Stops the batch (e.g. no TSA left).
    pub halt: Option<Halt<'a>>,
    /// Checks outputs that exist before they are skipped.
    pub check_existing: Option<CheckExisting<'a>>,
    /// Why a task whose output appeared while this run worked is skipped
    /// ("signed by another run"), when outputs are never replaced.
    pub raced: &'static str,
}

/// A file and a reason, with a stable code to group by.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// What kind of problem (one of [`code`]'s constants); stable across
    /// releases, unlike the wording of `reason`.
    pub code: &'static str,
    /// Why.
    pub reason: String,
}

impl Problem {
    /// A problem of `file`.
    pub fn new(file: String, code: &'static str, reason: String) -> Problem {
        Problem { file, code, reason }
    }
}

/// The stable codes of batch reports' `skipped`, `failed` and `changed`
/// entries (docs/signing.md lists them).
pub mod code {
    /// The output exists and was kept.
    pub const EXISTS: &str = "EXISTS";
    /// Another run wrote the output while this one worked.
    pub const RACED: &str = "DONE_BY_ANOTHER_RUN";
    /// A symlink (never followed), FIFO, socket or device.
    pub const NOT_REGULAR_FILE: &str = "NOT_REGULAR_FILE";
    /// A signature or evidence file, never signed or stamped again.
    pub const IS_SIGNATURE: &str = "IS_SIGNATURE";
    /// Nothing to do (already at the level, still fits its document).
    pub const NOTHING_TO_DO: &str = "NOTHING_TO_DO";
    /// The document changed after it was signed.
    pub const CHANGED_AFTER_SIGNING: &str = "CHANGED_AFTER_SIGNING";
    /// Every TSA is down for the run.
    pub const NO_TSA_LEFT: &str = "NO_TSA_LEFT";
    /// The input could not be found or listed.
    pub const NOT_READABLE: &str = "NOT_READABLE";
    /// Two inputs would write one output.
    pub const OUTPUT_CONFLICT: &str = "OUTPUT_CONFLICT";
    /// The output could not be written.
    pub const WRITE_FAILED: &str = "WRITE_FAILED";
    /// Signing, stamping or augmenting the input failed.
    pub const FAILED: &str = "FAILED";

    /// The code of a skip reason a task's work gave.
    pub(crate) fn of_skip(reason: &str) -> &'static str {
        if reason.contains(super::RACED_WORDS) {
            RACED
        } else {
            NOTHING_TO_DO
        }
    }

    /// The code of a failure reason a task's work gave.
    pub(crate) fn of_failure(reason: &str) -> &'static str {
        if reason.starts_with("no TSA left") {
            NO_TSA_LEFT
        } else {
            FAILED
        }
    }

    /// The code of a skip decided when planning.
    pub(crate) fn of_plan_skip(reason: &str) -> &'static str {
        if reason.contains("signature or evidence file") {
            IS_SIGNATURE
        } else if reason.starts_with("is a") {
            NOT_REGULAR_FILE
        } else {
            NOTHING_TO_DO
        }
    }
}

/// What an output conflict says, to recognise it.
const CONFLICT_WORDS: &str = "another input also maps to";

/// What [`raced_reason`] says, to recognise it.
const RACED_WORDS: &str = "appeared while this run worked";

/// What a batch did.
#[derive(Debug, Default)]
pub struct BatchReport {
    /// (input, output) pairs written.
    pub done: Vec<(String, String)>,
    /// Inputs left alone.
    pub skipped: Vec<Problem>,
    /// Inputs that failed.
    pub failed: Vec<Problem>,
    /// Inputs whose existing output no longer fits them (changed after
    /// signing).
    pub changed: Vec<Problem>,
}

impl BatchReport {
    /// The JSON document: `{"<done_key>": [{"file", "<output_key>"}], "skipped", "failed", "summary"}`.
    pub fn to_json(&self, done_key: &str, output_key: &str) -> serde_json::Value {
        let done: Vec<serde_json::Value> = self
            .done
            .iter()
            .map(|(file, out)| serde_json::json!({ "file": file, output_key: out }))
            .collect();
        serde_json::json!({
            done_key: done,
            "skipped": self.skipped,
            "failed": self.failed,
            "changed": self.changed,
            "summary": {
                "total": self.done.len() + self.skipped.len() + self.failed.len() + self.changed.len(),
                done_key: self.done.len(),
                "skipped": self.skipped.len(),
                "failed": self.failed.len(),
                "changed": self.changed.len(),
            },
        })
    }

    /// Leaves only failures (and changed inputs) in the JSON document
    /// [`BatchReport::to_json`] made: the lists of what was done or skipped
    /// are dropped; the summary still counts them.
    pub fn failures_only(json: &mut serde_json::Value, done_key: &str) {
        if let Some(map) = json.as_object_mut() {
            map.remove(done_key);
            map.remove("skipped");
        }
    }

    /// Prints failures and skips (the first few) on stderr. A reason that
    /// many files share (a TSA that is down, a batch stopped) is printed
    /// once, with the first file and a count.
    pub fn print_problems(&self, quiet: bool) {
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
                let more = crate::report::cat()
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
        let t = crate::report::cat();
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

    /// Exit outcome: a changed input fails the run (1); any other failure
    /// is an I/O, network or configuration error (4).
    pub fn outcome(&self) -> Outcome {
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

/// Plans tasks for walked inputs: `output_of` names each input's output (or
/// says why it is skipped); walk errors fail; two inputs with one output
/// fail.
pub fn plan(
    mut walked: Walked,
    output_of: impl Fn(&Input) -> Result<PathBuf, String>,
) -> Vec<Planned> {
    let mut planned: Vec<Planned> = std::mem::take(&mut walked.errors)
        .into_iter()
        .map(|(file, reason)| Planned::Fail { file, reason })
        .collect();
    planned.extend(
        std::mem::take(&mut walked.not_regular)
            .into_iter()
            .map(|(file, reason)| Planned::Skip { file, reason }),
    );
    let mut outputs = HashSet::new();
    for input in std::mem::take(&mut walked.inputs) {
        match output_of(&input) {
            Err(reason) => planned.push(Planned::Skip {
                file: input.path,
                reason,
            }),
            Ok(output) if !outputs.insert(output.clone()) => planned.push(Planned::Fail {
                reason: format!("{CONFLICT_WORDS} {}", output.display()),
                file: input.path,
            }),
            Ok(output) => {
                let absent = walked.certainly_absent(&output);
                planned.push(Planned::Task(Task {
                    input,
                    output,
                    absent,
                }))
            }
        }
    }
    planned
}

/// Creates output directories (when `create`) and removes named
/// temporaries left by interrupted runs: in every output directory when
/// `create`, and wherever the walk saw one.
pub fn prepare_output_dirs(
    planned: &[Planned],
    create: bool,
    seen_temporaries: &[PathBuf],
) -> anyhow::Result<()> {
    let mut clean: BTreeSet<&Path> = seen_temporaries.iter().filter_map(|t| t.parent()).collect();
    if create {
        let dirs: BTreeSet<&Path> = planned
            .iter()
            .filter_map(|p| match p {
                Planned::Task(t) => t.output.parent(),
                _ => None,
            })
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .collect();
        for dir in dirs {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clean.insert(dir);
        }
    }
    for dir in clean {
        hozon_io::remove_stale_temporaries(dir)
            .with_context(|| format!("cannot clean up temporaries in {}", dir.display()))?;
    }
    Ok(())
}

/// Whether a write failed because another run wrote the output meanwhile.
fn is_raced(e: &std::io::Error, settings: &Settings<'_>) -> bool {
    e.kind() == std::io::ErrorKind::AlreadyExists && settings.overwrite == Overwrite::Never
}

/// The skip reason of a task whose output another run wrote meanwhile.
pub fn raced_reason(task: &Task, settings: &Settings<'_>) -> String {
    format!(
        "{} {RACED_WORDS}: skipped ({})",
        task.output.display(),
        settings.raced
    )
}

enum TaskResult {
    Written,
    Exists,
    Changed(String),
    Skipped(String),
    Failed(String),
}

/// Runs the plan: `work` on every task in parallel, outputs published by
/// group commit.
pub fn run(
    planned: Vec<Planned>,
    settings: &Settings<'_>,
    work: impl Fn(&Task) -> Result<Produced, String> + Sync + Send,
) -> anyhow::Result<BatchReport> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .context("cannot start worker threads")?;
    let writer = BatchWriter::new(GROUP_COMMIT);
    let tasks = planned
        .iter()
        .filter(|p| matches!(p, Planned::Task(_)))
        .count();
    let bar = if settings.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        output::progress(tasks, settings.label)
    };
    // The existence check runs in the parallel phase: on a batch of 10^4
    // small files, a sequential pass of stat calls would leave a core idle.
    let results: Vec<Option<TaskResult>> = pool.install(|| {
        planned
            .par_iter()
            .map(|p| {
                let Planned::Task(task) = p else { return None };
                let halted = settings.halt.and_then(|halt| halt());
                let r = if let Some(reason) = halted {
                    TaskResult::Failed(reason)
                } else if settings.skip_existing && !task.absent && task.output.exists() {
                    match settings.check_existing.and_then(|check| check(task)) {
                        Some(reason) => TaskResult::Changed(reason),
                        None => TaskResult::Exists,
                    }
                } else {
                    match work(task) {
                        Ok(Produced::Write(bytes)) => {
                            match writer.write(&task.output, &bytes, settings.overwrite) {
                                Ok(()) => TaskResult::Written,
                                Err(e) if is_raced(&e, settings) => {
                                    TaskResult::Skipped(raced_reason(task, settings))
                                }
                                Err(e) => TaskResult::Failed(format!(
                                    "cannot write {}: {e}",
                                    task.output.display()
                                )),
                            }
                        }
                        Ok(Produced::Skip(reason)) => TaskResult::Skipped(reason),
                        Err(reason) => TaskResult::Failed(reason),
                    }
                };
                bar.inc(1);
                Some(r)
            })
            .collect()
    });
    let commit_failures: HashMap<PathBuf, std::io::Error> = writer
        .finish()
        .into_iter()
        .map(|f| (f.path, f.error))
        .collect();
    bar.finish_and_clear();

    let mut report = BatchReport::default();
    for (p, r) in planned.into_iter().zip(results) {
        match (p, r) {
            (Planned::Task(task), Some(r)) => {
                let file = task.input.path.display().to_string();
                let out = task.output.display().to_string();
                match r {
                    TaskResult::Written => match commit_failures.get(&task.output) {
                        None => report.done.push((file, out)),
                        Some(e) if is_raced(e, settings) => report.skipped.push(Problem::new(
                            file,
                            code::RACED,
                            raced_reason(&task, settings),
                        )),
                        Some(e) => report.failed.push(Problem::new(
                            file,
                            code::WRITE_FAILED,
                            format!("writing the output failed: {e}"),
                        )),
                    },
                    TaskResult::Exists => report.skipped.push(Problem::new(
                        file,
                        code::EXISTS,
                        format!("{out} exists (use --force to replace it)"),
                    )),
                    TaskResult::Changed(reason) => {
                        report
                            .changed
                            .push(Problem::new(file, code::CHANGED_AFTER_SIGNING, reason))
                    }
                    TaskResult::Skipped(reason) => {
                        let c = code::of_skip(&reason);
                        report.skipped.push(Problem::new(file, c, reason))
                    }
                    TaskResult::Failed(reason) => {
                        let c = code::of_failure(&reason);
                        report.failed.push(Problem::new(file, c, reason))
                    }
                }
            }
            (Planned::Skip { file, reason }, _) => {
                let c = code::of_plan_skip(&reason);
                report
                    .skipped
                    .push(Problem::new(file.display().to_string(), c, reason))
            }
            (Planned::Fail { file, reason }, _) => {
                let c = if reason.starts_with(CONFLICT_WORDS) {
                    code::OUTPUT_CONFLICT
                } else {
                    code::NOT_READABLE
                };
                report
                    .failed
                    .push(Problem::new(file.display().to_string(), c, reason))
            }
            (Planned::Task(_), None) => {}
        }
    }
    Ok(report)
}
