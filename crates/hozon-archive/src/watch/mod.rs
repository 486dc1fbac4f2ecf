//! `archive watch`: a long-running intake service (docs/intake.md).
//!
//! It notices new files in its folders ([`source`]: inotify, or polling
//! for network shares), waits until each is complete ([`settle`]; hidden,
//! temporary and partial names are ignored: [`names`]), collects the
//! complete ones into a window, and when the window holds
//! `batch_records` inputs or is `batch_seconds` old ingests it with
//! [`crate::ingest::run`] — scans checked against the policy, what must be
//! signed signed, one evidence batch (one TSA request) over the window —
//! then moves each input to `done/` or `quarantine/` ([`place`]).
//!
//! # Crash safety
//!
//! The watcher adds no state of its own to the archive: a window is one
//! ingest run, under the archive's lock (taken per window, so `verify`,
//! `renew` or `search` run between windows), with ingest's commit order
//! and the repair of [`crate::Session::open`]. An input leaves its folder
//! only after ingest returned, so its record is durable; killed before
//! that, the input is still in the folder at the next start, where ingest
//! finds it already archived (same path, same content: the same record
//! id) and it goes to `done/` without a second record; records a killed
//! run left without evidence are stamped by the next window's evidence
//! batch. One watcher per archive: `ARCHIVE/watch.lock`.
//!
//! # Stopping
//!
//! SIGTERM or SIGINT ([`signal`]) stop the loop between steps: a window
//! being ingested is finished and placed, one not yet started is left in
//! the folder for the next start; the state file says `running: false`.

pub mod mode;
pub mod names;
pub mod place;
pub mod reason;
pub mod settle;
pub mod signal;
pub mod source;
pub mod state;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hozon_i18n::{Catalog, Lang};

pub use crate::watch_config::{Timing, WatchConfig, WatchConfigError};
pub use mode::WatchMode;
pub use signal::Stop;
pub use state::WatchState;

use crate::ingest::{IngestOptions, NoProgress};
use crate::ingest_report::IngestReport;
use crate::lock::{self, Wait};
use crate::tools::Tools;
use crate::{crash, io_err, Error, Session};
use names::Role;
use place::Folder;
use settle::{Stat, Tracker};
use source::{Change, Source, SourceError};

/// How long the loop waits for an event before it looks at the clock.
const TICK: Duration = Duration::from_millis(200);

/// A full walk of the folders this often, whatever the events said.
const RESCAN: Duration = Duration::from_secs(60);

/// The state file is rewritten at least this often (a heartbeat) ...
const HEARTBEAT: Duration = Duration::from_secs(10);

/// ... and, for a changed backlog, at most this often.
const BACKLOG_EVERY: Duration = Duration::from_secs(1);

/// After a window failed, the next one waits at least this long.
const RETRY: Duration = Duration::from_secs(5);

/// What to watch and how.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// Folders of documents (signed or not).
    pub sources: Vec<PathBuf>,
    /// Folders of scans (checked against the scan policy).
    pub scans: Vec<PathBuf>,
    /// Settle time, window, polling.
    pub timing: Timing,
    /// Where archived inputs go (default: `done/` in each folder).
    pub done: Option<PathBuf>,
    /// Where refused inputs go (default: `quarantine/` in each folder).
    pub quarantine: Option<PathBuf>,
    /// The language of the service's log lines (hozon-i18n).
    pub lang: Lang,
}

/// Why the watcher could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The archive (lock, configuration, catalog, state file).
    #[error(transparent)]
    Archive(#[from] Error),
    /// A folder cannot be watched.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Another watcher runs on the archive.
    #[error("{}: another watcher runs on this archive ({holder}); one at a time", path.display())]
    AlreadyWatched {
        /// The watch lock.
        path: PathBuf,
        /// What the lock file says about its holder.
        holder: String,
    },
    /// A folder given is unusable.
    #[error("{}: {reason}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Lines for the service's log (no patient data: paths, counts and reasons).
pub trait Log {
    /// One line.
    fn line(&self, text: &str);
}

impl<F: Fn(&str)> Log for F {
    fn line(&self, text: &str) {
        self(text)
    }
}

/// The watcher of one archive.
pub struct Watcher<'a> {
    root: PathBuf,
    options: &'a WatchOptions,
    tools: &'a Tools,
    log: &'a dyn Log,
    folders: Vec<Folder>,
    tracker: Tracker,
    window: Vec<(PathBuf, Stat)>,
    opened: Option<Instant>,
    not_before: Option<Instant>,
    evidence_due: Option<Instant>,
    passed_over: HashMap<PathBuf, Stat>,
    state: WatchState,
    written: Option<(Instant, state::Backlog)>,
}

/// Runs the watcher on the archive at `root` until `stop` is asked for;
/// returns its final state.
pub fn run(
    root: &Path,
    options: &WatchOptions,
    tools: &Tools,
    stop: &Stop,
    log: &dyn Log,
) -> Result<WatchState, WatchError> {
    let layout = crate::Layout::new(root);
    if !layout.config().is_file() {
        return Err(Error::Config {
            path: layout.config(),
            reason: "not an archive (`hozon archive init DIR`)".into(),
        }
        .into());
    }
    let _one = match lock::acquire(
        &root.join("watch.lock"),
        Wait::No,
        "hozon archive watch",
        &|_| {},
    ) {
        Err(Error::Locked { path, holder }) => {
            return Err(WatchError::AlreadyWatched { path, holder })
        }
        other => other?,
    };
    let folders = folders(root, options)?;
    let roots: Vec<PathBuf> = folders.iter().map(|f| f.root.clone()).collect();
    let mut source = Source::start(&roots, options.timing.poll)?;
    let mut w = Watcher {
        root: root.to_path_buf(),
        options,
        tools,
        log,
        tracker: Tracker::new(options.timing.settle, options.timing.closed_quiet),
        window: Vec::new(),
        opened: None,
        not_before: None,
        evidence_due: None,
        passed_over: HashMap::new(),
        state: WatchState {
            pid: std::process::id(),
            running: true,
            started: hozon_cms::UnixTime::now().rfc3339(),
            folders: roots.iter().map(|r| r.display().to_string()).collect(),
            mode: WatchMode::from_poll(options.timing.poll),
            ..WatchState::default()
        },
        folders,
        written: None,
    };
    w.rescan(Instant::now());
    w.save(true)?;
    let cat = Catalog::get(options.lang);
    log.line(&cat.text_with(
        "watch-log-started",
        &[
            ("folders", &w.state.folders.join(", ")),
            ("mode", &w.state.mode.to_string()),
            ("settle", &options.timing.settle.as_secs_f64().to_string()),
            ("records", &options.timing.batch_records.to_string()),
            (
                "window",
                &options.timing.batch_window.as_secs_f64().to_string(),
            ),
        ],
    ));
    let mut last_rescan = Instant::now();
    while !stop.requested() {
        let changes = source.changes(TICK);
        let now = Instant::now();
        for change in changes {
            match change {
                Change::Touched(p) => w.consider(&p, false, now),
                Change::Closed(p) => w.consider(&p, true, now),
                Change::Rescan => {
                    w.rescan(now);
                    last_rescan = now;
                }
            }
        }
        if let Some(e) = source.last_error.take() {
            w.state.problem(format!("watching: {e}"));
        }
        if now.duration_since(last_rescan) >= RESCAN {
            w.rescan(now);
            last_rescan = now;
        }
        w.tracker.refresh(now);
        w.take_complete(now);
        if w.window_due(now) && !stop.requested() {
            w.ingest_window()?;
        } else if w.evidence_retry_due(now) && !stop.requested() {
            w.retry_evidence()?;
        }
        w.save(false)?;
    }
    w.state.running = false;
    w.save(true)?;
    log.line(&cat.text_with(
        "watch-log-stopped",
        &[
            ("batches", &w.state.totals.batches.to_string()),
            ("records", &w.state.totals.records.to_string()),
            ("quarantined", &w.state.totals.quarantined.to_string()),
            ("left", &(w.tracker.len() + w.window.len()).to_string()),
        ],
    ));
    Ok(w.state)
}

/// The folders, canonical, with their done and quarantine directories
/// (created).
fn folders(root: &Path, options: &WatchOptions) -> Result<Vec<Folder>, WatchError> {
    let archive = std::fs::canonicalize(root).map_err(io_err(root))?;
    let mut out: Vec<Folder> = Vec::new();
    let given = options
        .sources
        .iter()
        .map(|p| (p, false))
        .chain(options.scans.iter().map(|p| (p, true)));
    for (path, scans) in given {
        let bad = |reason: &str| WatchError::Folder {
            path: path.clone(),
            reason: reason.into(),
        };
        let canonical = std::fs::canonicalize(path).map_err(|e| bad(&e.to_string()))?;
        if !canonical.is_dir() {
            return Err(bad("not a directory"));
        }
        if canonical.starts_with(&archive) || archive.starts_with(&canonical) {
            return Err(bad("overlaps the archive directory"));
        }
        if out
            .iter()
            .any(|f| f.root.starts_with(&canonical) || canonical.starts_with(&f.root))
        {
            return Err(bad("overlaps another watched folder"));
        }
        let target = |configured: &Option<PathBuf>, default: &str| -> Result<PathBuf, WatchError> {
            let dir = configured
                .clone()
                .unwrap_or_else(|| canonical.join(default));
            std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
            Ok(std::fs::canonicalize(&dir).map_err(io_err(&dir))?)
        };
        let done = target(&options.done, "done")?;
        let quarantine = target(&options.quarantine, "quarantine")?;
        if done == canonical || quarantine == canonical {
            return Err(bad("is its own done or quarantine directory"));
        }
        out.push(Folder {
            root: canonical,
            scans,
            done,
            quarantine,
        });
    }
    if out.is_empty() {
        return Err(WatchError::Folder {
            path: PathBuf::from("."),
            reason: "no folder to watch: give DIR... or --scans DIR".into(),
        });
    }
    Ok(out)
}

impl Watcher<'_> {
    /// The catalogue of the service's log language.
    fn cat(&self) -> &'static Catalog {
        Catalog::get(self.options.lang)
    }

    /// Whether `path` is a file the watcher should look at: under a
    /// folder, not in a done or quarantine directory, no ignored name on
    /// the way.
    fn wanted(&self, path: &Path) -> bool {
        let Some(folder) = self.folders.iter().find(|f| path.starts_with(&f.root)) else {
            return false;
        };
        if self
            .folders
            .iter()
            .any(|f| path.starts_with(&f.done) || path.starts_with(&f.quarantine))
        {
            return false;
        }
        let Ok(below) = path.strip_prefix(&folder.root) else {
            return false;
        };
        !below.as_os_str().is_empty()
            && below
                .components()
                .all(|c| !names::ignored(&c.as_os_str().to_string_lossy()))
    }

    /// A change at `path`.
    fn consider(&mut self, path: &Path, closed: bool, now: Instant) {
        if !self.wanted(path) || self.window.iter().any(|(p, _)| p == path) {
            return;
        }
        if path.is_dir() {
            // A directory renamed into the folder: its files.
            self.walk(path, now);
            return;
        }
        if let Some(stat) = self.passed_over.get(path) {
            if Stat::of(path) == Some(*stat) {
                return;
            }
            self.passed_over.remove(path);
        }
        self.tracker.seen(path, closed, now);
    }

    /// Walks every folder.
    fn rescan(&mut self, now: Instant) {
        let roots: Vec<PathBuf> = self.folders.iter().map(|f| f.root.clone()).collect();
        for root in roots {
            self.walk(&root, now);
        }
    }

    fn walk(&mut self, dir: &Path, now: Instant) {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        let walker = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || self.wanted(e.path()));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => found.push(e.into_path()),
                Ok(_) => {}
                Err(e) => errors.push(format!("{}: {e}", dir.display())),
            }
        }
        for e in errors {
            self.state.problem(e);
        }
        for path in found {
            if !self.tracker.is_settled(&path, now) && !self.tracker.is_unsettled(&path, now) {
                self.consider(&path, false, now);
            }
        }
    }

    /// Moves complete inputs (with their companions complete) into the window.
    fn take_complete(&mut self, now: Instant) {
        let settle = self.options.timing.settle;
        for (path, stat, age) in self.tracker.complete(now) {
            match names::role(&path) {
                Role::Manifest | Role::Companion => {
                    self.tracker.take(&path);
                }
                Role::Orphan => {
                    if age >= settle + self.options.timing.orphan_grace {
                        self.tracker.take(&path);
                        self.push(path, stat, now);
                    }
                }
                Role::Input => {
                    let waiting = names::companions(&path)
                        .iter()
                        .any(|c| self.tracker.is_unsettled(c, now));
                    if !waiting {
                        self.tracker.take(&path);
                        self.push(path, stat, now);
                    }
                }
            }
        }
    }

    fn push(&mut self, path: PathBuf, stat: Stat, now: Instant) {
        if self.window.is_empty() {
            self.opened = Some(now);
        }
        self.window.push((path, stat));
    }

    fn window_due(&self, now: Instant) -> bool {
        let Some(opened) = self.opened else {
            return false;
        };
        !self.window.is_empty()
            && self.not_before.is_none_or(|t| now >= t)
            && (self.window.len() >= self.options.timing.batch_records
                || now.duration_since(opened) >= self.options.timing.batch_window)
    }

    /// Ingests the window and places its inputs. An archive error is
    /// logged and the window tried again later; only a failure to write
    /// the state file stops the watcher.
    fn ingest_window(&mut self) -> Result<(), WatchError> {
        let window = std::mem::take(&mut self.window);
        self.opened = None;
        match self.ingest(&window) {
            Ok(report) => {
                self.placed(&report, &window);
                self.save(true)?;
            }
            Err(e) => {
                let now = Instant::now();
                self.state
                    .problem(format!("window of {} input(s): {e}", window.len()));
                self.log.line(&self.cat().text_with(
                    "watch-log-window-failed",
                    &[
                        ("count", &window.len().to_string()),
                        ("error", &e.to_string()),
                    ],
                ));
                for (path, _) in &window {
                    self.tracker.seen(path, false, now);
                }
                self.not_before = Some(now + RETRY.max(self.options.timing.batch_window));
            }
        }
        Ok(())
    }

    /// The archive, opened with its lock (waited for) and repaired from
    /// an interrupted run, the repair logged.
    fn session(&self) -> crate::Result<Session> {
        let session = Session::open(&self.root, Wait::Yes, "hozon archive watch", &|holder| {
            self.log.line(
                &self
                    .cat()
                    .text_with("archive-lock-waiting", &[("holder", holder)]),
            )
        })?;
        let r = &session.recovery;
        if r.any() {
            self.log.line(&self.cat().text_with(
                "archive-recovered",
                &[
                    ("staging", &r.staging_removed.to_string()),
                    ("rows", &r.rows_restored.to_string()),
                    ("lines", &r.audit_lines_restored.to_string()),
                    ("torn", &r.audit_torn_bytes.to_string()),
                ],
            ));
        }
        Ok(session)
    }

    /// Records per evidence batch (one TSA request each).
    fn batch_size(&self, session: &Session) -> usize {
        session
            .config
            .renewal
            .batch_size
            .max(self.options.timing.batch_records)
            .max(1)
    }

    /// Whether the records a window left without evidence are to be
    /// stamped now: the back-off has passed and no window waits (a window
    /// stamps them itself).
    fn evidence_retry_due(&self, now: Instant) -> bool {
        self.window.is_empty() && self.evidence_due.is_some_and(|t| now >= t)
    }

    /// Stamps the records left without evidence when the TSA was down; on
    /// another failure, tries again after the back-off.
    fn retry_evidence(&mut self) -> Result<(), WatchError> {
        self.evidence_due = None;
        let outcome = self.session().and_then(|mut session| {
            let batch_size = self.batch_size(&session);
            crate::evidence::stamp_pending(
                &mut session,
                self.tools.stamper(),
                &self.tools.verifier,
                batch_size,
                &NoProgress,
            )
        });
        let retry = Instant::now() + self.options.timing.evidence_retry;
        match outcome {
            Ok(ev) => {
                let stamps = stamps_of(&ev);
                for left in &ev.left_out {
                    self.state.problem(format!(
                        "left out of the evidence batch: {}: {}",
                        left.dir, left.reason
                    ));
                }
                match &ev.error {
                    Some(e) => {
                        self.state.problem(format!(
                            "evidence retry: still no evidence for {} record(s): {e}",
                            ev.pending
                        ));
                        self.log.line(&self.cat().text_with(
                            "watch-log-evidence-still-missing",
                            &[
                                ("count", &ev.pending.to_string()),
                                (
                                    "seconds",
                                    &self.options.timing.evidence_retry.as_secs_f64().to_string(),
                                ),
                                ("error", &e.to_string()),
                            ],
                        ));
                        self.evidence_due = Some(retry);
                    }
                    None => self.log.line(&self.cat().text_with(
                        "watch-log-evidence-retry",
                        &[(
                            "stamps",
                            &describe_stamps(self.cat(), &stamps, "watch-log-no-record-waiting"),
                        )],
                    )),
                }
                if let Some(batch) = &mut self.state.last_batch {
                    batch.evidence.extend(stamps);
                    batch.evidence_error = ev.error.clone();
                }
            }
            Err(e) => {
                self.state.problem(format!("evidence retry: {e}"));
                self.log.line(&self.cat().text_with(
                    "watch-log-evidence-retry-failed",
                    &[
                        (
                            "seconds",
                            &self.options.timing.evidence_retry.as_secs_f64().to_string(),
                        ),
                        ("error", &e.to_string()),
                    ],
                ));
                self.evidence_due = Some(retry);
            }
        }
        self.written = None;
        self.save(true)
    }

    fn ingest(&self, window: &[(PathBuf, Stat)]) -> crate::Result<IngestReport> {
        let mut session = self.session()?;
        let pick = |scans: bool| {
            self.folders
                .iter()
                .filter(|f| f.scans == scans)
                .map(|f| f.root.clone())
                .collect::<Vec<_>>()
        };
        let options = IngestOptions {
            sources: pick(false),
            scans: pick(true),
            batch_size: self.batch_size(&session),
            only: Some(
                window
                    .iter()
                    .map(|(p, _)| p.clone())
                    .collect::<HashSet<_>>(),
            ),
            ..IngestOptions::default()
        };
        let report = crate::ingest::run(&mut session, &options, self.tools, &NoProgress)?;
        crash::point("watch-ingested");
        Ok(report)
    }

    fn placed(&mut self, report: &IngestReport, window: &[(PathBuf, Stat)]) {
        let now = Instant::now();
        let placed = match place::place(report, window, &self.folders) {
            Ok(p) => p,
            Err(e) => {
                // Archived (or refused) but not moved: the next window
                // finds them already archived (or refuses them again).
                self.state.problem(format!("moving inputs: {e}"));
                self.log.line(
                    &self
                        .cat()
                        .text_with("watch-log-move-failed", &[("error", &e.to_string())]),
                );
                for (path, _) in window {
                    self.tracker.seen(path, false, now);
                }
                return;
            }
        };
        for path in &placed.changed {
            self.tracker.seen(path, false, now);
        }
        self.passed_over.extend(placed.passed_over.iter().cloned());
        for s in &report.not_archived {
            self.log.line(&self.cat().text_with(
                "watch-log-quarantined",
                &[("source", &s.source), ("reason", &s.reason)],
            ));
        }
        let ev = &report.evidence;
        let batch = state::LastBatch {
            time: hozon_cms::UnixTime::now().rfc3339(),
            records: report.archived.len() as u64,
            already_archived: report.already_archived.len() as u64,
            quarantined: placed.quarantined,
            evidence: stamps_of(ev),
            evidence_error: ev.error.clone(),
        };
        if let Some(e) = &ev.error {
            self.state.problem(format!(
                "no evidence yet for {} record(s): {e} (tried again in {} s while idle; the next window, or `hozon archive renew`, stamps them too)",
                ev.pending,
                self.options.timing.evidence_retry.as_secs_f64()
            ));
        }
        self.evidence_due = (ev.error.is_some() && ev.pending > 0)
            .then(|| now + self.options.timing.evidence_retry);
        for left in &ev.left_out {
            self.state.problem(format!(
                "left out of the evidence batch: {}: {}",
                left.dir, left.reason
            ));
        }
        let cat = self.cat();
        let evidence = match &batch.evidence_error {
            None => describe_stamps(cat, &batch.evidence, "watch-log-no-evidence-batch-needed"),
            Some(e) => cat.text_with("archive-watch-evidence-error", &[("error", e)]),
        };
        self.log.line(&cat.text_with(
            "watch-log-window",
            &[
                ("archived", &batch.records.to_string()),
                ("already", &batch.already_archived.to_string()),
                ("quarantined", &batch.quarantined.to_string()),
                ("changed", &placed.changed.len().to_string()),
                ("evidence", &evidence),
            ],
        ));
        let t = &mut self.state.totals;
        t.batches += 1;
        t.records += batch.records;
        t.already_archived += batch.already_archived;
        t.quarantined += batch.quarantined;
        self.state.last_batch = Some(batch);
        self.written = None;
    }

    /// Writes the state file when the backlog changed, a window was
    /// placed, or the heartbeat is due (`force`: now).
    fn save(&mut self, force: bool) -> Result<(), WatchError> {
        let now = Instant::now();
        let backlog = state::Backlog {
            settling: self.tracker.len() as u64,
            ready: self.window.len() as u64,
        };
        let due = match &self.written {
            None => true,
            Some((at, b)) => {
                let since = now.duration_since(*at);
                (*b != backlog && since >= BACKLOG_EVERY) || since >= HEARTBEAT
            }
        };
        if !(force || due) {
            return Ok(());
        }
        self.state.backlog = backlog.clone();
        self.state.updated = hozon_cms::UnixTime::now().rfc3339();
        state::write(&self.root, &self.state)?;
        self.written = Some((now, backlog));
        Ok(())
    }
}

/// The evidence batches of `ev` as the state file lists them.
fn stamps_of(ev: &crate::evidence::EvidenceOutcome) -> Vec<state::Stamp> {
    ev.batches
        .iter()
        .map(|b| state::Stamp {
            id: b.id.clone(),
            time: b.time.clone(),
            records: b.records as u64,
        })
        .collect()
}

/// The evidence batches for the log, or `none` when there are none.
fn describe_stamps(cat: &Catalog, stamps: &[state::Stamp], none: &str) -> String {
    if stamps.is_empty() {
        return cat.text(none);
    }
    stamps
        .iter()
        .map(|s| {
            cat.text_with(
                "watch-log-stamp",
                &[
                    ("id", &s.id),
                    ("records", &s.records.to_string()),
                    ("time", &s.time),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
