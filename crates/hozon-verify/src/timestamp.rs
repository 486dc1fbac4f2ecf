//! Time stamps inside signatures (EN 319 102-1 §5.4, time-stamp validation
//! building block): each token must cover what it claims to cover, be
//! signed by a TSA certificate bound to it, and that certificate must have
//! had a valid, unrevoked path **at the token's genTime**. A token that
//! passes is proof of existence (POE) of the signature at genTime.

use std::path::Path;

use hozon_cms::{Cert, UnixTime};
use hozon_pki::CrlSet;
use hozon_tsp::Token;

use crate::codes::Code;
use crate::findings::Findings;
use crate::format::{ExpectedImprint, ValidationPool};
use crate::report::{Indication, SignatureReport, SubIndication, TimestampReport};
use crate::verdict::{blank_report, conclude};
use crate::vocabulary::{TimestampIndication, TimestampKind};
use crate::Verifier;

/// How much later than the signature time stamp a claimed signing time may
/// be (signers' clocks are not synchronised; the stamp is the evidence).
pub(crate) const SIGNING_TIME_TOLERANCE_SECS: i64 = 300;

/// What a time stamp must cover.
#[derive(Clone, Copy)]
pub(crate) enum Covered<'a> {
    /// Bytes in memory (a signature value).
    Bytes(&'a [u8]),
    /// A file (a stand-alone time stamp), digested as a stream.
    File(&'a Path),
    /// Byte ranges of a file (a PDF document time stamp's `/ByteRange`).
    Ranges(&'a Path, &'a [(u64, u64)]),
    /// A digest already computed (an evidence record's hash-tree root):
    /// the imprint must use this algorithm and equal this value.
    Digest(hozon_cms::DigestAlgorithm, &'a [u8]),
    /// The signed content's digest (a content time stamp), compared as
    /// [`Covered::Digest`].
    Content(hozon_cms::DigestAlgorithm, &'a [u8]),
    /// An input the format adapter compared with the token's imprint
    /// already (an archive-time-stamp-v2 input, streamed).
    Compared {
        /// Whether an accepted reading of the input matched.
        matched: bool,
        /// What to say when none did.
        mismatch: &'a str,
    },
}

impl<'a> From<&'a ExpectedImprint> for Covered<'a> {
    fn from(expected: &'a ExpectedImprint) -> Covered<'a> {
        match expected {
            ExpectedImprint::Bytes(b) => Covered::Bytes(b),
            ExpectedImprint::ContentDigest(alg, value) => Covered::Content(*alg, value),
            ExpectedImprint::Compared { matched, mismatch } => Covered::Compared {
                matched: *matched,
                mismatch,
            },
            // Never checked: the engine reports it before.
            ExpectedImprint::NotValidated(why) => Covered::Compared {
                matched: false,
                mismatch: why,
            },
        }
    }
}

/// One time-stamp token to validate and what it must cover.
pub(crate) struct StampCheck<'a> {
    /// What it stamps (the report entry's `kind`).
    pub(crate) kind: TimestampKind,
    /// Its name in messages.
    pub(crate) label: &'a str,
    /// The token (or a TimeStampResp holding it).
    pub(crate) der: &'a [u8],
    /// What its imprint must match.
    pub(crate) covered: Covered<'a>,
    /// Certificates and revocation data for the TSA's path.
    pub(crate) pool: ValidationPool<'a>,
    /// Until when it must be trustworthy.
    pub(crate) trust_until: UnixTime,
}

impl Covered<'_> {
    fn matches(&self, token: &Token) -> Result<bool, String> {
        match self {
            Covered::Compared { matched, .. } => Ok(*matched),
            Covered::Bytes(b) => Ok(token.covers(b)),
            Covered::Digest(alg, value) | Covered::Content(alg, value) => {
                let (imprint_alg, imprint) = token.imprint();
                Ok(imprint_alg == *alg && imprint == *value)
            }
            Covered::File(path) => {
                let (alg, imprint) = token.imprint();
                let digest = std::fs::File::open(path)
                    .and_then(|f| alg.digest_reader(f))
                    .map_err(|e| {
                        format!("cannot read the time-stamped file {}: {e}", path.display())
                    })?;
                Ok(digest == imprint)
            }
            Covered::Ranges(path, ranges) => {
                let (alg, imprint) = token.imprint();
                Ok(
                    crate::content::digest_ranges(alg, path, ranges).map_err(|e| e.to_string())?
                        == imprint,
                )
            }
        }
    }

    fn mismatch(&self) -> String {
        match self {
            Covered::Compared { mismatch, .. } => (*mismatch).to_owned(),
            Covered::Bytes(_) => "its message imprint does not match the signature value: it stamps something else".into(),
            Covered::Digest(alg, _) => format!("its message imprint is not the {} root of the hash tree it should stamp", alg.name()),
            Covered::Content(alg, _) => format!(
                "its message imprint is not the {} digest of the signed content: it stamps other data",
                alg.name()
            ),
            Covered::File(path) => format!(
                "its message imprint does not match {}: the file was altered, or the stamp is for another file",
                path.display()
            ),
            Covered::Ranges(path, _) => format!(
                "its message imprint does not match the byte ranges of {} it covers: they were altered",
                path.display()
            ),
        }
    }
}

/// A token, from a bare token or from a TimeStampResp (as `.tsr` files
/// hold).
pub(crate) fn parse_token(der: &[u8], label: &str) -> Result<Token, hozon_tsp::Error> {
    match Token::parse(der, label) {
        Ok(t) => Ok(t),
        Err(token_error) => hozon_tsp::parse_response(der, label).map_err(|e| match e {
            hozon_tsp::Error::Malformed { .. } => token_error,
            other => other,
        }),
    }
}

/// Safety margin before a TSA certificate's expiry by which the next archive
/// time stamp should be added (`renew_by`).
pub(crate) const RENEWAL_MARGIN_SECS: i64 = 90 * 24 * 3600;

/// Lowers `report.renew_by` to the end of what a stamp by `tsa` (imprint
/// `digest`) protects — the TSA certificate's expiry or, earlier, its
/// algorithms' sunset under `policy` — minus the margin: the next archive
/// time stamp must be added while every stamp it protects can still be
/// validated.
pub(crate) fn report_expiry(
    report: &mut SignatureReport,
    tsa: &Cert,
    digest: Option<hozon_cms::DigestAlgorithm>,
    policy: &crate::AlgorithmPolicy,
) {
    let (_, not_after) = tsa.validity_unix();
    let mut end = UnixTime(i64::try_from(not_after).unwrap_or(i64::MAX));
    let mut reason = format!("the TSA certificate {} expires at {end}", tsa.subject());
    if let Some((sunset, why)) = tsa
        .to_openssl()
        .and_then(|x| x.public_key())
        .ok()
        .and_then(|key| policy.sunset_with_reason(&key, digest))
    {
        if sunset < end {
            end = sunset;
            reason = format!("algorithm date: {why}");
        }
    }
    let due = UnixTime(end.0.saturating_sub(RENEWAL_MARGIN_SECS));
    let earlier = report
        .renew_by
        .as_deref()
        .and_then(|r| UnixTime::parse_rfc3339(r).ok())
        .is_none_or(|current| due < current);
    if earlier {
        report.renew_by = Some(due.rfc3339());
        report.renew_by_reason = Some(reason);
    }
}

impl Verifier {
    /// Verifies a stand-alone time stamp (`FILE.tsr`: a TimeStampResp, or a
    /// bare token) over the file `content`.
    pub fn verify_timestamp_file(
        &self,
        label: &str,
        bytes: &[u8],
        content: Option<&Path>,
    ) -> SignatureReport {
        let mut report = blank_report(label, content.map(|c| c.display().to_string()));
        report.format = crate::vocabulary::SignatureFormat::Rfc3161;
        let mut f = Findings::default();
        // A file that is no time stamp at all is a format failure, whatever
        // the content.
        if let Err(e) = parse_token(bytes, label) {
            f.fail(
                SubIndication::FormatFailure,
                Code::TimestampUnreadable,
                e.to_string(),
            );
            conclude(&mut report, f, &[]);
            return report;
        }
        let Some(content) = content.filter(|c| c.is_file()) else {
            f.fail(
                SubIndication::SignedDataNotFound,
                Code::SignedDataNotFound,
                match content {
                    Some(c) => format!("the time-stamped file {} does not exist", c.display()),
                    None => "no time-stamped file given (use --content FILE)".to_owned(),
                },
            );
            conclude(&mut report, f, &[]);
            return report;
        };
        let no_crls = CrlSet::new();
        let (entry, passed, tsa) = self.check_timestamp(
            StampCheck {
                kind: TimestampKind::Content,
                label: "time stamp",
                der: bytes,
                covered: Covered::File(content),
                pool: ValidationPool {
                    certs: &[],
                    crls: &no_crls,
                },
                trust_until: self.config.validation_time,
            },
            &mut f,
        );
        if let Some(gen) = passed {
            report.best_signature_time = Some(gen.rfc3339());
        }
        if let Some(tsa) = tsa {
            report.signer = Some(crate::report::SignerReport {
                subject: tsa.subject(),
                issuer: tsa.issuer(),
                serial: tsa.serial_hex(),
                hc_role: None,
            });
        }
        let ok = entry.indication == TimestampIndication::Passed;
        report.timestamps.push(entry);
        conclude(&mut report, f, &[(ok, "time stamp")]);
        report
    }

    /// Verifies a time-stamp token `bytes` over detached `content` (a PDF
    /// document time stamp over its `/ByteRange`), with `external`
    /// validation data (the PDF's Document Security Store) for the TSA's
    /// path. The report's time stamp entry has kind `kind`; when it passes,
    /// `best_signature_time` is its genTime (proof of existence of the
    /// content).
    pub fn verify_timestamp_detached(
        &self,
        label: &str,
        bytes: &[u8],
        content: crate::DetachedContent<'_>,
        external: &crate::ValidationData,
        kind: TimestampKind,
    ) -> SignatureReport {
        self.verify_timestamp_detached_with_evidence(label, bytes, content, external, kind)
            .0
    }

    /// As [`Verifier::verify_timestamp_detached`], also returning the
    /// certificates and revocation data the validation of the TSA's path
    /// relied on (what a PDF's Document Security Store receives).
    pub fn verify_timestamp_detached_with_evidence(
        &self,
        label: &str,
        bytes: &[u8],
        content: crate::DetachedContent<'_>,
        external: &crate::ValidationData,
        kind: TimestampKind,
    ) -> (SignatureReport, crate::Evidence) {
        let (path, covered) = match content {
            crate::DetachedContent::File(p) => (p, Covered::File(p)),
            crate::DetachedContent::ByteRanges { path, ranges } => {
                (path, Covered::Ranges(path, ranges))
            }
        };
        let mut report = blank_report(label, Some(path.display().to_string()));
        report.format = crate::vocabulary::SignatureFormat::Rfc3161;
        let mut f = Findings::default();
        let mut crls = CrlSet::new();
        for (i, der) in external.crls.iter().enumerate() {
            match hozon_pki::Crl::from_der(der, &format!("{label} (external CRL {i})")) {
                Ok(crl) => crls.add(std::sync::Arc::new(crl.embedded())),
                Err(e) => f.warn(Code::ValidationDataUnreadable, e.to_string()),
            }
        }
        for (i, der) in external.ocsp_responses.iter().enumerate() {
            match hozon_pki::OcspResponse::from_der(der, &format!("{label} (external OCSP {i})")) {
                Ok(resp) => crls.add_ocsp(std::sync::Arc::new(resp.embedded())),
                Err(e) => f.warn(Code::ValidationDataUnreadable, e.to_string()),
            }
        }
        let (entry, passed, tsa) = self.check_timestamp(
            StampCheck {
                kind,
                label: "time stamp",
                der: bytes,
                covered,
                pool: ValidationPool {
                    certs: &external.certs,
                    crls: &crls,
                },
                trust_until: self.config.validation_time,
            },
            &mut f,
        );
        if let Some(gen) = passed {
            report.best_signature_time = Some(gen.rfc3339());
        }
        if let Some(tsa) = tsa {
            if passed.is_some() {
                report_expiry(&mut report, &tsa, None, &self.config.algorithms);
            }
            report.signer = Some(crate::report::SignerReport {
                subject: tsa.subject(),
                issuer: tsa.issuer(),
                serial: tsa.serial_hex(),
                hc_role: None,
            });
        }
        let ok = entry.indication == TimestampIndication::Passed;
        report.timestamps.push(entry);
        let evidence = std::mem::take(&mut f.evidence);
        conclude(&mut report, f, &[(ok, "time stamp")]);
        (report, evidence)
    }

    /// Validates one time-stamp token over what it must cover (EN 319
    /// 102-1 §5.4). Problems are recorded in `f` prefixed with its label;
    /// returns the report entry, its genTime when it passed, and the TSA's
    /// certificate when found.
    pub(crate) fn check_timestamp(
        &self,
        check: StampCheck<'_>,
        f: &mut Findings,
    ) -> (TimestampReport, Option<UnixTime>, Option<Cert>) {
        let StampCheck {
            kind,
            label,
            der: token_der,
            covered,
            pool,
            trust_until,
        } = check;
        let (certs, crls) = (pool.certs, pool.crls);
        use SubIndication as S;
        let at = self.config.validation_time;
        let mut entry = TimestampReport {
            kind,
            gen_time: String::new(),
            tsa: String::new(),
            indication: TimestampIndication::Failed,
            serial: None,
            policy: None,
            attribute: None,
        };
        let mut tf = Findings::default();
        let token = match parse_token(token_der, label) {
            Ok(t) => t,
            Err(e) => {
                f.fail(S::FormatFailure, Code::TimestampUnreadable, e.to_string());
                return (entry, None, None);
            }
        };
        let gen = token.gen_time();
        entry.gen_time = gen.rfc3339();
        entry.serial = Some(token.serial_hex());
        entry.policy = Some(token.policy());
        match covered.matches(&token) {
            Ok(true) => {}
            Ok(false) => tf.fail(
                S::HashFailure,
                Code::TimestampImprintMismatch,
                covered.mismatch(),
            ),
            Err(e) => tf.fail(S::SignedDataNotFound, Code::TimestampInputUnavailable, e),
        }
        let mut tsa_cert = None;
        let pool_in: Vec<Cert> = certs
            .iter()
            .chain(&self.config.extra_certs)
            .cloned()
            .collect();
        match token.verify(&pool_in, &self.keys) {
            Err(hozon_tsp::Error::BadToken { reason, fault, .. }) => {
                use hozon_tsp::TokenFault as T;
                let sub = match fault {
                    T::Format => S::FormatFailure,
                    T::MissingCertificate | T::Binding => S::NoSigningCertificateFound,
                    T::NotTsaCertificate => S::ChainConstraintsFailure,
                    T::Digest => S::HashFailure,
                    _ => S::SigCryptoFailure,
                };
                tf.fail(sub, Code::TimestampTokenInvalid, reason);
            }
            Err(e) => tf.fail(S::FormatFailure, Code::TimestampTokenInvalid, e.to_string()),
            Ok(tsa) => {
                entry.tsa = tsa.subject();
                let pool: Vec<Cert> = token
                    .certificates()
                    .iter()
                    .chain(&pool_in)
                    .filter(|c| **c != tsa)
                    .cloned()
                    .collect();
                // The TSA's path at genTime; a revocation at or before genTime
                // is proven to precede the stamp.
                let out = self.validate_certificate(&tsa, &pool, crls, gen, Some(gen), &mut tf);
                if let Some(path) = &out.path {
                    let (_, not_after) = tsa.validity_unix();
                    let not_after = UnixTime(i64::try_from(not_after).unwrap_or(i64::MAX));
                    if not_after < trust_until && !self.config.accept_expired_tsa {
                        tf.fail(
                            S::OutOfBoundsNoPoe,
                            Code::TimestampTsaExpired,
                            format!(
                                "the TSA certificate {} expired at {not_after}; without an archive time stamp made before then the stamp cannot be relied on (use --accept-expired-tsa if your policy allows it)",
                                tsa.subject()
                            ),
                        );
                    }
                    if let Some(issuer) = path.get(1) {
                        self.tsa_key_compromise(&tsa, issuer, crls, gen, trust_until, &mut tf);
                    }
                    // The stamp must still be strong when it is relied on:
                    // now, or when a later archive time stamp covered it.
                    let (imprint_alg, _) = token.imprint();
                    let _ = self.algorithm_problems(imprint_alg, None, path, trust_until, &mut tf);
                }
                tsa_cert = Some(tsa);
            }
        }
        if gen.0 > at.0 + SIGNING_TIME_TOLERANCE_SECS {
            // Validating as of a time before the stamp existed: it proves
            // nothing about that time.
            f.warn(
                Code::TimestampAfterValidationTime,
                format!("{label} ({gen}) was made after the validation time {at} and is not used"),
            );
            entry.indication = TimestampIndication::Indeterminate;
            return (entry, None, tsa_cert);
        }
        let passed = tf.problems.is_empty();
        entry.indication = if passed {
            TimestampIndication::Passed
        } else if tf
            .problems
            .iter()
            .any(|p| p.sub.indication() == Indication::TotalFailed)
        {
            TimestampIndication::Failed
        } else {
            TimestampIndication::Indeterminate
        };
        f.absorb(tf, &format!("{label} ({gen}): "));
        (entry, passed.then_some(gen), tsa_cert)
    }

    /// RFC 3161 §4: when a TSA's key is compromised (revocation reason
    /// keyCompromise, or no reason), none of its tokens can be trusted any
    /// more, including those made before the revocation — unless a later
    /// archive time stamp protects them.
    fn tsa_key_compromise(
        &self,
        tsa: &Cert,
        issuer: &Cert,
        crls: &CrlSet,
        gen: UnixTime,
        now: UnixTime,
        tf: &mut Findings,
    ) {
        if now <= gen {
            return;
        }
        if let hozon_pki::RevocationStatus::Revoked {
            revoked_at, reason, ..
        } = self.chains.revocation_status(tsa, issuer, crls, now)
        {
            let compromise = matches!(
                reason.as_deref(),
                None | Some("unspecified" | "keyCompromise" | "cACompromise")
            );
            if compromise {
                tf.fail(
                    SubIndication::RevokedNoPoe,
                    Code::TimestampTsaCompromised,
                    format!(
                        "the TSA certificate {} was revoked at {revoked_at} ({}): after a key compromise none of its time stamps can be trusted (RFC 3161 §4)",
                        tsa.subject(),
                        reason.as_deref().unwrap_or("no reason given")
                    ),
                );
            }
        }
    }
}
