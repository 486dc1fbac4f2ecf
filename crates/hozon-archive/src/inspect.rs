//! An archive opened for reading only (`archive verify`): configuration
//! read, the lock held when it can be taken, the catalog open — and,
//! unlike [`crate::Session`], nothing repaired. What a killed run left is
//! reported by the comparisons, and repaired by the next ingest, renew or
//! reindex.

use std::path::Path;

use crate::catalog::Catalog;
use crate::lock::{self, ArchiveLock, Wait};
use crate::{Config, Error, Layout, Result};

/// An archive open for reading.
pub struct Inspection {
    /// Paths.
    pub layout: Layout,
    /// `hozon.toml`.
    pub config: Config,
    /// The catalog (read-only when `read_only` or when it cannot be opened
    /// for writing).
    pub catalog: Catalog,
    /// Whether nothing at all may be written (no outcome in the catalog,
    /// no summary line).
    pub read_only: bool,
    /// What could not be done as usual (no lock, catalog read-only).
    pub warnings: Vec<String>,
    _lock: Option<ArchiveLock>,
}

impl Inspection {
    /// Opens the archive at `root` for `command`. With `read_only`, a lock
    /// that cannot be taken for lack of write access is gone without.
    pub fn open(
        root: &Path,
        wait: Wait,
        command: &str,
        read_only: bool,
        on_wait: &dyn Fn(&str),
    ) -> Result<Inspection> {
        let layout = Layout::new(root);
        let config = Config::load(&layout.config())?;
        let mut warnings = Vec::new();
        let lock = match lock::acquire(&layout.lock(), wait, command, on_wait) {
            Ok(l) => Some(l),
            Err(Error::Io { path, source }) if read_only => {
                warnings.push(format!(
                    "{}: {source}: verifying without the archive lock",
                    path.display()
                ));
                None
            }
            Err(e) => return Err(e),
        };
        let path = layout.catalog();
        if !path.exists() {
            return Err(Error::Config {
                path,
                reason: "no catalog: not an archive, or run `hozon archive reindex`".into(),
            });
        }
        let mut read_only = read_only;
        let catalog = if read_only {
            Catalog::open_read_only(&path)?
        } else {
            match Catalog::open(&path) {
                Ok(c) => c,
                Err(e) => {
                    warnings.push(format!("{e}: verifying read-only"));
                    read_only = true;
                    Catalog::open_read_only(&path)?
                }
            }
        };
        Ok(Inspection {
            layout,
            config,
            catalog,
            read_only,
            warnings,
            _lock: lock,
        })
    }
}
