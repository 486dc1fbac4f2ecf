//! TSA options → a configured `TsaClient`. Credentials come from files,
//! environment variables or a prompt; never from the command line.

use anyhow::Context;
use hozon_sign::SecretSource;
use hozon_tsp::{BasicAuth, ClientIdentity, TsaClient, TsaConfig};
use zeroize::Zeroizing;

use crate::args::{DigestArg, TsaArgs};

/// Digest choice → algorithm.
pub fn digest_of(d: DigestArg) -> hozon_cms::DigestAlgorithm {
    match d {
        DigestArg::Sha256 => hozon_cms::DigestAlgorithm::Sha256,
        DigestArg::Sha384 => hozon_cms::DigestAlgorithm::Sha384,
        DigestArg::Sha512 => hozon_cms::DigestAlgorithm::Sha512,
    }
}

fn secret(
    env: &Option<String>,
    file: &Option<std::path::PathBuf>,
    prompt: &str,
    alternatives: &str,
) -> anyhow::Result<Zeroizing<String>> {
    let source = match (env, file) {
        (Some(var), _) => SecretSource::Env(var.clone()),
        (None, Some(f)) => SecretSource::File(f.clone()),
        (None, None) => SecretSource::prompt(prompt, alternatives),
    };
    Ok(Zeroizing::new(source.read()?.expose().to_owned()))
}

/// The TSA client the arguments describe, or `None` without `--tsa`.
pub fn client(args: &TsaArgs) -> anyhow::Result<Option<TsaClient>> {
    if args.urls.is_empty() {
        return Ok(None);
    }
    let mut config = TsaConfig::new(args.urls.clone());
    args.settings().apply(&mut config);
    config.digest = digest_of(args.tsa_digest);
    if let Some(policy) = &args.tsa_policy {
        config.policy = Some(
            policy
                .parse()
                .map_err(|e| anyhow::anyhow!("--tsa-policy {policy:?} is not an OID: {e}"))?,
        );
    }
    if let Some(user) = &args.tsa_user {
        config.basic_auth = Some(BasicAuth {
            user: user.clone(),
            password: secret(
                &args.tsa_pass_env,
                &args.tsa_pass_file,
                "TSA password: ",
                "--tsa-pass-env VAR or --tsa-pass-file FILE",
            )?,
        });
    }
    if let Some(p12) = &args.tsa_client_cert {
        let bytes =
            Zeroizing::new(std::fs::read(p12).with_context(|| format!("{}", p12.display()))?);
        config.client_identity = Some(ClientIdentity {
            pkcs12: bytes,
            password: secret(
                &args.tsa_client_pass_env,
                &args.tsa_client_pass_file,
                "TSA client certificate password: ",
                "--tsa-client-pass-env VAR or --tsa-client-pass-file FILE",
            )
            .with_context(|| format!("{}: password", p12.display()))?,
        });
    }
    for ca in &args.tsa_ca {
        config
            .tls_roots_pem
            .push(std::fs::read(ca).with_context(|| format!("{}", ca.display()))?);
    }
    Ok(Some(TsaClient::new(config)?))
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
        let state = if h.down {
            format!(
                "given up for the rest of the run; {} request(s) went past it",
                h.skipped
            )
        } else {
            "still in use".to_string()
        };
        crate::output::error(&format!(
            "warning: TSA {}: {} connection failure(s) or timeout(s) ({state}); last: {last}",
            h.url, h.connect_failures
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
