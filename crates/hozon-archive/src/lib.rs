//! The hozon archive (see docs/archive.md): one directory per archived file under
//! `records/`, a SQLite catalog that indexes them, a hash-chained audit log,
//! and the jobs that fill and keep it (ingest, verify, status, renew,
//! reindex).
//!
//! # Why it is built this way
//!
//! A records department runs `ingest` every day and `renew` every night for
//! decades; either can be killed at any moment (power cut, OOM killer, an
//! operator's Ctrl-C), and two operators may start a job at once. So:
//!
//! * **`records/` is the truth, the catalog a cache.** Each record is built
//!   complete in `records/.staging/<id>/` and published by one `rename(2)`
//!   of the directory: a record either exists whole or not at all. The
//!   catalog row and the audit line follow; a job that starts repairs what a
//!   killed run left between those steps ([`Session::open`]), and
//!   `archive reindex` rebuilds the catalog from `record.json` files.
//! * **Record identity is deterministic**: SHA-256 over the canonical source
//!   path and the content's SHA-256, so a rerun recognises what it already
//!   archived ("already archived") and changed content at the same path is a
//!   new record.
//! * **One writer at a time**: an exclusive lock on `ARCHIVE/lock`
//!   ([`lock`]), naming its holder.
//! * **Durability is bought in groups**: a group of staged records is made
//!   durable by one `syncfs(2)`, published, and made durable again, instead of
//!   six `fsync` calls per record; this is what lets ingest keep up with
//!   signing (≥ 1,000 files/s).
//!
//! # Example
//!
//! Read an archive's status from its catalog (what `hozon archive status` prints):
//!
//! ```no_run
//! use std::path::Path;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let status = hozon_archive::status::run(Path::new("/srv/hozon"), "2026-12-07T00:00:00Z")?;
//! println!("{} record(s), {} without an evidence record", status.total, status.without_evidence);
//! for group in &status.by_kind {
//!     println!("{group:?}");
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod access;
pub mod acknowledge;
pub mod audit;
mod batch_kind;
pub mod catalog;
pub mod checks;
pub mod config;
pub mod crash;
pub mod create;
pub mod disk_full;
mod durable;
pub mod embedded;
pub mod evidence;
pub mod export;
pub mod ingest;
mod ingest_classify;
pub mod ingest_report;
mod ingest_text;
pub mod inspect;
pub mod layout;
pub mod lock;
pub mod metadata;
pub mod outbox;
pub mod progress;
pub mod record;
pub mod record_metadata;
pub mod recovery;
pub mod reindex;
pub mod renew;
mod renew_text;
pub mod replica_place;
pub mod replicate;
pub mod search;
pub mod session;
pub mod stamped_fields;
pub mod stamper;
pub mod status;
mod status_text;
pub mod tools;
pub mod tools_error;
pub mod verify;
mod verify_text;
pub mod vocabulary;
pub mod watch;
pub mod watch_config;
mod words;

pub use config::Config;
pub use layout::Layout;
pub use session::Session;
pub use tools::{ToolOptions, Tools};
pub use tools_error::ToolsError;

use std::path::PathBuf;

/// Everything that can stop an archive job. Each variant names the file at
/// fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The catalog (SQLite) failed.
    #[error("{}: catalog: {}", path.display(), crate::disk_full::sqlite(source))]
    Catalog {
        /// The catalog file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// `hozon.toml` is missing or wrong.
    #[error("{}: {reason}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Another job holds the archive's lock.
    #[error("{}: the archive is locked by another job ({holder}); run again when it has finished, or pass --wait", path.display())]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// What the lock file says about its holder.
        holder: String,
    },
    /// The audit log is damaged beyond a torn last line.
    #[error("{}: {reason}", path.display())]
    Audit {
        /// The audit log.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A record's files are not what `record.json` says, or it is unreadable.
    #[error("{}: {reason}", path.display())]
    Record {
        /// The record directory or file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A replica is unreachable, refused the credentials, has no Object
    /// Lock, or failed otherwise.
    #[error("replica {replica}: {source}")]
    Replica {
        /// The replica's name.
        replica: String,
        /// Why.
        source: hozon_replica::ReplicaError,
    },
    /// Obtaining a time stamp or building evidence failed.
    #[error("{0}")]
    Evidence(String),
}

/// Result of archive operations.
pub type Result<T> = std::result::Result<T, Error>;

/// `Error::Io` for `path`.
pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(openssl::sha::sha256(bytes))
}

/// SHA-256 of a file's content (streamed), lowercase hex, and its size.
pub fn sha256_file(path: &std::path::Path) -> Result<(String, u64)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(io_err(path))?;
    let mut hasher = openssl::sha::Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((hex::encode(hasher.finish()), len))
}
