//! `hozon.toml` to working tools: the signer, the TSA clients (one per
//! imprint algorithm), the verifier, the augmentation pipeline and the
//! scan policy a job works with. The same loaders as the stand-alone
//! commands, so that a password is read the same way everywhere (from an
//! environment variable, a file, or the terminal; never stored).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hozon_cms::{DigestAlgorithm, UnixTime};
use hozon_ltv::{Augmenter, Profile, SignerCheck, Target, UnknownStatus};
use hozon_scan::Policy;
use hozon_sign::{secret_source, CadesSigner, SignerSpec};
use hozon_tsp::{BasicAuth, ClientIdentity, Stamp, TsaClient, TsaSettings};
use hozon_verify::{Verifier, VerifierSetup};
use zeroize::Zeroizing;

use crate::config::{Config, SignerConfig, TsaConfig};
use crate::stamper::{StampError, Stamper};
pub use crate::tools_error::ToolsError;

/// What a job needs besides `hozon.toml`.
#[derive(Clone, Debug, Default)]
pub struct ToolOptions {
    /// Use these TSAs instead of `hozon.toml`'s (`--tsa`).
    pub tsa_urls: Vec<String>,
    /// TSA client settings over `hozon.toml`'s `[tsa]` (the flags).
    pub tsa_settings: TsaSettings,
    /// Validate as of this time (default: now).
    pub at: Option<UnixTime>,
    /// Load the signer (asks for its password now, if its source is the terminal).
    pub signer: bool,
    /// Raise adopted or renewed signatures to this level (`Lt` for ingest,
    /// `Lta` for `renew --mode cades`).
    pub augment: Option<Target>,
    /// The archive's `hozon.toml`, named in messages.
    pub config_file: PathBuf,
}

/// What a job works with.
pub struct Tools {
    /// Signs unsigned documents and passing scans.
    pub signer: Option<CadesSigner>,
    /// Verifies signatures strictly (with `[crypto]`).
    pub verifier: Verifier,
    /// Raises signatures to B-LT (ingest) or B-LTA (`renew --mode cades`).
    pub augmenter: Option<Augmenter>,
    /// Stamps evidence batches (`None`: no TSA configured).
    pub stamper: Option<TsaStamper>,
    /// Checks scans.
    pub scan_policy: Policy,
}

impl Tools {
    /// The tools `config` (with this run's `options`) describes.
    pub fn from_config(config: &Config, options: &ToolOptions) -> Result<Tools, ToolsError> {
        let spec = signer_spec(&config.signer)?;
        let signer = if options.signer && spec.is_given() {
            Some(spec.load().map_err(|reason| ToolsError::Signer {
                reason: Box::new(reason),
                password_from: Some(password_source(&config.signer, &options.config_file)),
            })?)
        } else {
            None
        };
        let mut tsa = config.tsa.clone();
        if !options.tsa_urls.is_empty() {
            tsa.urls = options.tsa_urls.clone();
        }
        let stamper = TsaStamper::new(&tsa, options.tsa_settings);
        let verifier = verifier_setup(config, options.at).build()?;
        let augmenter = match options.augment {
            None => None,
            Some(target) => {
                let client = match target {
                    Target::T | Target::Lta => Some(
                        tsa_client(&tsa, options.tsa_settings, DigestAlgorithm::Sha256)?
                            .ok_or(ToolsError::NoTsa)?,
                    ),
                    Target::Lt => None,
                };
                // The augmentation validates with the built-in algorithm
                // table, as `hozon extend` does.
                let mut setup = verifier_setup(config, None);
                setup.algorithms = hozon_verify::AlgorithmPolicy::default();
                Some(Augmenter::new(
                    target,
                    Profile::Etsi,
                    client,
                    Some(setup.build()?),
                )?)
            }
        };
        let scan_policy = match &config.scan.policy {
            Some(p) => Policy::load(p)?,
            None => Policy::default(),
        };
        Ok(Tools {
            signer,
            verifier,
            augmenter,
            stamper,
            scan_policy,
        })
    }

    /// The stamper as the evidence jobs take it.
    pub fn stamper(&self) -> Option<&dyn Stamper> {
        self.stamper.as_ref().map(|s| s as &dyn Stamper)
    }
}

/// The signer `[signer]` describes.
pub fn signer_spec(c: &SignerConfig) -> Result<SignerSpec, ToolsError> {
    let digest = match c.digest.as_deref() {
        None => None,
        Some("sha256") => Some(DigestAlgorithm::Sha256),
        Some("sha384") => Some(DigestAlgorithm::Sha384),
        Some("sha512") => Some(DigestAlgorithm::Sha512),
        Some(other) => return Err(ToolsError::UnknownDigest(other.to_owned())),
    };
    Ok(SignerSpec {
        key: c.key.clone(),
        cert: c.cert.clone(),
        chain: c.chain.clone(),
        pkcs12: c.pkcs12.clone(),
        pass_env: c.pass_env.clone(),
        pass_file: c.pass_file.clone(),
        pkcs11_module: c.pkcs11_module.clone(),
        pkcs11_token: c.pkcs11_token.clone(),
        pkcs11_key: c.pkcs11_key.clone(),
        pkcs11_sessions: c.pkcs11_sessions,
        pin_env: c.pin_env.clone(),
        pin_file: c.pin_file.clone(),
        digest,
        rsa_pss: c.rsa_pss,
    })
}

/// Where the signer's password comes from, as messages name it.
fn password_source(c: &SignerConfig, toml: &Path) -> String {
    match (&c.pass_env, &c.pass_file) {
        (Some(var), _) => format!("pass_env = {var:?} in {}", toml.display()),
        (None, Some(file)) => format!(
            "pass_file = {:?} in {}",
            file.display().to_string(),
            toml.display()
        ),
        (None, None) => "the prompt (hozon.toml names no pass_env or pass_file)".into(),
    }
}

/// The archive's verifier settings: `[validation]`, `[crypto]`, revocation
/// required, at `at` (default now).
pub fn verifier_setup(c: &Config, at: Option<UnixTime>) -> VerifierSetup {
    VerifierSetup {
        trust: c.validation.trust.clone(),
        crls: c.validation.crls.clone(),
        ocsp: c.validation.ocsp.clone(),
        certs: c.validation.certs.clone(),
        offline: c.validation.offline,
        at,
        algorithms: c.algorithms(),
        ..VerifierSetup::default()
    }
}

/// The signer revocation pre-check's settings from `[validation]`.
pub fn signer_check(c: &Config, unknown: UnknownStatus) -> SignerCheck {
    SignerCheck {
        trust: c.validation.trust.clone(),
        crls: c.validation.crls.clone(),
        ocsp: c.validation.ocsp.clone(),
        certs: c.validation.certs.clone(),
        offline: c.validation.offline,
        unknown,
    }
}

/// The TSA client `c` describes (`None` without URLs), with `settings`
/// over `c`'s own and imprints made with `digest`. Credentials are read
/// now: from the environment variable, else the file, else the terminal.
pub fn tsa_client(
    c: &TsaConfig,
    settings: TsaSettings,
    digest: DigestAlgorithm,
) -> Result<Option<TsaClient>, ToolsError> {
    if c.urls.is_empty() {
        return Ok(None);
    }
    let mut config = hozon_tsp::TsaConfig::new(c.urls.clone());
    settings.or(c.settings()).apply(&mut config);
    config.digest = digest;
    if let Some(policy) = &c.policy {
        config.policy =
            Some(
                policy
                    .parse()
                    .map_err(|e: der::oid::Error| ToolsError::TsaPolicy {
                        policy: policy.clone(),
                        reason: e.to_string(),
                    })?,
            );
    }
    if let Some(user) = &c.user {
        let source = secret_source(
            &c.pass_env,
            &c.pass_file,
            "TSA password: ",
            "--tsa-pass-env VAR or --tsa-pass-file FILE",
        );
        let password = source.read().map_err(|reason| ToolsError::TsaSecret {
            context: None,
            reason: Box::new(reason),
        })?;
        config.basic_auth = Some(BasicAuth {
            user: user.clone(),
            password: Zeroizing::new(password.expose().to_owned()),
        });
    }
    if let Some(p12) = &c.client_cert {
        let bytes = Zeroizing::new(std::fs::read(p12).map_err(|reason| ToolsError::TsaFile {
            path: p12.clone(),
            reason,
        })?);
        let source = secret_source(
            &c.client_pass_env,
            &c.client_pass_file,
            "TSA client certificate password: ",
            "--tsa-client-pass-env VAR or --tsa-client-pass-file FILE",
        );
        let password = source.read().map_err(|reason| ToolsError::TsaSecret {
            context: Some(p12.clone()),
            reason: Box::new(reason),
        })?;
        config.client_identity = Some(ClientIdentity {
            pkcs12: bytes,
            password: Zeroizing::new(password.expose().to_owned()),
        });
    }
    for ca in &c.ca {
        config
            .tls_roots_pem
            .push(std::fs::read(ca).map_err(|reason| ToolsError::TsaFile {
                path: ca.clone(),
                reason,
            })?);
    }
    Ok(Some(TsaClient::new(config)?))
}

/// TSA clients from `[tsa]`, one per imprint algorithm (the evidence
/// tree's: SHA-256, or SHA-512 after hash-tree renewal), made when first
/// needed.
pub struct TsaStamper {
    config: TsaConfig,
    settings: TsaSettings,
    clients: Mutex<Vec<(DigestAlgorithm, Arc<TsaClient>)>>,
}

impl TsaStamper {
    /// A stamper for `config` (`None` when it names no TSA).
    pub fn new(config: &TsaConfig, settings: TsaSettings) -> Option<TsaStamper> {
        if config.urls.is_empty() {
            return None;
        }
        Some(TsaStamper {
            config: config.clone(),
            settings,
            clients: Mutex::new(Vec::new()),
        })
    }

    /// The client sending `alg` imprints.
    pub fn client(&self, alg: DigestAlgorithm) -> Result<Arc<TsaClient>, ToolsError> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, c)) = clients.iter().find(|(a, _)| *a == alg) {
            return Ok(c.clone());
        }
        let digest = match alg {
            DigestAlgorithm::Sha384 | DigestAlgorithm::Sha512 => alg,
            _ => DigestAlgorithm::Sha256,
        };
        let client =
            Arc::new(tsa_client(&self.config, self.settings, digest)?.ok_or(ToolsError::NoTsa)?);
        clients.push((alg, client.clone()));
        Ok(client)
    }
}

impl Stamper for TsaStamper {
    fn stamp(&self, alg: DigestAlgorithm, digest: &[u8]) -> std::result::Result<Stamp, StampError> {
        self.client(alg)
            .map_err(|e| StampError::Client(Box::new(e)))?
            .stamp(alg, digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_signer_digest_is_named() {
        let c = SignerConfig {
            digest: Some("md5".into()),
            ..SignerConfig::default()
        };
        let e = signer_spec(&c).unwrap_err();
        assert_eq!(e.to_string(), "hozon.toml: unknown signer digest \"md5\"");
    }

    #[test]
    fn the_signer_password_source_is_named_with_the_error() {
        let mut config = Config::default();
        config.signer.pkcs12 = Some("/nonexistent/signer.p12".into());
        config.signer.pass_env = Some("HOZON_TEST_NO_SUCH_VAR".into());
        let options = ToolOptions {
            signer: true,
            config_file: PathBuf::from("/a/hozon.toml"),
            ..ToolOptions::default()
        };
        let e = Tools::from_config(&config, &options)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("/nonexistent/signer.p12"), "{e}");
        assert!(
            e.ends_with("(the signer's password came from pass_env = \"HOZON_TEST_NO_SUCH_VAR\" in /a/hozon.toml)"),
            "{e}"
        );
    }

    #[test]
    fn tsa_settings_flags_win_over_the_file_and_no_url_means_no_client() {
        let c = TsaConfig::default();
        assert!(
            tsa_client(&c, TsaSettings::default(), DigestAlgorithm::Sha256)
                .unwrap()
                .is_none()
        );
        assert!(TsaStamper::new(&c, TsaSettings::default()).is_none());
    }

    #[test]
    fn a_bad_tsa_policy_is_refused_by_name() {
        let c = TsaConfig {
            urls: vec!["http://127.0.0.1:9/tsa".into()],
            policy: Some("not-an-oid".into()),
            ..TsaConfig::default()
        };
        let e = tsa_client(&c, TsaSettings::default(), DigestAlgorithm::Sha256)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("--tsa-policy \"not-an-oid\" is not an OID: "),
            "{e}"
        );
    }

    #[test]
    fn a_renewal_augmenter_needs_a_tsa() {
        let options = ToolOptions {
            augment: Some(Target::Lta),
            ..ToolOptions::default()
        };
        let mut config = Config::default();
        config.validation.offline = true;
        assert!(matches!(
            Tools::from_config(&config, &options),
            Err(ToolsError::NoTsa)
        ));
    }
}
