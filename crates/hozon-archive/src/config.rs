//! `hozon.toml`: what an archive signs with, stamps with, trusts and checks
//! scans against. It holds paths and names only — a password is referred to
//! by the environment variable or file that holds it, never stored.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The archive's configuration.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who signs unsigned documents and passing scans.
    #[serde(default)]
    pub signer: SignerConfig,
    /// Where time stamps come from.
    #[serde(default)]
    pub tsa: TsaConfig,
    /// What signatures and time stamps are validated against.
    #[serde(default)]
    pub validation: ValidationConfig,
    /// Scan checks.
    #[serde(default)]
    pub scan: ScanConfig,
    /// Evidence and renewal.
    #[serde(default)]
    pub renewal: RenewalConfig,
    /// How long records are kept, and the lock margin on replicas.
    #[serde(default)]
    pub retention: RetentionConfig,
    /// The dated algorithm policy's overrides (`[crypto]`, as in a
    /// `--crypto-policy` file; docs/crypto-policy.md): used by every job
    /// that verifies or computes `renew_by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto: Option<toml::Table>,
    /// Write-once replicas (`[[replica]]`), in the order they were added.
    #[serde(default, rename = "replica", skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaConfig>,
    /// Where record metadata comes from besides sidecars, manifests and
    /// document headers (`[metadata]`: the file name `pattern`; docs/intake.md).
    #[serde(
        default,
        skip_serializing_if = "crate::metadata::MetadataConfig::is_default"
    )]
    pub metadata: crate::metadata::MetadataConfig,
    /// `archive watch`: settle time, window, done and quarantine folders
    /// (`[watch]`; docs/intake.md).
    #[serde(
        default,
        skip_serializing_if = "crate::watch_config::WatchConfig::is_default"
    )]
    pub watch: crate::watch_config::WatchConfig,
    /// `archive serve`, the read-only web view: its users file and session
    /// lifetime (`[web]`; docs/web.md).
    #[serde(default, skip_serializing_if = "WebConfig::is_default")]
    pub web: WebConfig,
}

/// `[web]`: the read-only web view's settings (docs/web.md).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// The users file (`NAME:ARGON2-PHC-HASH` lines, written by `hozon
    /// archive web-user add`); relative to the archive's directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<PathBuf>,
    /// Minutes a login lasts without a request (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_minutes: Option<u32>,
}

impl WebConfig {
    /// Whether nothing is set (so `hozon.toml` gets no `[web]` table).
    pub fn is_default(&self) -> bool {
        *self == WebConfig::default()
    }
}

/// Retention (records must be kept at least 5 years by law; hospitals keep
/// them longer).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Years a new record is kept from its ingest (`retain_until` in its
    /// record.json).
    #[serde(default = "default_retention_years")]
    pub retention_years: u32,
    /// Years added to a record's `retain_until` for the Object Lock of its
    /// replicated objects.
    #[serde(default = "default_lock_margin_years")]
    pub lock_margin_years: u32,
}

fn default_retention_years() -> u32 {
    10
}

fn default_lock_margin_years() -> u32 {
    1
}

impl Default for RetentionConfig {
    fn default() -> RetentionConfig {
        RetentionConfig {
            retention_years: default_retention_years(),
            lock_margin_years: default_lock_margin_years(),
        }
    }
}

/// What a replica is.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReplicaKind {
    /// A directory (NAS mount, removable disk).
    Dir,
    /// An S3-compatible bucket with Object Lock.
    S3,
}

/// Object Lock mode of a replica.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LockMode {
    /// Nobody can delete or shorten the lock (the default).
    #[default]
    Compliance,
    /// Holders of the bypass permission can (only by policy).
    Governance,
}

/// One `[[replica]]`. Holds no credentials: those come from the AWS
/// environment variables or profile files.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReplicaConfig {
    /// The replica's name (`--replica NAME`).
    pub name: String,
    /// `dir` or `s3`.
    pub kind: ReplicaKind,
    /// Directory (kind `dir`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// Endpoint URL (kind `s3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Region (kind `s3`; default `us-east-1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Bucket (kind `s3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// Key prefix in the bucket.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// Path-style addressing (kind `s3`; default true, as most
    /// on-premises servers need).
    #[serde(default = "default_true")]
    pub path_style: bool,
    /// Object Lock mode.
    #[serde(default)]
    pub lock: LockMode,
    /// Replicate at the end of every ingest and renew.
    #[serde(default = "default_true")]
    pub auto: bool,
}

fn default_true() -> bool {
    true
}

/// The signer (the options of `hozon sign`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SignerConfig {
    /// Private key file.
    pub key: Option<PathBuf>,
    /// Certificate file.
    pub cert: Option<PathBuf>,
    /// Chain file.
    pub chain: Option<PathBuf>,
    /// PKCS#12 file.
    pub pkcs12: Option<PathBuf>,
    /// Name of the environment variable holding the key password.
    pub pass_env: Option<String>,
    /// File whose first line is the key password.
    pub pass_file: Option<PathBuf>,
    /// PKCS#11 module of an HPKI card or HSM (the key never leaves it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs11_module: Option<PathBuf>,
    /// The token, by label or serial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs11_token: Option<String>,
    /// The key (and certificate) on the token, by label or id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs11_key: Option<String>,
    /// Sessions to open on the token at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs11_sessions: Option<usize>,
    /// Name of the environment variable holding the token PIN (never the PIN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_env: Option<String>,
    /// File whose first line is the token PIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_file: Option<PathBuf>,
    /// Digest (`sha256`, `sha384`, `sha512`).
    pub digest: Option<String>,
    /// RSASSA-PSS.
    #[serde(default)]
    pub rsa_pss: bool,
}

/// The TSA (the options of `hozon sign --tsa`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TsaConfig {
    /// TSA URLs, tried in order.
    #[serde(default)]
    pub urls: Vec<String>,
    /// HTTP Basic user.
    pub user: Option<String>,
    /// Environment variable holding the TSA password.
    pub pass_env: Option<String>,
    /// File holding the TSA password.
    pub pass_file: Option<PathBuf>,
    /// TLS client certificate (PKCS#12).
    pub client_cert: Option<PathBuf>,
    /// Environment variable holding the client certificate's password.
    pub client_pass_env: Option<String>,
    /// File holding the client certificate's password.
    pub client_pass_file: Option<PathBuf>,
    /// Extra CA certificates for an HTTPS TSA.
    #[serde(default)]
    pub ca: Vec<PathBuf>,
    /// Requested TSA policy OID.
    pub policy: Option<String>,
    /// Seconds to wait for one TSA answer (default 30).
    pub timeout: Option<u64>,
    /// Retries per TSA on network errors, timeouts, HTTP 5xx and 429
    /// (default 3).
    pub retries: Option<u32>,
    /// TSA requests in flight at most (default 4).
    pub concurrency: Option<usize>,
    /// Connection failures or timeouts in a row that take a TSA out of use
    /// for the rest of a run (default 3; 0 never).
    pub breaker_threshold: Option<u32>,
    /// Seconds before a TSA taken out of use is tried again (default 30).
    pub reprobe_seconds: Option<u64>,
    /// Longest `Retry-After` honoured, in seconds (default 120).
    pub max_retry_after_seconds: Option<u64>,
}

impl TsaConfig {
    /// The TSA client settings this section sets.
    pub fn settings(&self) -> hozon_tsp::TsaSettings {
        hozon_tsp::TsaSettings {
            timeout_secs: self.timeout,
            retries: self.retries,
            concurrency: self.concurrency,
            breaker_threshold: self.breaker_threshold,
            reprobe_secs: self.reprobe_seconds,
            max_retry_after_secs: self.max_retry_after_seconds,
        }
    }
}

/// Validation inputs (the options of `hozon verify`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ValidationConfig {
    /// Trust anchor files.
    #[serde(default)]
    pub trust: Vec<PathBuf>,
    /// CRL files.
    #[serde(default)]
    pub crls: Vec<PathBuf>,
    /// OCSP response files.
    #[serde(default)]
    pub ocsp: Vec<PathBuf>,
    /// Extra certificate files.
    #[serde(default)]
    pub certs: Vec<PathBuf>,
    /// Never fetch revocation data.
    #[serde(default)]
    pub offline: bool,
}

/// Scan checks.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    /// Scan policy file (default: the built-in policy).
    pub policy: Option<PathBuf>,
}

/// Evidence records and renewal.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RenewalConfig {
    /// Records per evidence batch (one TSA request each).
    pub batch_size: usize,
    /// Days before a time stamp's TSA certificate expires that renewal is due.
    pub margin_days: u32,
}

impl Default for RenewalConfig {
    fn default() -> RenewalConfig {
        RenewalConfig {
            batch_size: 100_000,
            margin_days: 90,
        }
    }
}

impl Config {
    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: format!("{e} (is this an archive? `hozon archive init DIR` makes one)"),
        })?;
        let config: Config = toml::from_str(&text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        config.algorithm_policy().map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(config)
    }

    /// The dated algorithm policy: the default table with `[crypto]`'s
    /// overrides.
    pub fn algorithm_policy(
        &self,
    ) -> std::result::Result<hozon_verify::AlgorithmPolicy, hozon_verify::policy::PolicyError> {
        let Some(crypto) = &self.crypto else {
            return Ok(hozon_verify::AlgorithmPolicy::default());
        };
        let mut outer = toml::Table::new();
        outer.insert("crypto".into(), toml::Value::Table(crypto.clone()));
        hozon_verify::AlgorithmPolicy::from_toml(&outer.to_string(), "hozon.toml [crypto]")
    }

    /// [`Config::algorithm_policy`], the default table if `[crypto]` is
    /// invalid (never, for a configuration [`Config::load`] read).
    pub fn algorithms(&self) -> hozon_verify::AlgorithmPolicy {
        self.algorithm_policy().unwrap_or_default()
    }

    /// The TOML text.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| Error::Config {
            path: PathBuf::from("hozon.toml"),
            reason: e.to_string(),
        })
    }

    /// Makes every relative path absolute against `base` (the directory
    /// `init` ran in), so the archive can be used from anywhere.
    pub fn absolutize(&mut self, base: &Path) {
        let abs = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        let abs_opt = |p: &mut Option<PathBuf>| {
            if let Some(p) = p {
                if p.is_relative() {
                    *p = base.join(&*p);
                }
            }
        };
        abs_opt(&mut self.signer.key);
        abs_opt(&mut self.signer.cert);
        abs_opt(&mut self.signer.chain);
        abs_opt(&mut self.signer.pkcs12);
        abs_opt(&mut self.signer.pass_file);
        abs_opt(&mut self.signer.pkcs11_module);
        abs_opt(&mut self.signer.pin_file);
        abs_opt(&mut self.tsa.pass_file);
        abs_opt(&mut self.tsa.client_cert);
        abs_opt(&mut self.tsa.client_pass_file);
        abs_opt(&mut self.scan.policy);
        for list in [
            &mut self.tsa.ca,
            &mut self.validation.trust,
            &mut self.validation.crls,
            &mut self.validation.ocsp,
            &mut self.validation.certs,
        ] {
            list.iter_mut().for_each(abs);
        }
    }
}

/// This run's overrides of `[validation]` (command-line flags over the file).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationOverrides {
    /// Trust anchors instead of the file's (when not empty).
    pub trust: Vec<PathBuf>,
    /// CRL files besides the file's.
    pub crls: Vec<PathBuf>,
    /// Fetch no revocation data this run.
    pub offline: bool,
}

impl Config {
    /// This configuration with `overrides` applied (relative paths taken
    /// from `cwd`).
    pub fn with_overrides(&self, overrides: &ValidationOverrides, cwd: &Path) -> Config {
        let mut c = self.clone();
        let abs = |p: &PathBuf| {
            if p.is_relative() {
                cwd.join(p)
            } else {
                p.clone()
            }
        };
        if !overrides.trust.is_empty() {
            c.validation.trust = overrides.trust.iter().map(abs).collect();
        }
        c.validation.crls.extend(overrides.crls.iter().map(abs));
        c.validation.offline |= overrides.offline;
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_holds_no_secret_values() {
        let mut c = Config::default();
        c.signer.key = Some("k.pem".into());
        c.signer.pass_env = Some("KEY_PASS".into());
        c.tsa.urls = vec!["http://127.0.0.1:1/".into()];
        c.absolutize(Path::new("/base"));
        assert_eq!(c.signer.key.as_deref(), Some(Path::new("/base/k.pem")));
        let text = c.to_toml().unwrap();
        assert!(text.contains("pass_env = \"KEY_PASS\""));
        assert_eq!(toml::from_str::<Config>(&text).unwrap(), c);
    }

    #[test]
    fn tsa_client_settings_are_read_from_the_tsa_section() {
        let text = "[tsa]\nurls = [\"http://127.0.0.1:1/\"]\ntimeout = 5\nretries = 1\nconcurrency = 8\nbreaker_threshold = 2\nreprobe_seconds = 10\nmax_retry_after_seconds = 60\n";
        let c: Config = toml::from_str(text).unwrap();
        assert_eq!(
            c.tsa.settings(),
            hozon_tsp::TsaSettings {
                timeout_secs: Some(5),
                retries: Some(1),
                concurrency: Some(8),
                breaker_threshold: Some(2),
                reprobe_secs: Some(10),
                max_retry_after_secs: Some(60),
            }
        );
        assert_eq!(toml::from_str::<Config>(&c.to_toml().unwrap()).unwrap(), c);
        let unset: Config = toml::from_str("[tsa]\nurls = []\n").unwrap();
        assert_eq!(unset.tsa.settings(), hozon_tsp::TsaSettings::default());
        assert!(toml::from_str::<Config>("[tsa]\ntimeout_secs = 5\n").is_err());
    }

    #[test]
    fn replicas_and_retention_round_trip_with_their_defaults() {
        let text = "[[replica]]\nname = \"nas\"\nkind = \"dir\"\npath = \"/mnt/nas\"\n\n[[replica]]\nname = \"s3\"\nkind = \"s3\"\nendpoint = \"http://127.0.0.1:1\"\nbucket = \"b\"\nlock = \"governance\"\nauto = false\n";
        let c: Config = toml::from_str(text).unwrap();
        assert_eq!(c.retention.retention_years, 10);
        assert_eq!(c.retention.lock_margin_years, 1);
        assert_eq!(c.replicas.len(), 2);
        assert_eq!(c.replicas[0].lock, LockMode::Compliance);
        assert!(c.replicas[0].auto);
        assert!(c.replicas[1].path_style);
        assert_eq!(c.replicas[1].lock, LockMode::Governance);
        assert!(!c.replicas[1].auto);
        let again: Config = toml::from_str(&c.to_toml().unwrap()).unwrap();
        assert_eq!(again, c);
        // A secret has no place to go.
        assert!(toml::from_str::<Config>(
            "[[replica]]\nname = \"x\"\nkind = \"s3\"\nsecret_access_key = \"k\"\n"
        )
        .is_err());
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("[signer]\npassword = \"x\"\n").is_err());
    }

    #[test]
    fn flags_replace_the_trust_anchors_and_add_crls() {
        let mut c = Config::default();
        c.validation.trust = vec!["/etc/roots.pem".into()];
        c.validation.crls = vec!["/etc/a.crl".into()];
        let o = ValidationOverrides {
            trust: vec!["mine.pem".into()],
            crls: vec!["b.crl".into()],
            offline: true,
        };
        let r = c.with_overrides(&o, Path::new("/cwd"));
        assert_eq!(r.validation.trust, vec![PathBuf::from("/cwd/mine.pem")]);
        assert_eq!(
            r.validation.crls,
            vec![PathBuf::from("/etc/a.crl"), PathBuf::from("/cwd/b.crl")]
        );
        assert!(r.validation.offline);
        let kept = c.with_overrides(&ValidationOverrides::default(), Path::new("/cwd"));
        assert_eq!(kept, c);
    }
}
