//! X.509 certificate validation (EN 319 102-1 §5.2.6) with revocation at a
//! given time, and signature acceptance for algorithms (§5.2.8), for
//! signers and TSAs alike.

use hozon_cms::asn1::const_oid::db::rfc5280::ID_CE_KEY_USAGE;
use hozon_cms::asn1::der::Decode;
use hozon_cms::asn1::x509_cert::ext::pkix::KeyUsage;
use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};
use hozon_pki::{
    CertStatus, CrlSet, PathError, RevocationEvidence, RevocationPolicy, RevocationStatus, UnixTime,
};

use crate::codes::Code;
use crate::findings::Findings;
use crate::report::SubIndication;
use crate::Verifier;

/// The result of validating one certificate at one time.
pub(crate) struct ChainOutcome {
    /// The path, end entity first, when one is valid.
    pub(crate) path: Option<Vec<Cert>>,
    /// Whether revocation checking passed (for the policy in force).
    pub(crate) revocation_ok: bool,
}

/// The sub-indications that proof of existence at an earlier time can
/// resolve (EN 319 102-1 §5.6.2.1, past signature validation).
pub(crate) fn curable_with_poe(sub: SubIndication) -> bool {
    use SubIndication as S;
    matches!(
        sub,
        S::OutOfBoundsNoPoe
            | S::OutOfBoundsNotRevoked
            | S::RevokedNoPoe
            | S::RevokedCaNoPoe
            | S::Revoked
            | S::TryLater
    )
}

impl Verifier {
    /// The signing certificate's keyUsage must allow signatures.
    pub(crate) fn check_key_usage(&self, cert: &Cert, f: &mut Findings) {
        let exts = cert.parsed().tbs_certificate.extensions.iter().flatten();
        for ext in exts.filter(|e| e.extn_id == ID_CE_KEY_USAGE) {
            match KeyUsage::from_der(ext.extn_value.as_bytes()) {
                Ok(ku) if ku.non_repudiation() || ku.digital_signature() => {}
                Ok(_) => f.fail(
                    SubIndication::ChainConstraintsFailure,
                    Code::KeyUsageNotSigning,
                    format!(
                        "the keyUsage of {} allows neither nonRepudiation nor digitalSignature",
                        cert.subject()
                    ),
                ),
                Err(e) => f.fail(
                    SubIndication::ChainConstraintsFailure,
                    Code::KeyUsageMalformed,
                    format!("malformed keyUsage: {e}"),
                ),
            }
        }
    }

    /// Validates `cert`'s path at `at`, with revocation judged at `at`.
    /// `claimed` is the time the signer claims (the signing-time attribute),
    /// or the proven time of a TSA's own token: a revocation at or before it
    /// is a proven failure (REVOKED), otherwise it lacks proof
    /// (REVOKED_NO_POE).
    pub(crate) fn validate_certificate(
        &self,
        cert: &Cert,
        intermediates: &[Cert],
        crls: &CrlSet,
        at: UnixTime,
        claimed: Option<UnixTime>,
        f: &mut Findings,
    ) -> ChainOutcome {
        let chain = self.chains.validate(cert, intermediates, crls, at);
        match &chain.path {
            Ok(path) => {
                let mut used = crate::evidence::Evidence {
                    certs: path.clone(),
                    ..Default::default()
                };
                for st in &chain.revocation {
                    match &st.evidence {
                        Some(RevocationEvidence::Crl(c)) => used.crls.push(c.clone()),
                        Some(RevocationEvidence::Ocsp(o)) => used.ocsp.push(o.clone()),
                        None => {}
                    }
                }
                f.evidence.merge(used);
                ChainOutcome {
                    path: Some(path.clone()),
                    revocation_ok: self.revocation_problems(&chain.revocation, claimed, f),
                }
            }
            Err(e) => {
                self.path_problem(e, cert, intermediates, crls, claimed, f);
                ChainOutcome {
                    path: None,
                    revocation_ok: false,
                }
            }
        }
    }

    fn path_problem(
        &self,
        error: &PathError,
        cert: &Cert,
        intermediates: &[Cert],
        crls: &CrlSet,
        claimed: Option<UnixTime>,
        f: &mut Findings,
    ) {
        use SubIndication as S;
        match error {
            PathError::NoPath { .. } => f.fail(
                S::NoCertificateChainFound,
                Code::NoCertificateChain,
                error.to_string(),
            ),
            PathError::NotYetValid { depth: 0, .. } => f.fail(
                S::NotYetValid,
                Code::CertificateNotYetValid,
                format!(
                    "{error}: the signature cannot have been made while the certificate was valid"
                ),
            ),
            PathError::NotYetValid { .. } => f.fail(
                S::CertificateChainGeneralFailure,
                Code::CertificateChainBroken,
                error.to_string(),
            ),
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
                        let _ = self.revocation_problems(&earlier.revocation, claimed, &mut shadow);
                        if shadow.has(S::Revoked)
                            || shadow.has(S::RevokedNoPoe)
                            || shadow.has(S::RevokedCaNoPoe)
                        {
                            f.problems.extend(shadow.problems);
                        }
                        f.fail(
                            S::OutOfBoundsNoPoe,
                            Code::CertificateExpiredNoPoe,
                            format!("{error}, and there is no proof (time stamp) that the signature existed before"),
                        );
                    }
                    Err(other) if other != error => {
                        self.path_problem(other, cert, intermediates, crls, claimed, f)
                    }
                    Err(_) => f.fail(
                        S::OutOfBoundsNoPoe,
                        Code::CertificateExpiredNoPoe,
                        error.to_string(),
                    ),
                }
            }
            PathError::BadSignature { .. } | PathError::Internal(_) => f.fail(
                S::CertificateChainGeneralFailure,
                Code::CertificateChainBroken,
                error.to_string(),
            ),
            PathError::Constraints { .. } => f.fail(
                S::ChainConstraintsFailure,
                Code::ChainConstraints,
                error.to_string(),
            ),
            _ => f.fail(
                S::CertificateChainGeneralFailure,
                Code::CertificateChainBroken,
                error.to_string(),
            ),
        }
    }

    /// Records revocation problems; returns whether revocation passed.
    fn revocation_problems(
        &self,
        statuses: &[CertStatus],
        claimed: Option<UnixTime>,
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
                        f.warn(
                            Code::RevokedLater,
                            format!(
                                "{who} was revoked at {t}, after the time it was validated for"
                            ),
                        );
                    }
                }
                RevocationStatus::Revoked {
                    revoked_at, reason, ..
                } => {
                    passed = false;
                    let reason = reason.as_deref().unwrap_or("no reason given");
                    let msg = format!("{who} was revoked at {revoked_at} ({reason})");
                    if depth > 0 {
                        f.fail(S::RevokedCaNoPoe, Code::CaCertificateRevokedNoPoe, msg);
                    } else if claimed.is_some_and(|c| c >= *revoked_at) {
                        f.fail(
                            S::Revoked,
                            Code::CertificateRevoked,
                            format!("{msg}; the signature was made after that"),
                        );
                    } else {
                        f.fail(
                            S::RevokedNoPoe,
                            Code::CertificateRevokedNoPoe,
                            format!("{msg}, and there is no proof the signature existed before"),
                        );
                    }
                }
                RevocationStatus::Unknown { reason } => match policy {
                    RevocationPolicy::Require => {
                        passed = false;
                        f.fail(
                            S::TryLater,
                            Code::RevocationUnknown,
                            format!("revocation status of {who} unknown: {reason}"),
                        );
                    }
                    _ => f.warn(
                        Code::RevocationUnknown,
                        format!("revocation status of {who} unknown: {reason}"),
                    ),
                },
                RevocationStatus::NotChecked => {
                    f.warn(
                        Code::RevocationNotChecked,
                        format!("revocation of {who} was not checked (--revocation skip)"),
                    );
                }
            }
        }
        passed
    }

    /// Records algorithm problems of a signature made at (or proven to exist
    /// at) `at`: its digests, and every key and certificate signature of the
    /// path except the anchor's self-signature. Returns whether all passed.
    pub(crate) fn algorithm_problems(
        &self,
        digest: DigestAlgorithm,
        sig_alg: Option<SignatureAlgorithm>,
        path: &[Cert],
        at: UnixTime,
        f: &mut Findings,
    ) -> bool {
        let policy = &self.config.algorithms;
        let mut problems = Vec::new();
        if let Some(p) = policy.digest_problem(digest, at) {
            problems.push(format!("message digest: {p}"));
        }
        if let Some(p) = sig_alg
            .and_then(|a| a.digest())
            .and_then(|d| policy.digest_problem(d, at))
        {
            problems.push(format!("signature: {p}"));
        }
        for (i, cert) in path.iter().enumerate() {
            match self.keys.get(cert) {
                Ok(entry) => {
                    if let Some(p) = policy.key_problem(entry.key(), at) {
                        problems.push(format!("{}: {p}", cert.subject()));
                    }
                }
                Err(e) => problems.push(e.to_string()),
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
                Code::AlgorithmNotAcceptable,
                format!(
                    "{p}, and there is no proof of existence from a time when it was acceptable"
                ),
            );
        }
        passed
    }
}
