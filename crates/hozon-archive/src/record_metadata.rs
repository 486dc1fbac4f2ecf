//! What a record's metadata is: [`Metadata`], the `metadata` that
//! `record.json` holds, and the [`Fields`] one source gives it (gathered
//! by [`crate::metadata`]). Below both the record and the gathering.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Metadata an input can give (a sidecar, a manifest row, a file name, a
/// CDA header, a PDF). Every field optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    /// The patient's ID in the hospital's system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<String>,
    /// The kind of document (a local code or an LOINC code from a CDA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// The department (診療科) the document comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The document's date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_date: Option<String>,
    /// Free tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// What a record's `metadata` in `record.json` holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The patient's ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<String>,
    /// The kind of document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// The department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The document's date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_date: Option<String>,
    /// Free tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The subject of the certificate the record's signature names as its
    /// signer (RFC 4514).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Where each field came from (`sidecar`, `manifest`, `pattern`,
    /// `cda`, `pdf`, `signature`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
}

impl Metadata {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Metadata::default()
    }

    /// SHA-256 (hex) of its JSON serialization: what the record's
    /// `archived` audit line and stamped fields hold instead of the
    /// values (so that the audit log carries no patient ID).
    pub fn sha256(&self) -> String {
        crate::sha256_hex(&serde_json::to_vec(self).unwrap_or_default())
    }

    /// Fills the fields still unknown from `fields`, noting `source` for
    /// each one it gives.
    pub fn fill(&mut self, fields: Fields, source: &str) {
        let Fields {
            patient_id,
            document_type,
            department,
            author,
            document_date,
            tags,
        } = fields;
        fill_one(
            &mut self.patient_id,
            patient_id,
            "patient_id",
            source,
            &mut self.sources,
        );
        fill_one(
            &mut self.document_type,
            document_type,
            "document_type",
            source,
            &mut self.sources,
        );
        fill_one(
            &mut self.department,
            department,
            "department",
            source,
            &mut self.sources,
        );
        fill_one(
            &mut self.author,
            author,
            "author",
            source,
            &mut self.sources,
        );
        fill_one(
            &mut self.document_date,
            document_date,
            "document_date",
            source,
            &mut self.sources,
        );
        if self.tags.is_empty() {
            if let Some(t) = tags.filter(|t| !t.is_empty()) {
                self.tags = t;
                self.sources.insert("tags".into(), source.into());
            }
        }
    }
}

fn fill_one(
    slot: &mut Option<String>,
    value: Option<String>,
    name: &str,
    source: &str,
    sources: &mut BTreeMap<String, String>,
) {
    if slot.is_none() {
        if let Some(v) = value {
            *slot = Some(v);
            sources.insert(name.into(), source.into());
        }
    }
}
