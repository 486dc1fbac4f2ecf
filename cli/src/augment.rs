//! `--level`, `--profile` and the validation options → the augmentation
//! pipeline of hozon-ltv ([`hozon_ltv::Augmenter`]), which `sign --level`,
//! `extend`, `scan --sign` and the archive share.

use hozon_ltv::{Augmenter, Profile, Target};
use hozon_tsp::TsaClient;

use crate::args::{ProfileArg, RevocationArg, ValidationDataArgs};
use crate::verify::{build_verifier, VerifierSetup};

/// The augmenter to `target` the options describe (a verifier only for
/// B-LT and B-LTA, which validate before they embed).
pub fn augmenter(
    target: Target,
    tsa: Option<TsaClient>,
    validation: &ValidationDataArgs,
) -> anyhow::Result<Augmenter> {
    let verifier = match target {
        Target::T => None,
        Target::Lt | Target::Lta => Some(build_verifier(&VerifierSetup {
            trust: &validation.trust,
            crls: &validation.crl,
            ocsp: &validation.ocsp,
            offline: validation.offline,
            certs: &validation.certs,
            revocation: RevocationArg::Require,
            at: None,
            accept_expired_tsa: false,
        })?),
    };
    let profile = match validation.profile {
        ProfileArg::Etsi => Profile::Etsi,
        ProfileArg::Jis => Profile::Jis,
    };
    Ok(Augmenter::new(target, profile, tsa, verifier)?)
}
