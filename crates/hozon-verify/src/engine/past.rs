//! Validation with time (EN 319 102-1 §5.6): the proof of existence the
//! time stamps (and an external evidence record) give the signature, and
//! X.509 certificate validation (§5.2.6) repeated at that time when the
//! certificate fails now for reasons time cures (past signature validation,
//! §5.6.2.4).

use hozon_cms::Cert;
use hozon_pki::UnixTime;

use crate::chain::curable_with_poe;
use crate::codes::Code;
use crate::engine::steps::Context;
use crate::findings::Findings;
use crate::report::{SignatureReport, SubIndication as S};
use crate::timestamp::SIGNING_TIME_TOLERANCE_SECS;
use crate::vocabulary::{Level, TimestampKind};

impl Context<'_> {
    /// The signature's proof of existence (§5.6.2.2): archive time stamps
    /// first (each is proof of existence for what it covers, the signature
    /// time stamps included), then content and signature time stamps, and
    /// an external proof. Sets `best_signature_time` and the B-T level;
    /// returns the earliest proven time.
    pub(crate) fn proof_of_existence(
        &mut self,
        claimed: Option<UnixTime>,
        report: &mut SignatureReport,
    ) -> Option<UnixTime> {
        let stamps = self.signature.time_stamps(&mut self.f);
        let archived = self.archive_time_stamps(&stamps, report);
        let archive_entries = report.timestamps.len();
        let trust_until = match (archived, self.external_poe) {
            (Some(a), Some(e)) => a.min(e),
            (a, e) => a.or(e).unwrap_or(self.at),
        };
        let content = self.content_time_stamps(&stamps, trust_until, report);
        let stamped = self.signature_time_stamps(&stamps, claimed, trust_until, report);
        if let (Some(content), Some(signature)) = (content, stamped) {
            if content > signature {
                self.f.fail(
                    S::TimestampOrderFailure,
                    Code::TimestampOrder,
                    format!(
                        "the content time stamp {content} is later than the signature time stamp {signature}"
                    ),
                );
            }
        }
        let poe = match (stamped, self.external_poe) {
            (Some(s), Some(e)) => Some(s.min(e)),
            (s, e) => s.or(e),
        };
        if let Some(e) = self.external_poe {
            self.external_proof_of_existence(e, claimed);
        }
        // Signature time stamps first in the report, then archive ones.
        report.timestamps.rotate_left(archive_entries);
        let stamped_signature = report
            .timestamps
            .iter()
            .any(|t| t.kind == TimestampKind::Signature);
        if stamped_signature && self.signature.format().has_levels() {
            report.level = Some(Level::BT);
        }
        if let Some(poe) = poe {
            report.best_signature_time = Some(poe.rfc3339());
        }
        poe
    }

    /// An evidence record's proof of existence of the signature file: used,
    /// and a claimed signing time after it is impossible.
    pub(crate) fn external_proof_of_existence(&mut self, e: UnixTime, claimed: Option<UnixTime>) {
        self.f.warn(
            Code::ExternalProofOfExistence,
            format!(
                "proof of existence at {e} from an evidence record over the signature file is used"
            ),
        );
        if let Some(claimed) = claimed.filter(|c| c.0 > e.0 + SIGNING_TIME_TOLERANCE_SECS) {
            self.f.fail(
                S::TimestampOrderFailure,
                Code::TimestampOrder,
                format!(
                    "the claimed signing time {claimed} is later than the proof of existence {e}: a signature cannot be signed after it provably existed"
                ),
            );
        }
    }

    /// X.509 certificate validation (§5.2.6) of the signer at the
    /// validation time and, when it fails only for reasons time cures,
    /// past signature validation at the proof of existence (§5.6.2.4).
    /// Returns the path when one is valid.
    pub(crate) fn x509_certificate_validation(
        &mut self,
        cert: &Cert,
        claimed: Option<UnixTime>,
        poe: Option<UnixTime>,
    ) -> Option<Vec<Cert>> {
        let verifier = self.verifier;
        verifier.check_key_usage(cert, &mut self.f);
        let intermediates: Vec<Cert> = self
            .pool
            .certs
            .iter()
            .chain(&verifier.config.extra_certs)
            .filter(|c| *c != cert)
            .cloned()
            .collect();
        let crls = self.pool.crls;
        let mut now = Findings::default();
        let mut outcome =
            verifier.validate_certificate(cert, &intermediates, crls, self.at, claimed, &mut now);
        match poe {
            Some(poe)
                if poe < self.at
                    && !now.problems.is_empty()
                    && now.problems.iter().all(|p| curable_with_poe(p.sub)) =>
            {
                // The certificate has expired or been revoked since, or
                // current revocation data is missing: what matters is
                // whether it was valid when the signature provably existed.
                let mut then = Findings::default();
                outcome = verifier.validate_certificate(
                    cert,
                    &intermediates,
                    crls,
                    poe,
                    claimed,
                    &mut then,
                );
                if then.problems.is_empty() {
                    for p in now.problems {
                        // The "no proof" half of the message is answered by the stamp.
                        let m = &p.message;
                        let fact = m.split(", and there is no proof").next().unwrap_or(m);
                        self.f.warn(
                            Code::CuredByProofOfExistence,
                            format!(
                                "at the validation time: {fact}; the signature is proven by its time stamp to exist at {poe}, when the certificate was valid"
                            ),
                        );
                    }
                    self.f.warnings.extend(then.warnings);
                    self.f.evidence.merge(then.evidence);
                } else {
                    self.f
                        .absorb(then, &format!("at the proven signing time {poe}: "));
                }
            }
            _ => self.f.absorb(now, ""),
        }
        self.ok.chain = outcome.path.is_some();
        self.ok.revocation = outcome.revocation_ok;
        outcome.path
    }
}
