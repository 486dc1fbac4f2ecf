//! A ready [`CadesSigner`] from a signer description (the command line's
//! `--key/--cert/--pkcs12/--pkcs11-*` options, or `hozon.toml`'s
//! `[signer]`): a software key (PEM or PKCS#12, its password from an
//! environment variable, a file or the terminal) or a key on a PKCS#11
//! token (PIN from the same sources, or the reader's PIN pad). Passwords
//! and PINs are read once, held in zeroized memory ([`crate::Secret`]) and
//! never stored in the description itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hozon_cms::DigestAlgorithm;

use crate::{
    AlgorithmChoice, CadesSigner, Error, Pkcs11Options, Pkcs11Signer, SecretSource, SoftwareSigner,
};

/// The environment variable naming a PKCS#11 module when no software key
/// is given.
pub const PKCS11_MODULE_ENV: &str = "HOZON_PKCS11_MODULE";

/// What to sign with: paths and names, never a secret.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignerSpec {
    /// Private key file (PEM or DER).
    pub key: Option<PathBuf>,
    /// Signer's certificate (with a key, or overriding a token's).
    pub cert: Option<PathBuf>,
    /// CA certificates to embed.
    pub chain: Option<PathBuf>,
    /// PKCS#12 file with key, certificate and chain.
    pub pkcs12: Option<PathBuf>,
    /// The key password's environment variable.
    pub pass_env: Option<String>,
    /// The file whose first line is the key password.
    pub pass_file: Option<PathBuf>,
    /// The PKCS#11 module (else [`PKCS11_MODULE_ENV`] when no software key
    /// is given).
    pub pkcs11_module: Option<PathBuf>,
    /// The token, by label or serial.
    pub pkcs11_token: Option<String>,
    /// The key on the token, by label or id.
    pub pkcs11_key: Option<String>,
    /// At most this many sessions on the token.
    pub pkcs11_sessions: Option<usize>,
    /// The PIN's environment variable.
    pub pin_env: Option<String>,
    /// The file whose first line is the PIN.
    pub pin_file: Option<PathBuf>,
    /// Digest algorithm (default: by the key).
    pub digest: Option<DigestAlgorithm>,
    /// RSASSA-PSS instead of PKCS#1 v1.5.
    pub rsa_pss: bool,
}

/// Why a signer could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// No key is named at all.
    #[error("the signer is missing: give --key KEY --cert CERT, --pkcs12 FILE, or --pkcs11-module LIB (or set HOZON_PKCS11_MODULE)")]
    Missing,
    /// A token option without a token.
    #[error("{option} applies to a PKCS#11 token: give --pkcs11-module LIB")]
    TokenOptionWithoutModule {
        /// The option (`--pkcs11-key`, `--pin-env`, …).
        option: &'static str,
    },
    /// A certificate or chain without the key it belongs to.
    #[error("--cert and --chain go with --key KEY (or with --pkcs11-module LIB)")]
    CertificateWithoutKey,
    /// A key without its certificate.
    #[error("give --key KEY --cert CERT, --pkcs12 FILE, or --pkcs11-module LIB (or set HOZON_PKCS11_MODULE)")]
    KeyWithoutCertificate,
    /// The key, certificate or token could not be used (the error names
    /// the file).
    #[error(transparent)]
    Sign(#[from] Error),
    /// The key in `path` could not be used.
    #[error("{}: {reason}", path.display())]
    File {
        /// The file at fault.
        path: PathBuf,
        /// Why.
        reason: Error,
    },
    /// The key on a token could not be used.
    #[error("{token}: {reason}")]
    Token {
        /// "PKCS#11 token T, key K".
        token: String,
        /// Why.
        reason: Error,
    },
}

impl SignerSpec {
    /// The PKCS#11 module to use: `pkcs11_module`, or
    /// `$HOZON_PKCS11_MODULE` when no software key is given.
    pub fn module(&self) -> Option<PathBuf> {
        self.pkcs11_module.clone().or_else(|| {
            if self.key.is_some() || self.pkcs12.is_some() {
                None
            } else {
                std::env::var_os(PKCS11_MODULE_ENV)
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            }
        })
    }

    /// Whether any signer is named (a key, a PKCS#12 file or a module).
    pub fn is_given(&self) -> bool {
        self.key.is_some() || self.pkcs12.is_some() || self.module().is_some()
    }

    /// Checks what the options cannot say alone: some key must be named,
    /// and the token options need a token.
    pub fn check(&self) -> Result<(), LoadError> {
        if self.module().is_some() {
            return Ok(());
        }
        if self.key.is_none() && self.pkcs12.is_none() {
            return Err(LoadError::Missing);
        }
        for (given, option) in [
            (self.pkcs11_token.is_some(), "--pkcs11-token"),
            (self.pkcs11_key.is_some(), "--pkcs11-key"),
            (self.pkcs11_sessions.is_some(), "--pkcs11-sessions"),
            (self.pin_env.is_some(), "--pin-env"),
            (self.pin_file.is_some(), "--pin-file"),
        ] {
            if given {
                return Err(LoadError::TokenOptionWithoutModule { option });
            }
        }
        Ok(())
    }

    /// Loads the signer (asking for a password or PIN now if its source is
    /// the terminal).
    pub fn load(&self) -> Result<CadesSigner, LoadError> {
        let choice = AlgorithmChoice {
            digest: self.digest,
            rsa_pss: self.rsa_pss,
        };
        self.check()?;
        if let Some(module) = self.module() {
            return self.load_pkcs11(module, choice);
        }
        if self.key.is_none() && (self.cert.is_some() || self.chain.is_some()) {
            return Err(LoadError::CertificateWithoutKey);
        }
        let password = secret_source(
            &self.pass_env,
            &self.pass_file,
            "Key password: ",
            "--pass-env VAR or --pass-file FILE",
        );
        let (signer, source) = match (&self.pkcs12, &self.key, &self.cert) {
            (Some(p12), _, _) => (
                SoftwareSigner::from_pkcs12_file(p12, &password, choice)
                    .map_err(|e| named(p12, e))?,
                p12,
            ),
            (None, Some(key), Some(cert)) => (
                SoftwareSigner::from_pem_files(key, cert, self.chain.as_deref(), &password, choice)
                    .map_err(|e| named(key, e))?,
                cert,
            ),
            _ => return Err(LoadError::KeyWithoutCertificate),
        };
        CadesSigner::new(Arc::new(signer)).map_err(|e| named(source, e))
    }

    /// The signer on a PKCS#11 token: one login, the key checked against
    /// its certificate.
    fn load_pkcs11(
        &self,
        module: PathBuf,
        choice: AlgorithmChoice,
    ) -> Result<CadesSigner, LoadError> {
        let pin = secret_source(
            &self.pin_env,
            &self.pin_file,
            "Token PIN: ",
            "--pin-env VAR or --pin-file FILE",
        );
        let options = Pkcs11Options {
            token: self.pkcs11_token.clone(),
            key: self.pkcs11_key.clone(),
            cert: self.cert.clone(),
            chain: self.chain.clone(),
            choice,
            max_sessions: self.pkcs11_sessions.unwrap_or(0),
            ..Pkcs11Options::new(module, pin)
        };
        let signer = Pkcs11Signer::open(&options)?;
        let token = format!(
            "PKCS#11 token {}, key {}",
            signer.token(),
            signer.key_name()
        );
        CadesSigner::new(Arc::new(signer)).map_err(|reason| LoadError::Token { token, reason })
    }
}

/// A secret from an environment variable, else a file, else the terminal
/// (naming `alternatives` when there is none).
pub fn secret_source(
    env: &Option<String>,
    file: &Option<PathBuf>,
    prompt: &str,
    alternatives: &str,
) -> SecretSource {
    match (env, file) {
        (Some(var), _) => SecretSource::Env(var.clone()),
        (None, Some(file)) => SecretSource::File(file.clone()),
        (None, None) => SecretSource::prompt(prompt, alternatives),
    }
}

/// An error that does not name a file yet, prefixed with the one at fault.
fn named(file: &Path, e: Error) -> LoadError {
    match e {
        Error::Io { .. }
        | Error::BadKey { .. }
        | Error::WrongPassword { .. }
        | Error::BadCertificate { .. } => LoadError::Sign(e),
        reason => LoadError::File {
            path: file.to_path_buf(),
            reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_at_all_is_missing() {
        let spec = SignerSpec {
            pkcs11_module: None,
            ..SignerSpec::default()
        };
        if std::env::var_os(PKCS11_MODULE_ENV).is_none() {
            assert!(matches!(spec.load(), Err(LoadError::Missing)));
            assert!(!spec.is_given());
        }
    }

    #[test]
    fn a_pin_without_a_token_is_refused_by_name() {
        let spec = SignerSpec {
            pkcs12: Some("signer.p12".into()),
            pin_env: Some("PIN".into()),
            ..SignerSpec::default()
        };
        let e = spec.load().err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            e,
            "--pin-env applies to a PKCS#11 token: give --pkcs11-module LIB"
        );
    }

    #[test]
    fn a_certificate_beside_a_pkcs12_is_refused() {
        let spec = SignerSpec {
            pkcs12: Some("signer.p12".into()),
            cert: Some("c.pem".into()),
            ..SignerSpec::default()
        };
        assert!(matches!(spec.load(), Err(LoadError::CertificateWithoutKey)));
    }

    #[test]
    fn an_unreadable_pkcs12_is_named() {
        let spec = SignerSpec {
            pkcs12: Some("/nonexistent/signer.p12".into()),
            pass_env: Some("HOZON_TEST_UNSET_PASSWORD_VAR".into()),
            ..SignerSpec::default()
        };
        let e = spec.load().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("/nonexistent/signer.p12"), "{e}");
    }
}
