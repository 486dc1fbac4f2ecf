//! Revocation policy and the status of one certificate at one time.

use crate::UnixTime;

/// What to do when a certificate's revocation status cannot be determined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RevocationPolicy {
    /// Every certificate of the path except the anchor needs a CRL (or, later,
    /// OCSP response) covering the validation time; otherwise the result is
    /// INDETERMINATE (TRY_LATER). The default.
    #[default]
    Require,
    /// Check what revocation data there is; missing data is a warning.
    BestEffort,
    /// Do not check revocation at all (a warning says so).
    Skip,
}

impl std::str::FromStr for RevocationPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "require" => Ok(RevocationPolicy::Require),
            "best-effort" => Ok(RevocationPolicy::BestEffort),
            "skip" => Ok(RevocationPolicy::Skip),
            _ => Err(format!(
                "unknown revocation policy {s:?} (require, best-effort or skip)"
            )),
        }
    }
}

/// The revocation status of one certificate at the validation time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevocationStatus {
    /// Not revoked at the time, per the named source.
    Good {
        /// Which data said so (CRL issuer and thisUpdate).
        source: String,
        /// Set when the certificate was revoked, but only after the time.
        revoked_later: Option<UnixTime>,
    },
    /// Revoked at or before the time.
    Revoked {
        /// revocationDate.
        revoked_at: UnixTime,
        /// CRL reason code, when given (RFC 5280 §5.3.1 name).
        reason: Option<String>,
        /// Which data said so.
        source: String,
    },
    /// No usable revocation data.
    Unknown {
        /// Why (no CRL, CRL stale, CRL signature bad, ...).
        reason: String,
    },
    /// Not checked (the certificate is a trust anchor, or policy skipped it).
    NotChecked,
}
