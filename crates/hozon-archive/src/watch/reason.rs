//! `NAME.reason.json` beside a quarantined input: which check refused it,
//! for a program (the `NAME.reason.txt` beside it, written by
//! [`crate::outbox`], is for a person).

use serde::Serialize;

use hozon_scan::report::CheckName;

/// What refused an input.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Refusal {
    /// The archive's scan policy (the failed checks are listed).
    ScanPolicy,
    /// Its signature did not validate.
    Signature,
    /// Its content is already archived under another path.
    Duplicate,
    /// A signature or metadata sidecar without its document.
    Orphan,
    /// Anything else ingest refused (metadata, unreadable, ...).
    Ingest,
}

/// The content of `NAME.reason.json`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Reason {
    /// The input as it was found.
    pub file: String,
    /// When it was quarantined.
    pub time: String,
    /// What refused it.
    pub check: Refusal,
    /// The scan checks that failed (for [`Refusal::ScanPolicy`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_checks: Vec<CheckName>,
    /// Ingest's reason, in words.
    pub reason: String,
}

/// Prefix of ingest's reason for a scan that failed the policy.
const SCAN_FAILED: &str = "scan check FAILED: ";

impl Reason {
    /// The reason for `file`, refused by ingest with `reason`.
    pub fn of(file: &str, reason: &str, time: &str) -> Reason {
        let mut failed_checks = Vec::new();
        let check = if let Some(list) = reason.strip_prefix(SCAN_FAILED) {
            // "check: detail; check: detail": a part that starts with a
            // check's name, followed by ": ", names one.
            for part in list.split("; ") {
                let Some((name, _)) = part.split_once(": ") else {
                    continue;
                };
                if let Ok(c) = serde_json::from_value::<CheckName>(name.into()) {
                    if !failed_checks.contains(&c) {
                        failed_checks.push(c);
                    }
                }
            }
            Refusal::ScanPolicy
        } else if reason.starts_with("signature ")
            || reason.starts_with("no signature found")
            || reason.starts_with("cannot extend")
        {
            Refusal::Signature
        } else if reason.starts_with("a duplicate of ") {
            Refusal::Duplicate
        } else if reason.contains("without its document beside it") {
            Refusal::Orphan
        } else {
            Refusal::Ingest
        };
        Reason {
            file: file.into(),
            time: time.into(),
            check,
            failed_checks,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_scan_names_its_checks() {
        let r = Reason::of(
            "/in/a.png",
            "scan check FAILED: resolution: page 1: 150 dpi below 200; blank-page: page 2: blank; nonsense",
            "t",
        );
        assert_eq!(r.check, Refusal::ScanPolicy);
        assert_eq!(
            r.failed_checks,
            vec![CheckName::Resolution, CheckName::BlankPage]
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["check"], "scan-policy");
        assert_eq!(json["failed_checks"][0], "resolution");
    }

    #[test]
    fn other_refusals_are_told_apart() {
        let check = |reason: &str| Reason::of("f", reason, "t").check;
        assert_eq!(
            check("signature TOTAL_FAILED/HASH_FAILURE: x"),
            Refusal::Signature
        );
        assert_eq!(
            check("a duplicate of record 12 (/in/x): ..."),
            Refusal::Duplicate
        );
        assert_eq!(
            check("a detached signature without its document beside it"),
            Refusal::Orphan
        );
        assert_eq!(check("cannot open: denied"), Refusal::Ingest);
        assert!(Reason::of("f", "x", "t").failed_checks.is_empty());
    }
}
