//! The parallel run of a plan: the work of every task on a thread pool,
//! outputs published by group commit, and the rules that make a run
//! resumable (an output that exists is skipped, or checked; an output
//! another run wrote meanwhile is left to it).

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use hozon_io::{BatchWriter, Overwrite};

use crate::plan::{Planned, Task};
use crate::report::{code, BatchReport, Problem, Reason, RACED_WORDS};
use crate::BatchError;

/// Files per group commit: enough to amortise one `syncfs`, few enough that
/// an interrupted run loses little work.
const GROUP_COMMIT: usize = 256;

/// What the work on one task produced.
#[derive(Debug)]
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
/// changed after signing), which the report lists as changed.
pub type CheckExisting<'a> = &'a (dyn Fn(&Task) -> Option<String> + Sync);

/// Told how a run advances (a progress bar, a log); the library prints
/// nothing itself.
pub trait Progress: Sync {
    /// The run starts with `tasks` tasks to do.
    fn start(&self, tasks: usize);
    /// One task is finished (done, skipped or failed).
    fn advance(&self);
    /// Every task is finished and every output published.
    fn finish(&self);
}

/// A [`Progress`] that is told nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: usize) {}
    fn advance(&self) {}
    fn finish(&self) {}
}

/// How a batch runs.
pub struct Settings<'a> {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Whether existing outputs are replaced.
    pub overwrite: Overwrite,
    /// Skip a task whose output exists (checked in the parallel phase).
    pub skip_existing: bool,
    /// Told how the run advances.
    pub progress: &'a dyn Progress,
    /// Stops the batch (e.g. no TSA left).
    pub halt: Option<Halt<'a>>,
    /// Checks outputs that exist before they are skipped.
    pub check_existing: Option<CheckExisting<'a>>,
    /// Why a task whose output appeared while this run worked is skipped
    /// ("signed by another run"), when outputs are never replaced.
    pub raced: &'static str,
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

/// The result of one task, decided in the parallel phase.
fn run_task(
    task: &Task,
    settings: &Settings<'_>,
    writer: &BatchWriter,
    work: &(impl Fn(&Task) -> Result<Produced, Reason> + Sync),
) -> TaskResult {
    if let Some(reason) = settings.halt.and_then(|halt| halt()) {
        return TaskResult::Failed(reason);
    }
    if settings.skip_existing && !task.absent && task.output.exists() {
        return match settings.check_existing.and_then(|check| check(task)) {
            Some(reason) => TaskResult::Changed(reason),
            None => TaskResult::Exists,
        };
    }
    match work(task) {
        Ok(Produced::Write(bytes)) => {
            match writer.write(&task.output, &bytes, settings.overwrite) {
                Ok(()) => TaskResult::Written,
                Err(e) if is_raced(&e, settings) => {
                    TaskResult::Skipped(raced_reason(task, settings))
                }
                Err(e) => {
                    TaskResult::Failed(format!("cannot write {}: {e}", task.output.display()))
                }
            }
        }
        Ok(Produced::Skip(reason)) => TaskResult::Skipped(reason),
        Err(Reason(reason)) => TaskResult::Failed(reason),
    }
}

/// Runs the plan: `work` on every task in parallel (its `Err` is the
/// failure's reason, as the report shows it), outputs published by group
/// commit.
pub fn run(
    planned: Vec<Planned>,
    settings: &Settings<'_>,
    work: impl Fn(&Task) -> Result<Produced, Reason> + Sync + Send,
) -> Result<BatchReport, BatchError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(BatchError::Threads)?;
    let writer = BatchWriter::new(GROUP_COMMIT);
    let tasks = planned
        .iter()
        .filter(|p| matches!(p, Planned::Task(_)))
        .count();
    settings.progress.start(tasks);
    // The existence check runs in the parallel phase: on a batch of 10^4
    // small files, a sequential pass of stat calls would leave a core idle.
    let results: Vec<Option<TaskResult>> = pool.install(|| {
        planned
            .par_iter()
            .map(|p| {
                let Planned::Task(task) = p else { return None };
                let r = run_task(task, settings, &writer, &work);
                settings.progress.advance();
                Some(r)
            })
            .collect()
    });
    let commit_failures: HashMap<PathBuf, std::io::Error> = writer
        .finish()
        .into_iter()
        .map(|f| (f.path, f.error))
        .collect();
    settings.progress.finish();

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
                let c = code::of_plan_failure(&reason);
                report
                    .failed
                    .push(Problem::new(file.display().to_string(), c, reason))
            }
            (Planned::Task(_), None) => {}
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::plan;
    use crate::walk::{collect, is_signature};
    use std::path::Path;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn settings<'a>(progress: &'a dyn Progress) -> Settings<'a> {
        Settings {
            threads: 2,
            overwrite: Overwrite::Never,
            skip_existing: true,
            progress,
            halt: None,
            check_existing: None,
            raced: "signed by another run",
        }
    }

    fn plan_dir(dir: &Path) -> Vec<Planned> {
        let walked = collect(&[dir.to_path_buf()], |p| !is_signature(p));
        plan(walked, |i| Ok(i.path.with_extension("p7s")))
    }

    fn sign(task: &Task) -> Result<Produced, Reason> {
        Ok(Produced::Write(std::fs::read(&task.input.path).unwrap()))
    }

    #[test]
    fn a_resumed_run_skips_the_tasks_done() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a", "b"] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        std::fs::write(dir.path().join("a.p7s"), b"done before").unwrap();
        let calls = AtomicUsize::new(0);
        let report = run(plan_dir(dir.path()), &settings(&NoProgress), |t| {
            calls.fetch_add(1, Ordering::Relaxed);
            sign(t)
        })
        .unwrap();
        assert_eq!(
            calls.load(Ordering::Relaxed),
            1,
            "a was done: not worked on"
        );
        assert_eq!(report.done.len(), 1);
        assert!(report.done[0].1.ends_with("b.p7s"));
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].code, code::EXISTS);
        assert!(report.skipped[0]
            .reason
            .ends_with("a.p7s exists (use --force to replace it)"));
        assert_eq!(
            std::fs::read(dir.path().join("a.p7s")).unwrap(),
            b"done before"
        );
        assert_eq!(std::fs::read(dir.path().join("b.p7s")).unwrap(), b"b");
    }

    #[test]
    fn an_existing_output_that_no_longer_fits_is_changed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"a").unwrap();
        std::fs::write(dir.path().join("a.p7s"), b"old").unwrap();
        let stale = |_: &Task| Some("changed after it was signed".to_owned());
        let mut s = settings(&NoProgress);
        s.check_existing = Some(&stale);
        let report = run(plan_dir(dir.path()), &s, sign).unwrap();
        assert_eq!(report.changed.len(), 1);
        assert_eq!(report.changed[0].code, code::CHANGED_AFTER_SIGNING);
        assert!(report.done.is_empty() && report.skipped.is_empty());
    }

    #[test]
    fn an_output_another_run_wrote_meanwhile_is_left_to_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"a").unwrap();
        let planned = plan_dir(dir.path());
        let report = run(planned, &settings(&NoProgress), |t| {
            std::fs::write(&t.output, b"the other run").unwrap();
            sign(t)
        })
        .unwrap();
        assert!(report.done.is_empty());
        assert_eq!(report.skipped.len(), 1);
        assert_eq!(report.skipped[0].code, code::RACED);
        assert!(report.skipped[0]
            .reason
            .ends_with("appeared while this run worked: skipped (signed by another run)"));
        assert_eq!(
            std::fs::read(dir.path().join("a.p7s")).unwrap(),
            b"the other run"
        );
    }

    #[test]
    fn a_halt_fails_the_tasks_not_started_undone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"a").unwrap();
        let halt = || Some("no TSA left: every TSA is down".to_owned());
        let mut s = settings(&NoProgress);
        s.halt = Some(&halt);
        let report = run(plan_dir(dir.path()), &s, |_| unreachable!()).unwrap();
        assert_eq!(report.failed.len(), 1);
        assert_eq!(report.failed[0].code, code::NO_TSA_LEFT);
        assert!(!dir.path().join("a.p7s").exists());
    }

    #[test]
    fn work_failures_and_skips_are_reported_with_their_codes() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a", "b"] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        let report = run(plan_dir(dir.path()), &settings(&NoProgress), |t| {
            if t.input.path.ends_with("a") {
                Err("the token refused".into())
            } else {
                Ok(Produced::Skip("already at B-LTA".into()))
            }
        })
        .unwrap();
        assert_eq!(report.failed.len(), 1);
        assert_eq!(report.failed[0].code, code::FAILED);
        assert_eq!(report.failed[0].reason, "the token refused");
        assert_eq!(report.skipped[0].code, code::NOTHING_TO_DO);
    }

    #[test]
    fn progress_is_told_every_task() {
        struct Count(AtomicUsize, AtomicUsize, AtomicUsize);
        impl Progress for Count {
            fn start(&self, tasks: usize) {
                self.0.store(tasks, Ordering::Relaxed);
            }
            fn advance(&self) {
                self.1.fetch_add(1, Ordering::Relaxed);
            }
            fn finish(&self) {
                self.2.fetch_add(1, Ordering::Relaxed);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        for name in ["a", "b", "c"] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        let count = Count(
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        run(plan_dir(dir.path()), &settings(&count), sign).unwrap();
        assert_eq!(count.0.load(Ordering::Relaxed), 3);
        assert_eq!(count.1.load(Ordering::Relaxed), 3);
        assert_eq!(count.2.load(Ordering::Relaxed), 1);
    }
}
