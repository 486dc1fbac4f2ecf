//! Time-stamp validation (EN 319 102-1 §5.4 and §5.5) for the time stamps
//! a format adapter lists: archive time stamps newest first, each trusted
//! until the next newer one was made; content time stamps; signature time
//! stamps. What each must cover comes from the adapter
//! ([`crate::format::SignedObject::expected_imprint`]); everything else —
//! the token, its TSA's path at genTime, the dated algorithms, the renewal
//! date — is validated here, the same for every format.

use hozon_pki::UnixTime;

use crate::codes::Code;
use crate::engine::steps::Context;
use crate::findings::{unreadable, Findings};
use crate::format::{ExpectedImprint, TimeStamp};
use crate::report::{Indication, SignatureReport, SubIndication as S, TimestampReport};
use crate::timestamp::{report_expiry, Covered, StampCheck, SIGNING_TIME_TOLERANCE_SECS};
use crate::vocabulary::{TimestampIndication, TimestampKind};

impl Context<'_> {
    /// The archive time stamps, newest first: the newest must hold at the
    /// validation time, each older one until the next newer one was made.
    /// Records them in the report (oldest first) and returns the genTime of
    /// the oldest one that passed — the time until which everything they
    /// cover has to be trustworthy.
    pub(crate) fn archive_time_stamps(
        &mut self,
        stamps: &[TimeStamp],
        report: &mut SignatureReport,
    ) -> Option<UnixTime> {
        let mut archives: Vec<&TimeStamp> = stamps
            .iter()
            .filter(|s| s.kind == TimestampKind::Archive)
            .collect();
        // Newest first; stamps of the same second by what they cover.
        archives.sort_by_key(|s| {
            std::cmp::Reverse((s.token.as_ref().ok().map(|t| t.gen_time()), s.coverage))
        });
        let mut trust_until = self.at;
        let mut oldest_passed = None;
        let mut entries = Vec::new();
        for stamp in archives {
            let label = &stamp.label;
            let Ok(token) = &stamp.token else {
                unreadable(&mut self.f, label, "not a time-stamp token");
                continue;
            };
            let Some(expected) = self.signature.expected_imprint(stamp, &mut self.f) else {
                continue;
            };
            if let ExpectedImprint::NotValidated(why) = &expected {
                self.f.warn(Code::ArchiveTimestampNotValidated, why.clone());
                entries.push(TimestampReport {
                    kind: TimestampKind::Archive,
                    gen_time: token.gen_time().rfc3339(),
                    tsa: String::new(),
                    indication: TimestampIndication::Indeterminate,
                    serial: Some(token.serial_hex()),
                    policy: Some(token.policy()),
                    attribute: stamp.attribute.clone(),
                });
                continue;
            }
            let (mut entry, passed, tsa) = self.verifier.check_timestamp(
                StampCheck {
                    kind: TimestampKind::Archive,
                    label,
                    der: &stamp.der,
                    covered: Covered::from(&expected),
                    pool: self.pool,
                    trust_until,
                },
                &mut self.f,
            );
            entry.attribute = stamp.attribute.clone();
            entries.push(entry);
            if let Some(gen) = passed {
                if let (Some(tsa), None) = (&tsa, oldest_passed) {
                    // The newest archive stamp sets the renewal date.
                    let digest = Some(token.imprint().0);
                    report_expiry(report, tsa, digest, &self.verifier.config.algorithms);
                }
                trust_until = gen;
                oldest_passed = Some(gen);
            }
        }
        // Oldest first in the report, as they were added.
        entries.reverse();
        report.timestamps.extend(entries);
        oldest_passed
    }

    /// The content time stamps: proof that the content existed before the
    /// signature. A broken one proves nothing (a warning) unless it proves
    /// the signature invalid. Returns the latest genTime that passed.
    pub(crate) fn content_time_stamps(
        &mut self,
        stamps: &[TimeStamp],
        trust_until: UnixTime,
        report: &mut SignatureReport,
    ) -> Option<UnixTime> {
        let mut latest = None;
        for stamp in stamps.iter().filter(|s| s.kind == TimestampKind::Content) {
            let label = &stamp.label;
            if let Err(e) = &stamp.token {
                self.f.fail(
                    S::FormatFailure,
                    Code::TimestampUnreadable,
                    format!("{label}: {e}"),
                );
                continue;
            }
            let Some(expected) = self.signature.expected_imprint(stamp, &mut self.f) else {
                continue;
            };
            let mut cf = Findings::default();
            let (entry, passed, _) = self.verifier.check_timestamp(
                StampCheck {
                    kind: TimestampKind::Content,
                    label,
                    der: &stamp.der,
                    covered: Covered::from(&expected),
                    pool: self.pool,
                    trust_until,
                },
                &mut cf,
            );
            self.f.warnings.extend(cf.warnings);
            for p in cf.problems {
                if p.sub.indication() == Indication::TotalFailed {
                    self.f.fail(p.sub, p.code, p.message);
                } else {
                    self.f.warn(
                        Code::ContentTimestampNotUsed,
                        format!("{}: the content time stamp proves nothing", p.message),
                    );
                }
            }
            report.timestamps.push(entry);
            if let Some(gen) = passed {
                latest = Some(latest.map_or(gen, |l: UnixTime| l.max(gen)));
            }
        }
        latest
    }

    /// The signature time stamps: proof of existence of the signature at
    /// their genTime. Returns the earliest genTime among those that passed
    /// (the best signature time); a claimed signing time later than it is
    /// impossible.
    pub(crate) fn signature_time_stamps(
        &mut self,
        stamps: &[TimeStamp],
        claimed: Option<UnixTime>,
        trust_until: UnixTime,
        report: &mut SignatureReport,
    ) -> Option<UnixTime> {
        let mut best: Option<UnixTime> = None;
        let signature_stamps: Vec<&TimeStamp> = stamps
            .iter()
            .filter(|s| s.kind == TimestampKind::Signature)
            .collect();
        for (i, stamp) in signature_stamps.iter().enumerate() {
            let label = &stamp.label;
            // X.690 allows equal elements in a SET OF (and an attribute may
            // be repeated): accepted, but a copy proves nothing more.
            if let Some(j) = signature_stamps[..i]
                .iter()
                .position(|s| s.der == stamp.der)
            {
                self.f.warn(
                    Code::TimestampDuplicate,
                    format!(
                        "{label} is identical to signature time stamp {}: the same token twice adds no proof",
                        j + 1
                    ),
                );
            }
            if let Err(e) = &stamp.token {
                unreadable(&mut self.f, label, e);
                continue;
            }
            let Some(expected) = self.signature.expected_imprint(stamp, &mut self.f) else {
                continue;
            };
            let (entry, passed, tsa) = self.verifier.check_timestamp(
                StampCheck {
                    kind: TimestampKind::Signature,
                    label,
                    der: &stamp.der,
                    covered: Covered::from(&expected),
                    pool: self.pool,
                    trust_until,
                },
                &mut self.f,
            );
            if let (Some(_), Some(tsa)) = (passed, &tsa) {
                report_expiry(report, tsa, None, &self.verifier.config.algorithms);
            }
            report.timestamps.push(entry);
            if let Some(gen) = passed {
                best = Some(best.map_or(gen, |b| b.min(gen)));
            }
        }
        if let (Some(best), Some(claimed)) = (best, claimed) {
            if claimed.0 > best.0 + SIGNING_TIME_TOLERANCE_SECS {
                self.f.fail(
                    S::TimestampOrderFailure,
                    Code::TimestampOrder,
                    format!(
                        "the claimed signing time {claimed} is later than the signature time stamp {best}: a signature cannot be signed after it was stamped"
                    ),
                );
            }
        }
        best
    }
}
