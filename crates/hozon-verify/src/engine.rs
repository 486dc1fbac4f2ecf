//! The validation engine: one CMS file in, one report per SignerInfo out.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use hozon_cms::asn1::cms::signed_data::{SignerIdentifier, SignerInfo};
use hozon_cms::asn1::const_oid::db::rfc5280::{ID_CE_KEY_USAGE, ID_CE_SUBJECT_KEY_IDENTIFIER};
use hozon_cms::asn1::der::asn1::{ObjectIdentifier, OctetString};
use hozon_cms::asn1::der::{Decode, Encode};
use hozon_cms::asn1::x509_cert::ext::pkix::{KeyUsage, SubjectKeyIdentifier};
use hozon_cms::asn1::x509_cert::time::Time;
use hozon_cms::attributes::decode_unique;
use hozon_cms::oid::{
    etsi_en_319_122, rfc3161, rfc5126, ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V_2,
    ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNING_TIME,
};
use hozon_cms::signing_certificate::{CertReference, SigningCertificate, SigningCertificateV2};
use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm, SignatureFile};
use hozon_pki::{
    ChainValidator, Crl, CrlSet, PathError, RevocationPolicy, RevocationStatus, UnixTime,
};
use openssl::pkey::{PKey, Public};

use crate::hc_role::hc_role;
use crate::keys::KeyCache;
use crate::report::{Indication, SignatureReport, SignerReport, SubIndication};
use crate::AlgorithmPolicy;

/// Allowed difference between a claimed time and the validation time before
/// we warn that a claim lies in the future.
const CLOCK_SKEW_SECS: i64 = 300;

/// What the verifier is configured with besides trust.
#[derive(Clone, Debug)]
pub struct VerifierConfig {
    /// The validation time (`--at`, default now).
    pub validation_time: UnixTime,
    /// Acceptable algorithms.
    pub algorithms: AlgorithmPolicy,
}

/// Validates signatures; share one across a batch (it caches chain results).
pub struct Verifier {
    chains: ChainValidator,
    config: VerifierConfig,
    keys: KeyCache,
}

/// Where the signed content is.
enum Source<'a> {
    Embedded(&'a [u8]),
    File(&'a Path),
    Absent(String),
}

/// Problems and warnings gathered for one SignerInfo.
#[derive(Default)]
struct Findings {
    problems: Vec<(SubIndication, String)>,
    warnings: Vec<String>,
}

impl Findings {
    fn fail(&mut self, sub: SubIndication, msg: impl Into<String>) {
        self.problems.push((sub, msg.into()));
    }
    fn warn(&mut self, msg: impl Into<String>) {
        self.warnings.push(msg.into());
    }
}

/// The checks that must each have succeeded for TOTAL_PASSED.
#[derive(Default)]
struct Passed {
    format: bool,
    digest: bool,
    signature: bool,
    binding: bool,
    chain: bool,
    revocation: bool,
    algorithms: bool,
}

impl Verifier {
    /// A verifier over `chains` (anchors, CRLs, revocation policy).
    pub fn new(chains: ChainValidator, config: VerifierConfig) -> Verifier {
        Verifier {
            chains,
            config,
            keys: KeyCache::default(),
        }
    }

    /// The validation time.
    pub fn validation_time(&self) -> UnixTime {
        self.config.validation_time
    }

    /// A report for a file that is not a usable signature at all
    /// (TOTAL_FAILED, FORMAT_FAILURE).
    pub fn format_failure(label: &str, content: Option<String>, message: &str) -> SignatureReport {
        let mut r = blank_report(label, content);
        r.errors
            .push(format!("{message} [{}]", SubIndication::FormatFailure));
        r
    }

    /// Verifies the signature `bytes` (read from the file named `label`).
    /// `detached` is the content file: required for a detached signature;
    /// for a signature that embeds its content it must, if it exists, be
    /// identical to the embedded content (otherwise the signature would
    /// appear to vouch for a file it does not cover).
    pub fn verify(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
    ) -> Vec<SignatureReport> {
        let detached_name = detached.map(|p| p.display().to_string());
        let file = match SignatureFile::parse(bytes) {
            Ok(f) => f,
            Err(e) => {
                return vec![Verifier::format_failure(
                    label,
                    detached_name,
                    &format!("not a readable CMS signature: {e}"),
                )]
            }
        };
        let econtent = match file.econtent() {
            Ok(c) => c,
            Err(e) => {
                return vec![Verifier::format_failure(
                    label,
                    detached_name,
                    &e.to_string(),
                )]
            }
        };
        let mut file_warnings = Vec::new();
        let mut file_problems = Vec::new();
        let (source, content_name) = match (econtent, detached) {
            (Some(c), Some(p)) if p.exists() => {
                match same_content(p, c) {
                    Ok(true) => {}
                    Ok(false) => file_problems.push((
                        SubIndication::HashFailure,
                        format!(
                            "the signature embeds its own content, which differs from {}: it does not sign that file",
                            p.display()
                        ),
                    )),
                    Err(e) => file_problems.push((
                        SubIndication::SignedDataNotFound,
                        format!("cannot compare the embedded content with {}: {e}", p.display()),
                    )),
                }
                (Source::Embedded(c), detached_name)
            }
            (Some(c), _) => (Source::Embedded(c), Some(label.to_owned())),
            (None, Some(p)) if p.is_file() => (Source::File(p), detached_name),
            (None, Some(p)) => (
                Source::Absent(format!(
                    "the detached content {} does not exist",
                    p.display()
                )),
                detached_name,
            ),
            (None, None) => (
                Source::Absent(
                    "the signature is detached and no content was given (use --content FILE)"
                        .into(),
                ),
                None,
            ),
        };
        if file.signer_infos().is_empty() {
            return vec![Verifier::format_failure(
                label,
                content_name,
                "the SignedData has no SignerInfo",
            )];
        }
        let certs: Vec<Cert> = file.certificates();
        let mut crls = CrlSet::new();
        for (i, der) in file.crls().iter().enumerate() {
            match Crl::from_der(der, &format!("{label} (embedded CRL {i})")) {
                Ok(crl) => crls.add(Arc::new(crl)),
                Err(e) => file_warnings.push(e.to_string()),
            }
        }
        let mut digests = DigestCache::new(&source);
        file.signer_infos()
            .iter()
            .enumerate()
            .map(|(index, si)| {
                let mut report = blank_report(label, content_name.clone());
                report.signer_info = index;
                report.warnings.extend(file_warnings.iter().cloned());
                let mut f = Findings::default();
                f.problems.extend(file_problems.iter().cloned());
                self.verify_signer_info(&file, si, &certs, &crls, &mut digests, &mut report, f);
                report
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn verify_signer_info(
        &self,
        file: &SignatureFile,
        si: &SignerInfo,
        certs: &[Cert],
        crls: &CrlSet,
        digests: &mut DigestCache<'_>,
        report: &mut SignatureReport,
        mut f: Findings,
    ) {
        let mut ok = Passed::default();
        let at = self.config.validation_time;
        report.best_signature_time = Some(at.rfc3339());
        self.check(file, si, certs, crls, digests, report, &mut f, &mut ok);

        // TOTAL_PASSED only if every check positively succeeded.
        if f.problems.is_empty() {
            let missing: Vec<&str> = [
                (ok.format, "format"),
                (ok.digest, "message digest"),
                (ok.signature, "signature value"),
                (ok.binding, "signing certificate binding"),
                (ok.chain, "certificate path"),
                (ok.revocation, "revocation"),
                (ok.algorithms, "algorithm policy"),
            ]
            .iter()
            .filter(|(done, _)| !done)
            .map(|(_, name)| *name)
            .collect();
            if !missing.is_empty() {
                f.fail(
                    SubIndication::SigConstraintsFailure,
                    format!("internal: checks not completed: {}", missing.join(", ")),
                );
            }
        }
        f.problems
            .sort_by_key(|(sub, _)| std::cmp::Reverse(sub.rank()));
        match f.problems.first() {
            None => {
                report.indication = Indication::TotalPassed;
                report.sub_indication = None;
            }
            Some((sub, _)) => {
                report.indication = sub.indication();
                report.sub_indication = Some(*sub);
            }
        }
        report.errors = f
            .problems
            .into_iter()
            .map(|(sub, msg)| format!("{msg} [{sub}]"))
            .collect();
        report.warnings.extend(f.warnings);
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        file: &SignatureFile,
        si: &SignerInfo,
        certs: &[Cert],
        crls: &CrlSet,
        digests: &mut DigestCache<'_>,
        report: &mut SignatureReport,
        f: &mut Findings,
        ok: &mut Passed,
    ) {
        use SubIndication as S;
        let at = self.config.validation_time;

        // --- Format checking (EN 319 102-1 §5.2.2) ---------------------------
        let digest_alg = match DigestAlgorithm::from_identifier(&si.digest_alg) {
            Ok(d) => d,
            Err(hozon_cms::Error::UnsupportedAlgorithm { oid, .. }) => {
                f.fail(
                    S::CryptoConstraintsFailure,
                    format!("unsupported digest algorithm {oid}"),
                );
                return;
            }
            Err(e) => {
                f.fail(S::FormatFailure, e.to_string());
                return;
            }
        };
        let sig_alg = match SignatureAlgorithm::from_identifier(&si.signature_algorithm, digest_alg)
        {
            Ok(a) => a,
            Err(hozon_cms::Error::UnsupportedAlgorithm { oid, .. }) => {
                f.fail(
                    S::CryptoConstraintsFailure,
                    format!("unsupported signature algorithm {oid}"),
                );
                return;
            }
            Err(e) => {
                f.fail(S::FormatFailure, e.to_string());
                return;
            }
        };
        let attrs = si.signed_attrs.as_ref();
        let econtent_type = file.signed_data.encap_content_info.econtent_type;
        let mut message_digest = None;
        let mut ess: Option<CertReference> = None;
        let mut ess_v1: Option<CertReference> = None;
        if attrs.is_some() {
            match signed_attr::<ObjectIdentifier>(attrs, ID_CONTENT_TYPE, f) {
                Ok(Some(ct)) if ct != econtent_type => f.fail(
                    S::FormatFailure,
                    format!(
                        "content-type attribute {ct} differs from eContentType {econtent_type}"
                    ),
                ),
                Ok(Some(_)) | Err(Reported) => {}
                Ok(None) => missing(f, "content-type"),
            }
            match signed_attr::<OctetString>(attrs, ID_MESSAGE_DIGEST, f) {
                Ok(Some(md)) => message_digest = Some(md.as_bytes().to_vec()),
                Ok(None) => missing(f, "message-digest"),
                Err(Reported) => {}
            }
            match signed_attr::<Time>(attrs, ID_SIGNING_TIME, f) {
                Ok(Some(t)) => {
                    let claimed = UnixTime::from_x509(&t);
                    report.claimed_signing_time = Some(claimed.rfc3339());
                    if claimed.0 > at.0 + CLOCK_SKEW_SECS {
                        f.warn(format!(
                            "the claimed signing time {claimed} is after the validation time {at}"
                        ));
                    }
                }
                Ok(None) => f.warn("no signing-time attribute (CAdES B-B requires one)"),
                Err(Reported) => {}
            }
            if let Ok(Some(sc)) =
                signed_attr::<SigningCertificateV2>(attrs, ID_AA_SIGNING_CERTIFICATE_V_2, f)
            {
                match sc.signer_reference() {
                    Ok(r) => ess = r,
                    Err(e) => f.fail(S::FormatFailure, format!("signing-certificate-v2: {e}")),
                }
            }
            if let Ok(Some(sc)) =
                signed_attr::<SigningCertificate>(attrs, ID_AA_SIGNING_CERTIFICATE, f)
            {
                ess_v1 = sc.signer_reference();
            }
        } else {
            f.warn(
                "the SignerInfo has no signed attributes: a plain PKCS#7/CMS signature, not CAdES",
            );
        }
        ok.format = !f.problems.iter().any(|(s, _)| *s == S::FormatFailure);
        let has_binding = ess.is_some() || ess_v1.is_some();
        report.format = if has_binding { "CAdES" } else { "CMS" }.to_owned();
        // ETSI levels apply to CAdES only; a plain CMS signature has none.
        report.level = has_binding.then(|| "B-B".to_owned());
        note_unvalidated_unsigned_attributes(si, f);

        // --- Identification of the signing certificate (§5.2.3) ---------------
        let signer = find_signer(&si.sid, certs);
        let signer = match signer {
            Some(c) => {
                report.signer = Some(SignerReport {
                    subject: c.subject(),
                    issuer: c.issuer(),
                    serial: c.serial_hex(),
                    hc_role: hc_role(&c),
                });
                warn_signing_time_outside_validity(&c, report, f);
                Some(c)
            }
            None => {
                f.fail(
                    S::NoSigningCertificateFound,
                    format!(
                        "the signer's certificate ({}) is not in the signature",
                        describe_sid(&si.sid)
                    ),
                );
                None
            }
        };
        if let Some(cert) = &signer {
            let mut bound = true;
            if !has_binding {
                bound = false;
                f.fail(
                    S::NoSigningCertificateFound,
                    "no signing-certificate(-v2) attribute binds the signer's certificate to the signature",
                );
            }
            for (r, name) in [
                (&ess, "signing-certificate-v2"),
                (&ess_v1, "signing-certificate"),
            ] {
                let Some(r) = r else { continue };
                match r.matches(cert.parsed(), cert.der()) {
                    Ok(true) => {}
                    Ok(false) => {
                        bound = false;
                        f.fail(
                            S::NoSigningCertificateFound,
                            format!(
                                "the {name} attribute does not reference the certificate {} (certificate substitution?)",
                                cert.subject()
                            ),
                        );
                    }
                    Err(e) => {
                        bound = false;
                        f.fail(S::NoSigningCertificateFound, format!("{name}: {e}"));
                    }
                }
            }
            ok.binding = bound;
        }

        // --- Cryptographic verification (§5.2.7) -------------------------------
        match (&message_digest, attrs.is_some()) {
            (Some(expected), _) => match digests.get(digest_alg) {
                Ok(actual) if actual == expected.as_slice() => ok.digest = true,
                Ok(_) => f.fail(
                    S::HashFailure,
                    format!("the content's {digest_alg} digest differs from the signed message-digest: the content was altered"),
                ),
                Err(DigestError::Absent(why)) => f.fail(S::SignedDataNotFound, why),
                Err(DigestError::Io(why)) => f.fail(S::SignedDataNotFound, why),
            },
            (None, true) => {} // already a format failure
            (None, false) => {
                // Without signed attributes the signature covers the content.
                if let Some(cert) = &signer {
                    match verify_over_content(cert, sig_alg, si.signature.as_bytes(), digests.source) {
                        Ok(true) => {
                            ok.digest = true;
                            ok.signature = true;
                        }
                        Ok(false) => f.fail(
                            S::SigCryptoFailure,
                            "the signature value does not verify over the content (altered content or signature)",
                        ),
                        Err(DigestError::Absent(why) | DigestError::Io(why)) => f.fail(S::SignedDataNotFound, why),
                    }
                }
            }
        }
        if let (Some(cert), Some(attrs)) = (&signer, attrs) {
            match attrs.to_der() {
                Ok(tbs) => match self.verify_value(cert, sig_alg, &tbs, si.signature.as_bytes()) {
                    Ok(()) => ok.signature = true,
                    Err(why) => f.fail(
                        S::SigCryptoFailure,
                        format!("the signature value does not verify: {why}"),
                    ),
                },
                Err(e) => f.fail(
                    S::FormatFailure,
                    format!("signed attributes cannot be re-encoded: {e}"),
                ),
            }
        }

        // --- X.509 certificate validation (§5.2.6) ----------------------------
        let Some(cert) = signer else { return };
        self.check_key_usage(&cert, f);
        let intermediates: Vec<Cert> = certs.iter().filter(|c| **c != cert).cloned().collect();
        let chain = self.chains.validate(&cert, &intermediates, crls, at);
        let path = match &chain.path {
            Ok(path) => {
                ok.chain = true;
                Some(path.clone())
            }
            Err(e) => {
                self.path_problem(e, &cert, &intermediates, crls, report, f);
                None
            }
        };
        if let Some(path) = &path {
            ok.revocation = self.revocation_problems(&chain.revocation, report, f);
            // --- Signature acceptance: algorithm policy (§5.2.8) ----------------
            ok.algorithms = self.algorithm_problems(digest_alg, sig_alg, path, f);
        }
    }

    /// Verifies a signature value over `message` with the key of `cert`.
    fn verify_value(
        &self,
        cert: &Cert,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        match self.keys.get(cert)?.verify(alg, message, signature)? {
            true => Ok(()),
            false => Err(format!(
                "{alg} with the key of {} rejects it",
                cert.subject()
            )),
        }
    }

    fn check_key_usage(&self, cert: &Cert, f: &mut Findings) {
        let exts = cert.parsed().tbs_certificate.extensions.iter().flatten();
        for ext in exts.filter(|e| e.extn_id == ID_CE_KEY_USAGE) {
            match KeyUsage::from_der(ext.extn_value.as_bytes()) {
                Ok(ku) if ku.non_repudiation() || ku.digital_signature() => {}
                Ok(_) => f.fail(
                    SubIndication::ChainConstraintsFailure,
                    format!(
                        "the keyUsage of {} allows neither nonRepudiation nor digitalSignature",
                        cert.subject()
                    ),
                ),
                Err(e) => f.fail(
                    SubIndication::ChainConstraintsFailure,
                    format!("malformed keyUsage: {e}"),
                ),
            }
        }
    }

    fn path_problem(
        &self,
        error: &PathError,
        cert: &Cert,
        intermediates: &[Cert],
        crls: &CrlSet,
        report: &SignatureReport,
        f: &mut Findings,
    ) {
        use SubIndication as S;
        match error {
            PathError::NoPath { .. } => f.fail(S::NoCertificateChainFound, error.to_string()),
            PathError::NotYetValid { depth: 0, .. } => f.fail(
                S::NotYetValid,
                format!(
                    "{error}: the signature cannot have been made while the certificate was valid"
                ),
            ),
            PathError::NotYetValid { .. } => {
                f.fail(S::CertificateChainGeneralFailure, error.to_string())
            }
            PathError::Expired { not_after, .. } => {
                // Without proof of existence before expiry this is
                // OUT_OF_BOUNDS_NO_POE — but only if the path was otherwise
                // sound while it was valid; re-validate then so that an
                // expiry never masks a worse problem.
                let then = UnixTime(not_after.0.saturating_sub(1));
                let earlier = self.chains.validate(cert, intermediates, crls, then);
                match &earlier.path {
                    Ok(_) => {
                        let mut shadow = Findings::default();
                        let _ = self.revocation_problems(&earlier.revocation, report, &mut shadow);
                        let revoked = shadow.problems.iter().any(|(s, _)| {
                            matches!(s, S::Revoked | S::RevokedNoPoe | S::RevokedCaNoPoe)
                        });
                        if revoked {
                            f.problems.extend(shadow.problems);
                        }
                        f.fail(
                            S::OutOfBoundsNoPoe,
                            format!("{error}, and there is no proof (time stamp) that the signature existed before"),
                        );
                    }
                    Err(other) if other != error => {
                        self.path_problem(other, cert, intermediates, crls, report, f)
                    }
                    Err(_) => f.fail(S::OutOfBoundsNoPoe, error.to_string()),
                }
            }
            PathError::BadSignature { .. } | PathError::Internal(_) => {
                f.fail(S::CertificateChainGeneralFailure, error.to_string())
            }
            PathError::Constraints { .. } => f.fail(S::ChainConstraintsFailure, error.to_string()),
            _ => f.fail(S::CertificateChainGeneralFailure, error.to_string()),
        }
    }

    /// Records revocation problems; returns whether revocation passed.
    fn revocation_problems(
        &self,
        statuses: &[hozon_pki::CertStatus],
        report: &SignatureReport,
        f: &mut Findings,
    ) -> bool {
        use SubIndication as S;
        let policy = self.chains.policy();
        let mut passed = true;
        for (depth, st) in statuses.iter().enumerate() {
            let who = st.cert.subject();
            match &st.status {
                RevocationStatus::Good { revoked_later, .. } => {
                    if let Some(t) = revoked_later {
                        f.warn(format!(
                            "{who} was revoked at {t}, after the validation time"
                        ));
                    }
                }
                RevocationStatus::Revoked {
                    revoked_at, reason, ..
                } => {
                    passed = false;
                    let reason = reason.as_deref().unwrap_or("no reason given");
                    let msg = format!("{who} was revoked at {revoked_at} ({reason})");
                    let claimed = report
                        .claimed_signing_time
                        .as_deref()
                        .and_then(|t| UnixTime::parse_rfc3339(t).ok());
                    if depth > 0 {
                        f.fail(S::RevokedCaNoPoe, msg);
                    } else if claimed.is_some_and(|c| c >= *revoked_at) {
                        f.fail(
                            S::Revoked,
                            format!("{msg}; the signer claims to have signed after that"),
                        );
                    } else {
                        f.fail(
                            S::RevokedNoPoe,
                            format!("{msg}, and there is no proof the signature existed before"),
                        );
                    }
                }
                RevocationStatus::Unknown { reason } => match policy {
                    RevocationPolicy::Require => {
                        passed = false;
                        f.fail(
                            S::TryLater,
                            format!("revocation status of {who} unknown: {reason}"),
                        );
                    }
                    _ => f.warn(format!("revocation status of {who} unknown: {reason}")),
                },
                RevocationStatus::NotChecked => {
                    f.warn(format!(
                        "revocation of {who} was not checked (--revocation skip)"
                    ));
                }
            }
        }
        passed
    }

    /// Records algorithm policy problems; returns whether the policy passed.
    fn algorithm_problems(
        &self,
        digest: DigestAlgorithm,
        sig_alg: SignatureAlgorithm,
        path: &[Cert],
        f: &mut Findings,
    ) -> bool {
        let at = self.config.validation_time;
        let policy = &self.config.algorithms;
        let mut problems = Vec::new();
        if let Some(p) = policy.digest_problem(digest, at) {
            problems.push(format!("message digest: {p}"));
        }
        if let Some(d) = sig_alg.digest() {
            if let Some(p) = policy.digest_problem(d, at) {
                problems.push(format!("signature: {p}"));
            }
        }
        // Every key of the path, and the signatures on every certificate
        // except the anchor's (whose self-signature is not relied on).
        for (i, cert) in path.iter().enumerate() {
            match self.keys.get(cert) {
                Ok(entry) => {
                    if let Some(p) = policy.key_problem(entry.key()) {
                        problems.push(format!("{}: {p}", cert.subject()));
                    }
                }
                Err(e) => problems.push(e),
            }
            if i + 1 < path.len() {
                let oid = cert.parsed().signature_algorithm.oid;
                let d = SignatureAlgorithm::from_identifier(
                    &cert.parsed().signature_algorithm,
                    DigestAlgorithm::Sha256,
                )
                .ok()
                .and_then(|a| a.digest());
                match d {
                    Some(d) => {
                        if let Some(p) = policy.digest_problem(d, at) {
                            problems.push(format!("signature on {}: {p}", cert.subject()));
                        }
                    }
                    None => problems.push(format!(
                        "signature on {}: unsupported algorithm {oid}",
                        cert.subject()
                    )),
                }
            }
        }
        let passed = problems.is_empty();
        for p in problems {
            f.fail(
                SubIndication::CryptoConstraintsFailureNoPoe,
                format!("{p}, and there is no proof the signature existed while it was acceptable"),
            );
        }
        passed
    }
}

/// The signing-time attribute is a claim, not evidence, so a claim outside
/// the certificate's validity does not decide the verdict; it is worth a
/// reader's attention all the same.
fn warn_signing_time_outside_validity(cert: &Cert, report: &SignatureReport, f: &mut Findings) {
    let Some(claimed) = report
        .claimed_signing_time
        .as_deref()
        .and_then(|t| UnixTime::parse_rfc3339(t).ok())
    else {
        return;
    };
    let (not_before, not_after) = cert.validity_unix();
    let as_time = |s: u64| UnixTime(i64::try_from(s).unwrap_or(i64::MAX));
    if claimed < as_time(not_before) {
        f.warn(format!(
            "the claimed signing time {claimed} is before the signer's certificate became valid ({})",
            as_time(not_before)
        ));
    } else if claimed > as_time(not_after) {
        f.warn(format!(
            "the claimed signing time {claimed} is after the signer's certificate expired ({})",
            as_time(not_after)
        ));
    }
}

/// A problem already recorded in the findings.
struct Reported;

/// The signed attribute `oid` decoded as `T` (`None` when absent). A
/// malformed or duplicated attribute is recorded as a format failure.
fn signed_attr<T: for<'a> Decode<'a>>(
    attrs: Option<&hozon_cms::asn1::x509_cert::attr::Attributes>,
    oid: ObjectIdentifier,
    f: &mut Findings,
) -> Result<Option<T>, Reported> {
    decode_unique::<T>(attrs, oid).map_err(|e| {
        f.fail(SubIndication::FormatFailure, e.to_string());
        Reported
    })
}

/// Records that a mandatory signed attribute is missing.
fn missing(f: &mut Findings, name: &str) {
    f.fail(
        SubIndication::FormatFailure,
        format!("the {name} signed attribute is missing"),
    );
}

fn blank_report(label: &str, content: Option<String>) -> SignatureReport {
    SignatureReport {
        file: label.to_owned(),
        content,
        signer_info: 0,
        format: "CMS".to_owned(),
        level: None,
        indication: Indication::TotalFailed,
        sub_indication: Some(SubIndication::FormatFailure),
        errors: Vec::new(),
        warnings: Vec::new(),
        signer: None,
        claimed_signing_time: None,
        best_signature_time: None,
        timestamps: Vec::new(),
        renew_by: None,
    }
}

/// Whether the file at `path` holds exactly `content` (compared in
/// constant memory).
fn same_content(path: &Path, content: &[u8]) -> std::io::Result<bool> {
    let mut file = File::open(path)?;
    if file.metadata()?.len() != u64::try_from(content.len()).unwrap_or(u64::MAX) {
        return Ok(false);
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut offset = 0;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(offset == content.len());
        }
        let Some(expected) = content.get(offset..offset + n) else {
            return Ok(false);
        };
        if expected != &buf[..n] {
            return Ok(false);
        }
        offset += n;
    }
}

fn note_unvalidated_unsigned_attributes(si: &SignerInfo, f: &mut Findings) {
    let known = [
        (
            rfc3161::ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
            "signature time stamp",
        ),
        (
            etsi_en_319_122::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
            "archive time stamp v3",
        ),
        (
            rfc5126::ID_AA_ETS_ARCHIVE_TIMESTAMP_V2,
            "archive time stamp v2",
        ),
        (rfc5126::ID_AA_ETS_CERT_VALUES, "certificate values"),
        (rfc5126::ID_AA_ETS_REVOCATION_VALUES, "revocation values"),
    ];
    for attr in si.unsigned_attrs.iter().flat_map(|a| a.iter()) {
        if let Some((_, name)) = known.iter().find(|(oid, _)| *oid == attr.oid) {
            f.warn(format!(
                "unsigned attribute {} ({name}) is present but not used by this validation; the signature was validated as B-B at the validation time",
                attr.oid
            ));
        }
    }
}

fn find_signer(sid: &SignerIdentifier, certs: &[Cert]) -> Option<Cert> {
    certs
        .iter()
        .find(|c| match sid {
            SignerIdentifier::IssuerAndSerialNumber(is) => {
                let tbs = &c.parsed().tbs_certificate;
                tbs.issuer == is.issuer && tbs.serial_number == is.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => c
                .parsed()
                .tbs_certificate
                .extensions
                .iter()
                .flatten()
                .filter(|e| e.extn_id == ID_CE_SUBJECT_KEY_IDENTIFIER)
                .any(|e| {
                    SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).is_ok_and(|k| k == *ski)
                }),
        })
        .cloned()
}

fn describe_sid(sid: &SignerIdentifier) -> String {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            let serial: String = is
                .serial_number
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            format!("issuer {}, serial {serial}", is.issuer)
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            let id: String = ski
                .0
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            format!("subject key identifier {id}")
        }
    }
}

fn public_key(cert: &Cert) -> Result<PKey<Public>, String> {
    cert.to_openssl()
        .and_then(|x| x.public_key())
        .map_err(|e| format!("the certificate's public key is unreadable: {e}"))
}

fn make_verifier<'k>(
    key: &'k PKey<Public>,
    alg: SignatureAlgorithm,
) -> Result<openssl::sign::Verifier<'k>, openssl::error::ErrorStack> {
    use openssl::rsa::Padding;
    use openssl::sign::{RsaPssSaltlen, Verifier as V};
    match alg {
        SignatureAlgorithm::Ed25519 => V::new_without_digest(key),
        SignatureAlgorithm::RsaPkcs1v15(d) | SignatureAlgorithm::Ecdsa(d) => {
            V::new(d.message_digest(), key)
        }
        SignatureAlgorithm::RsaPss {
            digest,
            mgf1_digest,
            salt_len,
        } => {
            let mut v = V::new(digest.message_digest(), key)?;
            v.set_rsa_padding(Padding::PKCS1_PSS)?;
            v.set_rsa_mgf1_md(mgf1_digest.message_digest())?;
            v.set_rsa_pss_saltlen(RsaPssSaltlen::custom(i32::from(salt_len)))?;
            Ok(v)
        }
    }
}

fn key_matches_algorithm(key: &PKey<Public>, alg: SignatureAlgorithm) -> bool {
    use openssl::pkey::Id;
    matches!(
        (key.id(), alg),
        (Id::RSA, SignatureAlgorithm::RsaPkcs1v15(_))
            | (Id::RSA | Id::RSA_PSS, SignatureAlgorithm::RsaPss { .. })
            | (Id::EC, SignatureAlgorithm::Ecdsa(_))
            | (Id::ED25519, SignatureAlgorithm::Ed25519)
    )
}

/// Verifies a signature without signed attributes over the content itself.
fn verify_over_content(
    cert: &Cert,
    alg: SignatureAlgorithm,
    signature: &[u8],
    source: &Source<'_>,
) -> Result<bool, DigestError> {
    let Ok(key) = public_key(cert) else {
        return Ok(false);
    };
    if !key_matches_algorithm(&key, alg) || alg == SignatureAlgorithm::Ed25519 {
        return Ok(false);
    }
    let Ok(mut v) = make_verifier(&key, alg) else {
        return Ok(false);
    };
    match source {
        Source::Embedded(c) => Ok(v.update(c).is_ok() && v.verify(signature).unwrap_or(false)),
        Source::Absent(why) => Err(DigestError::Absent(why.clone())),
        Source::File(path) => {
            let mut file = File::open(path)
                .map_err(|e| DigestError::Io(format!("{}: {e}", path.display())))?;
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = file
                    .read(&mut buf)
                    .map_err(|e| DigestError::Io(format!("{}: {e}", path.display())))?;
                if n == 0 {
                    break;
                }
                if v.update(&buf[..n]).is_err() {
                    return Ok(false);
                }
            }
            Ok(v.verify(signature).unwrap_or(false))
        }
    }
}

#[derive(Clone, Debug)]
enum DigestError {
    Absent(String),
    Io(String),
}

/// Content digests per algorithm, computed once per file.
struct DigestCache<'a> {
    source: &'a Source<'a>,
    done: HashMap<DigestAlgorithm, Result<Vec<u8>, DigestError>>,
}

impl<'a> DigestCache<'a> {
    fn new(source: &'a Source<'a>) -> DigestCache<'a> {
        DigestCache {
            source,
            done: HashMap::new(),
        }
    }

    fn get(&mut self, alg: DigestAlgorithm) -> Result<Vec<u8>, DigestError> {
        let source = self.source;
        self.done
            .entry(alg)
            .or_insert_with(|| match source {
                Source::Embedded(c) => alg.digest(c).map_err(|e| DigestError::Io(e.to_string())),
                Source::Absent(why) => Err(DigestError::Absent(why.clone())),
                Source::File(path) => {
                    File::open(path)
                        .and_then(|f| alg.digest_reader(f))
                        .map_err(|e| {
                            DigestError::Io(format!(
                                "cannot read the content {}: {e}",
                                path.display()
                            ))
                        })
                }
            })
            .clone()
    }
}
