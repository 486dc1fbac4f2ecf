//! After a window's ingest: each input goes to its folder's done
//! directory (archived, or found already archived) or quarantine
//! directory (refused, with `NAME.reason.txt` and `NAME.reason.json`) —
//! the moves of [`crate::outbox`], plus the input's metadata sidecars.
//! An input whose size or modification time changed since it was taken
//! is not moved: it goes back to the queue (its new content is a new
//! version to archive).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::ingest_report::{IngestReport, Skipped};
use crate::outbox::{self, Moved, Settle};
use crate::{io_err, Result};

use super::reason::Reason;
use super::settle::Stat;

/// A watched folder and where its inputs go.
#[derive(Clone, Debug)]
pub struct Folder {
    /// The folder (canonical).
    pub root: PathBuf,
    /// Files under it are scans.
    pub scans: bool,
    /// Archived inputs go here.
    pub done: PathBuf,
    /// Refused inputs go here.
    pub quarantine: PathBuf,
}

/// What happened to a window's inputs.
#[derive(Debug, Default)]
pub struct Placed {
    /// Moved to done.
    pub done: u64,
    /// Moved to quarantine.
    pub quarantined: u64,
    /// Changed since they were taken: to be taken again.
    pub changed: Vec<PathBuf>,
    /// In no list of the report (ingest passed over them): left where they are.
    pub passed_over: Vec<(PathBuf, Stat)>,
    /// Every move.
    pub moves: Vec<Moved>,
}

/// Places the inputs `window` of one ingest run whose report is `report`.
pub fn place(
    report: &IngestReport,
    window: &[(PathBuf, Stat)],
    folders: &[Folder],
) -> Result<Placed> {
    enum Fate<'a> {
        Done,
        Refused(&'a Skipped),
    }
    let mut fate: HashMap<&Path, Fate<'_>> = HashMap::new();
    for a in &report.archived {
        fate.insert(Path::new(&a.source), Fate::Done);
    }
    for s in &report.already_archived {
        fate.insert(Path::new(&s.source), Fate::Done);
    }
    for s in &report.not_archived {
        fate.insert(Path::new(&s.source), Fate::Refused(s));
    }
    let mut placed = Placed::default();
    let time = hozon_cms::UnixTime::now().rfc3339();
    for (path, stat) in window {
        if Stat::of(path) != Some(*stat) {
            if path.exists() {
                placed.changed.push(path.clone());
            }
            continue;
        }
        let Some(folder) = folders.iter().find(|f| path.starts_with(&f.root)) else {
            continue;
        };
        let roots = [folder.root.clone()];
        let mut one = IngestReport::default();
        let refused = match fate.get(path.as_path()) {
            None => {
                placed.passed_over.push((path.clone(), *stat));
                continue;
            }
            Some(Fate::Done) => {
                one.already_archived.push(Skipped {
                    source: path.display().to_string(),
                    reason: String::new(),
                });
                None
            }
            Some(Fate::Refused(s)) => {
                one.not_archived.push((*s).clone());
                Some(*s)
            }
        };
        let moves = outbox::run(
            &one,
            &Settle {
                roots: &roots,
                done: Some(&folder.done),
                quarantine: Some(&folder.quarantine),
            },
        )?;
        let Some(to) = moves
            .iter()
            .find(|m| Path::new(&m.from) == path)
            .map(|m| PathBuf::from(&m.to))
        else {
            continue;
        };
        // The metadata sidecars travel with their input (outbox moves the .p7s).
        for suffix in [".meta.json", ".meta.toml"] {
            let with = |p: &Path| {
                let mut s = p.as_os_str().to_owned();
                s.push(suffix);
                PathBuf::from(s)
            };
            let sidecar = with(path);
            if sidecar.is_file() {
                let target = with(&to);
                std::fs::rename(&sidecar, &target).map_err(io_err(&target))?;
            }
        }
        match refused {
            Some(s) => {
                let mut name = to.as_os_str().to_owned();
                name.push(".reason.json");
                let json_path = PathBuf::from(name);
                let reason = Reason::of(&s.source, &s.reason, &time);
                let bytes =
                    serde_json::to_vec_pretty(&reason).map_err(|e| crate::Error::Record {
                        path: json_path.clone(),
                        reason: e.to_string(),
                    })?;
                hozon_io::write_atomic(&json_path, &bytes, hozon_io::Overwrite::Never)
                    .map_err(io_err(&json_path))?;
                placed.quarantined += 1;
            }
            None => placed.done += 1,
        }
        placed.moves.extend(moves);
    }
    Ok(placed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest_report::Archived;
    use crate::record::{Kind, State};

    #[test]
    fn inputs_go_to_done_or_quarantine_and_changed_ones_stay() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("in");
        std::fs::create_dir_all(root.join("ward")).unwrap();
        let root = std::fs::canonicalize(&root).unwrap();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::write(&p, text).unwrap();
            p
        };
        let good = write("ward/good.pdf", "good");
        write("ward/good.pdf.p7s", "sig");
        write("ward/good.pdf.meta.json", "{}");
        let bad = write("bad.png", "bad");
        let changed = write("changed.pdf", "v1");
        let ignored = write("ignored.pdf", "x");
        let window: Vec<(PathBuf, Stat)> = [&good, &bad, &changed, &ignored]
            .iter()
            .map(|p| ((*p).clone(), Stat::of(p).unwrap()))
            .collect();
        std::fs::write(&changed, "version 2").unwrap();
        let mut report = IngestReport::default();
        for p in [&good, &changed] {
            report.archived.push(Archived {
                source: p.display().to_string(),
                id: "id".into(),
                kind: Kind::Document,
                level: Some(hozon_verify::Level::BB),
                state: State::Archived,
                dir: "2026/12/id".into(),
            });
        }
        report.not_archived.push(Skipped {
            source: bad.display().to_string(),
            reason: "scan check FAILED: resolution: page 1: 150 dpi".into(),
        });
        let folder = Folder {
            root: root.clone(),
            scans: false,
            done: tmp.path().join("done"),
            quarantine: tmp.path().join("quarantine"),
        };
        let placed = place(&report, &window, &[folder]).unwrap();
        assert_eq!((placed.done, placed.quarantined), (1, 1));
        assert_eq!(placed.changed, vec![changed.clone()]);
        assert_eq!(placed.passed_over.len(), 1);
        assert_eq!(placed.passed_over[0].0, ignored);
        let done = tmp.path().join("done/ward");
        for name in ["good.pdf", "good.pdf.p7s", "good.pdf.meta.json"] {
            assert!(done.join(name).is_file(), "{name}");
        }
        assert!(!good.exists() && changed.exists() && ignored.exists());
        let q = tmp.path().join("quarantine");
        assert!(q.join("bad.png").is_file());
        assert!(q.join("bad.png.reason.txt").is_file());
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(q.join("bad.png.reason.json")).unwrap()).unwrap();
        assert_eq!(json["check"], "scan-policy");
        assert_eq!(json["failed_checks"][0], "resolution");
    }
}
