//! What the building blocks found about one signature: problems (each
//! with its ETSI sub-indication), warnings, and which checks positively
//! succeeded.

use crate::report::SubIndication;

/// Problems and warnings gathered for one SignerInfo, and the validation
/// data the checks relied on.
#[derive(Default)]
pub(crate) struct Findings {
    pub(crate) problems: Vec<(SubIndication, String)>,
    pub(crate) warnings: Vec<String>,
    pub(crate) evidence: Evidence,
}

/// Certificates and revocation data a validation relied on: what a B-LT
/// signature must carry to be validated again without any outside source.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Every certificate of every path (signer and TSAs), anchors included.
    pub certs: Vec<hozon_cms::Cert>,
    /// The CRL each revocation status was read from (when a CRL).
    pub crls: Vec<std::sync::Arc<hozon_pki::Crl>>,
    /// The OCSP response each revocation status was read from (when OCSP).
    pub ocsp: Vec<std::sync::Arc<hozon_pki::OcspResponse>>,
}

impl Evidence {
    /// Adds what `other` holds that is not here yet.
    pub fn merge(&mut self, other: Evidence) {
        for c in other.certs {
            if !self.certs.contains(&c) {
                self.certs.push(c);
            }
        }
        for crl in other.crls {
            if !self.crls.iter().any(|x| x.sha256() == crl.sha256()) {
                self.crls.push(crl);
            }
        }
        for resp in other.ocsp {
            if !self.ocsp.iter().any(|x| x.sha256() == resp.sha256()) {
                self.ocsp.push(resp);
            }
        }
    }

    /// Whether some revocation data was relied on, and all of it came
    /// from inside the signature.
    pub fn revocation_all_embedded(&self) -> bool {
        (!self.crls.is_empty() || !self.ocsp.is_empty())
            && self.crls.iter().all(|c| c.is_embedded())
            && self.ocsp.iter().all(|o| o.is_embedded())
    }
}

impl Findings {
    pub(crate) fn fail(&mut self, sub: SubIndication, msg: impl Into<String>) {
        self.problems.push((sub, msg.into()));
    }
    pub(crate) fn warn(&mut self, msg: impl Into<String>) {
        self.warnings.push(msg.into());
    }
}

/// The checks that must each have succeeded for TOTAL_PASSED.
#[derive(Default)]
pub(crate) struct Passed {
    pub(crate) format: bool,
    pub(crate) digest: bool,
    pub(crate) signature: bool,
    pub(crate) binding: bool,
    pub(crate) chain: bool,
    pub(crate) revocation: bool,
    pub(crate) algorithms: bool,
}

impl Findings {
    /// Whether a problem with this sub-indication was recorded.
    pub(crate) fn has(&self, sub: SubIndication) -> bool {
        self.problems.iter().any(|(s, _)| *s == sub)
    }

    /// Takes over `other`'s problems and warnings, prefixing each message.
    pub(crate) fn absorb(&mut self, other: Findings, prefix: &str) {
        self.problems.extend(
            other
                .problems
                .into_iter()
                .map(|(s, m)| (s, format!("{prefix}{m}"))),
        );
        self.warnings
            .extend(other.warnings.into_iter().map(|m| format!("{prefix}{m}")));
        self.evidence.merge(other.evidence);
    }
}
