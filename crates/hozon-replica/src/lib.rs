//! Write-once replicas of a hozon archive: S3-compatible buckets with Object
//! Lock ([`S3Replica`]) and plain directories on a NAS mount or a removable
//! disk ([`DirReplica`]), behind one small blocking trait ([`Replica`]).
//!
//! # Why
//!
//! The MHLW guideline (Ver. 6.0) asks for backups in several generations, by
//! more than one method, on media that cannot be rewritten, kept apart from
//! the primary: ransomware that owns the archive machine must not be able to
//! destroy or alter the last good copy. An S3 bucket with Object Lock in
//! COMPLIANCE mode is such a medium: the server refuses to delete or
//! overwrite a locked object version until its retain-until date, whatever
//! credentials the caller holds. This crate is the storage layer the batch
//! archive (`hozon archive replicate / verify --replica / restore`) calls; it
//! decides nothing about *what* to send.
//!
//! # Contract
//!
//! * Keys are relative, `/`-separated names ([`validate_key`]); a replica
//!   maps them under its own prefix or directory.
//! * [`Replica::put`] stores a new object (S3: a new version; directory: a
//!   new file name suffix). It never shortens, replaces or removes a lock or
//!   an earlier version. The local file is hashed first and must match the
//!   SHA-256 the caller gave, so an altered local file is never replicated
//!   under a good record's digest. After the upload the replica is read back:
//!   size, SHA-256 and retention must be exactly what was asked, or the put
//!   fails (some servers silently drop lock headers on multipart uploads).
//! * [`Replica::ensure`] skips a key whose latest version already has that
//!   SHA-256 and at least that protection, so a killed run is simply rerun.
//! * Verification is strict: a replica that cannot prove a property (a
//!   bucket whose Object Lock status is unknown, an object without a stored
//!   digest) is treated as not having it.
//!
//! # Example
//!
//! A directory replica (a NAS mount, a removable disk); [`S3Replica`] works the same way through the
//! same trait.
//!
//! ```
//! use hozon_replica::{DirReplica, Ensured, Replica, Retention, RetentionMode, Sha256};
//! use time::{Duration, OffsetDateTime};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let tmp = tempfile::tempdir()?;
//! # let nas = tmp.path().join("nas");
//! # std::fs::create_dir(&nas)?;
//! # let record_json = tmp.path().join("record.json");
//! # std::fs::write(&record_json, b"{}")?;
//! let replica = DirReplica::new(&nas);
//! replica.check()?; // the directory exists and is writable
//!
//! let key = "records/2026/12/0123abcd/record.json";
//! let sha256 = Sha256::of_file(&record_json)?;
//! let ten_years = OffsetDateTime::now_utc() + Duration::days(3653);
//! let lock = Retention::new(RetentionMode::Compliance, ten_years);
//! assert!(matches!(replica.ensure(key, &record_json, &sha256, &lock)?, Ensured::Uploaded(_)));
//! // A rerun (after a killed batch, say) finds the object and uploads nothing.
//! assert!(matches!(replica.ensure(key, &record_json, &sha256, &lock)?, Ensured::Present(_)));
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod credentials;
mod dir;
mod error;
mod file;
mod s3;

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

pub use credentials::S3Credentials;
pub use dir::DirReplica;
pub use error::{ReplicaError, Result};
pub use s3::{S3Config, S3Replica, MULTIPART_THRESHOLD, PART_SIZE};
use time::OffsetDateTime;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    /// Parses 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Option<Sha256> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Sha256(bytes.try_into().ok()?))
    }

    /// Lower-case hexadecimal.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The digest of a file, read as a stream.
    pub fn of_file(path: &Path) -> io::Result<Sha256> {
        let mut file = File::open(path)?;
        Sha256::of_reader(&mut file)
    }

    /// The digest of everything `reader` yields.
    pub fn of_reader(reader: &mut dyn Read) -> io::Result<Sha256> {
        let mut hasher = openssl::sha::Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buf[..n]);
        }
        Ok(Sha256(hasher.finish()))
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.to_hex())
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Object Lock retention mode (S3 semantics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetentionMode {
    /// Nobody, not even the bucket owner, can delete the version or shorten
    /// its retention before retain-until.
    Compliance,
    /// Users with `s3:BypassGovernanceRetention` can still remove the lock.
    Governance,
}

impl RetentionMode {
    /// The S3 wire name (`COMPLIANCE`, `GOVERNANCE`).
    pub fn as_str(self) -> &'static str {
        match self {
            RetentionMode::Compliance => "COMPLIANCE",
            RetentionMode::Governance => "GOVERNANCE",
        }
    }

    /// Parses the S3 wire name (case-insensitive).
    pub fn parse(text: &str) -> Option<RetentionMode> {
        match text.to_ascii_uppercase().as_str() {
            "COMPLIANCE" => Some(RetentionMode::Compliance),
            "GOVERNANCE" => Some(RetentionMode::Governance),
            _ => None,
        }
    }

    /// Whether a version locked in `self` mode protects at least as strongly
    /// as `wanted` (COMPLIANCE covers GOVERNANCE, not the reverse).
    pub fn covers(self, wanted: RetentionMode) -> bool {
        self == RetentionMode::Compliance || wanted == RetentionMode::Governance
    }
}

impl fmt::Display for RetentionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lock asked for an object: a mode and the date until which it holds.
/// The caller computes retain-until (the record's retention end plus a
/// margin). Dates are kept to the whole second, as S3 stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// COMPLIANCE or GOVERNANCE.
    pub mode: RetentionMode,
    /// Until when the version is locked (UTC, whole seconds).
    pub retain_until: OffsetDateTime,
}

impl Retention {
    /// A retention, with `retain_until` truncated to the second and in UTC.
    pub fn new(mode: RetentionMode, retain_until: OffsetDateTime) -> Retention {
        let utc = retain_until.to_offset(time::UtcOffset::UTC);
        let whole = utc.replace_nanosecond(0).unwrap_or(utc);
        Retention {
            mode,
            retain_until: whole,
        }
    }

    /// Whether a version with this retention satisfies `wanted`: a mode that
    /// covers it and a retain-until no earlier.
    pub fn satisfies(&self, wanted: &Retention) -> bool {
        self.mode.covers(wanted.mode) && self.retain_until >= wanted.retain_until
    }

    /// retain-until as RFC 3339.
    pub fn retain_until_rfc3339(&self) -> String {
        self.retain_until
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| self.retain_until.unix_timestamp().to_string())
    }
}

impl fmt::Display for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} until {}", self.mode, self.retain_until_rfc3339())
    }
}

/// What a put stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredObject {
    /// The key, as given.
    pub key: String,
    /// The version created (S3 version id; directory: `v1`, `v2`, …).
    pub version: String,
    /// Size in bytes.
    pub size: u64,
}

/// The state of the latest version of one key on a replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectState {
    /// The key (without the replica's prefix).
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 recorded with the object; `None` if the replica holds none
    /// (an object hozon did not write), which never counts as a match.
    pub sha256: Option<Sha256>,
    /// The lock on this version, if any.
    pub retention: Option<Retention>,
    /// The version id, if the replica has versions.
    pub version: Option<String>,
}

impl ObjectState {
    /// Whether this version already is what `ensure` would store: same
    /// digest and size, and a lock at least as strong and as long.
    pub fn matches(&self, sha256: &Sha256, size: u64, wanted: &Retention) -> bool {
        self.sha256.as_ref() == Some(sha256)
            && self.size == size
            && self.retention.is_some_and(|r| r.satisfies(wanted))
    }
}

/// What [`Replica::ensure`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ensured {
    /// The replica already held the key with that digest and protection.
    Present(ObjectState),
    /// A new version was uploaded (and read back).
    Uploaded(StoredObject),
}

/// A place that keeps write-once copies of archive files. Blocking; safe to
/// call from several threads at once.
pub trait Replica: Send + Sync {
    /// A short human description (`s3://bucket/prefix at URL`, `dir PATH`)
    /// for messages; never contains credentials.
    fn describe(&self) -> String;

    /// Checks that the replica can be used: reachable, credentials accepted,
    /// and (S3) Object Lock reported `Enabled` for the bucket. Anything
    /// else is an error.
    fn check(&self) -> Result<()>;

    /// Stores `local` under `key` as a new object version locked with
    /// `retention`, after checking that the file's SHA-256 is `sha256`; reads
    /// the object back and fails on any difference in size, digest or lock.
    fn put(
        &self,
        key: &str,
        local: &Path,
        sha256: &Sha256,
        retention: &Retention,
    ) -> Result<StoredObject>;

    /// The latest version of `key`, or `None` if there is none.
    fn head(&self, key: &str) -> Result<Option<ObjectState>>;

    /// Copies the latest version of `key` to `dest` (atomically: temporary,
    /// fsync, rename, fsync of the directory), checking its SHA-256 against
    /// the recorded one. An existing `dest` is an error.
    fn get(&self, key: &str, dest: &Path) -> Result<ObjectState>;

    /// Every key under `prefix` (`""` for all) with the state of its latest
    /// version, sorted by key.
    fn list(&self, prefix: &str) -> Result<Vec<ObjectState>>;

    /// Every version of `key`, newest first (S3: delete markers left out).
    /// Someone holding write credentials can put a newer version over a
    /// locked one; the locked one is still there, and this finds it.
    fn versions(&self, key: &str) -> Result<Vec<ObjectState>>;

    /// Copies version `version` of `key` to `dest`, as [`Replica::get`].
    fn get_version(&self, key: &str, version: &str, dest: &Path) -> Result<ObjectState>;

    /// The newest version of `key` with SHA-256 `sha256` (and, if given, a
    /// lock that satisfies `retention`): what `archive verify --replica`
    /// and `archive restore` look for, whatever was put over it since.
    fn find(
        &self,
        key: &str,
        sha256: &Sha256,
        retention: Option<&Retention>,
    ) -> Result<Option<ObjectState>> {
        Ok(self.versions(key)?.into_iter().find(|v| {
            v.sha256.as_ref() == Some(sha256)
                && retention.is_none_or(|wanted| v.retention.is_some_and(|r| r.satisfies(wanted)))
        }))
    }

    /// Uploads `local` under `key` unless the replica already holds that key
    /// with the same SHA-256 and size and a retention that satisfies
    /// `retention`. Idempotent: rerunning a killed batch stores each object
    /// once.
    fn ensure(
        &self,
        key: &str,
        local: &Path,
        sha256: &Sha256,
        retention: &Retention,
    ) -> Result<Ensured> {
        let size = std::fs::metadata(local)
            .map_err(|e| ReplicaError::io(local, "cannot read the local file", e))?
            .len();
        if let Some(state) = self.head(key)? {
            if state.matches(sha256, size, retention) {
                return Ok(Ensured::Present(state));
            }
        }
        self.put(key, local, sha256, retention)
            .map(Ensured::Uploaded)
    }
}

/// One file to ensure on a replica.
#[derive(Clone, Debug)]
pub struct Item {
    /// Key on the replica.
    pub key: String,
    /// The local file.
    pub local: std::path::PathBuf,
    /// Its expected SHA-256.
    pub sha256: Sha256,
    /// The lock to ask for.
    pub retention: Retention,
}

/// Runs [`Replica::ensure`] for every item with at most `parallel` at once
/// (at least 1), calling `progress` after each. Returns one result per item,
/// in the items' order; one failing object never stops the others.
pub fn ensure_all(
    replica: &dyn Replica,
    items: &[Item],
    parallel: usize,
    progress: &(dyn Fn(&Item, &Result<Ensured>) + Sync),
) -> Vec<Result<Ensured>> {
    use rayon::prelude::*;
    let run = || {
        items
            .par_iter()
            .map(|item| {
                let result = replica.ensure(&item.key, &item.local, &item.sha256, &item.retention);
                progress(item, &result);
                result
            })
            .collect::<Vec<_>>()
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(parallel.max(1))
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => items
            .iter()
            .map(|item| {
                let result = replica.ensure(&item.key, &item.local, &item.sha256, &item.retention);
                progress(item, &result);
                result
            })
            .collect(),
    }
}

/// Suffix reserved for the files of a [`DirReplica`]; no key segment may
/// contain it.
pub(crate) const DIR_VERSION_MARK: &str = "~hozon-v";

/// Checks that `key` is a relative, `/`-separated name: not empty, at most
/// 1,024 bytes, no empty, `.` or `..` segment, no leading `/`, no backslash,
/// control character or [`DirReplica`] version mark, and no segment starting
/// with `.` (hidden and temporary names are the replicas' own).
pub fn validate_key(key: &str) -> Result<()> {
    let bad = |reason: &str| {
        Err(ReplicaError::InvalidKey {
            key: key.to_string(),
            reason: reason.to_string(),
        })
    };
    if key.is_empty() {
        return bad("empty");
    }
    if key.len() > 1024 {
        return bad("longer than 1,024 bytes");
    }
    if key.chars().any(|c| c.is_control() || c == '\\') {
        return bad("contains a control character or a backslash");
    }
    for segment in key.split('/') {
        if segment.is_empty() {
            return bad("has an empty segment (leading, trailing or double '/')");
        }
        if segment.starts_with('.') {
            return bad("has a segment starting with '.'");
        }
        if segment.contains(DIR_VERSION_MARK) {
            return bad("contains the reserved mark ~hozon-v");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn keys_that_could_escape_or_collide_are_refused() {
        for key in [
            "",
            "/abs",
            "a//b",
            "a/",
            "../x",
            "a/../b",
            "a/./b",
            ".hidden",
            "a\\b",
            "a\nb",
            "x~hozon-v1",
        ] {
            assert!(validate_key(key).is_err(), "{key:?} accepted");
        }
        for key in ["a", "records/2026/x.xml.p7s", "日本語/カルテ.pdf", "a b/c"] {
            assert!(validate_key(key).is_ok(), "{key:?} refused");
        }
    }

    #[test]
    fn compliance_covers_governance_but_not_the_reverse() {
        let until = datetime!(2040-01-01 0:00 UTC);
        let c = Retention::new(RetentionMode::Compliance, until);
        let g = Retention::new(RetentionMode::Governance, until);
        assert!(c.satisfies(&g));
        assert!(c.satisfies(&c));
        assert!(!g.satisfies(&c));
        let shorter = Retention::new(
            RetentionMode::Compliance,
            datetime!(2039-12-31 23:59:59 UTC),
        );
        assert!(!shorter.satisfies(&c));
        assert!(c.satisfies(&shorter));
    }

    #[test]
    fn retention_is_kept_to_the_second_in_utc() {
        let r = Retention::new(
            RetentionMode::Compliance,
            datetime!(2040-01-01 9:00:00.75 +9),
        );
        assert_eq!(r.retain_until, datetime!(2040-01-01 0:00 UTC));
        assert_eq!(r.retain_until_rfc3339(), "2040-01-01T00:00:00Z");
    }

    #[test]
    fn an_object_without_a_digest_or_lock_never_matches() {
        let sha = Sha256([7; 32]);
        let wanted = Retention::new(RetentionMode::Compliance, datetime!(2040-01-01 0:00 UTC));
        let mut state = ObjectState {
            key: "k".into(),
            size: 3,
            sha256: None,
            retention: Some(wanted),
            version: None,
        };
        assert!(!state.matches(&sha, 3, &wanted));
        state.sha256 = Some(sha);
        assert!(state.matches(&sha, 3, &wanted));
        assert!(!state.matches(&sha, 4, &wanted));
        state.retention = None;
        assert!(!state.matches(&sha, 3, &wanted));
    }

    #[test]
    fn sha256_matches_openssl_known_answer() {
        let digest = Sha256::of_reader(&mut &b"abc"[..]).map(|d| d.to_hex());
        assert_eq!(
            digest.ok().as_deref(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert!(Sha256::from_hex("zz").is_none());
    }
}
