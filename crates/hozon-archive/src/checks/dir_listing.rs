//! Nothing extra in a record directory: every entry is `record.json`, the
//! snapshot of its fields its evidence covers (`record.fields.json`), a
//! file it lists, an evidence record under `evidence/`, or an earlier
//! version it lists under `history/`. (Nothing missing is the fixity
//! check's part: it opens every listed file.)

use std::collections::HashSet;
use std::path::Path;

use crate::record::RecordMeta;

use super::Finding;

/// Every entry of `dir` that `meta` does not account for.
pub fn check(dir: &Path, meta: &RecordMeta) -> Vec<Finding> {
    let mut out = Vec::new();
    let listed: HashSet<&str> = meta
        .files
        .iter()
        .chain(meta.history.iter())
        .map(|f| f.name.as_str())
        .collect();
    let extra = |out: &mut Vec<Finding>, name: &str, why: &str| {
        out.push(Finding::invalid(
            name,
            "files",
            format!("{name}: {why}: record.json does not list it (an unlisted file in a record directory)"),
        ));
    };
    for (sub, rel) in [(dir.to_path_buf(), ""), (dir.join("history"), "history/")] {
        let rd = match std::fs::read_dir(&sub) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !rel.is_empty() => continue,
            Err(e) => {
                out.push(Finding::invalid(
                    &sub.display().to_string(),
                    "files",
                    format!("{}: {e}", sub.display()),
                ));
                continue;
            }
        };
        for entry in rd.flatten() {
            let name = format!("{rel}{}", entry.file_name().to_string_lossy());
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            match name.as_str() {
                "record.json" if !is_dir => {}
                crate::layout::STAMPED_FIELDS if !is_dir && rel.is_empty() => {}
                "evidence" | "history" if is_dir => {}
                n if listed.contains(n) && !is_dir => {}
                n if is_dir => extra(&mut out, n, "a directory"),
                n => extra(&mut out, n, "a file"),
            }
        }
    }
    let ev = dir.join("evidence");
    if let Ok(rd) = std::fs::read_dir(&ev) {
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if !(is_file && name.ends_with(".ers")) {
                extra(
                    &mut out,
                    &format!("evidence/{name}"),
                    "not an evidence record",
                );
            }
        }
    }
    out
}
