//! When a file is complete: its size and modification time have stayed
//! the same for the settle time — or, after a closed-after-write event
//! (inotify `IN_CLOSE_WRITE`), for a short quiet period that lets a writer
//! which reopens the file between chunks come back. The stat is taken
//! again at every tick, so a slow writer keeps its file unsettled for as
//! long as it writes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// What identifies a version of a file's content for the watcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Size in bytes.
    pub len: u64,
    /// Modification time.
    pub modified: SystemTime,
}

impl Stat {
    /// The stat of the regular file at `path` (none if it is gone or not a
    /// regular file).
    pub fn of(path: &Path) -> Option<Stat> {
        let m = std::fs::symlink_metadata(path).ok()?;
        if !m.is_file() {
            return None;
        }
        Some(Stat {
            len: m.len(),
            modified: m.modified().ok()?,
        })
    }
}

#[derive(Debug)]
struct Pending {
    stat: Stat,
    since: Instant,
    closed: bool,
}

/// The files seen and not yet taken.
#[derive(Debug)]
pub struct Tracker {
    files: HashMap<PathBuf, Pending>,
    settle: Duration,
    closed_quiet: Duration,
}

impl Tracker {
    /// A tracker with the settle time `settle` and, after a
    /// closed-after-write event, the quiet period `closed_quiet` (capped
    /// by `settle`).
    pub fn new(settle: Duration, closed_quiet: Duration) -> Tracker {
        Tracker {
            files: HashMap::new(),
            settle,
            closed_quiet,
        }
    }

    /// A change was seen at `path` (created, written, renamed into the
    /// folder); `closed` for a closed-after-write event.
    pub fn seen(&mut self, path: &Path, closed: bool, now: Instant) {
        let Some(stat) = Stat::of(path) else {
            self.files.remove(path);
            return;
        };
        match self.files.get_mut(path) {
            Some(p) if p.stat == stat => p.closed |= closed,
            Some(p) => {
                *p = Pending {
                    stat,
                    since: now,
                    closed,
                }
            }
            None => {
                self.files.insert(
                    path.to_path_buf(),
                    Pending {
                        stat,
                        since: now,
                        closed,
                    },
                );
            }
        }
    }

    /// Takes the stat of every file again: a changed one starts over, a
    /// vanished one is forgotten.
    pub fn refresh(&mut self, now: Instant) {
        self.files.retain(|path, p| match Stat::of(path) {
            None => false,
            Some(stat) if stat == p.stat => true,
            Some(stat) => {
                *p = Pending {
                    stat,
                    since: now,
                    closed: false,
                };
                true
            }
        });
    }

    /// Whether `path` is tracked and complete.
    pub fn is_settled(&self, path: &Path, now: Instant) -> bool {
        self.files.get(path).is_some_and(|p| self.settled(p, now))
    }

    /// Whether `path` is tracked and not yet complete.
    pub fn is_unsettled(&self, path: &Path, now: Instant) -> bool {
        self.files.get(path).is_some_and(|p| !self.settled(p, now))
    }

    fn settled(&self, p: &Pending, now: Instant) -> bool {
        let quiet = if p.closed {
            self.settle.min(self.closed_quiet)
        } else {
            self.settle
        };
        now.duration_since(p.since) >= quiet
    }

    /// The complete files, sorted, with how long each has been complete.
    pub fn complete(&self, now: Instant) -> Vec<(PathBuf, Stat, Duration)> {
        let mut out: Vec<_> = self
            .files
            .iter()
            .filter(|(_, p)| self.settled(p, now))
            .map(|(path, p)| (path.clone(), p.stat, now.duration_since(p.since)))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Stops tracking `path`; its stat when it was taken.
    pub fn take(&mut self, path: &Path) -> Option<Stat> {
        self.files.remove(path).map(|p| p.stat)
    }

    /// Files tracked and not yet complete.
    pub fn unsettled(&self, now: Instant) -> usize {
        self.files
            .values()
            .filter(|p| !self.settled(p, now))
            .count()
    }

    /// Files tracked.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_file_settles_only_after_staying_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(b"first chunk").unwrap();
        let t0 = Instant::now();
        let mut t = Tracker::new(Duration::from_secs(2), Duration::from_millis(500));
        t.seen(&path, false, t0);
        assert!(t.is_unsettled(&path, t0 + Duration::from_secs(1)));
        // The writer appends: the clock starts again.
        f.write_all(b" second chunk").unwrap();
        t.refresh(t0 + Duration::from_secs(1));
        assert!(t.is_unsettled(&path, t0 + Duration::from_millis(2500)));
        assert!(t.is_settled(&path, t0 + Duration::from_secs(3)));
        assert_eq!(t.complete(t0 + Duration::from_secs(3)).len(), 1);
        assert_eq!(t.take(&path).unwrap().len, 24);
        assert!(t.is_empty());
    }

    #[test]
    fn a_closed_file_needs_only_the_short_quiet_period() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        std::fs::write(&path, b"whole").unwrap();
        let t0 = Instant::now();
        let mut t = Tracker::new(Duration::from_secs(30), Duration::from_millis(500));
        t.seen(&path, false, t0);
        t.seen(&path, true, t0);
        assert!(t.is_unsettled(&path, t0 + Duration::from_millis(100)));
        assert!(t.is_settled(&path, t0 + Duration::from_millis(500)));
    }

    #[test]
    fn the_quiet_period_after_close_is_a_setting_capped_by_the_settle_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        std::fs::write(&path, b"whole").unwrap();
        let t0 = Instant::now();
        let mut t = Tracker::new(Duration::from_secs(30), Duration::from_secs(3));
        t.seen(&path, true, t0);
        assert!(t.is_unsettled(&path, t0 + Duration::from_secs(2)));
        assert!(t.is_settled(&path, t0 + Duration::from_secs(3)));
        let mut capped = Tracker::new(Duration::from_secs(1), Duration::from_secs(3));
        capped.seen(&path, true, t0);
        assert!(capped.is_settled(&path, t0 + Duration::from_secs(1)));
    }

    #[test]
    fn a_vanished_file_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        std::fs::write(&path, b"x").unwrap();
        let mut t = Tracker::new(Duration::ZERO, Duration::from_millis(500));
        let now = Instant::now();
        t.seen(&path, false, now);
        assert_eq!(t.len(), 1);
        std::fs::remove_file(&path).unwrap();
        t.refresh(now);
        assert!(t.is_empty());
    }
}
