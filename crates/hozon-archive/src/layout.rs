//! Where everything lives inside an archive directory (DESIGN.md §6).

use std::path::{Path, PathBuf};

/// The name of a record's stamped-fields snapshot (`record.fields.json`,
/// [`crate::stamped_fields`]) inside its directory.
pub const STAMPED_FIELDS: &str = "record.fields.json";

/// The paths of one archive.
#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The archive at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }
    /// The archive directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `hozon.toml`.
    pub fn config(&self) -> PathBuf {
        self.root.join("hozon.toml")
    }
    /// `catalog.sqlite`.
    pub fn catalog(&self) -> PathBuf {
        self.root.join("catalog.sqlite")
    }
    /// `audit.log`.
    pub fn audit_log(&self) -> PathBuf {
        self.root.join("audit.log")
    }
    /// `audit/`: the evidence records over the audit log's head.
    pub fn audit_dir(&self) -> PathBuf {
        self.root.join("audit")
    }
    /// `lock`.
    pub fn lock(&self) -> PathBuf {
        self.root.join("lock")
    }
    /// `records/`.
    pub fn records(&self) -> PathBuf {
        self.root.join("records")
    }
    /// `records/.staging/`: records being built, not yet published.
    pub fn staging(&self) -> PathBuf {
        self.records().join(".staging")
    }
    /// A record's directory from its catalog-relative form (`YYYY/MM/<id>`).
    pub fn record_dir(&self, relative: &str) -> PathBuf {
        self.records().join(relative)
    }
}
