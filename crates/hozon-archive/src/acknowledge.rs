//! `archive acknowledge RECORD --reason TEXT`: an administrator confirms a
//! repair a job made (a recovered record, a re-created catalog row, a cut
//! torn audit line). The acknowledgement is an audit line with the reason;
//! `status` and `verify` stop flagging the repair.

use serde_json::json;

use crate::audit::fields;
use crate::checks::AuditIndex;
use crate::{Error, Result, Session};

/// Acknowledges the unacknowledged repairs of `target` (a record id or
/// `audit-log`); returns what they were. Refuses a target with none.
pub fn run(session: &mut Session, target: &str, reason: &str) -> Result<Vec<String>> {
    let reason = reason.trim();
    let index = AuditIndex::read(&session.layout.audit_log())?;
    let open: Vec<String> = index
        .unacknowledged()
        .into_iter()
        .filter(|r| r.target == target)
        .map(|r| format!("audit line {}: {}", r.seq, r.what))
        .collect();
    if open.is_empty() || reason.is_empty() {
        return Err(Error::Audit {
            path: session.layout.audit_log(),
            reason: if reason.is_empty() {
                "--reason must say why the repair is in order".into()
            } else {
                format!("no unacknowledged repair of {target:?} (see `hozon archive verify`)")
            },
        });
    }
    let seqs: Vec<u64> = index
        .unacknowledged()
        .into_iter()
        .filter(|r| r.target == target)
        .map(|r| r.seq)
        .collect();
    session.audit.append(&[(
        "acknowledged",
        fields([
            ("target", json!(target)),
            ("reason", json!(reason)),
            ("repairs", json!(seqs)),
        ]),
    )])?;
    session.catalog.unflag(target)?;
    Ok(open)
}
