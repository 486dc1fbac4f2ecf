//! Which files in a watched folder are inputs: names a writer uses while
//! a file is incomplete are ignored (`.*` hidden and hozon's own
//! temporaries, `*.tmp`, `*.part`, `~*`), and an input travels with its
//! companions (`X.p7s`, `X.meta.json`, `X.meta.toml`), which are taken
//! only together with it.

use std::path::{Path, PathBuf};

use crate::metadata::{self, InputRole};

/// Whether a file (or directory) named `name` is ignored: hidden,
/// temporary or partial.
pub fn ignored(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with('~')
        || lower.ends_with(".tmp")
        || lower.ends_with(".part")
        // A quarantined input's reason files, should they land in a watched folder.
        || lower.ends_with(".reason.txt")
        || lower.ends_with(".reason.json")
}

/// What a settled file is to the watcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// An input: ingested when it and its companions have settled.
    Input,
    /// A companion of the input beside it (`X.p7s`, a metadata sidecar):
    /// ingested and moved with it.
    Companion,
    /// The folder's metadata manifest: read by ingest, never moved.
    Manifest,
    /// A companion whose input is not (yet) there: given to ingest (which
    /// refuses it with the reason) after a grace period.
    Orphan,
}

/// The role of the file at `path`.
pub fn role(path: &Path) -> Role {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == metadata::manifest::NAME {
        return Role::Manifest;
    }
    let lower = name.to_ascii_lowercase();
    if let Some(base) = lower.strip_suffix(".p7s") {
        if base.is_empty() {
            return Role::Input;
        }
        return if path.with_extension("").is_file() {
            Role::Companion
        } else {
            Role::Orphan
        };
    }
    match metadata::input_role(path) {
        InputRole::Input => Role::Input,
        InputRole::Metadata => Role::Companion,
        InputRole::Orphan(_) => Role::Orphan,
    }
}

/// The companions an input `X` may have beside it.
pub fn companions(input: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut s = input.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [with(".p7s"), with(".meta.json"), with(".meta.toml")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_hidden_and_temporary_names_are_ignored() {
        for name in [
            ".scan.png",
            "~scan.png",
            "scan.png.tmp",
            "scan.PART",
            "a.pdf.reason.json",
        ] {
            assert!(ignored(name), "{name}");
        }
        for name in ["scan.png", "tmp.pdf", "part-1.tif", "a~b.pdf"] {
            assert!(!ignored(name), "{name}");
        }
    }

    #[test]
    fn companions_follow_their_input() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("a.pdf");
        let sig = dir.path().join("a.pdf.p7s");
        let meta = dir.path().join("a.pdf.meta.json");
        std::fs::write(&sig, b"x").unwrap();
        std::fs::write(&meta, b"{}").unwrap();
        assert_eq!(role(&sig), Role::Orphan);
        assert_eq!(role(&meta), Role::Orphan);
        std::fs::write(&doc, b"x").unwrap();
        assert_eq!(role(&doc), Role::Input);
        assert_eq!(role(&sig), Role::Companion);
        assert_eq!(role(&meta), Role::Companion);
        assert_eq!(role(&dir.path().join("hozon-metadata.csv")), Role::Manifest);
        assert_eq!(companions(&doc)[0], sig);
        assert_eq!(companions(&doc)[1], meta);
    }
}
