//! A replica in a plain directory: a NAS mount or a removable disk.
//!
//! # Layout
//!
//! Key `records/a.xml` version 3 is the file `ROOT/records/a.xml~hozon-v3`
//! with its sidecar `ROOT/records/a.xml~hozon-v3.meta` (SHA-256, size,
//! retention mode, retain-until; one `name=value` per line). The SHA-256
//! that [`Replica::head`] and [`Replica::list`] report is recomputed from the
//! content on every call (a directory cannot stop someone from altering a
//! file and leaving its sidecar alone); a sidecar that disagrees with the
//! content is ignored, so such a version has no retention and never counts
//! as protected. A put never
//! overwrites: it writes the next version number. The sidecar is published
//! first and the content last, so a version exists exactly when its content
//! file does; a sidecar left without content by a killed run is an orphan
//! that the next put of that key replaces. Both files are written to a
//! temporary, fsynced, made read-only, published with `link(2)` (which
//! refuses to replace) and the directory is fsynced.
//!
//! # What a directory cannot enforce
//!
//! A directory is not WORM storage. The read-only mode bits and the
//! "never overwrite" discipline are kept by hozon only: anyone with write
//! access to the directory (the owner, root, ransomware running as either)
//! can change the mode, delete or replace files, and the retention recorded
//! in the sidecar is a statement, not a lock. It protects against hozon's
//! own mistakes and, if the medium is then disconnected (a removable disk
//! kept offline) or the NAS takes immutable snapshots, against later
//! attacks; for a lock enforced by the storage itself use an
//! [`crate::S3Replica`] with Object Lock. `hozon archive verify --replica`
//! detects altered and missing files through the SHA-256 in the catalog.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{ReplicaError, Result};
use crate::file::{parent_of, Staged};
use crate::{
    validate_key, ObjectState, Replica, Retention, RetentionMode, Sha256, StoredObject,
    DIR_VERSION_MARK,
};

const META_SUFFIX: &str = ".meta";

/// A replica in a local or mounted directory (see the module docs for what
/// it cannot enforce).
#[derive(Clone, Debug)]
pub struct DirReplica {
    root: PathBuf,
}

/// The recorded facts of one version.
struct Meta {
    sha256: Sha256,
    size: u64,
    retention: Retention,
}

impl DirReplica {
    /// A replica rooted at `root` (which must exist; see [`Replica::check`]).
    pub fn new(root: impl Into<PathBuf>) -> DirReplica {
        DirReplica { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path of version `n` of `key`'s content (not checked to exist).
    pub fn version_path(&self, key: &str, n: u64) -> PathBuf {
        self.root.join(format!("{key}{DIR_VERSION_MARK}{n}"))
    }

    fn meta_path(&self, key: &str, n: u64) -> PathBuf {
        self.root
            .join(format!("{key}{DIR_VERSION_MARK}{n}{META_SUFFIX}"))
    }

    /// Version numbers of `key` whose content file exists, ascending.
    pub fn version_numbers(&self, key: &str) -> Result<Vec<u64>> {
        validate_key(key)?;
        let base = self.root.join(key);
        let dir = parent_of(&base);
        let Some(name) = base.file_name().and_then(|n| n.to_str()) else {
            return Ok(Vec::new());
        };
        let stem = format!("{name}{DIR_VERSION_MARK}");
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ReplicaError::io(dir, "cannot list", e)),
        };
        let mut versions = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| ReplicaError::io(dir, "cannot list", e))?;
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            if let Some(n) = file_name
                .strip_prefix(&stem)
                .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|digits| digits.parse::<u64>().ok())
            {
                versions.push(n);
            }
        }
        versions.sort_unstable();
        Ok(versions)
    }

    fn read_meta(&self, key: &str, n: u64) -> Option<Meta> {
        let text = fs::read_to_string(self.meta_path(key, n)).ok()?;
        let mut sha256 = None;
        let mut size = None;
        let mut mode = None;
        let mut until = None;
        for line in text.lines() {
            let (name, value) = line.split_once('=')?;
            match name {
                "sha256" => sha256 = Sha256::from_hex(value),
                "size" => size = value.parse::<u64>().ok(),
                "mode" => mode = RetentionMode::parse(value),
                "retain_until" => {
                    until = value
                        .parse::<i64>()
                        .ok()
                        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
                }
                _ => {}
            }
        }
        Some(Meta {
            sha256: sha256?,
            size: size?,
            retention: Retention::new(mode?, until?),
        })
    }

    fn state(&self, key: &str, n: u64) -> Result<ObjectState> {
        let path = self.version_path(key, n);
        let size = fs::metadata(&path)
            .map_err(|e| ReplicaError::io(&path, "cannot stat", e))?
            .len();
        // Anyone with write access can alter the content and leave the
        // sidecar as it was: the digest reported is the content's own,
        // recomputed on every call, never the sidecar's claim.
        let actual =
            Sha256::of_file(&path).map_err(|e| ReplicaError::io(&path, "cannot read", e))?;
        let meta = self.read_meta(key, n);
        // A sidecar that disagrees with the content proves nothing.
        let meta = meta.filter(|m| m.size == size && m.sha256 == actual);
        Ok(ObjectState {
            key: key.to_string(),
            size,
            sha256: Some(actual),
            retention: meta.map(|m| m.retention),
            version: Some(format!("v{n}")),
        })
    }

    /// Copies version `n` of `key` to `dest`, checking the content against
    /// the sidecar's SHA-256.
    fn get_number(&self, key: &str, n: u64, dest: &Path) -> Result<ObjectState> {
        let meta = self.read_meta(key, n);
        let source_path = self.version_path(key, n);
        let mut source = File::open(&source_path)
            .map_err(|e| ReplicaError::io(&source_path, "cannot open", e))?;
        let mut staged = Staged::beside(dest)?;
        let mut buf = vec![0u8; 1024 * 1024];
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ReplicaError::io(&source_path, "cannot read", e)),
            };
            staged.write(&buf[..n])?;
        }
        let size = staged.written();
        let got = staged.finish(false)?;
        match meta.as_ref().map(|m| (m.sha256, m.size)) {
            Some((recorded, recorded_size)) if recorded == got && recorded_size == size => {}
            Some((recorded, _)) => {
                return Err(ReplicaError::Mismatch {
                    place: format!("{}: {key}", self.describe()),
                    reason: format!(
                    "content SHA-256 is {got}, recorded {recorded}: the replica copy was altered"
                ),
                })
            }
            None => {
                return Err(ReplicaError::Mismatch {
                    place: format!("{}: {key}", self.describe()),
                    reason: "no SHA-256 recorded (sidecar missing or damaged)".into(),
                })
            }
        }
        staged
            .publish(dest)
            .map_err(|e| ReplicaError::io(dest, "cannot publish", e))?;
        Ok(ObjectState {
            key: key.to_string(),
            size,
            sha256: Some(got),
            retention: meta.map(|m| m.retention),
            version: Some(format!("v{n}")),
        })
    }

    fn collect_keys(&self, dir: &Path, keys: &mut Vec<String>) -> Result<()> {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(ReplicaError::io(dir, "cannot list", e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| ReplicaError::io(dir, "cannot list", e))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| ReplicaError::io(&path, "cannot stat", e))?;
            if kind.is_dir() {
                self.collect_keys(&path, keys)?;
                continue;
            }
            if !kind.is_file() || hozon_io::is_temporary(&path) {
                continue;
            }
            let Ok(relative) = path.strip_prefix(&self.root) else {
                continue;
            };
            let Some(relative) = relative.to_str() else {
                continue;
            };
            if let Some((key, digits)) = relative.rsplit_once(DIR_VERSION_MARK) {
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    keys.push(key.replace(std::path::MAIN_SEPARATOR, "/"));
                }
            }
        }
        Ok(())
    }
}

impl Replica for DirReplica {
    fn describe(&self) -> String {
        format!("dir {}", self.root.display())
    }

    fn check(&self) -> Result<()> {
        let meta = fs::metadata(&self.root)
            .map_err(|e| ReplicaError::io(&self.root, "replica directory unusable", e))?;
        if !meta.is_dir() {
            return Err(ReplicaError::io(
                &self.root,
                "replica directory unusable",
                std::io::Error::other("not a directory"),
            ));
        }
        // Writable? A temporary is created and removed (Drop).
        let mut probe = Staged::beside(&self.root.join("write-probe"))?;
        probe.write(b"")?;
        Ok(())
    }

    fn put(
        &self,
        key: &str,
        local: &Path,
        sha256: &Sha256,
        retention: &Retention,
    ) -> Result<StoredObject> {
        validate_key(key)?;
        let target = self.root.join(key);
        let dir = parent_of(&target).to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| ReplicaError::io(&dir, "cannot create", e))?;

        // Copy and hash in one pass; refuse a local file that is not what
        // the caller recorded.
        let mut source =
            File::open(local).map_err(|e| ReplicaError::io(local, "cannot open", e))?;
        let mut staged = Staged::beside(&target)?;
        let mut buf = vec![0u8; 1024 * 1024];
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ReplicaError::io(local, "cannot read", e)),
            };
            staged.write(&buf[..n])?;
        }
        let size = staged.written();
        let copied = staged.finish(true)?;
        if copied != *sha256 {
            return Err(ReplicaError::Mismatch {
                place: local.display().to_string(),
                reason: format!("SHA-256 is {copied}, expected {sha256}: the local file is not the recorded one; not replicated"),
            });
        }

        let meta_text = format!(
            "sha256={}\nsize={size}\nmode={}\nretain_until={}\n",
            sha256.to_hex(),
            retention.mode.as_str(),
            retention.retain_until.unix_timestamp()
        );
        // Concurrent puts of one key race for a version number; the loser
        // of a link(2) takes the next one.
        for _ in 0..16 {
            let n = self.version_numbers(key)?.last().copied().unwrap_or(0) + 1;
            let meta_path = self.meta_path(key, n);
            // An orphan sidecar (its content never published) is replaced.
            match fs::remove_file(&meta_path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(ReplicaError::io(
                        &meta_path,
                        "cannot remove an orphan sidecar",
                        e,
                    ))
                }
            }
            let mut meta = Staged::beside(&meta_path)?;
            meta.write(meta_text.as_bytes())?;
            meta.finish(true)?;
            match meta.publish(&meta_path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(ReplicaError::io(&meta_path, "cannot publish", e)),
            }
            let data_path = self.version_path(key, n);
            match fs::hard_link(staged.path(), &data_path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(ReplicaError::io(&data_path, "cannot publish", e)),
            }
            drop(staged);
            crate::file::sync_dir(&dir).map_err(|e| ReplicaError::io(&dir, "cannot fsync", e))?;

            // Read back what a later head() will see.
            let state = self.state(key, n)?;
            let got = state.retention;
            if state.sha256 != Some(*sha256) || state.size != size {
                return Err(ReplicaError::Mismatch {
                    place: format!("{}: {key}", self.describe()),
                    reason: "content or sidecar read back differs from what was written".into(),
                });
            }
            if got != Some(*retention) {
                return Err(ReplicaError::RetentionMismatch {
                    replica: self.describe(),
                    key: key.to_string(),
                    wanted: retention.to_string(),
                    got: got.map_or("none".into(), |r| r.to_string()),
                });
            }
            return Ok(StoredObject {
                key: key.to_string(),
                version: format!("v{n}"),
                size,
            });
        }
        Err(ReplicaError::io(
            &target,
            "cannot find a free version number",
            std::io::ErrorKind::AlreadyExists.into(),
        ))
    }

    fn head(&self, key: &str) -> Result<Option<ObjectState>> {
        match self.version_numbers(key)?.last() {
            Some(&n) => self.state(key, n).map(Some),
            None => Ok(None),
        }
    }

    fn get(&self, key: &str, dest: &Path) -> Result<ObjectState> {
        let Some(n) = self.version_numbers(key)?.last().copied() else {
            return Err(ReplicaError::NotFound {
                replica: self.describe(),
                key: key.to_string(),
            });
        };
        self.get_number(key, n, dest)
    }

    fn versions(&self, key: &str) -> Result<Vec<ObjectState>> {
        let mut states = Vec::new();
        for n in self.version_numbers(key)?.into_iter().rev() {
            states.push(self.state(key, n)?);
        }
        Ok(states)
    }

    fn get_version(&self, key: &str, version: &str, dest: &Path) -> Result<ObjectState> {
        let n = version
            .strip_prefix('v')
            .and_then(|d| d.parse::<u64>().ok())
            .filter(|n| self.version_path(key, *n).is_file());
        match n {
            Some(n) => {
                validate_key(key)?;
                self.get_number(key, n, dest)
            }
            None => Err(ReplicaError::NotFound {
                replica: self.describe(),
                key: format!("{key} version {version}"),
            }),
        }
    }
    fn list(&self, prefix: &str) -> Result<Vec<ObjectState>> {
        let mut keys = Vec::new();
        self.collect_keys(&self.root, &mut keys)?;
        keys.retain(|k| k.starts_with(prefix) && validate_key(k).is_ok());
        keys.sort();
        keys.dedup();
        let mut states = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(state) = self.head(&key)? {
                states.push(state);
            }
        }
        Ok(states)
    }
}
