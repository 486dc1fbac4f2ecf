//! Every page view, search and download appends an `access` line to the
//! archive's audit log (issue 21 item 4) through
//! [`hozon_archive::access::log`], the same lines `archive search` and
//! `archive export` write: who (`web:NAME`), what (`view`, `search`,
//! `download`, ...), when (the line's time) and which records.
//!
//! The audit log is a hash chain with one writer: each line is appended
//! under the archive's lock, waiting while a job (ingest, renew, a watch
//! window) holds it, and the page is only sent once its line is written.
//! Nothing else of the archive is opened for writing.

use std::path::Path;

use hozon_archive::access::{self, Access};
use hozon_archive::audit::AuditLog;
use hozon_archive::lock::{self, Wait};
use hozon_archive::Layout;
use serde_json::{Map, Value};

/// The `who` of a web user's lines.
pub fn who(user: &str) -> String {
    format!("web:{user}")
}

/// One access to log.
#[derive(Clone, Debug)]
pub struct WebAccess {
    /// The web user (without `web:`).
    pub user: String,
    /// `login`, `logout`, `view`, `search`, `download`, `export`.
    pub action: &'static str,
    /// The page or request (`page`, `query`, `file`).
    pub details: Map<String, Value>,
    /// The records shown or handed out.
    pub records: Vec<String>,
}

/// Appends the line(s) of `access` to the audit log of the archive at
/// `root`, under the archive's lock. Blocking: call from a blocking task.
pub fn append(root: &Path, access: &WebAccess) -> hozon_archive::Result<u64> {
    let layout = Layout::new(root);
    let _lock = lock::acquire(
        &layout.lock(),
        Wait::Yes,
        "hozon archive serve (audit line)",
        &|_| {},
    )?;
    let (mut log, _) = AuditLog::open(&layout.audit_log())?;
    let who = who(&access.user);
    access::log(
        &mut log,
        &Access {
            who: &who,
            action: access.action,
            details: access.details.clone(),
            records: &access.records,
        },
    )
}
