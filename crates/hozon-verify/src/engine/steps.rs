//! The basic signature validation (EN 319 102-1 §5.3) as small building
//! blocks over one [`Context`]: format checking (§5.2.2), identification of
//! the signing certificate (§5.2.3), cryptographic verification (§5.2.7),
//! then (in `past` and `timestamps`) time stamps and proof of existence,
//! X.509 certificate validation (§5.2.6) and signature acceptance (§5.2.8).

use hozon_cms::{Cert, SignatureAlgorithm};
use hozon_pki::UnixTime;

use crate::codes::Code;
use crate::evidence::Evidence;
use crate::findings::{Findings, Passed};
use crate::format::{Algorithms, DataObjects, SignedObject, SignedProperties, ValidationPool};
use crate::hc_role::hc_role;
use crate::report::{SignatureReport, SignerReport, SubIndication as S};
use crate::verdict::conclude;
use crate::vocabulary::{Level, TimestampIndication, TimestampKind};
use crate::Verifier;

/// Allowed difference between a claimed time and the validation time before
/// we warn that a claim lies in the future.
const CLOCK_SKEW_SECS: i64 = 300;

/// Everything the building blocks of one signature's validation share.
pub(crate) struct Context<'a> {
    pub(crate) verifier: &'a Verifier,
    pub(crate) signature: &'a dyn SignedObject,
    pub(crate) pool: ValidationPool<'a>,
    /// The validation time.
    pub(crate) at: UnixTime,
    /// A proof of existence from outside the signature, not after `at`.
    pub(crate) external_poe: Option<UnixTime>,
    pub(crate) f: Findings,
    pub(crate) ok: Passed,
}

impl<'a> Context<'a> {
    /// The context of `signature`, starting with the file's `findings`.
    pub(crate) fn new(
        verifier: &'a Verifier,
        signature: &'a dyn SignedObject,
        pool: ValidationPool<'a>,
        findings: Findings,
        external_poe: Option<UnixTime>,
    ) -> Context<'a> {
        let at = verifier.config.validation_time;
        Context {
            verifier,
            signature,
            pool,
            at,
            // An external proof of existence in the future of the validation
            // time proves nothing about it.
            external_poe: external_poe.filter(|p| *p <= at),
            f: findings,
            ok: Passed::default(),
        }
    }

    /// Runs every building block, concludes the report and returns the
    /// validation data the validation relied on.
    pub(crate) fn validate(mut self, report: &mut SignatureReport) -> Evidence {
        report.best_signature_time = Some(self.at.rfc3339());
        self.basic_validation(report);
        let evidence = std::mem::take(&mut self.f.evidence);
        self.signature
            .check_validation_data_references(&evidence, &mut self.f);
        self.long_term_level(report, &evidence);
        report.revocation_used = Some(evidence.revocation_used());
        report.counter_signatures = self.signature.counter_signatures(self.verifier, self.pool);
        let ok = &self.ok;
        let checks = [
            (ok.format, "format"),
            (ok.digest, "message digest"),
            (ok.signature, "signature value"),
            (ok.binding, "signing certificate binding"),
            (ok.chain, "certificate path"),
            (ok.revocation, "revocation"),
            (ok.algorithms, "algorithm policy"),
        ];
        conclude(report, self.f, &checks);
        evidence
    }

    /// The building blocks in the order of EN 319 102-1 §5.3 and §5.6.
    fn basic_validation(&mut self, report: &mut SignatureReport) {
        let Some(algorithms) = self.format_checking() else {
            return;
        };
        let properties = self.signed_properties(report);
        let signer = self.identify_signing_certificate(&properties, report);
        let sig_alg = self.cryptographic_verification(signer.as_ref(), &algorithms);
        let claimed = properties.claimed_signing_time;
        let poe = self.proof_of_existence(claimed, report);
        let Some(cert) = signer else { return };
        let path = self.x509_certificate_validation(&cert, claimed, poe);
        if let Some(path) = path {
            self.signature_acceptance(&algorithms, sig_alg, &path, poe);
        }
    }

    /// Format checking (§5.2.2): the adapter's structural checks.
    pub(crate) fn format_checking(&mut self) -> Option<Algorithms> {
        self.signature.check_format(&mut self.f)
    }

    /// Reads the signed properties, sets the report's format, level and
    /// claimed signing time, and warns of a claim in the future.
    pub(crate) fn signed_properties(&mut self, report: &mut SignatureReport) -> SignedProperties {
        let properties = self.signature.signed_properties(&mut self.f);
        self.ok.format = !self.f.has(S::FormatFailure);
        let format = self.signature.format();
        report.format = format;
        // ETSI levels apply to AdES formats only; a plain CMS signature has none.
        report.level = format.has_levels().then_some(Level::BB);
        if let Some(claimed) = properties.claimed_signing_time {
            report.claimed_signing_time = Some(claimed.rfc3339());
            if claimed.0 > self.at.0 + CLOCK_SKEW_SECS {
                self.f.warn(
                    Code::SigningTimeInFuture,
                    format!(
                        "the claimed signing time {claimed} is after the validation time {}",
                        self.at
                    ),
                );
            }
        }
        properties
    }

    /// Identification of the signing certificate (§5.2.3): among the
    /// signature's certificates, else among those supplied from outside it;
    /// then its binding by the signed references.
    pub(crate) fn identify_signing_certificate(
        &mut self,
        properties: &SignedProperties,
        report: &mut SignatureReport,
    ) -> Option<Cert> {
        let signature = self.signature;
        let inside = self.pool.certs.iter().find(|c| signature.identifies(c));
        let signer = match inside {
            Some(c) => Some(c.clone()),
            None => {
                // EN 319 102-1 §5.2.3: the signing certificate may come
                // from outside the signature (--certs, the trust anchors).
                let config = &self.verifier.config;
                let found = config
                    .extra_certs
                    .iter()
                    .chain(self.verifier.chains.anchors().certs())
                    .find(|c| signature.identifies(c))
                    .cloned();
                if let Some(c) = &found {
                    self.f.warn(
                        Code::SigningCertificateFromOutside,
                        format!(
                            "the signature carries no certificate of its signer; {} was supplied from outside it (--certs or a trust anchor)",
                            c.subject()
                        ),
                    );
                }
                found
            }
        };
        let Some(cert) = signer else {
            self.f.fail(
                S::NoSigningCertificateFound,
                Code::SigningCertificateNotFound,
                format!(
                    "the signer's certificate ({}) is neither in the signature nor among the certificates supplied",
                    signature.describe_signer()
                ),
            );
            return None;
        };
        report.signer = Some(SignerReport {
            subject: cert.subject(),
            issuer: cert.issuer(),
            serial: cert.serial_hex(),
            hc_role: hc_role(&cert),
        });
        signing_time_within_validity(&cert, properties.claimed_signing_time, &mut self.f);
        self.ok.binding = signing_certificate_binding(&cert, properties, &mut self.f);
        Some(cert)
    }

    /// Cryptographic verification (§5.2.7): the signed data objects'
    /// digests and the signature value. Returns the signature algorithm the
    /// value verified with (the named one when it did not).
    pub(crate) fn cryptographic_verification(
        &mut self,
        signer: Option<&Cert>,
        algorithms: &Algorithms,
    ) -> SignatureAlgorithm {
        let data = self.signature.check_data_objects(algorithms, &mut self.f);
        self.ok.digest = data == DataObjects::Intact;
        let Some(cert) = signer else {
            return algorithms.signature[0];
        };
        let matched = self.signature.verify_signature_value(
            cert,
            algorithms,
            &self.verifier.keys,
            &mut self.f,
        );
        self.ok.signature = matched.is_some();
        if data == DataObjects::CoveredBySignatureValue {
            self.ok.digest = self.ok.signature;
        }
        matched.unwrap_or(algorithms.signature[0])
    }

    /// Signature acceptance (§5.2.8): the algorithms and keys, as of the
    /// proof of existence when there is one.
    pub(crate) fn signature_acceptance(
        &mut self,
        algorithms: &Algorithms,
        sig_alg: SignatureAlgorithm,
        path: &[Cert],
        poe: Option<UnixTime>,
    ) {
        self.ok.algorithms = self.verifier.algorithm_problems(
            algorithms.digest,
            Some(sig_alg),
            path,
            poe.unwrap_or(self.at),
            &mut self.f,
        );
    }

    /// B-LT and B-LTA: a time-stamped signature that carries every
    /// certificate and revocation datum its validation relied on, and an
    /// archive time stamp that passed over it all.
    fn long_term_level(&self, report: &mut SignatureReport, evidence: &Evidence) {
        if report.level != Some(Level::BT) || !self.ok.chain || !self.ok.revocation {
            return;
        }
        let complete = evidence.certs.iter().all(|c| self.pool.certs.contains(c))
            && evidence.revocation_all_embedded();
        if complete {
            let archived = report.timestamps.iter().any(|t| {
                t.kind == TimestampKind::Archive && t.indication == TimestampIndication::Passed
            });
            let level = if archived { Level::BLta } else { Level::BLt };
            report.level = Some(level);
        }
    }
}

/// The claimed signing time is a claim, not evidence, so a claim outside
/// the certificate's validity does not decide the verdict; it is worth a
/// reader's attention all the same.
pub(crate) fn signing_time_within_validity(
    cert: &Cert,
    claimed: Option<UnixTime>,
    f: &mut Findings,
) {
    let Some(claimed) = claimed else { return };
    let (not_before, not_after) = cert.validity_unix();
    let as_time = |s: u64| UnixTime(i64::try_from(s).unwrap_or(i64::MAX));
    if claimed < as_time(not_before) {
        f.warn(
            Code::SigningTimeOutsideValidity,
            format!(
                "the claimed signing time {claimed} is before the signer's certificate became valid ({})",
                as_time(not_before)
            ),
        );
    } else if claimed > as_time(not_after) {
        f.warn(
            Code::SigningTimeOutsideValidity,
            format!(
                "the claimed signing time {claimed} is after the signer's certificate expired ({})",
                as_time(not_after)
            ),
        );
    }
}

/// The signing certificate's binding to the signature (§5.2.3): every
/// signed reference must name `cert`, and there must be one. Returns
/// whether it holds.
pub(crate) fn signing_certificate_binding(
    cert: &Cert,
    properties: &SignedProperties,
    f: &mut Findings,
) -> bool {
    let mut bound = true;
    if properties.signing_certificate_refs.is_empty() {
        bound = false;
        f.fail(
            S::NoSigningCertificateFound,
            Code::SigningCertificateNotBound,
            "no signing-certificate(-v2) attribute binds the signer's certificate to the signature",
        );
    }
    for r in &properties.signing_certificate_refs {
        let name = &r.property;
        match r.reference.matches(cert) {
            Ok(true) => {}
            Ok(false) => {
                bound = false;
                f.fail(
                    S::NoSigningCertificateFound,
                    Code::SigningCertificateDigestMismatch,
                    format!(
                        "the {name} attribute does not reference the certificate {} (certificate substitution?)",
                        cert.subject()
                    ),
                );
            }
            Err(e) => {
                bound = false;
                f.fail(
                    S::NoSigningCertificateFound,
                    Code::SigningCertificateReferenceInvalid,
                    format!("{name}: {e}"),
                );
            }
        }
    }
    bound
}
