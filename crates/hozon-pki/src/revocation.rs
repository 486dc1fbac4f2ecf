//! Revocation policy and the status of one certificate at one time.

use hozon_cms::asn1::x509_cert::ext::pkix::CrlReason;

use crate::UnixTime;

/// How far in the future the thisUpdate of a CRL or an OCSP response may be
/// before we distrust it (clock skew between the CA and us).
pub const CLOCK_SKEW_SECS: i64 = 300;

/// The accessors a [`crate::Crl`] and an [`crate::OcspResponse`] share, on
/// their fields `embedded`, `der` and `sha256`: whether the data came from
/// inside the signature being validated, its DER (for an OCSP response the
/// OCSPResponse, what id-ri-ocsp-response carries) and the DER's SHA-256.
macro_rules! carried_accessors {
    ($type:ident, $what:literal) => {
        impl $type {
            #[doc = concat!("Marks the ", $what, " as carried inside the signature being validated.")]
            pub fn embedded(mut self) -> $type {
                self.embedded = true;
                self
            }

            #[doc = concat!("Whether the ", $what, " came from inside the signature.")]
            pub fn is_embedded(&self) -> bool {
                self.embedded
            }

            #[doc = concat!("The DER encoding of the ", $what, ".")]
            pub fn der(&self) -> &[u8] {
                &self.der
            }

            #[doc = concat!("Where the ", $what, " was read from, as named when it was decoded (a file, a URL, the signature).")]
            pub fn origin(&self) -> &str {
                &self.origin
            }

            #[doc = concat!("SHA-256 of [`", stringify!($type), "::der`].")]
            pub fn sha256(&self) -> &[u8; 32] {
                &self.sha256
            }
        }
    };
}
pub(crate) use carried_accessors;

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

/// A revocation policy name other than `require`, `best-effort` or `skip`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown revocation policy {0:?} (require, best-effort or skip)")]
pub struct UnknownRevocationPolicy(pub String);

impl std::str::FromStr for RevocationPolicy {
    type Err = UnknownRevocationPolicy;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "require" => Ok(RevocationPolicy::Require),
            "best-effort" => Ok(RevocationPolicy::BestEffort),
            "skip" => Ok(RevocationPolicy::Skip),
            _ => Err(UnknownRevocationPolicy(s.to_owned())),
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

/// The RFC 5280 §5.3.1 name of a CRL reason code (CRLs and OCSP responses
/// give the same codes).
pub(crate) fn reason_name(r: CrlReason) -> String {
    match r {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
    .to_owned()
}
