//! Before the first signature of a run: is the signer's own certificate
//! path valid now, and is none of it revoked?
//!
//! A signature made with a revoked certificate is TOTAL_FAILED (REVOKED) the
//! moment anyone verifies it (ETSI EN 319 102-1 §5.2.6), so making it is
//! pointless at best and, in an archive, poisons every later ingest. The
//! check is the one `verify` runs on a signature's signing certificate: the
//! same [`ChainValidator`] (path validation by OpenSSL, revocation at the
//! validation time from the configured CRLs and OCSP responses, fetched
//! ones unless offline), applied to the signer's certificate and the chain
//! it carries, at the current time.

use hozon_cms::Cert;

use crate::{ChainValidator, CrlSet, PathError, RevocationStatus, TrustAnchors, UnixTime};

/// What the check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerStatus {
    /// A valid path whose every certificate (but the anchor) is known not
    /// to be revoked now.
    Good {
        /// The path, signer first, anchor last.
        path: Vec<Cert>,
        /// Where each status came from, signer first.
        sources: Vec<String>,
    },
    /// A certificate of the path is revoked: signatures made now fail.
    Revoked {
        /// The revoked certificate's subject.
        subject: String,
        /// Its revocationDate.
        revoked_at: UnixTime,
        /// The CRL reason, when given.
        reason: Option<String>,
        /// The CRL or OCSP response that says so.
        source: String,
    },
    /// The path itself is invalid (a bad signature on a certificate,
    /// constraints violated, a certificate expired or not yet valid).
    PathInvalid(PathError),
    /// Whether the signer is revoked cannot be told: no path to an anchor,
    /// or no usable revocation data for some certificate of the path.
    Undetermined {
        /// Why, naming the certificate.
        reason: String,
    },
}

/// The trust anchors to check a signer against when the user gave none:
/// the self-signed certificate the signer's own chain ends in. The check is
/// then about revocation only; whether that root is trusted is for
/// `verify --trust` to say. `None` when the chain holds no self-signed
/// certificate other than the signer's (its issuer is unknown).
pub fn anchors_from_chain(signer: &Cert, chain: &[Cert]) -> Option<TrustAnchors> {
    let root = chain
        .iter()
        .find(|c| c.sha256() != signer.sha256() && is_self_issued(c))?;
    let mut anchors = TrustAnchors::new();
    anchors.add(root.clone());
    Some(anchors)
}

fn is_self_issued(cert: &Cert) -> bool {
    let tbs = &cert.parsed().tbs_certificate;
    tbs.subject == tbs.issuer
}

/// Validates `signer` (with `chain` as candidate issuers) at `at` with
/// `validator`, revocation included whatever the validator's policy: the
/// caller decides what an undetermined status means.
pub fn check_signer(
    validator: &ChainValidator,
    signer: &Cert,
    chain: &[Cert],
    at: UnixTime,
) -> SignerStatus {
    let path = match crate::path::validate(validator.anchors(), signer, chain, at) {
        Ok(path) => path,
        Err(e @ PathError::NoPath { .. }) => {
            return SignerStatus::Undetermined {
                reason: e.to_string(),
            }
        }
        Err(e) => return SignerStatus::PathInvalid(e),
    };
    if path.len() < 2 {
        return SignerStatus::Undetermined {
            reason: format!(
                "{} is itself the trust anchor: there is no issuer to ask about its revocation",
                signer.subject()
            ),
        };
    }
    let mut sources = Vec::new();
    let mut unknown = Vec::new();
    for pair in path.windows(2) {
        let (status, _) = validator.status_with_evidence(&pair[0], &pair[1], &CrlSet::new(), at);
        match status {
            RevocationStatus::Good { source, .. } => sources.push(source),
            RevocationStatus::Revoked {
                revoked_at,
                reason,
                source,
            } => {
                return SignerStatus::Revoked {
                    subject: pair[0].subject(),
                    revoked_at,
                    reason,
                    source,
                }
            }
            RevocationStatus::Unknown { reason } => {
                unknown.push(format!("{}: {reason}", pair[0].subject()))
            }
            RevocationStatus::NotChecked => {
                unknown.push(format!("{}: revocation not checked", pair[0].subject()))
            }
        }
    }
    if unknown.is_empty() {
        SignerStatus::Good { path, sources }
    } else {
        SignerStatus::Undetermined {
            reason: unknown.join("; "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Crl, RevocationPolicy};
    use std::sync::Arc;

    fn pki(name: &str) -> std::path::PathBuf {
        hozon_testkit::Pki::testdata_dir().join(name)
    }

    fn cert(name: &str) -> Cert {
        let bytes = std::fs::read(pki(name)).unwrap();
        Cert::read_bundle(&bytes).unwrap().remove(0)
    }

    fn chain() -> Vec<Cert> {
        Cert::read_bundle(&std::fs::read(pki("chain.pem")).unwrap()).unwrap()
    }

    fn validator(with_crls: bool) -> ChainValidator {
        let mut anchors = TrustAnchors::new();
        anchors.add_file(&pki("trust.pem")).unwrap();
        let mut crls = CrlSet::new();
        if with_crls {
            for crl in Crl::read_file(&pki("crls.pem")).unwrap() {
                crls.add(Arc::new(crl));
            }
        }
        ChainValidator::new(anchors, crls, RevocationPolicy::Require, UnixTime::now())
    }

    #[test]
    fn a_good_signer_is_good_with_a_source_per_certificate() {
        let status = check_signer(
            &validator(true),
            &cert("signer-doctor.crt"),
            &chain(),
            UnixTime::now(),
        );
        match status {
            SignerStatus::Good { path, sources } => {
                assert_eq!(path.len(), 3);
                assert_eq!(sources.len(), 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_revoked_signer_is_revoked_with_reason_and_source() {
        let status = check_signer(
            &validator(true),
            &cert("signer-revoked.crt"),
            &chain(),
            UnixTime::now(),
        );
        match status {
            SignerStatus::Revoked {
                subject,
                reason,
                source,
                ..
            } => {
                assert!(subject.contains("CN="), "{subject}");
                assert_eq!(reason.as_deref(), Some("keyCompromise"));
                assert!(!source.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_revocation_data_offline_is_undetermined() {
        let status = check_signer(
            &validator(false),
            &cert("signer-doctor.crt"),
            &chain(),
            UnixTime::now(),
        );
        assert!(
            matches!(status, SignerStatus::Undetermined { .. }),
            "{status:?}"
        );
    }

    #[test]
    fn no_path_to_an_anchor_is_undetermined() {
        let status = check_signer(
            &validator(true),
            &cert("signer-untrusted.crt"),
            &[],
            UnixTime::now(),
        );
        assert!(
            matches!(status, SignerStatus::Undetermined { ref reason } if reason.contains("no certification path")),
            "{status:?}"
        );
    }

    #[test]
    fn an_expired_signer_is_an_invalid_path() {
        let status = check_signer(
            &validator(true),
            &cert("signer-expired.crt"),
            &chain(),
            UnixTime::now(),
        );
        assert!(
            matches!(status, SignerStatus::PathInvalid(PathError::Expired { .. })),
            "{status:?}"
        );
    }

    #[test]
    fn anchors_from_chain_take_the_self_signed_root_only() {
        let chain = chain();
        let anchors = anchors_from_chain(&cert("signer-doctor.crt"), &chain).unwrap();
        assert_eq!(anchors.certs().len(), 1);
        assert!(anchors.certs()[0].subject().contains("Root"));
        assert!(anchors_from_chain(&cert("signer-doctor.crt"), &chain[..1]).is_none());
        assert!(anchors_from_chain(&cert("signer-doctor.crt"), &[]).is_none());
    }
}
