//! The verification report (DESIGN.md §4, a contract): what users' systems
//! read. Indications and sub-indications are named as in ETSI EN 319 102-1
//! §5.1.3 so that the report means the same thing as other AdES validators'.

use crate::codes::Code;
use serde::{Deserialize, Serialize};

/// The overall verdict on a signature (ETSI EN 319 102-1 Table 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed.
    TotalPassed,
    /// The signature is proven invalid (tampered, broken, revoked, ...).
    TotalFailed,
    /// Neither proven valid nor invalid with the data available.
    Indeterminate,
}

impl Indication {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Indication::TotalPassed => "TOTAL_PASSED",
            Indication::TotalFailed => "TOTAL_FAILED",
            Indication::Indeterminate => "INDETERMINATE",
        }
    }
}

impl std::fmt::Display for Indication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! sub_indications {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $indication:ident, $rank:literal; )*) => {
        /// Why a signature is not TOTAL_PASSED (ETSI EN 319 102-1 Table 5).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum SubIndication {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )*
        }

        impl SubIndication {
            /// The name used in reports.
            pub fn as_str(self) -> &'static str {
                match self { $( SubIndication::$variant => $name, )* }
            }

            /// The indication this sub-indication belongs to.
            pub fn indication(self) -> Indication {
                match self { $( SubIndication::$variant => Indication::$indication, )* }
            }

            /// Precedence when several problems are found: the most specific
            /// and most serious is reported (higher wins). TOTAL_FAILED causes
            /// always outrank INDETERMINATE ones.
            pub fn rank(self) -> u32 {
                match self { $( SubIndication::$variant => $rank, )* }
            }
        }
    };
}

sub_indications! {
    /// The signature is not a well-formed CAdES/CMS structure.
    FormatFailure = "FORMAT_FAILURE", TotalFailed, 100;
    /// The content's digest differs from the signed message-digest.
    HashFailure = "HASH_FAILURE", TotalFailed, 95;
    /// The signature value does not verify with the signer's public key.
    SigCryptoFailure = "SIG_CRYPTO_FAILURE", TotalFailed, 90;
    /// The signing certificate was revoked before the (proven or claimed) signing time.
    Revoked = "REVOKED", TotalFailed, 85;
    /// The signing certificate was not yet valid at the latest possible signing time.
    NotYetValid = "NOT_YET_VALID", TotalFailed, 80;
    /// The signing certificate had expired before a proven signing time.
    Expired = "EXPIRED", TotalFailed, 78;
    /// The signer's certificate cannot be identified or its binding fails.
    NoSigningCertificateFound = "NO_SIGNING_CERTIFICATE_FOUND", Indeterminate, 60;
    /// No path to a trusted anchor.
    NoCertificateChainFound = "NO_CERTIFICATE_CHAIN_FOUND", Indeterminate, 58;
    /// A certificate of the path is broken (bad signature, ...).
    CertificateChainGeneralFailure = "CERTIFICATE_CHAIN_GENERAL_FAILURE", Indeterminate, 56;
    /// RFC 5280 or policy constraints on the path fail (key usage, path length, ...).
    ChainConstraintsFailure = "CHAIN_CONSTRAINTS_FAILURE", Indeterminate, 55;
    /// The signing certificate is revoked and there is no proof the signature predates it.
    RevokedNoPoe = "REVOKED_NO_POE", Indeterminate, 52;
    /// A CA certificate of the path is revoked and there is no proof of existence before that.
    RevokedCaNoPoe = "REVOKED_CA_NO_POE", Indeterminate, 51;
    /// The signing certificate is expired (or not yet valid) at the validation time, with no proof of earlier existence.
    OutOfBoundsNoPoe = "OUT_OF_BOUNDS_NO_POE", Indeterminate, 48;
    /// As OUT_OF_BOUNDS_NO_POE, but the certificate is known not to have been revoked.
    OutOfBoundsNotRevoked = "OUT_OF_BOUNDS_NOT_REVOKED", Indeterminate, 47;
    /// An algorithm or key size is no longer acceptable and there is no proof of existence from when it was.
    CryptoConstraintsFailureNoPoe = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", Indeterminate, 45;
    /// An algorithm is not acceptable (or not supported) at all.
    CryptoConstraintsFailure = "CRYPTO_CONSTRAINTS_FAILURE", Indeterminate, 44;
    /// Signed attribute constraints of the policy are not met.
    SigConstraintsFailure = "SIG_CONSTRAINTS_FAILURE", Indeterminate, 40;
    /// Time stamps are in an impossible order.
    TimestampOrderFailure = "TIMESTAMP_ORDER_FAILURE", Indeterminate, 38;
    /// Proof of existence is missing.
    NoPoe = "NO_POE", Indeterminate, 36;
    /// Revocation data covering the validation time is not (yet) available.
    TryLater = "TRY_LATER", Indeterminate, 30;
    /// The signed content is not available.
    SignedDataNotFound = "SIGNED_DATA_NOT_FOUND", Indeterminate, 20;
}

impl std::fmt::Display for SubIndication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a finding decides the verdict (`error`) or not (`warning`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A problem (also in `errors`, with its sub-indication).
    Error,
    /// A warning (also in `warnings`).
    Warning,
}

/// One error or warning with its stable machine code
/// ([`crate::codes::Code`]): the `findings` of a report. The `message` is
/// the same text as the matching entry of `errors` or `warnings`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingReport {
    /// `error` or `warning`.
    pub severity: Severity,
    /// The stable code, e.g. `SIGNING_CERTIFICATE_DIGEST_MISMATCH`.
    pub code: Code,
    /// The message, as in `errors` / `warnings`.
    pub message: String,
}

/// Who signed, from the signing certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerReport {
    /// Subject DN (RFC 4514, UTF-8).
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, upper-case hex.
    pub serial: String,
    /// ISO 17090 hcRole (HPKI), e.g. "Medical Doctor".
    pub hc_role: Option<String>,
}

/// One time stamp's validation result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampReport {
    /// "signature", "archive", ...
    pub kind: crate::vocabulary::TimestampKind,
    /// genTime (RFC 3339).
    pub gen_time: String,
    /// The TSA's subject DN.
    pub tsa: String,
    /// PASSED, FAILED or INDETERMINATE.
    pub indication: crate::vocabulary::TimestampIndication,
    /// The token's serial number (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// The TSA policy under which it was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// For archive time stamps, which attribute holds it:
    /// "archive-time-stamp-v3", "archive-time-stamp-v2 (id-aa-48)" or
    /// "archive-time-stamp v1 (id-aa-27)" (never validated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
}

/// Findings a format adapter adds after the engine (PAdES's byte-range and
/// modification checks, for example): each goes to `errors`/`warnings` and,
/// with its code, to `findings`, so that the two never disagree.
impl SignatureReport {
    /// Makes this report fail with `sub` (unless it already fails for a
    /// more serious reason) and records `message` as its first error.
    pub fn fail_with(&mut self, sub: SubIndication, code: Code, message: &str) {
        let worse = self.indication == Indication::TotalFailed
            && self.sub_indication.is_some_and(|s| s.rank() >= sub.rank());
        if !worse {
            self.indication = sub.indication();
            self.sub_indication = Some(sub);
        }
        let message = format!("{message} [{sub}]");
        self.errors.insert(0, message.clone());
        self.findings.insert(
            0,
            FindingReport {
                severity: Severity::Error,
                code,
                message,
            },
        );
    }

    /// Adds a warning at position `index` of `warnings` (its finding goes
    /// after the errors' findings).
    pub fn insert_warning(&mut self, index: usize, code: Code, message: String) {
        let index = index.min(self.warnings.len());
        self.warnings.insert(index, message.clone());
        let errors = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let at = (errors + index).min(self.findings.len());
        self.findings.insert(
            at,
            FindingReport {
                severity: Severity::Warning,
                code,
                message,
            },
        );
    }

    /// Adds a warning at the end.
    pub fn push_warning(&mut self, code: Code, message: String) {
        self.insert_warning(self.warnings.len(), code, message);
    }

    /// Keeps only the warnings `keep` accepts, in `warnings` and `findings`.
    pub fn retain_warnings(&mut self, keep: impl Fn(&str) -> bool) {
        self.warnings.retain(|w| keep(w));
        self.findings
            .retain(|f| f.severity == Severity::Error || keep(&f.message));
    }

    /// Rewords warnings: `reword` returns the new text of a warning it
    /// changes (its code stays).
    pub fn reword_warnings(&mut self, reword: impl Fn(&str) -> Option<String>) {
        for w in &mut self.warnings {
            if let Some(new) = reword(w) {
                *w = new;
            }
        }
        for f in &mut self.findings {
            if f.severity == Severity::Warning {
                if let Some(new) = reword(&f.message) {
                    f.message = new;
                }
            }
        }
    }
}

/// The result for one SignerInfo.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureReport {
    /// The signature file.
    pub file: String,
    /// The signed content (detached file, or the signature file itself when enveloping).
    pub content: Option<String>,
    /// Index of the SignerInfo within the file (0-based).
    pub signer_info: usize,
    /// "CAdES" or "CMS" (no signing-certificate attribute), "XAdES", ...
    pub format: crate::vocabulary::SignatureFormat,
    /// The level that was validated ("B-B", ...).
    pub level: Option<crate::vocabulary::Level>,
    /// The verdict.
    pub indication: Indication,
    /// Why, when not TOTAL_PASSED.
    pub sub_indication: Option<SubIndication>,
    /// Every problem found, most serious first.
    pub errors: Vec<String>,
    /// Things worth knowing that do not change the verdict.
    pub warnings: Vec<String>,
    /// `errors` then `warnings` found by the engine, each with its stable
    /// code (additive; absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingReport>,
    /// The signer, when identified.
    pub signer: Option<SignerReport>,
    /// The signing-time attribute (a claim, not evidence).
    pub claimed_signing_time: Option<String>,
    /// The earliest time the signature is proven to have existed (the
    /// validation time when there is no proof of existence).
    pub best_signature_time: Option<String>,
    /// Time stamps and their results.
    pub timestamps: Vec<TimestampReport>,
    /// Latest safe time to add the next archive time stamp (B-LTA only).
    pub renew_by: Option<String>,
    /// What drives `renew_by`: the newest stamp's TSA certificate expiry or
    /// an algorithm's date in the crypto policy (with its source), and for
    /// an evidence record what a renewal must change to move it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_by_reason: Option<String>,
    /// For an RFC 4998 evidence record (`format` "ERS"): each data object
    /// it was checked against and the time it is proven to have existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_records: Vec<EvidenceRecordReport>,
    /// PAdES: the revision of the PDF the signature signs (1 = the
    /// original file, counting incremental updates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<usize>,
    /// PAdES: whether the signature covers the document as it is now (no
    /// later incremental update changed what it signed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covers_whole_document: Option<bool>,
    /// PAdES: changes after the signed revision that PAdES does not allow
    /// (each makes `covers_whole_document` false).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifications: Vec<DocumentChange>,
    /// PAdES: later additions that PAdES allows (validation data, document
    /// time stamps, further signatures, permitted annotations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permitted_changes: Vec<DocumentChange>,
    /// The counter-signatures of this signature (RFC 5652 §11.4), each
    /// validated on its own; the signature's verdict does not depend on
    /// them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_signatures: Vec<CounterSignatureReport>,
    /// The CRLs and OCSP responses the validation relied on (signer and
    /// time-stamp paths), recorded by the engine for every format; `None`
    /// when the signature was not validated that far (unreadable). For the
    /// printable report: not part of the JSON report (DESIGN.md's
    /// contract is unchanged).
    #[serde(skip)]
    pub revocation_used: Option<Vec<crate::RevocationUsed>>,
}

/// A change made by a PDF incremental update.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentChange {
    /// The revision that made it.
    pub revision: usize,
    /// What changed.
    pub description: String,
}

/// One counter-signature, with its own verdict and its own
/// counter-signatures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterSignatureReport {
    /// The counter-signer, when its certificate was found.
    pub signer: Option<SignerReport>,
    /// Its own indication.
    pub indication: Indication,
    /// Its sub-indication (`None` when it passed).
    pub sub_indication: Option<SubIndication>,
    /// What failed, each ending with its sub-indication.
    pub errors: Vec<String>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// `errors` then `warnings`, each with its stable code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingReport>,
    /// Counter-signatures of this counter-signature.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_signatures: Vec<CounterSignatureReport>,
}

/// One data object of an evidence record and its proof of existence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRecordReport {
    /// The data object (file) checked.
    pub data_object: String,
    /// When it is proven to have existed (genTime of the first archive
    /// time stamp), only when every archive time stamp passed.
    pub proven_time: Option<String>,
    /// The digest algorithms of the record's chains, oldest first.
    pub digest_algorithms: Vec<String>,
    /// How many ArchiveTimeStamps (all chains).
    pub archive_time_stamps: usize,
}

/// Counts over a whole run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Signatures reported.
    pub total: usize,
    /// TOTAL_PASSED.
    pub passed: usize,
    /// TOTAL_FAILED.
    pub failed: usize,
    /// INDETERMINATE.
    pub indeterminate: usize,
}

impl Summary {
    /// Counts `reports`.
    pub fn of<'a>(reports: impl IntoIterator<Item = &'a SignatureReport>) -> Summary {
        let mut s = Summary::default();
        for r in reports {
            s.total += 1;
            match r.indication {
                Indication::TotalPassed => s.passed += 1,
                Indication::TotalFailed => s.failed += 1,
                Indication::Indeterminate => s.indeterminate += 1,
            }
        }
        s
    }
}

/// A file that could not be verified at all (I/O), as opposed to a
/// signature that failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileError {
    /// The file.
    pub file: String,
    /// Why.
    pub error: String,
}

/// The whole report of a `hozon verify` run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The validation time (RFC 3339).
    pub validation_time: String,
    /// One entry per SignerInfo of every file.
    pub signatures: Vec<SignatureReport>,
    /// Counts.
    pub summary: Summary,
    /// Files that could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_errors: Vec<FileError>,
    /// Files verified by content that hold no signature (a PDF without
    /// signature fields): reported, not an error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsigned_files: Vec<String>,
    /// Every RFC 4998 evidence record verified, as what it is: a proof of
    /// existence of data objects with its own indication (each is also in
    /// `signatures` with format "ERS", as before, for existing readers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_records: Vec<EvidenceRecordEntry>,
    /// Counts over `evidence_records`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_summary: Option<Summary>,
}

/// One evidence record's result in the run report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRecordEntry {
    /// The evidence record file.
    pub file: String,
    /// The data objects (files) it was checked against.
    pub data_objects: Vec<String>,
    /// The verdict on the evidence record.
    pub indication: Indication,
    /// Why, when not TOTAL_PASSED.
    pub sub_indication: Option<SubIndication>,
    /// When the data objects are proven to have existed (only when
    /// TOTAL_PASSED).
    pub proven_time: Option<String>,
    /// The digest algorithms of its chains, oldest first.
    pub digest_algorithms: Vec<String>,
    /// How many ArchiveTimeStamps (all chains).
    pub archive_time_stamps: usize,
    /// Latest safe time for the next renewal.
    pub renew_by: Option<String>,
    /// Which date drives `renew_by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_by_reason: Option<String>,
}

impl EvidenceRecordEntry {
    /// The entry for an evidence record's report (format "ERS"), `None`
    /// for a signature's.
    pub fn of(r: &SignatureReport) -> Option<EvidenceRecordEntry> {
        if r.format != crate::vocabulary::SignatureFormat::Ers {
            return None;
        }
        let first = r.evidence_records.first();
        Some(EvidenceRecordEntry {
            file: r.file.clone(),
            data_objects: r
                .evidence_records
                .iter()
                .map(|d| d.data_object.clone())
                .collect(),
            indication: r.indication,
            sub_indication: r.sub_indication,
            proven_time: (r.indication == Indication::TotalPassed)
                .then(|| first.and_then(|d| d.proven_time.clone()))
                .flatten(),
            digest_algorithms: first
                .map(|d| d.digest_algorithms.clone())
                .unwrap_or_default(),
            archive_time_stamps: first.map_or(0, |d| d.archive_time_stamps),
            renew_by: r.renew_by.clone(),
            renew_by_reason: r.renew_by_reason.clone(),
        })
    }
}

impl Report {
    /// Fills `evidence_records` and `evidence_summary` from `signatures`.
    pub fn collect_evidence_records(&mut self) {
        let ers: Vec<&SignatureReport> = self
            .signatures
            .iter()
            .filter(|r| r.format == crate::vocabulary::SignatureFormat::Ers)
            .collect();
        self.evidence_records = ers
            .iter()
            .filter_map(|r| EvidenceRecordEntry::of(r))
            .collect();
        self.evidence_summary = (!ers.is_empty()).then(|| Summary::of(ers));
    }

    /// Counts over the signatures proper (`signatures` without the
    /// evidence records).
    pub fn signature_summary(&self) -> Summary {
        Summary::of(
            self.signatures
                .iter()
                .filter(|r| r.format != crate::vocabulary::SignatureFormat::Ers),
        )
    }
}

#[cfg(test)]
mod adapter_findings_tests {
    use super::*;

    fn report() -> SignatureReport {
        let mut r = crate::Verifier::format_failure("a.pdf", None, "x");
        r.indication = Indication::TotalPassed;
        r.sub_indication = None;
        r.errors.clear();
        r.findings.clear();
        r
    }

    fn mirrors(r: &SignatureReport) {
        let of = |s: Severity| -> Vec<String> {
            r.findings
                .iter()
                .filter(|f| f.severity == s)
                .map(|f| f.message.clone())
                .collect()
        };
        assert_eq!(r.errors, of(Severity::Error));
        assert_eq!(r.warnings, of(Severity::Warning));
        let first_warning = r
            .findings
            .iter()
            .position(|f| f.severity == Severity::Warning);
        let last_error = r
            .findings
            .iter()
            .rposition(|f| f.severity == Severity::Error);
        if let (Some(w), Some(e)) = (first_warning, last_error) {
            assert!(e < w, "errors come before warnings");
        }
    }

    #[test]
    fn fail_with_sets_the_verdict_and_records_the_code_first() {
        let mut r = report();
        r.push_warning(Code::PdfSignatureField, "field".into());
        r.fail_with(
            SubIndication::SignedDataNotFound,
            Code::SignedDataNotFound,
            "missing",
        );
        assert_eq!(r.indication, Indication::Indeterminate);
        r.fail_with(
            SubIndication::HashFailure,
            Code::PdfModifiedAfterSigning,
            "changed",
        );
        assert_eq!(r.indication, Indication::TotalFailed);
        assert_eq!(r.sub_indication, Some(SubIndication::HashFailure));
        assert_eq!(r.findings[0].code, Code::PdfModifiedAfterSigning);
        assert_eq!(r.errors[0], "changed [HASH_FAILURE]");
        mirrors(&r);
    }

    #[test]
    fn a_failure_ranked_lower_does_not_replace_the_verdict() {
        let mut r = report();
        r.fail_with(
            SubIndication::FormatFailure,
            Code::PdfSubFilterRules,
            "rule",
        );
        r.fail_with(
            SubIndication::HashFailure,
            Code::PdfModifiedAfterSigning,
            "changed",
        );
        assert_eq!(r.sub_indication, Some(SubIndication::FormatFailure));
        assert_eq!(r.errors.len(), 2);
        assert_eq!(r.findings[0].code, Code::PdfModifiedAfterSigning);
        mirrors(&r);
    }

    #[test]
    fn warnings_inserted_retained_and_reworded_stay_in_step() {
        let mut r = report();
        r.fail_with(
            SubIndication::FormatFailure,
            Code::PdfSubFilterRules,
            "rule",
        );
        r.push_warning(Code::RevocationUnknown, "b".into());
        r.push_warning(Code::SigningTimeMissing, "no signing-time attribute".into());
        r.insert_warning(0, Code::PdfSignatureField, "a".into());
        assert_eq!(r.warnings, ["a", "b", "no signing-time attribute"]);
        mirrors(&r);
        r.retain_warnings(|w| !w.starts_with("no signing-time"));
        assert_eq!(r.warnings, ["a", "b"]);
        mirrors(&r);
        r.reword_warnings(|w| (w == "b").then(|| "B".to_owned()));
        assert_eq!(r.warnings, ["a", "B"]);
        assert!(r
            .findings
            .iter()
            .any(|f| f.code == Code::RevocationUnknown && f.message == "B"));
        mirrors(&r);
    }
}
