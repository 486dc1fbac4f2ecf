//! What the building blocks found about one signature: problems (each
//! with its ETSI sub-indication), warnings, and which checks positively
//! succeeded.

use crate::codes::Code;
use crate::evidence::Evidence;
use crate::report::SubIndication;

/// A problem: it decides the verdict through its sub-indication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The ETSI sub-indication it leads to.
    pub sub: SubIndication,
    /// Its stable code.
    pub code: Code,
    /// What a reader is told.
    pub message: String,
}

/// A warning: worth knowing, without effect on the verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Its stable code.
    pub code: Code,
    /// What a reader is told.
    pub message: String,
}

/// Problems and warnings gathered for one signature, and the validation
/// data the checks relied on. Format adapters ([`crate::format`]) record
/// what they find here with [`Findings::fail`] and [`Findings::warn`].
#[derive(Clone, Debug, Default)]
pub struct Findings {
    pub(crate) problems: Vec<Problem>,
    pub(crate) warnings: Vec<Warning>,
    pub(crate) evidence: Evidence,
}

impl Findings {
    /// Records a problem with its sub-indication and code.
    pub fn fail(&mut self, sub: SubIndication, code: Code, msg: impl Into<String>) {
        self.problems.push(Problem {
            sub,
            code,
            message: msg.into(),
        });
    }

    /// Records a warning with its code.
    pub fn warn(&mut self, code: Code, msg: impl Into<String>) {
        self.warnings.push(Warning {
            code,
            message: msg.into(),
        });
    }

    /// The problems recorded so far.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The warnings recorded so far.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// Records that the unsigned attribute (property) `what` cannot be read and
/// is ignored: anyone can add one, so it must not fail a signature that is
/// valid without it.
pub(crate) fn unreadable(f: &mut Findings, what: &str, why: impl std::fmt::Display) {
    f.warn(
        Code::UnsignedAttributeUnreadable,
        format!(
            "the unsigned attribute {what} cannot be read and is ignored (unsigned attributes are not covered by the signature): {why}"
        ),
    );
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
    pub fn has(&self, sub: SubIndication) -> bool {
        self.problems.iter().any(|p| p.sub == sub)
    }

    /// Takes over `other`'s problems and warnings, prefixing each message.
    pub fn absorb(&mut self, other: Findings, prefix: &str) {
        self.problems
            .extend(other.problems.into_iter().map(|p| Problem {
                message: format!("{prefix}{}", p.message),
                ..p
            }));
        self.warnings
            .extend(other.warnings.into_iter().map(|w| Warning {
                message: format!("{prefix}{}", w.message),
                ..w
            }));
        self.evidence.merge(other.evidence);
    }
}
