//! S3 credentials, found the way AWS tools find them, and never printed.
//!
//! Order: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ optional
//! `AWS_SESSION_TOKEN`) from the environment; else the profile `AWS_PROFILE`
//! (or `default`) from the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`
//! or `~/.aws/credentials`), then from the config file (`AWS_CONFIG_FILE` or
//! `~/.aws/config`, section `[profile NAME]` or `[default]`). Static keys
//! only: SSO, assume-role and process credentials are not read (aws-config,
//! which does them, would add several SDK crates to the build). hozon's own
//! configuration never holds a secret, and the `Debug` form redacts them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{ReplicaError, Result};

/// An access key pair (and optional session token).
#[derive(Clone)]
pub struct S3Credentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
    pub(crate) source: String,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("source", &self.source)
            .finish()
    }
}

impl S3Credentials {
    /// Credentials given directly (for tests and embedding).
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> S3Credentials {
        S3Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            source: "given".into(),
        }
    }

    /// The access key id (not secret; for messages).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// Where they came from (`environment`, `profile default in FILE`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Finds credentials per the AWS conventions (see the module docs),
    /// reading the process environment.
    pub fn from_environment() -> Result<S3Credentials> {
        S3Credentials::resolve(&|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// As [`S3Credentials::from_environment`], with `env` standing for the
    /// environment.
    pub fn resolve(env: &dyn Fn(&str) -> Option<String>) -> Result<S3Credentials> {
        match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => {
                return Ok(S3Credentials {
                    access_key_id: id,
                    secret_access_key: secret,
                    session_token: env("AWS_SESSION_TOKEN"),
                    source: "environment".into(),
                })
            }
            (Some(_), None) => {
                return Err(ReplicaError::Credentials(
                    "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into(),
                ))
            }
            _ => {}
        }
        let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let home = env("HOME").map(PathBuf::from);
        let credentials_file = env("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws/credentials")));
        let config_file = env("AWS_CONFIG_FILE")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws/config")));
        let mut looked = Vec::new();
        if let Some(file) = credentials_file {
            if let Some(found) = from_ini(&file, &profile, &profile)? {
                return Ok(found);
            }
            looked.push(file.display().to_string());
        }
        if let Some(file) = config_file {
            let section = if profile == "default" {
                "default".to_string()
            } else {
                format!("profile {profile}")
            };
            if let Some(found) = from_ini(&file, &section, &profile)? {
                return Ok(found);
            }
            looked.push(file.display().to_string());
        }
        Err(ReplicaError::Credentials(format!(
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and profile {profile} has no aws_access_key_id/aws_secret_access_key in {}",
            if looked.is_empty() {
                "any credentials file (HOME is not set)".to_string()
            } else {
                looked.join(" or ")
            }
        )))
    }
}

/// Reads `[section]` of an INI file; `Ok(None)` if the file or the section
/// (with both keys) is absent.
fn from_ini(file: &Path, section: &str, profile: &str) -> Result<Option<S3Credentials>> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ReplicaError::io(
                file,
                "cannot read the AWS credentials file",
                e,
            ))
        }
    };
    let mut current: Option<String> = None;
    let (mut id, mut secret, mut token) = (None, None, None);
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.split_whitespace().collect::<Vec<_>>().join(" "));
            continue;
        }
        if current.as_deref() != Some(section) {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().to_string();
        match name.trim().to_ascii_lowercase().as_str() {
            "aws_access_key_id" => id = Some(value),
            "aws_secret_access_key" => secret = Some(value),
            "aws_session_token" => token = Some(value),
            _ => {}
        }
    }
    match (id, secret) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok(Some(S3Credentials {
                access_key_id: id,
                secret_access_key: secret,
                session_token: token.filter(|t| !t.is_empty()),
                source: format!("profile {profile} in {}", file.display()),
            }))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn environment_wins_and_debug_redacts_the_secret() {
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".into()),
            ("AWS_SECRET_ACCESS_KEY", "s3cr3t-value".into()),
            ("AWS_SESSION_TOKEN", "tok3n-value".into()),
        ]);
        let creds = S3Credentials::resolve(&env).map_err(|e| e.to_string());
        let creds = match creds {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
        let shown = format!("{creds:?}");
        assert!(
            !shown.contains("s3cr3t-value") && !shown.contains("tok3n-value"),
            "{shown}"
        );
    }

    #[test]
    fn named_profile_from_the_shared_file_then_the_config_file() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(dir) = dir else { panic!("tempdir") };
        let creds_file = dir.path().join("credentials");
        let config_file = dir.path().join("config");
        std::fs::write(
            &creds_file,
            "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n[archive]\n# comment\naws_access_key_id=A\naws_secret_access_key = AS \n",
        )
        .ok();
        std::fs::write(
            &config_file,
            "[profile other]\naws_access_key_id = O\naws_secret_access_key = OS\n",
        )
        .ok();
        let base = vec![
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                creds_file.display().to_string(),
            ),
            ("AWS_CONFIG_FILE", config_file.display().to_string()),
        ];
        let mut with_profile = base.clone();
        with_profile.push(("AWS_PROFILE", "archive".into()));
        let got = S3Credentials::resolve(&env_of(&with_profile)).ok();
        assert_eq!(
            got.as_ref()
                .map(|c| (c.access_key_id.as_str(), c.secret_access_key.as_str())),
            Some(("A", "AS"))
        );
        let got = S3Credentials::resolve(&env_of(&base)).ok();
        assert_eq!(got.as_ref().map(|c| c.access_key_id.as_str()), Some("D"));
        let mut other = base.clone();
        other.push(("AWS_PROFILE", "other".into()));
        let got = S3Credentials::resolve(&env_of(&other)).ok();
        assert_eq!(got.as_ref().map(|c| c.access_key_id.as_str()), Some("O"));
        let mut missing = base;
        missing.push(("AWS_PROFILE", "nope".into()));
        let err = S3Credentials::resolve(&env_of(&missing))
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("profile nope")),
            "{err:?}"
        );
    }

    #[test]
    fn half_set_environment_is_an_error() {
        let env = env_of(&[("AWS_ACCESS_KEY_ID", "AKID".into())]);
        assert!(S3Credentials::resolve(&env).is_err());
    }
}
