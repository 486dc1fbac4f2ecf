//! The revocation pre-check every signing command runs before its first
//! signature (`sign`, `scan --sign`, `archive init`): the CLI side of
//! [`hozon_pki::check_signer`] — which anchors, which revocation data, and
//! what each answer means for the run.

use hozon_pki::{RevocationPolicy, SignerStatus, TrustAnchors, UnixTime};
use hozon_sign::CadesSigner;

use crate::args::SignRevocationArg;
use crate::outcome::Outcome;

/// Where the check's trust anchors and revocation data come from.
pub struct CheckSetup<'a> {
    /// Trust anchor files (`--trust`); empty: the root of the signer's chain.
    pub trust: &'a [std::path::PathBuf],
    /// CRL files.
    pub crls: &'a [std::path::PathBuf],
    /// OCSP response files.
    pub ocsp: &'a [std::path::PathBuf],
    /// Extra certificates for path building.
    pub certs: &'a [std::path::PathBuf],
    /// Fetch nothing.
    pub offline: bool,
    /// What an undetermined status means.
    pub revocation: SignRevocationArg,
}

/// A signer that must not sign: the reason, and the run's outcome.
#[derive(Debug)]
pub struct Refused {
    /// Failed (revoked, invalid path) or Error (cannot tell).
    pub outcome: Outcome,
    /// The reason, naming the certificate.
    pub message: String,
}

/// What the check allows.
#[derive(Debug)]
pub enum Cleared {
    /// Known good.
    Good,
    /// Not known; signing anyway (`--revocation best-effort`), with why.
    Unknown(String),
}

impl Cleared {
    /// The `signer_check` object of JSON reports.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Cleared::Good => serde_json::json!({ "status": "good" }),
            Cleared::Unknown(reason) => serde_json::json!({
                "status": "unknown",
                "code": "SIGNER_REVOCATION_UNKNOWN",
                "message": reason,
            }),
        }
    }

    /// Prints the warning of an unknown status on stderr.
    pub fn print(&self) {
        if let Cleared::Unknown(reason) = self {
            crate::output::error(&format!(
                "warning: signing with --revocation best-effort although the signer's revocation status is unknown: {reason}"
            ));
        }
    }
}

/// Checks the signer of `cades` now.
pub fn check(
    cades: &CadesSigner,
    setup: &CheckSetup<'_>,
) -> anyhow::Result<Result<Cleared, Refused>> {
    let signer = cades.signer();
    let cert = signer.certificate();
    let mut candidates = signer.chain().to_vec();
    candidates.extend(crate::verify::read_cert_files(setup.certs)?);
    let anchors = if setup.trust.is_empty() {
        hozon_pki::anchors_from_chain(cert, &candidates)
    } else {
        let mut anchors = TrustAnchors::new();
        for t in setup.trust {
            anchors.add_file(t)?;
        }
        Some(anchors)
    };
    let status = match anchors {
        None => SignerStatus::Undetermined {
            reason: format!(
                "the chain of {} holds no root certificate to check its issuers against; give --trust ROOTS.pem (or --chain with the root)",
                cert.subject()
            ),
        },
        Some(anchors) => {
            let crls = crate::verify::read_revocation_files(setup.crls, setup.ocsp)?;
            let validator = crate::verify::chain_validator(
                anchors,
                crls,
                RevocationPolicy::Require,
                setup.offline,
            )?;
            hozon_pki::check_signer(&validator, cert, &candidates, UnixTime::now())
        }
    };
    Ok(judge(&cert.subject(), status, setup.revocation))
}

/// [`check`], with a refusal printed (on stderr, and as `{"refused": …}`
/// with `json`): the run goes on with `Ok(cleared)` or ends with
/// `Err(outcome)`.
pub fn gate(
    cades: &CadesSigner,
    setup: &CheckSetup<'_>,
    json: bool,
) -> anyhow::Result<Result<Cleared, Outcome>> {
    match check(cades, setup)? {
        Ok(cleared) => {
            if !json {
                cleared.print();
            }
            Ok(Ok(cleared))
        }
        Err(refused) => {
            crate::output::error(&refused.message);
            if json {
                let code = match refused.outcome {
                    Outcome::Failed => "SIGNER_NOT_VALID",
                    _ => "SIGNER_REVOCATION_UNKNOWN",
                };
                crate::output::json(&serde_json::json!({
                    "refused": { "code": code, "message": refused.message },
                }))?;
            }
            Ok(Err(refused.outcome))
        }
    }
}

/// What a status means for a run.
fn judge(
    subject: &str,
    status: SignerStatus,
    revocation: SignRevocationArg,
) -> Result<Cleared, Refused> {
    match status {
        SignerStatus::Good { .. } => Ok(Cleared::Good),
        SignerStatus::Revoked {
            subject: revoked,
            revoked_at,
            reason,
            source,
        } => Err(Refused {
            outcome: Outcome::Failed,
            message: format!(
                "not signing: the signer's certificate path is revoked: {revoked} was revoked at {revoked_at}{} (per {source}); signatures made with it would fail verification (REVOKED)",
                reason.map(|r| format!(" ({r})")).unwrap_or_default()
            ),
        }),
        SignerStatus::PathInvalid(e) => Err(Refused {
            outcome: Outcome::Failed,
            message: format!("not signing: the certificate path of {subject} is not valid: {e}"),
        }),
        SignerStatus::Undetermined { reason } => match revocation {
            SignRevocationArg::BestEffort => Ok(Cleared::Unknown(reason)),
            SignRevocationArg::Require => Err(Refused {
                outcome: Outcome::Error,
                message: format!(
                    "not signing: cannot tell whether the signer {subject} is revoked: {reason}\n(give revocation data with --crl/--ocsp, or leave out --offline; --revocation best-effort signs anyway)"
                ),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undetermined_refuses_with_exit_4_unless_best_effort() {
        let status = || SignerStatus::Undetermined {
            reason: "no CRL".into(),
        };
        let refused = judge("CN=x", status(), SignRevocationArg::Require).unwrap_err();
        assert_eq!(refused.outcome, Outcome::Error);
        assert!(refused.message.contains("no CRL"), "{}", refused.message);
        match judge("CN=x", status(), SignRevocationArg::BestEffort) {
            Ok(Cleared::Unknown(reason)) => assert_eq!(reason, "no CRL"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn revoked_refuses_with_exit_1_even_best_effort() {
        let revoked = SignerStatus::Revoked {
            subject: "CN=r".into(),
            revoked_at: UnixTime(0),
            reason: Some("keyCompromise".into()),
            source: "CRL".into(),
        };
        let refused = judge("CN=r", revoked, SignRevocationArg::BestEffort).unwrap_err();
        assert_eq!(refused.outcome, Outcome::Failed);
        assert!(refused.message.contains("keyCompromise"));
    }
}
