//! Until when an archive time stamp protects what it covers, and **why**:
//! the end is the earlier of its TSA certificate's expiry and the sunset
//! of its algorithms (the TSA key, the imprint digest) under the
//! algorithm policy. `renew_by` is that end minus a margin; the reason
//! says which of the two dates drives it, so that an operator knows what
//! a renewal must change to move it (a TSA certificate that lives longer,
//! a stronger TSA key, or a stronger digest by hash-tree renewal).
//!
//! This is the one place that decides "which date"; when the dated crypto
//! policy table replaces [`AlgorithmPolicy::sunset`], only this function
//! changes.

use hozon_cms::{Cert, DigestAlgorithm, UnixTime};

use crate::AlgorithmPolicy;

/// What ends the protection of a stamp first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineDriver {
    /// The TSA certificate's notAfter.
    TsaCertificateExpiry,
    /// The TSA key's algorithm or size reaches its sunset.
    TsaKey,
    /// The imprint (hash tree) digest reaches its sunset.
    Digest,
}

/// The end of what a stamp protects and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// The end (before any margin).
    pub end: UnixTime,
    /// Which date it is.
    pub driver: DeadlineDriver,
    /// One line for reports: the date's origin and what would move it.
    pub reason: String,
}

/// The deadline of a stamp made by `tsa` over a `digest` imprint.
pub fn renewal_deadline(tsa: &Cert, digest: DigestAlgorithm, policy: &AlgorithmPolicy) -> Deadline {
    let (_, not_after) = tsa.validity_unix();
    let expiry = UnixTime(i64::try_from(not_after).unwrap_or(i64::MAX));
    let key = tsa.to_openssl().and_then(|x| x.public_key()).ok();
    let key_sunset = key.as_ref().and_then(|k| policy.sunset(k, None));
    let digest_sunset = key
        .as_ref()
        .and_then(|k| policy.sunset(k, Some(digest)))
        .filter(|d| key_sunset.is_none_or(|k| *d < k));
    let key_name = key
        .as_ref()
        .map(|k| match k.id() {
            openssl::pkey::Id::RSA => format!("RSA-{}", k.bits()),
            openssl::pkey::Id::EC => format!("EC-{}", k.bits()),
            other => format!("key type {} of {} bits", other.as_raw(), k.bits()),
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let mut out = Deadline {
        end: expiry,
        driver: DeadlineDriver::TsaCertificateExpiry,
        reason: format!(
            "the TSA certificate {} expires at {expiry} (a renewal with a TSA whose certificate lives longer moves it)",
            tsa.subject()
        ),
    };
    if let Some(k) = key_sunset.filter(|k| *k < out.end) {
        out = Deadline {
            end: k,
            driver: DeadlineDriver::TsaKey,
            reason: format!(
                "the TSA key ({key_name}) is acceptable until {k} under the algorithm policy (a renewal with a TSA whose key is stronger moves it)"
            ),
        };
    }
    if let Some(d) = digest_sunset.filter(|d| *d < out.end) {
        out = Deadline {
            end: d,
            driver: DeadlineDriver::Digest,
            reason: format!(
                "the digest {} is acceptable until {d} under the algorithm policy (a hash-tree renewal with a stronger digest, --digest sha512, moves it)",
                digest.name()
            ),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_tsa() -> Cert {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/pki/tsa.crt");
        Cert::read_bundle(&std::fs::read(path).unwrap())
            .unwrap()
            .remove(0)
    }

    #[test]
    fn an_rsa_2048_tsa_is_driven_by_the_key_sunset() {
        // The test TSA: RSA-2048, certificate until 2045.
        let policy = AlgorithmPolicy::default();
        let due = renewal_deadline(&test_tsa(), DigestAlgorithm::Sha256, &policy);
        assert_eq!(due.driver, DeadlineDriver::TsaKey, "{due:?}");
        let band = policy
            .rsa
            .iter()
            .rev()
            .find(|b| b.min_bits <= 2048)
            .unwrap();
        assert_eq!(due.end, band.sunset.as_ref().unwrap().from);
        assert!(due.reason.contains("RSA-2048"), "{}", due.reason);
    }

    #[test]
    fn without_a_key_sunset_the_certificate_expiry_drives() {
        let mut policy = AlgorithmPolicy::default();
        for band in &mut policy.rsa {
            band.sunset = None;
        }
        let tsa = test_tsa();
        let due = renewal_deadline(&tsa, DigestAlgorithm::Sha256, &policy);
        assert_eq!(due.driver, DeadlineDriver::TsaCertificateExpiry, "{due:?}");
        assert_eq!(due.end.0, i64::try_from(tsa.validity_unix().1).unwrap());
        assert!(due.reason.contains("expires"), "{}", due.reason);
    }

    #[test]
    fn sha1_imprints_are_driven_by_the_digest_sunset() {
        let policy = AlgorithmPolicy::default();
        let due = renewal_deadline(&test_tsa(), DigestAlgorithm::Sha1, &policy);
        assert_eq!(due.driver, DeadlineDriver::Digest, "{due:?}");
        assert_eq!(due.end, policy.digests[&DigestAlgorithm::Sha1].from);
        assert!(due.reason.contains("--digest sha512"), "{}", due.reason);
    }
}
