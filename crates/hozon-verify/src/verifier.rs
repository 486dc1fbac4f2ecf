//! The [`Verifier`] and its settings: what every signature format's
//! validation shares (trust, the validation time, the algorithm policy, the
//! caches of a run). The format entry points are `impl Verifier` blocks of
//! their own: the engine's [`Verifier::verify_container`] in `engine`, the
//! CAdES ones ([`Verifier::verify`] and the like) in `cades`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hozon_cms::{Cert, KeyCache};
use hozon_pki::{ChainValidator, Crl, UnixTime};

use crate::codes::Code;
use crate::findings::Findings;
use crate::report::{SignatureReport, SubIndication};
use crate::verdict::{blank_report, conclude};
use crate::AlgorithmPolicy;

/// What the verifier is configured with besides trust.
#[derive(Clone, Debug)]
pub struct VerifierConfig {
    /// The validation time (`--at`, default now).
    pub validation_time: UnixTime,
    /// Acceptable algorithms.
    pub algorithms: AlgorithmPolicy,
    /// Accept a signature time stamp whose TSA certificate has expired since
    /// (when its path was valid at genTime) even without a later archive
    /// time stamp. Off by default.
    pub accept_expired_tsa: bool,
    /// Certificates to use besides those in the signatures and tokens
    /// (intermediates, or a TSA certificate a token does not carry).
    pub extra_certs: Vec<Cert>,
}

/// Validates signatures; share one across a batch (it caches chain results).
pub struct Verifier {
    pub(crate) chains: ChainValidator,
    pub(crate) config: VerifierConfig,
    pub(crate) keys: KeyCache,
    /// Embedded CRLs decoded once per run: a batch of signatures made by
    /// one CA carries the same few CRLs thousands of times, and a shared
    /// [`Crl`] verifies its signature once (per issuer) for all of them.
    embedded_crls: Mutex<HashMap<[u8; 32], Arc<Crl>>>,
}

/// Embedded CRLs remembered before the memory is emptied.
const EMBEDDED_CRL_LIMIT: usize = 1_000;

impl Verifier {
    /// A verifier over `chains` (anchors, CRLs, revocation policy).
    pub fn new(chains: ChainValidator, config: VerifierConfig) -> Verifier {
        Verifier {
            chains,
            config,
            keys: KeyCache::default(),
            embedded_crls: Mutex::new(HashMap::new()),
        }
    }

    /// The verifier with another algorithm policy.
    pub fn with_algorithms(mut self, algorithms: AlgorithmPolicy) -> Verifier {
        self.config.algorithms = algorithms;
        self
    }

    /// The validation time.
    pub fn validation_time(&self) -> UnixTime {
        self.config.validation_time
    }

    /// A report for a file that is not a usable signature at all
    /// (TOTAL_FAILED, FORMAT_FAILURE).
    pub fn format_failure(label: &str, content: Option<String>, message: &str) -> SignatureReport {
        let mut r = blank_report(label, content);
        let mut f = Findings::default();
        f.fail(
            SubIndication::FormatFailure,
            Code::SignatureUnreadable,
            message,
        );
        conclude(&mut r, f, &[]);
        r
    }

    /// The embedded CRL `der`, decoded on first sight and shared after that.
    pub(crate) fn embedded_crl(&self, der: &[u8]) -> Result<Arc<Crl>, hozon_pki::Error> {
        let key = openssl::sha::sha256(der);
        let lock = || self.embedded_crls.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(crl) = lock().get(&key) {
            return Ok(crl.clone());
        }
        let crl = Arc::new(Crl::from_der(der, "embedded in the signature")?.embedded());
        let mut memo = lock();
        if memo.len() >= EMBEDDED_CRL_LIMIT {
            memo.clear();
        }
        Ok(memo.entry(key).or_insert(crl).clone())
    }
}
