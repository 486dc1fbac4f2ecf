//! What adapters of other signature formats (hozon-xades) validate with:
//! the verifier's chain validator, configuration and key cache, so that a
//! XAdES signature is judged against the same anchors, revocation data,
//! policy and validation time as a CAdES one in the same run.

use hozon_cms::KeyCache;
use hozon_pki::ChainValidator;

use crate::{Verifier, VerifierConfig};

impl Verifier {
    /// The chain validator (trust anchors, CRLs, revocation policy).
    pub fn chains(&self) -> &ChainValidator {
        &self.chains
    }

    /// The configuration (validation time, algorithm policy, extra
    /// certificates).
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// The public-key cache.
    pub fn keys(&self) -> &KeyCache {
        &self.keys
    }
}
