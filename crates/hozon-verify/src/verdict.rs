//! The verdict from the findings (EN 319 102-1 §5.1.3): indication,
//! sub-indication, and the report's `errors`, `warnings` and `findings`.

use crate::codes::Code;
use crate::findings::Findings;
use crate::report::{FindingReport, Indication, Severity, SignatureReport, SubIndication};

/// Sets the verdict from the findings: TOTAL_PASSED only when there is no
/// problem **and** every check in `checks` positively succeeded; otherwise
/// the most serious problem decides. All problems become `errors`, each
/// ending with its sub-indication, and `findings` with their codes.
pub(crate) fn conclude(report: &mut SignatureReport, mut f: Findings, checks: &[(bool, &str)]) {
    if f.problems.is_empty() {
        let missing: Vec<&str> = checks
            .iter()
            .filter(|(done, _)| !done)
            .map(|(_, name)| *name)
            .collect();
        if !missing.is_empty() {
            f.fail(
                SubIndication::SigConstraintsFailure,
                Code::ChecksIncomplete,
                format!("internal: checks not completed: {}", missing.join(", ")),
            );
        }
    }
    f.problems.sort_by_key(|p| std::cmp::Reverse(p.sub.rank()));
    match f.problems.first() {
        None => {
            report.indication = Indication::TotalPassed;
            report.sub_indication = None;
        }
        Some(p) => {
            report.indication = p.sub.indication();
            report.sub_indication = Some(p.sub);
        }
    }
    report.errors.clear();
    for p in f.problems {
        let message = format!("{} [{}]", p.message, p.sub);
        report.errors.push(message.clone());
        report.findings.push(FindingReport {
            severity: Severity::Error,
            code: p.code,
            message,
        });
    }
    for w in f.warnings {
        report.warnings.push(w.message.clone());
        report.findings.push(FindingReport {
            severity: Severity::Warning,
            code: w.code,
            message: w.message,
        });
    }
}

/// An empty report for the signature file `label` (TOTAL_FAILED,
/// FORMAT_FAILURE until concluded).
pub(crate) fn blank_report(label: &str, content: Option<String>) -> SignatureReport {
    SignatureReport {
        file: label.to_owned(),
        content,
        signer_info: 0,
        format: crate::vocabulary::SignatureFormat::Cms,
        level: None,
        indication: Indication::TotalFailed,
        sub_indication: Some(SubIndication::FormatFailure),
        errors: Vec::new(),
        warnings: Vec::new(),
        findings: Vec::new(),
        signer: None,
        claimed_signing_time: None,
        best_signature_time: None,
        timestamps: Vec::new(),
        renew_by: None,
        renew_by_reason: None,
        evidence_records: Vec::new(),
        revision: None,
        covers_whole_document: None,
        modifications: Vec::new(),
        permitted_changes: Vec::new(),
        counter_signatures: Vec::new(),
        revocation_used: None,
    }
}
