//! The validation engine: one signature container in (any format, through
//! [`crate::format`]), one report per signature out. The building blocks of
//! EN 319 102-1 are in [`steps`] (basic signature validation), `timestamps`
//! (time-stamp validation) and `past` (validation with time: proof of
//! existence and past signature validation).

mod past;
mod steps;
mod timestamps;

pub(crate) use timestamps::unreadable;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use hozon_cms::{Cert, KeyCache};
use hozon_pki::{ChainValidator, Crl, CrlSet, OcspResponse, UnixTime};

use crate::codes::Code;
use crate::content::{DetachedContent, ValidationData};
use crate::findings::{Evidence, Findings};
use crate::format::{SignatureContainer, ValidationPool};
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

/// What [`Verifier::verify_inner`] verifies against.
struct Input<'a> {
    detached: Option<DetachedContent<'a>>,
    external: &'a ValidationData,
}

/// No validation data from outside the signature.
static NO_EXTERNAL_DATA: std::sync::LazyLock<ValidationData> =
    std::sync::LazyLock::new(ValidationData::default);

impl<'a> Input<'a> {
    /// A detached content file, if any, and nothing else.
    fn path(detached: Option<&'a Path>) -> Input<'a> {
        Input {
            detached: detached.map(DetachedContent::File),
            external: &NO_EXTERNAL_DATA,
        }
    }
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

    /// Verifies the signature `bytes` (read from the file named `label`).
    /// `detached` is the content file: required for a detached signature;
    /// for a signature that embeds its content it must, if it exists, be
    /// identical to the embedded content (otherwise the signature would
    /// appear to vouch for a file it does not cover).
    pub fn verify(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
    ) -> Vec<SignatureReport> {
        self.verify_with_evidence(label, bytes, detached).0
    }

    /// As [`Verifier::verify`], also returning the certificates and CRLs the
    /// validation relied on (what `extend --level lt` embeds).
    pub fn verify_with_evidence(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
    ) -> (Vec<SignatureReport>, Evidence) {
        let mut evidence = Evidence::default();
        let reports = self.verify_inner(label, bytes, Input::path(detached), None, &mut evidence);
        (reports, evidence)
    }

    /// As [`Verifier::verify`], with an external proof that the signature
    /// file `bytes` existed at `poe` — the proven time of an RFC 4998
    /// evidence record over it ([`Verifier::verify_evidence_record`]; only
    /// pass a time from a record that PASSED). The proof counts like a
    /// signature time stamp: the signer's certificate, its path and
    /// revocation are judged at `poe` when they fail now for reasons time
    /// cures (expiry, later revocation, missing current revocation data),
    /// the algorithms as of `poe`, and signature time stamps must be
    /// trustworthy only until `poe`. An archived B-B signature whose signer
    /// certificate has expired since thus stays valid.
    pub fn verify_with_poe(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
        poe: UnixTime,
    ) -> Vec<SignatureReport> {
        let mut evidence = Evidence::default();
        self.verify_inner(
            label,
            bytes,
            Input::path(detached),
            Some(poe),
            &mut evidence,
        )
    }

    /// As [`Verifier::verify`] (or [`Verifier::verify_with_poe`] when
    /// `poe` is given) over detached `content` that may be byte ranges of a
    /// file (a PDF signature's `/ByteRange`), with validation data found
    /// outside the signature (`external`: a PDF's Document Security Store)
    /// used like the data embedded in it.
    pub fn verify_detached(
        &self,
        label: &str,
        bytes: &[u8],
        content: DetachedContent<'_>,
        external: &ValidationData,
        poe: Option<UnixTime>,
    ) -> Vec<SignatureReport> {
        self.verify_detached_with_evidence(label, bytes, content, external, poe)
            .0
    }

    /// As [`Verifier::verify_detached`], also returning the certificates
    /// and revocation data the validation relied on (what a PDF's Document
    /// Security Store receives at B-LT).
    pub fn verify_detached_with_evidence(
        &self,
        label: &str,
        bytes: &[u8],
        content: DetachedContent<'_>,
        external: &ValidationData,
        poe: Option<UnixTime>,
    ) -> (Vec<SignatureReport>, Evidence) {
        let mut evidence = Evidence::default();
        let input = Input {
            detached: Some(content),
            external,
        };
        let reports = self.verify_inner(label, bytes, input, poe, &mut evidence);
        (reports, evidence)
    }

    fn verify_inner(
        &self,
        label: &str,
        bytes: &[u8],
        input: Input<'_>,
        external_poe: Option<UnixTime>,
        evidence: &mut Evidence,
    ) -> Vec<SignatureReport> {
        let request = crate::cades::Request {
            label,
            bytes,
            detached: input.detached,
            external: input.external,
        };
        crate::cades::verify(self, request, external_poe, evidence)
    }

    /// Validates every signature of `container` (a format adapter:
    /// [`crate::format`]) with the EN 319 102-1 building blocks, one report
    /// per signature. `poe` is an external proof of existence of the file
    /// (an evidence record's proven time), as in
    /// [`Verifier::verify_with_poe`]; `evidence` receives the certificates
    /// and revocation data the validation relied on.
    pub fn verify_container(
        &self,
        container: &dyn SignatureContainer,
        poe: Option<UnixTime>,
        evidence: &mut Evidence,
    ) -> Vec<SignatureReport> {
        let label = container.label();
        let data = container.validation_data();
        let mut file_findings = container.findings();
        let mut crls = CrlSet::new();
        for (origin, der) in &data.crls {
            match self.embedded_crl(der) {
                Ok(crl) => crls.add(crl),
                Err(e) => {
                    file_findings.warn(Code::ValidationDataUnreadable, format!("{origin}: {e}"))
                }
            }
        }
        for (origin, der) in &data.ocsp {
            match OcspResponse::from_der(der, origin) {
                Ok(resp) => crls.add_ocsp(Arc::new(resp.embedded())),
                Err(e) => file_findings.warn(Code::ValidationDataUnreadable, e.to_string()),
            }
        }
        let pool = ValidationPool {
            certs: &data.certs,
            crls: &crls,
        };
        let content = container.content_name();
        container
            .signatures()
            .iter()
            .map(|signature| {
                let mut report = blank_report(label, content.clone());
                report.signer_info = signature.index();
                let ctx =
                    steps::Context::new(self, signature.as_ref(), pool, file_findings.clone(), poe);
                let used = ctx.validate(&mut report);
                evidence.merge(used);
                report
            })
            .collect()
    }

    /// The embedded CRL `der`, decoded on first sight and shared after that.
    fn embedded_crl(&self, der: &[u8]) -> Result<Arc<Crl>, hozon_pki::Error> {
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

#[cfg(test)]
mod tests;
