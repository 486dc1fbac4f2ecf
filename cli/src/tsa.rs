//! TSA options → the TSA client hozon-archive's loader makes (the same as
//! for `hozon.toml` `[tsa]`; credentials come from files, environment
//! variables or a prompt, never from the command line), and how the TSAs
//! fared, printed after a batch.

use hozon_tsp::TsaClient;

use crate::args::{DigestArg, TsaArgs};

/// Digest choice → algorithm.
pub fn digest_of(d: DigestArg) -> hozon_cms::DigestAlgorithm {
    match d {
        DigestArg::Sha256 => hozon_cms::DigestAlgorithm::Sha256,
        DigestArg::Sha384 => hozon_cms::DigestAlgorithm::Sha384,
        DigestArg::Sha512 => hozon_cms::DigestAlgorithm::Sha512,
    }
}

/// The TSA client the arguments describe, or `None` without `--tsa`.
pub fn client(args: &TsaArgs) -> anyhow::Result<Option<TsaClient>> {
    let config = hozon_archive::config::TsaConfig {
        urls: args.urls.clone(),
        user: args.tsa_user.clone(),
        pass_env: args.tsa_pass_env.clone(),
        pass_file: args.tsa_pass_file.clone(),
        client_cert: args.tsa_client_cert.clone(),
        client_pass_env: args.tsa_client_pass_env.clone(),
        client_pass_file: args.tsa_client_pass_file.clone(),
        ca: args.tsa_ca.clone(),
        policy: args.tsa_policy.clone(),
        ..Default::default()
    };
    Ok(hozon_archive::tools::tsa_client(
        &config,
        args.settings(),
        digest_of(args.tsa_digest),
    )?)
}

/// Why a batch must stop: every TSA is down for the run.
pub fn halt_reason(tsa: &TsaClient) -> Option<String> {
    tsa.no_tsa_left().map(|e| e.to_string())
}

/// One warning per TSA that failed to connect this run (count, last error,
/// whether it was given up), printed once after a batch instead of once per
/// file.
pub fn print_health(tsa: &TsaClient) {
    for h in tsa.health() {
        if h.connect_failures == 0 {
            continue;
        }
        let last = h.last_error.map(|e| e.to_string()).unwrap_or_default();
        let t = crate::lang::cat();
        let state = if h.down {
            t.text_with("cli-tsa-given-up", &[("skipped", &h.skipped.to_string())])
        } else {
            t.text("cli-tsa-in-use")
        };
        crate::output::warning(&t.text_with(
            "cli-tsa-health",
            &[
                ("url", &h.url.to_string()),
                ("count", &h.connect_failures.to_string()),
                ("state", &state),
                ("last", &last),
            ],
        ));
    }
}

/// The `tsa` array of batch JSON reports: how each TSA fared.
pub fn health_json(tsa: &TsaClient) -> serde_json::Value {
    tsa.health()
        .into_iter()
        .map(|h| {
            serde_json::json!({
                "url": h.url,
                "down": h.down,
                "connect_failures": h.connect_failures,
                "skipped": h.skipped,
                "last_error": h.last_error.map(|e| e.to_string()),
            })
        })
        .collect()
}
