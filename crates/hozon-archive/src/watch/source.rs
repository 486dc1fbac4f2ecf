//! Where changes come from: inotify through `notify`'s recommended watcher,
//! or `notify`'s polling watcher for network shares (where inotify sees
//! nothing another machine writes). Either way the watcher only learns
//! *which* paths to look at: whether a file is complete is decided by its
//! stat ([`super::settle`]), and a full walk of the folders at start and
//! after an overflow catches anything an event missed.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

/// A change the watcher acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Created, written or renamed into a folder: look at it.
    Touched(PathBuf),
    /// Closed after writing (inotify only).
    Closed(PathBuf),
    /// Events were lost (queue overflow): walk the folders again.
    Rescan,
}

/// The folders' change events.
pub struct Source {
    _watcher: Box<dyn Watcher>,
    rx: mpsc::Receiver<notify::Result<notify::Event>>,
    /// An error the watcher reported (kept for the state file).
    pub last_error: Option<String>,
}

/// Why the folders cannot be watched.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot watch: {source}", path.display())]
pub struct SourceError {
    /// The folder.
    pub path: PathBuf,
    /// Why.
    pub source: notify::Error,
}

impl Source {
    /// Watches `folders` recursively with inotify, or by polling every
    /// `poll` when given.
    pub fn start(folders: &[PathBuf], poll: Option<Duration>) -> Result<Source, SourceError> {
        let (tx, rx) = mpsc::channel();
        let handler = move |e| {
            let _ = tx.send(e);
        };
        let err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SourceError { path, source }
        };
        let first = folders
            .first()
            .map(PathBuf::as_path)
            .unwrap_or(Path::new("."));
        let mut watcher: Box<dyn Watcher> = match poll {
            Some(interval) => Box::new(
                PollWatcher::new(
                    handler,
                    notify::Config::default().with_poll_interval(interval),
                )
                .map_err(err(first))?,
            ),
            None => Box::new(
                RecommendedWatcher::new(handler, notify::Config::default()).map_err(err(first))?,
            ),
        };
        for folder in folders {
            watcher
                .watch(folder, RecursiveMode::Recursive)
                .map_err(err(folder))?;
        }
        Ok(Source {
            _watcher: watcher,
            rx,
            last_error: None,
        })
    }

    /// The changes that arrive within `timeout` (at least one wait, then
    /// whatever is queued).
    pub fn changes(&mut self, timeout: Duration) -> Vec<Change> {
        let mut out = Vec::new();
        let mut next = self.rx.recv_timeout(timeout).ok();
        while let Some(event) = next {
            match event {
                Ok(event) => out.extend(changes_of(&event)),
                Err(e) => {
                    self.last_error = Some(e.to_string());
                    out.push(Change::Rescan);
                }
            }
            next = self.rx.try_recv().ok();
        }
        out
    }
}

/// What one event means to the watcher.
fn changes_of(event: &notify::Event) -> Vec<Change> {
    if event.need_rescan() {
        return vec![Change::Rescan];
    }
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            event.paths.iter().cloned().map(Change::Closed).collect()
        }
        // A rename's source path is gone (or elsewhere): only its target counts.
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => event
            .paths
            .last()
            .cloned()
            .map(Change::Touched)
            .into_iter()
            .collect(),
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any | EventKind::Other => {
            event.paths.iter().cloned().map(Change::Touched).collect()
        }
        EventKind::Access(_) | EventKind::Remove(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::CreateKind;

    #[test]
    fn events_map_to_changes() {
        let ev = |kind, paths: &[&str]| {
            let mut e = notify::Event::new(kind);
            for p in paths {
                e = e.add_path(PathBuf::from(p));
            }
            e
        };
        assert_eq!(
            changes_of(&ev(EventKind::Create(CreateKind::File), &["/in/a"])),
            vec![Change::Touched("/in/a".into())]
        );
        assert_eq!(
            changes_of(&ev(
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                &["/in/a"]
            )),
            vec![Change::Closed("/in/a".into())]
        );
        assert_eq!(
            changes_of(&ev(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/in/.a.part", "/in/a"]
            )),
            vec![Change::Touched("/in/a".into())]
        );
        assert!(changes_of(&ev(
            EventKind::Remove(notify::event::RemoveKind::File),
            &["/in/a"]
        ))
        .is_empty());
        let rescan = ev(EventKind::Other, &[]).set_flag(notify::event::Flag::Rescan);
        assert_eq!(changes_of(&rescan), vec![Change::Rescan]);
    }

    #[test]
    fn inotify_reports_a_file_written_into_a_watched_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut source = Source::start(&[dir.path().to_path_buf()], None).unwrap();
        std::fs::write(dir.path().join("a.pdf"), b"x").unwrap();
        let mut seen = Vec::new();
        for _ in 0..50 {
            seen.extend(source.changes(Duration::from_millis(100)));
            if seen.contains(&Change::Closed(dir.path().join("a.pdf"))) {
                return;
            }
        }
        panic!("no closed-after-write event: {seen:?}");
    }
}
