//! The signer's revocation pre-check that every signing job runs before
//! its first signature (`sign`, `scan --sign`, `archive init`): a signature
//! made with a revoked certificate fails verification (REVOKED) and can
//! never be raised to B-LT, so the long-term life of a signature starts
//! with a signer known to be good now. [`hozon_pki::check_signer`] does
//! the path validation; this module chooses the anchors and revocation
//! data from the settings and says what each answer means for the job.

use std::path::PathBuf;

use hozon_cms::Cert;
use hozon_pki::{RevocationPolicy, SignerStatus, TrustAnchors, UnixTime};
use hozon_verify::builder::{chain_validator, read_cert_files, read_revocation_files};
use hozon_verify::BuildError;

/// What an undetermined status means for the job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnknownStatus {
    /// Refuse to sign (the default).
    #[default]
    Refuse,
    /// Sign anyway, with a warning (`--revocation best-effort`).
    SignAnyway,
}

/// Where the check's trust anchors and revocation data come from.
#[derive(Clone, Debug, Default)]
pub struct SignerCheck {
    /// Trust anchor files; empty: the root of the signer's own chain.
    pub trust: Vec<PathBuf>,
    /// CRL files.
    pub crls: Vec<PathBuf>,
    /// OCSP response files.
    pub ocsp: Vec<PathBuf>,
    /// Extra certificates for path building.
    pub certs: Vec<PathBuf>,
    /// Fetch nothing.
    pub offline: bool,
    /// What an undetermined status means.
    pub unknown: UnknownStatus,
}

/// The check lets the job sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cleared {
    /// Known good.
    Good,
    /// Not known; signing anyway ([`UnknownStatus::SignAnyway`]), with why.
    Unknown(String),
}

/// Why a signer must not sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// Revoked, or its path is invalid: a failed check.
    NotValid,
    /// Its status cannot be told.
    Unknown,
}

/// A signer that must not sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Why, in one word.
    pub kind: RefusalKind,
    /// The reason, naming the certificate.
    pub message: String,
}

impl Refused {
    /// The code JSON reports give the refusal.
    pub fn code(&self) -> &'static str {
        match self.kind {
            RefusalKind::NotValid => "SIGNER_NOT_VALID",
            RefusalKind::Unknown => "SIGNER_REVOCATION_UNKNOWN",
        }
    }
}

impl SignerCheck {
    /// Checks the signer `certificate` (with its `chain`) now. The outer
    /// error is a settings file that cannot be read.
    pub fn run(
        &self,
        certificate: &Cert,
        chain: &[Cert],
    ) -> Result<Result<Cleared, Refused>, BuildError> {
        let mut candidates = chain.to_vec();
        candidates.extend(read_cert_files(&self.certs)?);
        let anchors = if self.trust.is_empty() {
            hozon_pki::anchors_from_chain(certificate, &candidates)
        } else {
            let mut anchors = TrustAnchors::new();
            for t in &self.trust {
                anchors.add_file(t)?;
            }
            Some(anchors)
        };
        let status = match anchors {
            None => SignerStatus::Undetermined {
                reason: format!(
                    "the chain of {} holds no root certificate to check its issuers against; give --trust ROOTS.pem (or --chain with the root)",
                    certificate.subject()
                ),
            },
            Some(anchors) => {
                let crls = read_revocation_files(&self.crls, &self.ocsp)?;
                let validator =
                    chain_validator(anchors, crls, RevocationPolicy::Require, self.offline)?;
                hozon_pki::check_signer(&validator, certificate, &candidates, UnixTime::now())
            }
        };
        Ok(judge(&certificate.subject(), status, self.unknown))
    }
}

/// What a status means for a job.
fn judge(subject: &str, status: SignerStatus, unknown: UnknownStatus) -> Result<Cleared, Refused> {
    match status {
        SignerStatus::Good { .. } => Ok(Cleared::Good),
        SignerStatus::Revoked {
            subject: revoked,
            revoked_at,
            reason,
            source,
        } => Err(Refused {
            kind: RefusalKind::NotValid,
            message: format!(
                "not signing: the signer's certificate path is revoked: {revoked} was revoked at {revoked_at}{} (per {source}); signatures made with it would fail verification (REVOKED)",
                reason.map(|r| format!(" ({r})")).unwrap_or_default()
            ),
        }),
        SignerStatus::PathInvalid(e) => Err(Refused {
            kind: RefusalKind::NotValid,
            message: format!("not signing: the certificate path of {subject} is not valid: {e}"),
        }),
        SignerStatus::Undetermined { reason } => match unknown {
            UnknownStatus::SignAnyway => Ok(Cleared::Unknown(reason)),
            UnknownStatus::Refuse => Err(Refused {
                kind: RefusalKind::Unknown,
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
    fn undetermined_refuses_unless_signing_anyway() {
        let status = || SignerStatus::Undetermined {
            reason: "no CRL".into(),
        };
        let refused = judge("CN=x", status(), UnknownStatus::Refuse).unwrap_err();
        assert_eq!(refused.kind, RefusalKind::Unknown);
        assert_eq!(refused.code(), "SIGNER_REVOCATION_UNKNOWN");
        assert!(refused.message.contains("no CRL"), "{}", refused.message);
        assert_eq!(
            judge("CN=x", status(), UnknownStatus::SignAnyway),
            Ok(Cleared::Unknown("no CRL".into()))
        );
    }

    #[test]
    fn revoked_refuses_as_not_valid_even_when_signing_anyway() {
        let revoked = SignerStatus::Revoked {
            subject: "CN=r".into(),
            revoked_at: UnixTime(0),
            reason: Some("keyCompromise".into()),
            source: "CRL".into(),
        };
        let refused = judge("CN=r", revoked, UnknownStatus::SignAnyway).unwrap_err();
        assert_eq!(refused.kind, RefusalKind::NotValid);
        assert_eq!(refused.code(), "SIGNER_NOT_VALID");
        assert!(refused.message.contains("keyCompromise"));
    }
}
