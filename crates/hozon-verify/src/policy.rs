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
}

impl Default for AlgorithmPolicy {
    fn default() -> Self {
        AlgorithmPolicy {
            // 2016-01-01T00:00:00Z
            sha1_until: UnixTime(1_451_606_400),
            min_rsa_bits: 2048,
            min_ec_bits: 256,
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
}
