//! Access logging (issue 21, item 4; MHLW GL 6.0 asks for access logs):
//! every search and export appends `access` lines to the audit log's
//! hash chain saying who (the OS user, or a web user), what (the action
//! and its query), when (the line's time) and which records. These are
//! the only audit lines that may hold a patient ID (a search's query).
//!
//! A line stays far below the audit log's one-megabyte line bound: the
//! record ids are split over lines of at most [`IDS_PER_LINE`], each
//! numbered `part`/`parts`.

use serde_json::{json, Map, Value};

use crate::audit::AuditLog;
use crate::Result;

/// Most record ids one `access` line lists.
pub const IDS_PER_LINE: usize = 5000;

/// Who is asking: the operating system user running this process, as
/// `os:NAME` (or `os:uid N` when the user has no name).
pub fn os_user() -> String {
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    match user_name(uid) {
        Some(name) => format!("os:{name}"),
        None => format!("os:uid {uid}"),
    }
}

fn user_name(uid: libc::uid_t) -> Option<String> {
    let mut buf: Vec<libc::c_char> = vec![0; 16 * 1024];
    // SAFETY: `pwd` and `buf` outlive the call, `buf.len()` is the size
    // of `buf`, and getpwuid_r writes only into them.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: on success pw_name points to a NUL-terminated string in `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

/// One access to log.
#[derive(Clone, Debug)]
pub struct Access<'a> {
    /// Who (`os:alice`, `web:alice`).
    pub who: &'a str,
    /// What (`search`, `export`).
    pub action: &'a str,
    /// The request's details (the search filters, the export's target).
    pub details: Map<String, Value>,
    /// The records it returned or handed out.
    pub records: &'a [String],
}

/// Appends the `access` line(s) of `access`; returns the seq of the first.
pub fn log(audit: &mut AuditLog, access: &Access<'_>) -> Result<u64> {
    let chunks: Vec<&[String]> = if access.records.is_empty() {
        vec![access.records]
    } else {
        access.records.chunks(IDS_PER_LINE).collect()
    };
    let parts = chunks.len();
    let events: Vec<(&str, Map<String, Value>)> = chunks
        .iter()
        .enumerate()
        .map(|(i, ids)| {
            let mut m = Map::new();
            m.insert("who".into(), json!(access.who));
            m.insert("action".into(), json!(access.action));
            for (k, v) in &access.details {
                m.insert(k.clone(), v.clone());
            }
            m.insert("count".into(), json!(access.records.len()));
            if parts > 1 {
                m.insert("part".into(), json!(i + 1));
                m.insert("parts".into(), json!(parts));
            }
            m.insert("records".into(), json!(ids));
            ("access", m)
        })
        .collect();
    audit.append(&events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_os_user_is_named() {
        let who = os_user();
        assert!(who.starts_with("os:"), "{who}");
        assert!(who.len() > 3, "{who}");
    }

    #[test]
    fn many_records_are_split_over_chained_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let (mut log_file, _) = AuditLog::open(&path).unwrap();
        let ids: Vec<String> = (0..IDS_PER_LINE + 1).map(|i| format!("{i:032x}")).collect();
        log(
            &mut log_file,
            &Access {
                who: "os:test",
                action: "search",
                details: Map::new(),
                records: &ids,
            },
        )
        .unwrap();
        let check = crate::audit::verify_chain(&path).unwrap();
        assert!(check.problems.is_empty(), "{:?}", check.problems);
        assert_eq!(check.lines, 2);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["records"].as_array().unwrap().len(), IDS_PER_LINE);
        assert_eq!(lines[1]["records"].as_array().unwrap().len(), 1);
        assert_eq!(lines[1]["part"], 2);
        assert_eq!(lines[1]["count"], IDS_PER_LINE + 1);
        assert_eq!(lines[0]["who"], "os:test");
    }
}
