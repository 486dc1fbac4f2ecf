//! The signer's revocation pre-check every signing command runs before its
//! first signature (`sign`, `scan --sign`, `archive init`), as the command
//! reports it: [`hozon_ltv::SignerCheck`] decides, this module prints.

use hozon_ltv::{Cleared, RefusalKind, Refused, SignerCheck};
use hozon_sign::CadesSigner;

use crate::outcome::Outcome;

/// The `signer_check` object of JSON reports.
pub fn to_json(cleared: &Cleared) -> serde_json::Value {
    match cleared {
        Cleared::Good => serde_json::json!({ "status": "good" }),
        Cleared::Unknown(reason) => serde_json::json!({
            "status": "unknown",
            "code": "SIGNER_REVOCATION_UNKNOWN",
            "message": reason,
        }),
    }
}

/// Checks the signer of `cades` now, with a refusal printed (on stderr,
/// and as `{"refused": …}` with `json`) and an unknown status warned
/// about: the run goes on with `Ok(cleared)` or ends with `Err(outcome)`.
pub fn gate(
    cades: &CadesSigner,
    check: &SignerCheck,
    json: bool,
) -> anyhow::Result<Result<Cleared, Outcome>> {
    let signer = cades.signer();
    match check.run(signer.certificate(), signer.chain())? {
        Ok(cleared) => {
            print_cleared(&cleared, json);
            Ok(Ok(cleared))
        }
        Err(refused) => Ok(Err(print_refused(&refused, json)?)),
    }
}

/// Warns about an unknown status of a signer that may sign anyway (on
/// stderr; JSON reports carry it instead).
pub fn print_cleared(cleared: &Cleared, json: bool) {
    if let (Cleared::Unknown(reason), false) = (cleared, json) {
        crate::output::warning(
            &crate::lang::cat().text_with("cli-signer-unknown", &[("reason", reason)]),
        );
    }
}

/// Prints a refused signer (on stderr, and as `{"refused": …}` with
/// `json`) and gives the outcome the run ends with.
pub fn print_refused(refused: &Refused, json: bool) -> anyhow::Result<Outcome> {
    crate::output::error(
        &crate::lang::cat().text_with("cli-signer-refused", &[("message", &refused.message)]),
    );
    if json {
        crate::output::json(&serde_json::json!({
            "refused": { "code": refused.code(), "message": refused.message },
        }))?;
    }
    Ok(match refused.kind {
        RefusalKind::NotValid => Outcome::Failed,
        RefusalKind::Unknown => Outcome::Error,
    })
}
