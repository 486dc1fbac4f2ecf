//! Algorithm policy: which digests and key sizes are acceptable, and until
//! when. A signature whose algorithms were acceptable when it was made stays
//! valid only with proof of existence from that time (a time stamp); without
//! it, it is judged at the validation time.

use hozon_cms::DigestAlgorithm;
use hozon_pki::UnixTime;

/// Acceptable algorithms and key sizes over time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgorithmPolicy {
    /// SHA-1 is acceptable in signatures before this time. Default:
    /// 2016-01-01, when public CAs stopped issuing SHA-1 signatures (CA/B
    /// Forum) and after HPKI's move to SHA-256.
    pub sha1_until: UnixTime,
    /// RSA keys shorter than this are rejected (default 2048, the HPKI and
    /// MHLW floor; NIST SP 800-131A disallowed 1024 after 2013).
    pub min_rsa_bits: u32,
    /// EC keys smaller than this are rejected (default 256).
    pub min_ec_bits: u32,
    /// RSA keys shorter than 3072 bits (112-bit security) protect only
    /// until this time: NIST SP 800-57 Part 1 Rev. 5 §5.6.3 accepts 112-bit
    /// security "through 2030" (CRYPTREC's list sets the same horizon for
    /// RSA-2048). Default: 2031-01-01. Archive time stamps by such keys
    /// must be renewed (with a stronger TSA key) before it: `renew_by`.
    pub rsa_112_bit_until: UnixTime,
}

impl Default for AlgorithmPolicy {
    fn default() -> Self {
        AlgorithmPolicy {
            // 2016-01-01T00:00:00Z
            sha1_until: UnixTime(1_451_606_400),
            min_rsa_bits: 2048,
            min_ec_bits: 256,
            // 2031-01-01T00:00:00Z
            rsa_112_bit_until: UnixTime(1_924_992_000),
        }
    }
}

impl AlgorithmPolicy {
    /// Why `digest` is not acceptable at `at`, or `None`.
    pub fn digest_problem(&self, digest: DigestAlgorithm, at: UnixTime) -> Option<String> {
        match digest {
            DigestAlgorithm::Md5 => {
                Some("MD5 is not acceptable at any time (collisions since 2004)".to_owned())
            }
            DigestAlgorithm::Sha1 if at >= self.sha1_until => Some(format!(
                "SHA-1 is acceptable only before {}; the validation time is {at}",
                self.sha1_until
            )),
            _ => None,
        }
    }

    /// Why a public key of this type and size is not acceptable, or `None`.
    pub fn key_problem(
        &self,
        key: &openssl::pkey::PKeyRef<openssl::pkey::Public>,
    ) -> Option<String> {
        use openssl::pkey::Id;
        let bits = key.bits();
        match key.id() {
            Id::RSA if bits < self.min_rsa_bits => Some(format!(
                "RSA-{bits} key is too short; at least {} bits are required",
                self.min_rsa_bits
            )),
            Id::EC if bits < self.min_ec_bits => Some(format!(
                "EC key of {bits} bits is too small; at least {} are required",
                self.min_ec_bits
            )),
            Id::DSA => Some("DSA keys are not accepted".to_owned()),
            _ => None,
        }
    }

    /// Until when a time stamp made with this TSA key and imprint digest
    /// still protects what it covers (its algorithms' sunset), if ever.
    pub fn sunset(
        &self,
        key: &openssl::pkey::PKeyRef<openssl::pkey::Public>,
        digest: Option<DigestAlgorithm>,
    ) -> Option<UnixTime> {
        let key_sunset = (key.id() == openssl::pkey::Id::RSA && key.bits() < 3072)
            .then_some(self.rsa_112_bit_until);
        let digest_sunset = match digest {
            Some(DigestAlgorithm::Md5) => Some(UnixTime(0)),
            Some(DigestAlgorithm::Sha1) => Some(self.sha1_until),
            _ => None,
        };
        match (key_sunset, digest_sunset) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rsa(bits: u32) -> openssl::pkey::PKey<openssl::pkey::Public> {
        let key = openssl::rsa::Rsa::generate(bits).unwrap();
        let public = openssl::rsa::Rsa::from_public_components(
            key.n().to_owned().unwrap(),
            key.e().to_owned().unwrap(),
        )
        .unwrap();
        openssl::pkey::PKey::from_rsa(public).unwrap()
    }

    #[test]
    fn sunsets_follow_key_size_and_digest() {
        let p = AlgorithmPolicy::default();
        let rsa2048 = rsa(2048);
        let rsa3072 = rsa(3072);
        assert_eq!(
            p.sunset(&rsa2048, Some(DigestAlgorithm::Sha256)),
            Some(p.rsa_112_bit_until)
        );
        assert_eq!(p.sunset(&rsa3072, Some(DigestAlgorithm::Sha256)), None);
        assert_eq!(
            p.sunset(&rsa3072, Some(DigestAlgorithm::Sha1)),
            Some(p.sha1_until)
        );
        assert_eq!(
            p.sunset(&rsa2048, Some(DigestAlgorithm::Sha1)),
            Some(p.sha1_until)
        );
        assert_eq!(p.sunset(&rsa3072, None), None);
        assert_eq!(p.rsa_112_bit_until.rfc3339(), "2031-01-01T00:00:00Z");
    }
}
