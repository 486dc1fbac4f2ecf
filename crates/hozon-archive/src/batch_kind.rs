//! What an evidence batch did: its `kind` in reports, the catalog's
//! `batches` table and the audit log. A module of its own because both the
//! evidence batches (which make it) and the catalog (which stores it) name it.

use serde::Serialize;

/// What an evidence batch did (its `kind` in reports, the catalog and the
/// audit log).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BatchKind {
    /// The first evidence records of records that had none.
    Initial,
    /// RFC 4998 §5.2 time-stamp renewal.
    TimestampRenewal,
    /// RFC 4998 §5.2 hash-tree renewal.
    HashTreeRenewal,
}

impl BatchKind {
    /// Every kind.
    pub const ALL: [BatchKind; 3] = [
        BatchKind::Initial,
        BatchKind::TimestampRenewal,
        BatchKind::HashTreeRenewal,
    ];

    /// The name in reports, the catalog and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchKind::Initial => "initial",
            BatchKind::TimestampRenewal => "timestamp-renewal",
            BatchKind::HashTreeRenewal => "hash-tree-renewal",
        }
    }
}

impl std::fmt::Display for BatchKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

crate::vocabulary::stored_vocabulary!(BatchKind, "evidence batch kind");
