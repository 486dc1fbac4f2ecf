//! The adapter between XAdES and hozon's validation: the XAdES checks of
//! [`crate::validate`] plus X.509 path validation with revocation
//! ([`hozon_pki::ChainValidator`]), the time stamps (validated by
//! [`hozon_verify::Verifier`] exactly as a CAdES signature's are) and the
//! algorithm policy, concluded into the same [`SignatureReport`] as CAdES:
//! format `XAdES`, level, indication and sub-indication, signer with its
//! HPKI role, time stamps, `best_signature_time`.
//!
//! EN 319 102-1 §5.3 (basic signature validation) and §5.6.2 (past signature
//! validation with the proof of existence of a signature time stamp).

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use hozon_cms::{Cert, KeyCache};
use hozon_pki::{
    ChainReport, ChainValidator, Crl, CrlSet, OcspResponse, PathError, RevocationPolicy,
    RevocationStatus, UnixTime,
};
use hozon_verify::report::{FindingReport, Severity, SignerReport};
use hozon_verify::{
    AlgorithmPolicy, Code, DetachedContent, Indication, SignatureReport, SubIndication,
    ValidationData, Verifier,
};

use crate::validate::{verify_document, Form, Inputs, SignatureCheck};

/// What XAdES signatures are validated with.
pub struct XadesValidator<'a> {
    /// The verifier: validation time, time stamps, extra certificates.
    pub verifier: &'a Verifier,
    /// Trust anchors, configured CRLs and the revocation policy.
    pub chains: &'a ChainValidator,
    /// Acceptable algorithms.
    pub algorithms: &'a AlgorithmPolicy,
    /// Certificates from outside the signature (`--certs`).
    pub extra_certs: &'a [Cert],
    /// Public keys, parsed once.
    pub keys: &'a KeyCache,
}

impl<'a> XadesValidator<'a> {
    /// A validator judging with everything `verifier` was configured with.
    pub fn from_verifier(verifier: &'a Verifier) -> XadesValidator<'a> {
        XadesValidator {
            verifier,
            chains: verifier.chains(),
            algorithms: &verifier.config().algorithms,
            extra_certs: &verifier.config().extra_certs,
            keys: verifier.keys(),
        }
    }
}

/// A problem and its sub-indication.
type Problem = (SubIndication, String);

fn blank(label: &str) -> SignatureReport {
    // Verifier::format_failure gives the blank report of the engine with
    // FORMAT_FAILURE set; every field is overwritten below.
    let mut r = Verifier::format_failure(label, Some(label.to_owned()), "");
    r.errors.clear();
    r.findings.clear();
    r
}

/// Sets the verdict as the CAdES engine does: TOTAL_PASSED only without
/// problems and with every check positively done; otherwise the most
/// serious problem decides.
fn conclude(report: &mut SignatureReport, mut problems: Vec<Problem>, checks: &[(bool, &str)]) {
    if problems.is_empty() {
        let missing: Vec<&str> = checks.iter().filter(|(d, _)| !d).map(|(_, n)| *n).collect();
        if !missing.is_empty() {
            problems.push((
                SubIndication::SigConstraintsFailure,
                format!("internal: checks not completed: {}", missing.join(", ")),
            ));
        }
    }
    problems.sort_by_key(|(s, _)| std::cmp::Reverse(s.rank()));
    match problems.first() {
        None => {
            report.indication = Indication::TotalPassed;
            report.sub_indication = None;
        }
        Some((s, _)) => {
            report.indication = s.indication();
            report.sub_indication = Some(*s);
        }
    }
    report.errors = problems
        .into_iter()
        .map(|(s, m)| format!("{m} [{s}]"))
        .collect();
    // Each error and warning with its code (the adapter's findings are not
    // yet told apart by code: one code for all of them, the message says
    // which check).
    let finding = |severity, message: &String| FindingReport {
        severity,
        code: Code::XadesFinding,
        message: message.clone(),
    };
    report.findings = report
        .errors
        .iter()
        .map(|m| finding(Severity::Error, m))
        .chain(
            report
                .warnings
                .iter()
                .map(|m| finding(Severity::Warning, m)),
        )
        .collect();
}

impl XadesValidator<'_> {
    /// Verifies every signature of the XML file `bytes` (named `label`,
    /// detached references resolved under `base_dir`): one report each. A
    /// document that is not a readable XML signature gives one
    /// FORMAT_FAILURE report.
    pub fn verify(
        &self,
        label: &str,
        bytes: &[u8],
        base_dir: Option<&Path>,
    ) -> Vec<SignatureReport> {
        let inputs = Inputs {
            base_dir,
            extra_certs: self.extra_certs,
            keys: self.keys,
        };
        match verify_document(bytes, &inputs) {
            Err(e) => {
                let mut r = Verifier::format_failure(label, Some(label.to_owned()), &e.to_string());
                r.format = "XAdES".to_owned();
                vec![r]
            }
            Ok(checks) => checks
                .into_iter()
                .enumerate()
                .map(|(i, c)| self.report(label, i, c))
                .collect(),
        }
    }

    fn report(&self, label: &str, index: usize, check: SignatureCheck) -> SignatureReport {
        let at = self.verifier.validation_time();
        let mut r = blank(label);
        r.signer_info = index;
        r.format = match check.form {
            Form::Xades => "XAdES",
            Form::XmlDsig => "XML-DSig",
        }
        .to_owned();
        r.level = (check.form == Form::Xades && check.bound).then(|| "B-B".to_owned());
        r.warnings.extend(check.warnings.iter().cloned());
        for reference in &check.references {
            if let Ok(what) = &reference.result {
                r.warnings.push(format!(
                    "reference {} signs {what}",
                    reference
                        .uri
                        .as_deref()
                        .map_or("(no URI)".to_owned(), |u| format!("\"{u}\""))
                ));
            }
        }
        r.claimed_signing_time = check.signing_time.map(|t| t.rfc3339());
        r.best_signature_time = Some(at.rfc3339());
        let mut problems = check.problems.clone();

        // Validation data carried in the signature.
        let mut crls = CrlSet::new();
        for (i, der) in check.values.crls.iter().enumerate() {
            match Crl::from_der(der, &format!("{label} (RevocationValues CRL {i})")) {
                Ok(c) => crls.add(Arc::new(c.embedded())),
                Err(e) => r.warnings.push(e.to_string()),
            }
        }
        for (i, der) in check.values.ocsp.iter().enumerate() {
            match OcspResponse::from_der(der, &format!("{label} (RevocationValues OCSP {i})")) {
                Ok(o) => crls.add_ocsp(Arc::new(o.embedded())),
                Err(e) => r.warnings.push(e.to_string()),
            }
        }

        // Signature time stamps (proof of existence, EN 319 102-1 5.4).
        let poe = self.time_stamps(label, &check, &mut r, &mut problems);
        if let (Some(poe), Some(claimed)) = (poe, check.signing_time) {
            if claimed.0 > poe.0 + 300 {
                problems.push((
                    SubIndication::TimestampOrderFailure,
                    format!("the claimed signing time {claimed} is later than the signature time stamp {poe}"),
                ));
            }
        }
        if let Some(poe) = poe {
            r.best_signature_time = Some(poe.rfc3339());
            if r.level.is_some() {
                r.level = Some("B-T".to_owned());
            }
        }

        // X.509 validation of the signer (5.2.6), at the proof of existence
        // when time cures what fails now (5.6.2).
        let mut chain_ok = false;
        let mut revocation_ok = false;
        let mut algorithms_ok = false;
        if let Some(cert) = &check.signer {
            r.signer = Some(SignerReport {
                subject: cert.subject(),
                issuer: cert.issuer(),
                serial: cert.serial_hex(),
                hc_role: hozon_verify::hc_role::hc_role(cert),
            });
            let intermediates: Vec<Cert> = check
                .certificates
                .iter()
                .chain(self.extra_certs)
                .filter(|c| *c != cert)
                .cloned()
                .collect();
            let mut now = Vec::new();
            let report = self.chains.validate(cert, &intermediates, &crls, at);
            let mut ok = self.judge(&report, check.signing_time, &mut now, &mut r.warnings);
            match poe {
                Some(poe)
                    if poe < at && !now.is_empty() && now.iter().all(|(s, _)| curable(*s)) =>
                {
                    let mut then = Vec::new();
                    let earlier = self.chains.validate(cert, &intermediates, &crls, poe);
                    ok = self.judge(&earlier, check.signing_time, &mut then, &mut r.warnings);
                    if then.is_empty() {
                        for (_, m) in now {
                            r.warnings.push(format!(
                                "at the validation time: {m}; the signature time stamp proves it existed at {poe}, when the certificate was valid"
                            ));
                        }
                    } else {
                        problems.extend(
                            then.into_iter().map(|(s, m)| {
                                (s, format!("at the proven signing time {poe}: {m}"))
                            }),
                        );
                    }
                }
                _ => problems.extend(now),
            }
            chain_ok = ok.0;
            revocation_ok = ok.1;
            if let (Ok(path), true) = (&report.path, chain_ok) {
                let complete = check.has_validation_values
                    && path.iter().all(|c| {
                        check.certificates.contains(c) || self.chains.anchors().certs().contains(c)
                    })
                    && report
                        .revocation
                        .iter()
                        .all(|s| s.evidence.as_ref().is_some_and(|e| e.is_embedded()));
                if complete && r.level.as_deref() == Some("B-T") {
                    r.level = Some("B-LT".to_owned());
                }
            }
            algorithms_ok = self.algorithm_problems(&check, cert, poe.unwrap_or(at), &mut problems);
        }
        let core_ok = check.core_valid;
        let bound = check.bound;
        conclude(
            &mut r,
            problems,
            &[
                (core_ok, "XML-DSig core validation"),
                (bound, "signing certificate binding"),
                (chain_ok, "certificate path"),
                (revocation_ok, "revocation"),
                (algorithms_ok, "algorithm policy"),
            ],
        );
        r
    }

    /// Validates the signature time stamps; returns the earliest genTime of
    /// those that passed.
    fn time_stamps(
        &self,
        label: &str,
        check: &SignatureCheck,
        r: &mut SignatureReport,
        problems: &mut Vec<Problem>,
    ) -> Option<UnixTime> {
        let mut best: Option<UnixTime> = None;
        let data = ValidationData {
            certs: check.certificates.clone(),
            crls: check.values.crls.clone(),
            ocsp_responses: check.values.ocsp.clone(),
        };
        for stamp in &check.stamps {
            let Some(covered) = &stamp.covered else {
                r.warnings.push(format!(
                    "an {} time stamp (XAdES ArchiveTimeStamp) is present and not validated: the level is reported without it",
                    stamp.kind.as_str()
                ));
                continue;
            };
            // The verifier validates a token over a file: the covered octets
            // (the canonical ds:SignatureValue element) go to a private
            // temporary file for the duration of the call.
            let file = tempfile::NamedTempFile::new().and_then(|mut f| {
                f.write_all(covered)?;
                f.flush()?;
                Ok(f)
            });
            let file = match file {
                Ok(f) => f,
                Err(e) => {
                    problems.push((
                        SubIndication::SignedDataNotFound,
                        format!("SignatureTimeStamp: cannot hold its input: {e}"),
                    ));
                    continue;
                }
            };
            let sr = self.verifier.verify_timestamp_detached(
                label,
                &stamp.token,
                DetachedContent::File(file.path()),
                &data,
                stamp.kind,
            );
            let passed = sr.indication == Indication::TotalPassed;
            r.timestamps.extend(sr.timestamps);
            r.warnings.extend(
                sr.warnings
                    .into_iter()
                    .map(|w| format!("SignatureTimeStamp: {w}")),
            );
            if passed {
                let gen = sr
                    .best_signature_time
                    .as_deref()
                    .and_then(|t| UnixTime::parse_rfc3339(t).ok());
                if let Some(g) = gen {
                    best = Some(best.map_or(g, |b| b.min(g)));
                }
            } else if let Some(sub) = sr.sub_indication {
                for e in sr.errors {
                    let msg = e.rsplit_once(" [").map_or(e.as_str(), |(m, _)| m).replace(
                        &file.path().display().to_string(),
                        "the canonical ds:SignatureValue",
                    );
                    problems.push((sub, format!("SignatureTimeStamp: {msg}")));
                }
            }
        }
        best
    }

    /// Path and revocation problems of `report` (the engine's mapping);
    /// returns (path found, revocation passed).
    fn judge(
        &self,
        report: &ChainReport,
        claimed: Option<UnixTime>,
        problems: &mut Vec<Problem>,
        warnings: &mut Vec<String>,
    ) -> (bool, bool) {
        use SubIndication as S;
        let path = match &report.path {
            Ok(p) => p,
            Err(e) => {
                let sub = match e {
                    PathError::NoPath { .. } => S::NoCertificateChainFound,
                    PathError::NotYetValid { depth: 0, .. } => S::NotYetValid,
                    PathError::Expired { .. } => S::OutOfBoundsNoPoe,
                    PathError::Constraints { .. } => S::ChainConstraintsFailure,
                    _ => S::CertificateChainGeneralFailure,
                };
                problems.push((sub, e.to_string()));
                return (false, false);
            }
        };
        let _ = path;
        let mut passed = true;
        for (depth, st) in report.revocation.iter().enumerate() {
            let who = st.cert.subject();
            match &st.status {
                RevocationStatus::Good { revoked_later, .. } => {
                    if let Some(t) = revoked_later {
                        warnings.push(format!(
                            "{who} was revoked at {t}, after the time it was validated for"
                        ));
                    }
                }
                RevocationStatus::Revoked {
                    revoked_at, reason, ..
                } => {
                    passed = false;
                    let msg = format!(
                        "{who} was revoked at {revoked_at} ({})",
                        reason.as_deref().unwrap_or("no reason given")
                    );
                    if depth > 0 {
                        problems.push((S::RevokedCaNoPoe, msg));
                    } else if claimed.is_some_and(|c| c >= *revoked_at) {
                        problems.push((
                            S::Revoked,
                            format!("{msg}; the signature was made after that"),
                        ));
                    } else {
                        problems.push((
                            S::RevokedNoPoe,
                            format!("{msg}, and there is no proof the signature existed before"),
                        ));
                    }
                }
                RevocationStatus::Unknown { reason } => match self.chains.policy() {
                    RevocationPolicy::Require => {
                        passed = false;
                        problems.push((
                            S::TryLater,
                            format!("revocation status of {who} unknown: {reason}"),
                        ));
                    }
                    _ => warnings.push(format!("revocation status of {who} unknown: {reason}")),
                },
                RevocationStatus::NotChecked => warnings.push(format!(
                    "revocation of {who} was not checked (--revocation skip)"
                )),
            }
        }
        (true, passed)
    }

    /// Signature acceptance (5.2.8): the reference and signature digests and
    /// the signer's key, as of `at`.
    fn algorithm_problems(
        &self,
        check: &SignatureCheck,
        cert: &Cert,
        at: UnixTime,
        problems: &mut Vec<Problem>,
    ) -> bool {
        let before = problems.len();
        if let Some(d) = check.signature_algorithm.and_then(|a| a.digest()) {
            if let Some(p) = self.algorithms.digest_problem(d, at) {
                problems.push((SubIndication::CryptoConstraintsFailureNoPoe, p));
            }
        }
        match cert.to_openssl().and_then(|c| c.public_key()) {
            Ok(key) => {
                if let Some(p) = self.algorithms.key_problem(&key, at) {
                    problems.push((SubIndication::CryptoConstraintsFailureNoPoe, p));
                }
            }
            Err(e) => problems.push((SubIndication::FormatFailure, e.to_string())),
        }
        problems.len() == before && check.signature_algorithm.is_some()
    }
}

/// Problems that a proof of existence before the validation time can cure
/// (EN 319 102-1 5.6.2.4).
fn curable(s: SubIndication) -> bool {
    matches!(
        s,
        SubIndication::OutOfBoundsNoPoe
            | SubIndication::OutOfBoundsNotRevoked
            | SubIndication::RevokedNoPoe
            | SubIndication::TryLater
    )
}
