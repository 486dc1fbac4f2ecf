//! What a batch did, as data: the files done, skipped, failed and changed,
//! each problem with a stable code. Printing is the caller's.

use serde::Serialize;

/// Why a task is skipped or failed, in the words the report shows (the
/// `reason` of its entry; the stable `code` is derived from it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Reason(pub String);

impl From<String> for Reason {
    fn from(s: String) -> Reason {
        Reason(s)
    }
}

impl From<&str> for Reason {
    fn from(s: &str) -> Reason {
        Reason(s.to_owned())
    }
}

/// A file and a reason, with a stable code to group by.
#[derive(Debug, Serialize)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// What kind of problem (one of [`code`]'s constants); stable across
    /// releases, unlike the wording of `reason`.
    pub code: &'static str,
    /// Why.
    pub reason: String,
}

impl Problem {
    /// A problem of `file`.
    pub fn new(file: String, code: &'static str, reason: String) -> Problem {
        Problem { file, code, reason }
    }
}

/// The stable codes of batch reports' `skipped`, `failed` and `changed`
/// entries (docs/signing.md lists them).
pub mod code {
    /// The output exists and was kept.
    pub const EXISTS: &str = "EXISTS";
    /// Another run wrote the output while this one worked.
    pub const RACED: &str = "DONE_BY_ANOTHER_RUN";
    /// A symlink (never followed), FIFO, socket or device.
    pub const NOT_REGULAR_FILE: &str = "NOT_REGULAR_FILE";
    /// A signature or evidence file, never signed or stamped again.
    pub const IS_SIGNATURE: &str = "IS_SIGNATURE";
    /// Nothing to do (already at the level, still fits its document).
    pub const NOTHING_TO_DO: &str = "NOTHING_TO_DO";
    /// The document changed after it was signed.
    pub const CHANGED_AFTER_SIGNING: &str = "CHANGED_AFTER_SIGNING";
    /// Every TSA is down for the run.
    pub const NO_TSA_LEFT: &str = "NO_TSA_LEFT";
    /// The input could not be found or listed.
    pub const NOT_READABLE: &str = "NOT_READABLE";
    /// Two inputs would write one output.
    pub const OUTPUT_CONFLICT: &str = "OUTPUT_CONFLICT";
    /// The output could not be written.
    pub const WRITE_FAILED: &str = "WRITE_FAILED";
    /// Signing, stamping or augmenting the input failed.
    pub const FAILED: &str = "FAILED";

    /// The code of a skip reason a task's work gave.
    pub(crate) fn of_skip(reason: &str) -> &'static str {
        if reason.contains(super::RACED_WORDS) {
            RACED
        } else {
            NOTHING_TO_DO
        }
    }

    /// The code of a failure reason a task's work gave.
    pub(crate) fn of_failure(reason: &str) -> &'static str {
        if reason.starts_with("no TSA left") {
            NO_TSA_LEFT
        } else {
            FAILED
        }
    }

    /// The code of a skip decided when planning.
    pub(crate) fn of_plan_skip(reason: &str) -> &'static str {
        if reason.contains("signature or evidence file") {
            IS_SIGNATURE
        } else if reason.starts_with("is a") {
            NOT_REGULAR_FILE
        } else {
            NOTHING_TO_DO
        }
    }

    /// The code of a failure decided when planning.
    pub(crate) fn of_plan_failure(reason: &str) -> &'static str {
        if reason.starts_with(super::CONFLICT_WORDS) {
            OUTPUT_CONFLICT
        } else {
            NOT_READABLE
        }
    }
}

/// What an output conflict says, to recognise it.
pub(crate) const CONFLICT_WORDS: &str = "another input also maps to";

/// What [`crate::raced_reason`] says, to recognise it.
pub(crate) const RACED_WORDS: &str = "appeared while this run worked";

/// What a batch did.
#[derive(Debug, Default)]
pub struct BatchReport {
    /// (input, output) pairs written.
    pub done: Vec<(String, String)>,
    /// Inputs left alone.
    pub skipped: Vec<Problem>,
    /// Inputs that failed.
    pub failed: Vec<Problem>,
    /// Inputs whose existing output no longer fits them (changed after
    /// signing).
    pub changed: Vec<Problem>,
}

impl BatchReport {
    /// The JSON document: `{"<done_key>": [{"file", "<output_key>"}], "skipped", "failed", "summary"}`.
    pub fn to_json(&self, done_key: &str, output_key: &str) -> serde_json::Value {
        let done: Vec<serde_json::Value> = self
            .done
            .iter()
            .map(|(file, out)| serde_json::json!({ "file": file, output_key: out }))
            .collect();
        serde_json::json!({
            done_key: done,
            "skipped": self.skipped,
            "failed": self.failed,
            "changed": self.changed,
            "summary": {
                "total": self.done.len() + self.skipped.len() + self.failed.len() + self.changed.len(),
                done_key: self.done.len(),
                "skipped": self.skipped.len(),
                "failed": self.failed.len(),
                "changed": self.changed.len(),
            },
        })
    }

    /// Leaves only failures (and changed inputs) in the JSON document
    /// [`BatchReport::to_json`] made: the lists of what was done or skipped
    /// are dropped; the summary still counts them.
    pub fn failures_only(json: &mut serde_json::Value, done_key: &str) {
        if let Some(map) = json.as_object_mut() {
            map.remove(done_key);
            map.remove("skipped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_what_failures_only_drops() {
        let report = BatchReport {
            done: vec![("a".into(), "a.p7s".into())],
            skipped: vec![Problem::new(
                "b".into(),
                code::EXISTS,
                "b.p7s exists".into(),
            )],
            failed: vec![],
            changed: vec![],
        };
        let mut json = report.to_json("signed", "signature");
        assert_eq!(json["signed"][0]["signature"], "a.p7s");
        BatchReport::failures_only(&mut json, "signed");
        assert!(json.get("signed").is_none() && json.get("skipped").is_none());
        assert_eq!(json["summary"]["total"], 2);
        assert_eq!(json["summary"]["signed"], 1);
        assert_eq!(json["summary"]["skipped"], 1);
    }

    #[test]
    fn reasons_map_to_their_codes() {
        assert_eq!(
            code::of_plan_skip("is a FIFO, not a regular file"),
            code::NOT_REGULAR_FILE
        );
        assert_eq!(
            code::of_plan_skip("is a signature or evidence file"),
            code::IS_SIGNATURE
        );
        assert_eq!(
            code::of_plan_failure("another input also maps to x"),
            code::OUTPUT_CONFLICT
        );
        assert_eq!(code::of_plan_failure("No such file"), code::NOT_READABLE);
        assert_eq!(code::of_failure("no TSA left: all down"), code::NO_TSA_LEFT);
        assert_eq!(
            code::of_skip("x appeared while this run worked: skipped"),
            code::RACED
        );
        assert_eq!(code::of_skip("already at B-LTA"), code::NOTHING_TO_DO);
    }
}
