//! The plan of a batch: which input writes which output, what is skipped or
//! fails before any work starts, and the output directories made ready.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::report::{Reason, CONFLICT_WORDS};
use crate::walk::{Input, Walked};
use crate::BatchError;

/// One file to produce.
#[derive(Debug)]
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
#[derive(Debug)]
pub enum Planned {
    /// Work to do.
    Task(Task),
    /// Left alone, with why.
    Skip {
        /// The file left alone.
        file: PathBuf,
        /// Why.
        reason: String,
    },
    /// Cannot be done, with why.
    Fail {
        /// The file (or argument) that cannot be worked on.
        file: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Plans tasks for walked inputs: `output_of` names each input's output (or
/// gives the reason it is skipped); walk errors fail; two inputs with one
/// output fail (the second one, in walk order).
pub fn plan(
    mut walked: Walked,
    output_of: impl Fn(&Input) -> Result<PathBuf, Reason>,
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
            Err(Reason(reason)) => planned.push(Planned::Skip {
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

/// `FILE.<extension>` beside the input, or under `out_dir` mirroring the
/// input's place below the directory argument it was found in (a file named
/// directly goes to the top of `out_dir`).
pub fn output_path(input: &Input, out_dir: Option<&Path>, extension: &str) -> PathBuf {
    let with_ext = |p: &Path| {
        let mut s = p.as_os_str().to_owned();
        s.push(".");
        s.push(extension);
        PathBuf::from(s)
    };
    match out_dir {
        None => with_ext(&input.path),
        Some(dir) => {
            let relative = input
                .root
                .as_ref()
                .and_then(|root| input.path.strip_prefix(root).ok())
                .map(Path::to_path_buf)
                .or_else(|| input.path.file_name().map(PathBuf::from))
                .unwrap_or_else(|| input.path.clone());
            with_ext(&dir.join(relative))
        }
    }
}

/// Creates output directories (when `create`) and removes named
/// temporaries left by interrupted runs: in every output directory when
/// `create`, and wherever the walk saw one.
pub fn prepare_output_dirs(
    planned: &[Planned],
    create: bool,
    seen_temporaries: &[PathBuf],
) -> Result<(), BatchError> {
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
            std::fs::create_dir_all(dir).map_err(|source| BatchError::CreateDir {
                dir: dir.to_path_buf(),
                source,
            })?;
            clean.insert(dir);
        }
    }
    for dir in clean {
        hozon_io::remove_stale_temporaries(dir).map_err(|source| BatchError::CleanTemporaries {
            dir: dir.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::{collect, is_signature};

    fn names(planned: &[Planned]) -> Vec<String> {
        planned
            .iter()
            .map(|p| match p {
                Planned::Task(t) => {
                    format!("task {}", t.output.file_name().unwrap().to_string_lossy())
                }
                Planned::Skip { file, .. } => {
                    format!("skip {}", file.file_name().unwrap().to_string_lossy())
                }
                Planned::Fail { file, .. } => {
                    format!("fail {}", file.file_name().unwrap().to_string_lossy())
                }
            })
            .collect()
    }

    #[test]
    fn outputs_are_named_by_output_of_and_known_absent_when_listed() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.pdf", "b.pdf", "b.pdf.p7s"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let walked = collect(&[dir.path().to_path_buf()], |p| !is_signature(p));
        let planned = plan(walked, |i| Ok(i.path.with_extension("pdf.p7s")));
        assert_eq!(names(&planned), ["task a.pdf.p7s", "task b.pdf.p7s"]);
        let absent: Vec<bool> = planned
            .iter()
            .map(|p| matches!(p, Planned::Task(t) if t.absent))
            .collect();
        assert_eq!(absent, [true, false], "b.pdf.p7s exists");
    }

    #[test]
    fn outputs_go_beside_or_mirror_the_walked_tree_under_out_dir() {
        let walked = Input {
            path: "/docs/2026/a.pdf".into(),
            root: Some("/docs".into()),
        };
        let named = Input {
            path: "/elsewhere/b.pdf".into(),
            root: None,
        };
        assert_eq!(
            output_path(&walked, None, "p7s"),
            Path::new("/docs/2026/a.pdf.p7s")
        );
        assert_eq!(
            output_path(&walked, Some(Path::new("/out")), "p7s"),
            Path::new("/out/2026/a.pdf.p7s")
        );
        assert_eq!(
            output_path(&named, Some(Path::new("/out")), "xml"),
            Path::new("/out/b.pdf.xml")
        );
    }

    #[test]
    fn two_inputs_with_one_output_fail_the_second() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.pdf", "b.pdf"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let walked = collect(&[dir.path().to_path_buf()], |_| true);
        let out = dir.path().join("same.p7s");
        let planned = plan(walked, |_| Ok(out.clone()));
        assert_eq!(names(&planned), ["task same.p7s", "fail b.pdf"]);
        let Planned::Fail { reason, .. } = &planned[1] else {
            unreachable!()
        };
        assert_eq!(
            reason,
            &format!("another input also maps to {}", out.display())
        );
    }

    #[test]
    fn output_of_errors_skip_and_walk_errors_fail() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"x").unwrap();
        let missing = dir.path().join("missing");
        let walked = collect(&[dir.path().join("a"), missing], |_| true);
        let planned = plan(walked, |_| Err("nothing to do".into()));
        assert_eq!(names(&planned), ["fail missing", "skip a"]);
    }

    #[test]
    fn output_directories_are_created_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"x").unwrap();
        let out_dir = dir.path().join("out/deep");
        let walked = collect(&[dir.path().join("a")], |_| true);
        let planned = plan(walked, |_| Ok(out_dir.join("a.p7s")));
        prepare_output_dirs(&planned, false, &[]).unwrap();
        assert!(!out_dir.exists());
        prepare_output_dirs(&planned, true, &[]).unwrap();
        assert!(out_dir.is_dir());
    }

    #[test]
    fn an_uncreatable_output_directory_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), b"x").unwrap();
        let walked = collect(&[dir.path().join("file")], |_| true);
        let planned = plan(walked, |_| Ok(dir.path().join("file/sub/a.p7s")));
        let err = prepare_output_dirs(&planned, true, &[]).unwrap_err();
        assert!(matches!(err, BatchError::CreateDir { ref dir, .. } if dir.ends_with("file/sub")));
        assert!(err.to_string().starts_with("cannot create "));
    }
}
