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

/// How a batch runs.
pub struct Settings {
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
}

/// A file and a reason.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// What a batch did.
#[derive(Debug, Default)]
pub struct BatchReport {
    /// (input, output) pairs written.
    pub done: Vec<(String, String)>,
    /// Inputs left alone.
    pub skipped: Vec<Problem>,
    /// Inputs that failed.
    pub failed: Vec<Problem>,
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
            "summary": {
                "total": self.done.len() + self.skipped.len() + self.failed.len(),
                done_key: self.done.len(),
                "skipped": self.skipped.len(),
                "failed": self.failed.len(),
            },
        })
    }

    /// Prints failures (all) and skips (the first few) on stderr.
    pub fn print_problems(&self) {
        for p in &self.failed {
            output::error(&format!("{}: {}", p.file, p.reason));
        }
        const SHOWN: usize = 10;
        for p in self.skipped.iter().take(SHOWN) {
            eprintln!("hozon: skipped {}: {}", p.file, p.reason);
        }
        if self.skipped.len() > SHOWN {
            eprintln!(
                "hozon: … and {} more skipped (--json lists them all)",
                self.skipped.len() - SHOWN
            );
        }
    }

    /// Exit outcome: any failure is an I/O, network or configuration error.
    pub fn outcome(&self) -> Outcome {
        if self.failed.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Error
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
    let mut outputs = HashSet::new();
    for input in std::mem::take(&mut walked.inputs) {
        match output_of(&input) {
            Err(reason) => planned.push(Planned::Skip {
                file: input.path,
                reason,
            }),
            Ok(output) if !outputs.insert(output.clone()) => planned.push(Planned::Fail {
                reason: format!("another input also maps to {}", output.display()),
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

enum TaskResult {
    Written,
    Exists,
    Skipped(String),
    Failed(String),
}

/// Runs the plan: `work` on every task in parallel, outputs published by
/// group commit.
pub fn run(
    planned: Vec<Planned>,
    settings: &Settings,
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
                let r = if settings.skip_existing && !task.absent && task.output.exists() {
                    TaskResult::Exists
                } else {
                    match work(task) {
                        Ok(Produced::Write(bytes)) => {
                            match writer.write(&task.output, &bytes, settings.overwrite) {
                                Ok(()) => TaskResult::Written,
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
    let commit_failures: HashMap<PathBuf, String> = writer
        .finish()
        .into_iter()
        .map(|f| (f.path, format!("writing the output failed: {}", f.error)))
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
                        Some(reason) => report.failed.push(Problem {
                            file,
                            reason: reason.clone(),
                        }),
                    },
                    TaskResult::Exists => report.skipped.push(Problem {
                        file,
                        reason: format!("{out} exists (use --force to replace it)"),
                    }),
                    TaskResult::Skipped(reason) => report.skipped.push(Problem { file, reason }),
                    TaskResult::Failed(reason) => report.failed.push(Problem { file, reason }),
                }
            }
            (Planned::Skip { file, reason }, _) => report.skipped.push(Problem {
                file: file.display().to_string(),
                reason,
            }),
            (Planned::Fail { file, reason }, _) => report.failed.push(Problem {
                file: file.display().to_string(),
                reason,
            }),
            (Planned::Task(_), None) => {}
        }
    }
    Ok(report)
}
