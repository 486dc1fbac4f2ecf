//! What the building blocks found about one signature: problems (each
//! with its ETSI sub-indication), warnings, and which checks positively
//! succeeded.

use crate::report::SubIndication;

/// Problems and warnings gathered for one SignerInfo.
#[derive(Default)]
pub(crate) struct Findings {
    pub(crate) problems: Vec<(SubIndication, String)>,
    pub(crate) warnings: Vec<String>,
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
    }
}
