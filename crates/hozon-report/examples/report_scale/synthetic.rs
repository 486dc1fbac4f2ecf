//! Synthetic verification results for the scale measurement and test of
//! the printable report: a third failed (HASH_FAILURE), a sixth
//! indeterminate (OUT_OF_BOUNDS_NO_POE), in 50 folders, by 20 signers,
//! with Japanese file and signer names.

use hozon_verify::report::{SignerReport, TimestampReport};
use hozon_verify::{Indication, Report, SignatureReport, SubIndication, Summary};

fn signature(n: usize) -> SignatureReport {
    let (indication, sub) = match n % 6 {
        0 | 1 => (Indication::TotalFailed, Some(SubIndication::HashFailure)),
        2 => (
            Indication::Indeterminate,
            Some(SubIndication::OutOfBoundsNoPoe),
        ),
        _ => (Indication::TotalPassed, None),
    };
    let file = format!("records/2026/{:02}/患者{n:05}-退院時要約.xml.p7s", n % 50);
    SignatureReport {
        content: Some(file.trim_end_matches(".p7s").to_owned()),
        file,
        signer_info: 0,
        format: hozon_verify::SignatureFormat::Cades,
        level: Some(if n.is_multiple_of(3) {
            hozon_verify::Level::BLta
        } else {
            hozon_verify::Level::BT
        }),
        indication,
        sub_indication: sub,
        errors: sub
            .map(|s| vec![format!("the check failed ({s})")])
            .unwrap_or_default(),
        warnings: vec![],
        findings: vec![],
        signer: Some(SignerReport {
            subject: format!("CN=山田 太郎 {},O=保存病院", n % 20),
            issuer: "CN=HPKI Test CA,O=MHLW".into(),
            serial: format!("{n:08X}"),
            hc_role: Some("Medical Doctor".into()),
        }),
        claimed_signing_time: Some("2026-01-01T00:00:00Z".into()),
        best_signature_time: Some("2026-01-01T00:00:05Z".into()),
        timestamps: vec![TimestampReport {
            kind: hozon_verify::TimestampKind::Signature,
            gen_time: "2026-01-01T00:00:05Z".into(),
            tsa: "CN=Test TSA".into(),
            indication: hozon_verify::TimestampIndication::Passed,
            serial: None,
            policy: None,
            attribute: None,
        }],
        renew_by: Some("2031-01-01T00:00:00Z".into()),
        renew_by_reason: Some("the TSA certificate expires".into()),
        evidence_records: vec![],
        revision: None,
        covers_whole_document: None,
        modifications: vec![],
        permitted_changes: vec![],
        counter_signatures: vec![],
        revocation_used: None,
    }
}

/// A synthetic report of `n` results.
pub fn report(n: usize) -> Report {
    let signatures: Vec<SignatureReport> = (0..n).map(signature).collect();
    Report {
        validation_time: "2026-12-07T05:00:00Z".into(),
        summary: Summary::of(&signatures),
        signatures,
        file_errors: vec![],
        unsigned_files: vec![],
        evidence_records: vec![],
        evidence_summary: None,
    }
}
